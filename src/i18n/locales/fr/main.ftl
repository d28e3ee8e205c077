# Quartier — français (langue par défaut)

## Document et structure
document-title = { $page } – { $town } – Quartier
loading = Chargement…
skip-to-content = Aller au contenu
header-tagline = Les services connectés de votre ville

## Navigation
nav-label = Navigation principale
nav-menu = Menu
nav-map = Carte
nav-report = Signaler un problème
nav-my-reports = Mes signalements
nav-my-data = Mes données
nav-consents = Consentements
nav-sign-in = Se connecter

## Langues
lang-menu-label = Langue

## Pied de page
footer-label = Informations sur le site
footer-accessibility = Accessibilité : partiellement conforme
footer-legal = Mentions légales
footer-town-website = Site de la ville
footer-demo = Démonstration : la ville, ses équipements et ses habitants sont fictifs.

## Accueil
home-title = Bienvenue à { $town }
home-intro = Quartier vous montre les services connectés de la ville, vous permet de signaler un problème et de garder la main sur vos données personnelles.
home-areas-title = Ce que vous pouvez faire
home-map-title = Les services de la ville
home-map-text = Éclairage, déchets, eau, transports, stationnement : leur état en direct, sur une carte ou sous forme de liste.
home-map-link = Explorer les services
home-report-title = Un problème dans la rue ?
home-report-text = Lampadaire éteint, conteneur plein, nid-de-poule : prévenez la ville en quelques gestes, même hors ligne.
home-report-link = Prévenir la ville
home-my-reports-title = Vos signalements
home-my-reports-text = Suivez le traitement de ce que vous avez signalé.
home-my-reports-link = Suivre mes demandes
home-my-data-title = Vos données
home-my-data-text = Voyez les données que la plateforme de la ville détient sur vous, et qui les a consultées.
home-my-data-link = Voir ce que la ville sait de moi
home-consents-title = Vos choix
home-consents-text = Donnez ou retirez votre accord, finalité par finalité, avec l'historique de chaque changement.
home-consents-link = Choisir ce que je partage

## Parties en construction
page-map-title = Carte des services
page-report-title = Signaler un problème
page-report-detail-title = Signalement { $id }
page-my-reports-title = Mes signalements
page-sign-in-title = Se connecter
page-my-data-title = Mes données
page-consents-title = Mes consentements

## Page introuvable
not-found-title = Page introuvable
not-found-text = L'adresse demandée ne correspond à aucune page de Quartier. Elle a peut-être changé, ou contient une faute de frappe.
not-found-home = Retour à l'accueil

## Configuration
config-error-title = Quartier ne peut pas démarrer
config-error-unreachable = Le fichier de configuration de la ville n'a pas pu être chargé. Vérifiez votre connexion puis réessayez.
config-error-status = Le serveur n'a pas fourni le fichier de configuration de la ville (code { $status }).
config-error-syntax = Le fichier de configuration de la ville est illisible.
config-error-invalid = Le fichier de configuration de la ville contient des valeurs invalides :
config-error-webmaster = Si le problème persiste, prévenez la mairie : le fichier config.json du site doit être corrigé.
config-error-details = Détails techniques
config-error-retry = Réessayer
config-problem-empty = { $field } : valeur manquante
config-problem-out-of-range = { $field } : valeur hors limites
config-problem-not-a-colour = { $field } : couleur invalide (attendu : #rrggbb)
config-problem-unknown-language = { $field } : langue non prise en charge
config-problem-not-offered = { $field } : langue absente de la liste des langues proposées
config-problem-duplicate = { $field } : valeur en double
config-problem-missing-placeholder = { $field } : l'adresse des tuiles doit contenir {"{"}z{"}"}, {"{"}x{"}"} et {"{"}y{"}"}
config-problem-unsupported = { $field } : inutilisé par cette version de Quartier, à retirer
config-detail-unreachable = { $path } n'a pas pu être téléchargé : { $cause }
config-detail-status = { $path } a répondu HTTP { $status }
config-detail-syntax = { $path } n'est pas un JSON de la forme attendue : { $cause }
config-detail-invalid = { $path } contient { $count ->
    [one] une valeur invalide
   *[other] { $count } valeurs invalides
}

## Erreurs d'accès au réseau
error-network = Le serveur de la ville est injoignable. Vérifiez votre connexion puis réessayez.
error-not-found = Cet élément n'existe pas ou plus.
error-session-expired = Votre session a expiré. Reconnectez-vous pour continuer.
error-server = Le serveur de la ville rencontre un problème. Réessayez dans quelques instants.
error-request = La demande n'a pas pu être traitée.
error-decode = La réponse du serveur de la ville est illisible.
error-broker-refused = La plateforme des services a refusé l'accès à ces données.
error-broker-server = La plateforme des services rencontre un problème. Réessayez dans quelques instants.
error-geocoder-query = Tapez au moins deux caractères de l'adresse.
error-geocoder-unavailable = La recherche d'adresse est indisponible. Réessayez plus tard, ou déplacez la carte à la main.
error-forbidden = Vous n'avez pas accès à ce contenu.
error-too-many = Trop de demandes à la fois. Patientez un instant puis réessayez.
error-app-code-network = Cette page n'a pas pu être téléchargée. Vérifiez votre connexion puis réessayez.
error-app-code = Cette page n'a pas pu démarrer. Réessayez, ou rechargez la page.

## Déclaration d'accessibilité
a11y-title = Déclaration d'accessibilité
a11y-commitment = { $town } s'engage à rendre ses services numériques accessibles, conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005.
a11y-scope = Cette déclaration s'applique à Quartier, l'application des services connectés de la ville.
a11y-status-title = État de conformité
a11y-status = Quartier est partiellement conforme au référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1 : aucun audit complet n'a encore été réalisé. Chaque version est vérifiée par des tests automatiques (axe-core) et au clavier.
a11y-alternatives-title = Alternatives
a11y-alternatives = La carte des services a toujours une alternative sous forme de liste, et un lieu peut toujours être donné par son adresse.
a11y-contact-title = Retour d'information et contact
a11y-contact = Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez la mairie pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme.
a11y-remedy-title = Voies de recours
a11y-remedy = Si vous avez signalé un défaut d'accessibilité sans obtenir de réponse satisfaisante, vous pouvez saisir le Défenseur des droits (formulaire en ligne, délégué de votre région ou courrier gratuit : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07).

## Mentions légales
legal-title = Mentions légales
legal-publisher-title = Éditeur
legal-publisher = Ce service est édité par la ville de { $town }, qui en est responsable.
legal-platform-title = Données et hébergement
legal-platform = Les données affichées proviennent de la plateforme de données de la ville, que la ville possède et opère. Quartier n'utilise ni traceur ni publicité, et ne dépose aucun cookie en dehors de celui de votre session de connexion.
legal-privacy-title = Données personnelles
legal-privacy = Vos données personnelles sont traitées par la ville dans le respect du RGPD. Vous pouvez les consulter, les exporter, demander leur effacement et gérer vos consentements depuis les pages « Mes données » et « Consentements ». Vous pouvez aussi saisir la CNIL.
legal-software-title = Logiciel
legal-software = Quartier est un logiciel libre réutilisable par toute collectivité.

## Carte des services
map-layers = Services affichés
map-layers-button = Calques
map-layers-close = Fermer
map-layer-loading = Chargement…
map-layer-loading-progress = Chargement : { $loaded } sur { $total }
map-layer-source = Source : { $provider }
map-layer-licence = Licence : { $licence }
map-layer-observed = Dernière observation : { $time }
map-layer-loaded-at = Mis à jour à { $time }
map-layer-updated-seconds = { $seconds ->
    [0] Mis à jour à l’instant
    [one] Mis à jour il y a { $seconds } seconde
   *[other] Mis à jour il y a { $seconds } secondes
}
map-layer-updated-minutes = { $minutes ->
    [one] Mis à jour il y a { $minutes } minute
   *[other] Mis à jour il y a { $minutes } minutes
}
map-live-on = Mises à jour en direct actives.
map-live-connecting = Connexion aux mises à jour en direct…
map-live-interrupted = Mises à jour en direct interrompues : la carte n’est peut-être plus à jour.
map-live-retry-in = { $seconds ->
    [0] Reconnexion…
    [one] Reconnexion dans { $seconds } seconde.
   *[other] Reconnexion dans { $seconds } secondes.
}
map-legend-row = { $state } : { $count }
map-legend-clusters = Sur la carte, un cercle compte les équipements d'une couche à un endroit ; un carré rouge avec « ! » indique combien sont en panne ou saturés, une marque orange combien sont à surveiller.
map-cluster-label = { $layer } : { $count } équipements{ $problems ->
    [0] {""}
    [one] , dont 1 en panne ou saturé
   *[other] , dont { $problems } en panne ou saturés
}{ $warnings ->
    [0] {""}
    [one] , 1 à surveiller
   *[other] , { $warnings } à surveiller
}.
retry = Réessayer
map-show-list = Afficher en liste
map-show-map = Afficher la carte
map-failed = La carte n'a pas pu s'afficher. Les services restent consultables sous forme de liste.
map-region = Carte
map-keyboard-help = Flèches pour déplacer la carte, plus et moins pour zoomer, Entrée pour ouvrir le service situé sous la croix au centre de la carte.
map-zoom-in = Zoom avant
map-zoom-out = Zoom arrière
map-list-title = Services visibles, du plus proche au plus éloigné du centre de la carte
map-list-empty = Aucun service de ces catégories dans cette zone. Déplacez la carte ou choisissez d'autres services.
map-list-count = { $total ->
    [one] Un service dans cette zone.
   *[other] { $total } services dans cette zone.
}
map-list-truncated = Les { $shown } services les plus proches sur { $total } dans cette zone. Zoomez pour voir les autres.
map-list-distance = à { $metres } m
map-list-near-centre = { $layer } : à ce niveau de zoom, seulement ceux à moins de { $metres } m du centre de la carte. Zoomez ou déplacez la carte pour en lister d'autres.
map-list-details = Détails : { $name }

## États des services
state-ok = En service
state-warning = À surveiller
state-problem = En panne ou saturé
state-unknown = État inconnu
state-full-percent = plein à { $percent } %
state-free-places-of = { $free } places libres sur { $total }
state-free-places = { $free ->
    [one] une place libre
   *[other] { $free } places libres
}
state-air-index = indice de qualité de l'air { $index } ({ $band })
state-ph = pH { $value } (limites : 6,5 à 9)
state-unknown-value = { $value } (état inconnu)
air-band-good = bon
air-band-fair = moyen
air-band-degraded = dégradé
air-band-poor = mauvais
air-band-very-poor = très mauvais
air-band-extremely-poor = extrêmement mauvais
details-reading = Relevé
status-ok = fonctionne
status-working = fonctionne
status-free = libre
status-occupied = occupée
status-closed = fermé
status-defective-lamp = lampe défectueuse
status-column-issue = problème de mât
status-broken-lantern = lanterne cassée
status-out-of-service = hors service
status-lid-open = couvercle ouvert
status-dropped = renversé
status-burning = en feu

## Fiche d'un service
details-state = État
details-title-named = { $layer } – { $name }
details-title-reference = { $layer } { $reference }
details-observed = Dernière observation
details-owner = Fournisseur des données
details-address = Adresse
details-report-here = Signaler un problème ici
details-close = Fermer
details-follow = Suivre ses changements

## Recherche d'un lieu
map-place-label = Rechercher une adresse
map-place-search = Rechercher
map-place-results = Adresses trouvées
map-place-none = Aucune adresse trouvée. Vérifiez l'orthographe ou essayez le nom de la rue seul.
map-place-centred = Carte centrée sur { $place }.
map-locate-me = Utiliser ma position
map-locating = Recherche de votre position…
map-located = Carte centrée sur votre position.
map-location-unavailable = Votre position n'est pas disponible. Vous pouvez rechercher une adresse.

## Connexion
sign-in-email = Adresse électronique
sign-in-password = Mot de passe
sign-in-submit = Se connecter
sign-in-help = Les habitants de la ville de démonstration utilisent le mot de passe « quartier-demo ».
sign-in-email-missing = Saisissez votre adresse électronique.
sign-in-email-invalid = Saisissez une adresse électronique de la forme nom@exemple.fr.
sign-in-password-missing = Saisissez votre mot de passe.
sign-in-wrong = Adresse électronique ou mot de passe incorrect.
sign-in-too-many = Trop de tentatives. Patientez une minute avant de réessayer.
sign-in-already = Vous êtes connecté·e en tant que { $name }.
sign-out = Se déconnecter
form-errors-title = Le formulaire contient des erreurs
map-layer-by-area = { $total } équipements, comptés par zone sur la carte. Zoomez sur un quartier pour voir chacun d'eux.
map-announce-layer-ready = { $layer } : { $count ->
    [one] un équipement affiché.
   *[other] { $count } équipements affichés.
}
map-announce-layer-failed = { $layer } n'a pas pu être chargé.
map-announce-followed-changed = { $layer } { $service } : désormais { $state }.
map-announce-layer-by-area = { $layer } : { $total } équipements, comptés par zone. Zoomez sur un quartier pour voir chacun d'eux.
map-layer-area-only = Seuls les équipements de la zone affichée sont chargés.

## Signaler un problème
report-public-note = Ce qui est publié : la catégorie, le lieu, la description et les photos (sans leurs données de localisation). Votre nom et vos coordonnées ne sont jamais publiés.
report-required-note = Les champs marqués * sont obligatoires.
report-step-of = Étape { $n } sur { $total } :
report-step-category = Quel est le problème ?
report-step-place = Où est-il ?
report-step-description = Décrivez-le
report-step-contact = Contact et envoi
report-back = Précédent
report-next = Suivant
report-category-search = Chercher une catégorie
report-category-count = { $count ->
    [one] Une catégorie correspond.
   *[other] { $count } catégories correspondent.
}
report-category = Catégorie
report-category-choose = Choisissez une catégorie
report-about-asset = Concerne : { $layer }, { $id }
report-questions-missing = Les questions de cette catégorie n'ont pas pu être chargées. Réessayez.
report-address = Adresse
report-address-hint = Tapez au moins trois caractères, puis choisissez une suggestion avec les flèches et Entrée.
report-address-suggestions = Adresses proposées
report-address-none = Aucune adresse trouvée. Vérifiez l'orthographe, ou placez le repère sur la carte.
report-address-count = { $count ->
    [one] Une suggestion.
   *[other] { $count } suggestions.
}
report-map-help = Touchez la carte pour placer le repère, ou déplacez la carte sous le repère (en la faisant glisser, ou avec les flèches une fois la carte sélectionnée).
report-map-unavailable = La carte ne peut pas être affichée. Donnez une adresse ou utilisez votre position.
report-place = Lieu
report-place-none = Aucun lieu choisi pour l'instant.
report-place-address = Le signalement sera placé au { $address }.
report-place-map = Le signalement sera placé sous le repère de la carte ({ $lat }, { $lon }).
report-place-my-location = Le signalement sera placé à votre position ({ $lat }, { $lon }).
report-place-asset = Le signalement sera placé sur l'équipement choisi sur la carte ({ $lat }, { $lon }).
report-place-photo = Le signalement sera placé là où la photo a été prise ({ $lat }, { $lon }).
report-nearby-title = Déjà connu de la ville à proximité
report-nearby-asset = { $layer } { $name } : { $state }.
report-nearby-asset-since = { $layer } { $name } se signale lui-même : { $state }, depuis { $time }.
report-nearby-reported = Signalé le { $time } (n° { $id }).
report-nearby-open = Voir ce signalement
report-follow = Suivre ce signalement : me prévenir quand c'est réparé
report-followed = Vous suivez ce signalement. La ville vous compte parmi les personnes qui l'attendent.
report-nearby-still-send = Si votre problème est différent, poursuivez votre signalement.
report-description = Description
report-description-hint = Ce qui ne va pas, et tout ce qui aide à le trouver (4 000 caractères au plus).
report-photo = Photo
report-photo-hint = Jusqu'à 3 photos. Elles sont réduites et débarrassées de leurs données cachées (position, appareil) sur cet appareil avant l'envoi.
report-photo-preparing = Préparation de la photo…
report-photo-alt = Photo { $n } de votre signalement
report-photo-remove = Retirer la photo { $n }
report-photo-not-image = Ce fichier n'est pas une photo. Choisissez une image JPEG, PNG, WebP ou HEIC.
report-photo-too-large = Cette photo est trop lourde, même réduite. Choisissez-en une autre.
report-photo-unreadable = Cette photo ne peut pas être lue. Essayez-en une autre.
report-photo-too-many = 3 photos au plus : retirez-en une pour en ajouter une autre.
report-photo-gps = Cette photo sait où elle a été prise.
report-photo-gps-use = Utiliser ce lieu pour le signalement
report-photo-gps-ignore = Non, garder mon lieu
report-contact-private = Facultatif. Transmis à la ville seulement, pour vous répondre ; jamais publié. Laissez tout vide pour signaler anonymement.
report-signed-in-note = Vous êtes connecté·e : le signalement est rattaché à votre compte, vous pourrez le suivre dans Mes signalements.
report-first-name = Prénom
report-last-name = Nom
report-email = Courriel
report-phone = Téléphone
report-send = Envoyer le signalement
report-sending = Envoi en cours…
report-sending-progress = Envoi en cours… { $percent } %
report-draft-restored = Nous avons gardé sur cet appareil le signalement que vous aviez commencé.
report-start-over = Recommencer
report-sent-title = Signalement envoyé
report-sent-id = Votre signalement porte le numéro { $id }.
report-sent-follow = Suivre ce signalement
report-another = Signaler un autre problème
report-queued-title = Signalement enregistré, en attente d'envoi
report-queued-text = Le serveur de la ville est injoignable pour l'instant. Votre signalement est gardé sur cet appareil et partira tout seul dès que possible, même si vous fermez cette page.
report-send-now = Essayer d'envoyer maintenant
report-see-mine = Voir mes signalements
report-delivered = Votre signalement en attente est parti : numéro { $id }.
report-queued-invalid = La ville a refusé ce signalement. Modifiez-le et envoyez-le à nouveau.
field-error-required = { $field } : ce champ est obligatoire.
field-error-too-long = { $field } : c'est trop long.
field-error-email = { $field } : ce n'est pas une adresse électronique.
field-error-number = { $field } : saisissez un nombre.
field-error-outside-town = { $field } : ce lieu est hors de la commune. Choisissez un lieu dans la commune.
field-error-option = { $field } : choisissez une des options proposées.
field-error-datetime = { $field } : saisissez une date et une heure.
field-error-invalid = { $field } : cette valeur n'est pas acceptée.
error-report-not-found = Ce signalement n'existe pas, ou n'existe plus.
error-reports-refused = Le service des signalements de la ville a refusé la demande.
report-detail-mine = Tous mes signalements
report-status-open = En cours
report-status-closed = Clos
report-detail-status = État : { $status }
report-detail-category = Catégorie
report-detail-description = Description
report-detail-address = Adresse
report-detail-requested = Signalé le
report-detail-updated = Dernier changement
report-detail-expected = Prévu pour
report-detail-notes = Les notes de la ville
report-detail-agency = Traité par
report-detail-photo = Photo { $n } envoyée avec le signalement
report-detail-map = Carte du lieu du signalement ({ $lat }, { $lon })
my-reports-account = Les signalements de votre compte, du plus récent au plus ancien.
my-reports-device = Les signalements envoyés depuis cet appareil, du plus récent au plus ancien. Connectez-vous pour voir ceux de votre compte.
my-reports-waiting-title = En attente d'envoi
my-reports-waiting = En attente d'envoi depuis le { $time }.
my-reports-delete = Supprimer ce signalement
my-reports-sent-title = Envoyés à la ville
my-reports-none = Aucun signalement pour l'instant.
my-reports-no-category = Signalement
my-reports-number = n° { $id }
report-detail-followers = { $count ->
    [0] Personne d'autre ne suit encore ce signalement.
    [one] Une personne suit ce signalement.
   *[other] { $count } personnes suivent ce signalement.
}
signed-in-only-checking = Vérification de votre session…
signed-in-only-redirect = Connectez-vous pour voir cette page : redirection vers la page de connexion…

## Consentements
consents-intro = Pour chaque usage de vos données ci-dessous, c'est vous qui décidez. Vous pouvez donner ou retirer votre consentement à tout moment, aussi simplement dans un sens que dans l'autre ; le retrait ne remet pas en cause ce qui a été fait avant.
consents-now-given = Consentement donné : { $purpose }.
consents-now-withdrawn = Consentement retiré : { $purpose }.
consents-state-given = Vous avez donné votre consentement le { $time }.
consents-state-withdrawn = Vous avez retiré votre consentement le { $time }.
consents-state-refused = Vous avez refusé le { $time }.
consents-state-none = Vous n'avez pas encore répondu : rien n'est fait sans votre consentement.
consents-renewal = À renouveler : cet usage a changé depuis votre consentement (il en est à la version { $version }). Relisez-le et renouvelez votre consentement si vous êtes toujours d'accord ; d'ici là, il n'est pas appliqué.
consents-renew = Renouveler mon consentement
consents-controller = Responsable du traitement
consents-data = Données utilisées
consents-recipients = Destinataires
consents-recipients-town = La ville seulement.
consents-recipients-also = La ville, et { $recipient }.
consents-retention = Conservation
consents-legal-basis = Base légale
consents-legal-basis-consent = Votre consentement (RGPD, article 6, paragraphe 1, a), que vous pouvez retirer à tout moment (article 7, paragraphe 3).
consents-history = Historique ({ $count ->
    [one] un événement
   *[other] { $count } événements
})
consents-event-given = { $time } : consentement donné (version { $version }).
consents-event-withdrawn = { $time } : consentement retiré (version { $version }).
consents-event-refused = { $time } : refus (version { $version }).
consents-receipt = Télécharger le reçu (JSON)
data-category-water-meter-readings = relevés du compteur d'eau
data-category-contact-details = coordonnées
data-category-address = adresse
data-category-transport-trips = trajets en transports en commun
data-category-district = quartier
retention-withdrawal-or-1-year = jusqu'au retrait de votre consentement, un an au plus
retention-until-withdrawal = jusqu'au retrait de votre consentement
retention-anonymised-after-30-days = anonymisées après 30 jours, puis gardées deux ans pour les statistiques
retention-programme-end-plus-1-year = jusqu'à un an après la fin du programme
report-place-typed = Le signalement donnera l'adresse « { $address } » telle que vous l'avez tapée (choisissez une suggestion, ou placez le repère, pour donner le lieu exact).
consents-receipt-show = Afficher le reçu
consents-receipt-id = Numéro du reçu
consents-receipt-state = Ce qu'il atteste
consents-receipt-time = Quand
consents-receipt-purpose = Finalité
consents-receipt-version = Version de la finalité
consents-receipt-controller = Responsable du traitement
consents-receipt-principal = Vous
consents-receipt-method = Mode de recueil
consents-receipt-policy = Politique de confidentialité
consents-receipt-jurisdiction = Droit applicable
consents-receipt-format = Format du reçu
consents-receipt-given = votre consentement
consents-receipt-withdrawn = le retrait de votre consentement
consents-receipt-refused = votre refus

## Mes données
my-data-intro = Tout ce que la plateforme de la ville détient sur vous, d'où cela vient, pourquoi et pour combien de temps ; qui l'a consulté ; et comment le récupérer ou le faire effacer.
my-data-summary-title = En bref
summary-identity = votre compte au nom de { $name } : nom, adresse électronique, adresse postale et langue préférée.
summary-water = { $count ->
    [0] aucun relevé du compteur d'eau pour l'instant.
    [one] un relevé de votre compteur d'eau, le { $latest }.
   *[other] { $count } relevés quotidiens de votre compteur d'eau, le dernier le { $latest }.
}
summary-waste = { $count ->
    [0] votre badge déchets n'a pas encore servi.
    [one] un passage de votre badge déchets, le { $latest }.
   *[other] { $count } passages de votre badge déchets, le dernier le { $latest }.
}
summary-reports = { $count ->
    [0] aucun signalement de votre part.
    [one] un signalement que vous avez fait, avec son suivi.
   *[other] { $count } signalements que vous avez faits, avec leur suivi.
}
summary-consents = { $count ->
    [0] aucun consentement demandé pour l'instant.
    [one] un enregistrement de consentement, avec tout son historique.
   *[other] { $count } enregistrements de consentement, chacun avec tout son historique.
}
summary-other = { $count } enregistrements.
data-category-identity = identité et coordonnées
data-category-waste-badge-uses = passages du badge déchets
data-category-issue-reports = signalements
data-category-consents = consentements
data-category-title-identity = Identité et coordonnées
data-category-title-water-meter-readings = Relevés du compteur d'eau
data-category-title-waste-badge-uses = Passages du badge déchets
data-category-title-issue-reports = Signalements
data-category-title-consents = Consentements
my-data-source = Détenu par
my-data-purpose = Utilisé pour
my-data-legal-basis = Base légale
my-data-retention = Conservation
my-data-records = { $count ->
    [0] Aucun enregistrement
    [one] L'enregistrement
   *[other] Les enregistrements ({ $count })
}
my-data-no-records = Rien dans cette catégorie.
service-town-hall-resident-services = Mairie, service aux habitants
service-water-utility = Service de l'eau
service-waste-service = Service de collecte des déchets
service-open311-issue-reports = Signalements (entretien de l'espace public)
service-quartier-platform = La plateforme de données de la ville
service-quartier-resident-api = Quartier, pour vous
service-parking-service = Service du stationnement
service-street-lighting = Éclairage public
purpose-resident-account = votre compte d'habitant
purpose-water-billing-and-leak-detection = la facturation de l'eau et la détection des fuites
purpose-water-billing = la facturation de l'eau
purpose-water-consumption-alerts = les alertes de consommation d'eau inhabituelle
purpose-incentive-waste-charge = la redevance déchets incitative
purpose-public-space-maintenance = l'entretien de l'espace public
purpose-proof-of-consent = la preuve de vos consentements
purpose-right-of-access = votre droit d'accès (vous avez consulté vos données)
purpose-data-portability = votre droit à la portabilité (export)
purpose-meter-maintenance = l'entretien des compteurs d'eau
purpose-leak-detection = la détection des fuites
purpose-waste-collection = la collecte des déchets
purpose-erasure-request = le traitement de votre demande d'effacement
legal-basis-consent = votre consentement (RGPD, article 6, paragraphe 1, a)
legal-basis-contract = votre contrat avec le service (RGPD, article 6, paragraphe 1, b)
legal-basis-legal-obligation = une obligation légale de la ville (RGPD, article 6, paragraphe 1, c)
legal-basis-vital-interests = la sauvegarde des intérêts vitaux d'une personne (RGPD, article 6, paragraphe 1, d)
legal-basis-public-task = la mission de service public de la ville (RGPD, article 6, paragraphe 1, e)
legal-basis-legitimate-interests = l'intérêt légitime de la ville (RGPD, article 6, paragraphe 1, f)
retention-account-closure-plus-1-year = jusqu'à un an après la fermeture de votre compte
retention-reading-plus-3-years = trois ans après chaque relevé
retention-use-plus-2-years = deux ans après chaque passage
retention-closure-plus-3-years = trois ans après la clôture du signalement
retention-withdrawal-plus-5-years = cinq ans après le retrait d'un consentement
profile-name = Nom
profile-email = Adresse électronique
profile-phone = Téléphone
profile-address = Adresse postale
profile-since = Habitant depuis
profile-language = Langue préférée
profile-not-given = non renseigné
records-date = Jour
records-meter = Compteur
records-index = Index (m³)
records-used-litres = Consommation (litres)
records-when = Quand
records-waste-stream = Déchets
records-container = Conteneur
records-weight = Poids (kg)
records-not-weighed = non pesé
records-purpose = Finalité
records-state = État
records-events = Événements
records-consent-given = donné le { $time }
records-consent-withdrawn = retiré le { $time }
records-consent-refused = refusé le { $time }
records-consent-none = sans réponse
records-consents-link = Gérer mes consentements
records-range = { $from } à { $to } sur { $total }
records-pages = Pages des enregistrements
records-previous = Page précédente
records-next = Page suivante
waste-stream-residual = ordures ménagères
waste-stream-recyclable = recyclables
waste-stream-glass = verre
waste-stream-organic = biodéchets
water-chart-title = Eau consommée par mois, en m³.
water-summary = { $total } m³ sur { $months } mois, le plus en { $month } ({ $highest } m³).
water-summary-none = Aucun relevé du compteur d'eau pour l'instant.
water-table-caption = Eau consommée par mois (m³)
water-table-month = Mois
water-table-used = Consommation (m³)
water-table-partial = (relevé sur { $days } jours seulement)
access-log-title = Qui a consulté mes données
access-log-text = Chaque consultation de vos données est enregistrée : par vous dans Quartier, par les agents de la ville et par ses services automatiques, avec le motif.
access-log-from = Du
access-log-to = Au
access-log-service = Service
access-log-all-services = Tous les services
access-log-apply = Filtrer
access-log-bad-period = La période finit avant de commencer : vérifiez les dates.
access-log-count = { $count ->
    [0] Aucune consultation sur cette période.
    [one] Une consultation.
   *[other] { $count } consultations.
}
access-log-none = Rien à afficher pour ce choix.
access-log-pages = Pages du journal des accès
access-log-when = Quand
access-log-who = Qui
access-log-through = Par
access-log-why = Pourquoi
access-log-what = Quoi
reader-self = Vous, dans Quartier
reader-agent = Un agent de la ville ({ $role })
reader-service = Un service automatique : { $job }
role-billing-officer = chargé de facturation
role-meter-technician = technicien compteurs
role-resident-services-clerk = agent d'accueil
role-street-maintenance-officer = agent de voirie
role-automated-analysis = analyse automatique
role-water-billing-clerk = agent de facturation de l'eau
role-data-protection-officer = délégué à la protection des données
role-resident = habitant
take-away-title = Récupérer mes données
export-title = Export
export-text = Un fichier JSON avec tout : votre profil, toutes vos données, vos consentements avec tout leur historique, vos signalements et le journal des accès. Son format est publié : n'importe quel programme peut le lire.
export-button = Exporter mes données
export-schema = Le format du fichier (JSON Schema)
erasure-title = Demander l'effacement
erasure-text = Un agent de la ville traite chaque demande dans un délai d'un mois (RGPD, article 17). Certaines données doivent être gardées un temps, car la loi l'impose ; le tableau dit ce qu'il advient de chaque catégorie.
erasure-outcomes-caption = Ce que signifie l'effacement, catégorie par catégorie
erasure-outcomes-category = Catégorie
erasure-outcomes-what = Ce qui se passe
erasure-outcome-consent = Effacé.
erasure-outcome-contract = Effacé, sauf ce que la loi sur la facturation oblige la ville à garder : { $retention }.
erasure-outcome-legal-obligation = Gardé, car la loi l'impose : { $retention }. Puis effacé.
erasure-outcome-public-task = Effacé, sauf si la ville en a encore besoin pour sa mission de service public ; dans ce cas, conservation { $retention }.
erasure-what = Que faut-il effacer ?
erasure-all = Toutes mes données
erasure-some = Seulement certaines catégories
erasure-choose = Choisissez au moins une catégorie à effacer.
erasure-reason = Pourquoi (facultatif)
erasure-reason-left = { $count ->
    [0] plus aucun caractère
    [one] un caractère restant
   *[other] { $count } caractères restants
}
erasure-send = Envoyer ma demande d'effacement
erasure-everything = toutes vos données
erasure-sent = Demande envoyée pour { $what }. Vous pouvez la suivre ci-dessous.
erasure-requests-title = Mes demandes d'effacement
erasure-requests-none = Vous n'avez fait aucune demande d'effacement.
erasure-request = { $time } : { $what } — { $status }.
erasure-status-received = reçue
erasure-status-in-progress = en cours de traitement
erasure-status-completed = effectuée
erasure-status-rejected = refusée (données que la loi oblige la ville à garder)
service-town-communication = Communication de la ville
purpose-energy-saving-programme = le programme d'économies d'énergie (partagé avec l'agence de l'énergie)
purpose-badge-replacement = le remplacement de votre badge déchets
purpose-collection-round-planning = la préparation des tournées de collecte
purpose-proof-of-residence = un justificatif de domicile
purpose-town-newsletter = la lettre d'information de la ville
purpose-anonymised-mobility-studies = les études de mobilité anonymisées
purpose-waste-collection-sms-reminders = les rappels par SMS des jours de collecte
role-billing-clerk = agent de facturation
role-customer-service-agent = agent du service client
role-civil-status-officer = officier d'état civil
role-automated-processing = traitement automatique
job-leak-detection = détection des fuites
job-consumption-alerts = alertes de consommation inhabituelle
job-energy-agency-transfer = transmission à l'agence de l'énergie
job-collection-round-planning = préparation des tournées de collecte
job-newsletter-mailing = envoi de la lettre d'information
access-log-reader = Qui
access-log-all-readers = Tout le monde
access-log-readers-agents = Les agents de la ville
access-log-readers-services = Les services automatiques
access-log-readers-self = Vous, dans Quartier
