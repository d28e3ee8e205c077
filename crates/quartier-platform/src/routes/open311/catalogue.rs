//! The demo town's Open311 services and their definitions (`services.json`,
//! `services/{code}.json`). Names and descriptions are French because they are the town's data,
//! like street names; the app shows them as they come.
//!
//! Code rather than tables: the catalogue changes with a release, and a stored request only keeps
//! its `service_code`.

use quartier_api::open311;

use super::format::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datatype {
    String,
    Number,
    Datetime,
    Text,
    SingleValueList,
    MultiValueList,
}

impl Datatype {
    pub fn name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Number => "number",
            Self::Datetime => "datetime",
            Self::Text => "text",
            Self::SingleValueList => "singlevaluelist",
            Self::MultiValueList => "multivaluelist",
        }
    }
}

/// One question of a service definition.
#[derive(Debug)]
pub struct Attribute {
    pub code: &'static str,
    /// `false`: an informational text for the resident, not a question.
    pub variable: bool,
    pub datatype: Datatype,
    pub required: bool,
    pub datatype_description: Option<&'static str>,
    pub order: i64,
    pub description: &'static str,
    /// `(key, name)` of the allowed values of a list.
    pub values: &'static [(&'static str, &'static str)],
}

#[derive(Debug)]
pub struct Service {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub group: &'static str,
    pub keywords: &'static str,
    /// `realtime`, `batch` or `blackbox` (the spec's `type`).
    pub kind: &'static str,
    pub agency: &'static str,
    /// `service_notice` of a new request.
    pub notice: &'static str,
    pub attributes: &'static [Attribute],
}

impl Service {
    pub fn attribute(&self, code: &str) -> Option<&'static Attribute> {
        self.attributes
            .iter()
            .find(|attribute| attribute.code == code)
    }

    pub fn to_node(&self) -> Node {
        Node::Record(vec![
            ("service_code", Node::text(self.code)),
            ("service_name", Node::text(self.name)),
            ("description", Node::text(self.description)),
            ("metadata", Node::Bool(!self.attributes.is_empty())),
            ("type", Node::text(self.kind)),
            ("keywords", Node::text(self.keywords)),
            ("group", Node::text(self.group)),
        ])
    }

    /// The definition as the contract crate models it, for its shared validation.
    pub fn contract_definition(&self) -> open311::ServiceDefinition {
        open311::ServiceDefinition {
            service_code: self.code.to_owned(),
            attributes: self
                .attributes
                .iter()
                .map(|attribute| open311::ServiceAttribute {
                    variable: attribute.variable,
                    code: attribute.code.to_owned(),
                    datatype: attribute.contract_datatype(),
                    required: attribute.required,
                    datatype_description: attribute.datatype_description.map(str::to_owned),
                    order: u32::try_from(attribute.order).ok(),
                    description: Some(attribute.description.to_owned()),
                    values: attribute
                        .values
                        .iter()
                        .map(|(key, name)| open311::AttributeValue {
                            key: (*key).to_owned(),
                            name: (*name).to_owned(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    pub fn definition_node(&self) -> Node {
        Node::Record(vec![
            ("service_code", Node::text(self.code)),
            (
                "attributes",
                Node::List {
                    item: "attribute",
                    items: self.attributes.iter().map(Attribute::to_node).collect(),
                },
            ),
        ])
    }
}

impl Attribute {
    fn contract_datatype(&self) -> open311::Datatype {
        match self.datatype {
            Datatype::String => open311::Datatype::String,
            Datatype::Number => open311::Datatype::Number,
            Datatype::Datetime => open311::Datatype::Datetime,
            Datatype::Text => open311::Datatype::Text,
            Datatype::SingleValueList => open311::Datatype::SingleValueList,
            Datatype::MultiValueList => open311::Datatype::MultiValueList,
        }
    }

    fn to_node(&self) -> Node {
        Node::Record(vec![
            ("variable", Node::Bool(self.variable)),
            ("code", Node::text(self.code)),
            ("datatype", Node::text(self.datatype.name())),
            ("required", Node::Bool(self.required)),
            (
                "datatype_description",
                Node::opt_text(self.datatype_description),
            ),
            ("order", Node::Int(self.order)),
            ("description", Node::text(self.description)),
            (
                "values",
                Node::List {
                    item: "value",
                    items: self
                        .values
                        .iter()
                        .map(|(key, name)| {
                            Node::Record(vec![
                                ("key", Node::text(*key)),
                                ("name", Node::text(*name)),
                            ])
                        })
                        .collect(),
                },
            ),
        ])
    }
}

/// Any service this platform defines, offered or not, to name a stored request by its code (a
/// request keeps its service even where the service is no longer offered).
pub fn find(code: &str) -> Option<&'static Service> {
    SERVICES
        .iter()
        .chain(std::iter::once(&HTML_PAYLOAD_SERVICE))
        .find(|service| service.code == code)
}

/// The services offered: `services.json` lists them, `services/{code}` defines them, a report
/// must name one of them.
#[derive(Debug, Clone)]
pub struct Catalogue {
    services: Vec<&'static Service>,
}

impl Catalogue {
    /// The town's services, and the HTML payload service when asked (`--demo-html-payloads`).
    pub fn new(html_payloads: bool) -> Self {
        let mut services: Vec<&'static Service> = SERVICES.iter().collect();
        if html_payloads {
            services.push(&HTML_PAYLOAD_SERVICE);
        }
        Self { services }
    }

    pub fn services(&self) -> &[&'static Service] {
        &self.services
    }

    pub fn find(&self, code: &str) -> Option<&'static Service> {
        self.services
            .iter()
            .copied()
            .find(|service| service.code == code)
    }
}

/// The text of [`HTML_PAYLOAD_SERVICE`]'s name and description: markup that must reach a
/// client as text and be shown as text, never run.
pub const HTML_PAYLOAD: &str = "<script>alert(1)</script><b>x</b>";

/// A test aid of the demo (`--demo-html-payloads`, hidden): a service whose name and
/// description are [`HTML_PAYLOAD`], for the app's end-to-end test "an HTML payload in a
/// service name and a note is shown as text". Never offered otherwise.
pub static HTML_PAYLOAD_SERVICE: Service = Service {
    code: "demo-html-payload",
    name: HTML_PAYLOAD,
    description: HTML_PAYLOAD,
    group: "Démonstration",
    keywords: "test",
    kind: "realtime",
    agency: "Service de démonstration",
    notice: "Service de test.",
    attributes: &[],
};

const LIGHTING: &str = "Éclairage public";
const WASTE: &str = "Déchets";
const ROADS: &str = "Voirie";
const WATER: &str = "Eau et assainissement";
const CLEANLINESS: &str = "Propreté";
const GREEN: &str = "Espaces verts";

const NOTICE_48H: &str = "Votre signalement sera traité sous 48 heures ouvrées.";
const NOTICE_URGENT: &str =
    "Intervention sous 24 heures. En cas de danger immédiat, appelez le 112.";
const NOTICE_WEEK: &str = "Votre signalement sera traité dans la semaine.";

/// A question several services ask.
const SINCE: Attribute = Attribute {
    code: "depuis",
    variable: true,
    datatype: Datatype::Datetime,
    required: false,
    datatype_description: Some("Date et heure au format ISO 8601"),
    order: 90,
    description: "Depuis quand avez-vous constaté le problème ?",
    values: &[],
};

pub static SERVICES: &[Service] = &[
    Service {
        code: "lampadaire-eteint",
        name: "Lampadaire éteint",
        description: "Un ou plusieurs lampadaires ne s'allument plus la nuit.",
        group: LIGHTING,
        keywords: "éclairage, lampadaire, panne, nuit",
        kind: "realtime",
        agency: "Service éclairage public",
        notice: NOTICE_48H,
        attributes: &[
            Attribute {
                code: "numero_lampadaire",
                variable: true,
                datatype: Datatype::String,
                required: false,
                datatype_description: Some("Numéro inscrit sur la plaque du mât, ex. BSL-000123"),
                order: 1,
                description: "Numéro du lampadaire",
                values: &[],
            },
            Attribute {
                code: "nombre",
                variable: true,
                datatype: Datatype::Number,
                required: false,
                datatype_description: Some("Nombre entier"),
                order: 2,
                description: "Combien de lampadaires sont éteints ?",
                values: &[],
            },
            SINCE,
        ],
    },
    Service {
        code: "lampadaire-clignote",
        name: "Lampadaire qui clignote",
        description: "Un lampadaire clignote ou s'allume de jour.",
        group: LIGHTING,
        keywords: "éclairage, lampadaire, clignote",
        kind: "realtime",
        agency: "Service éclairage public",
        notice: NOTICE_48H,
        attributes: &[Attribute {
            code: "allume_de_jour",
            variable: true,
            datatype: Datatype::SingleValueList,
            required: true,
            datatype_description: None,
            order: 1,
            description: "Le lampadaire reste-t-il allumé en journée ?",
            values: &[("oui", "Oui"), ("non", "Non")],
        }],
    },
    Service {
        code: "conteneur-plein",
        name: "Conteneur plein",
        description: "Un conteneur à déchets déborde ou n'a pas été vidé.",
        group: WASTE,
        keywords: "déchets, poubelle, conteneur, collecte",
        kind: "realtime",
        agency: "Service collecte des déchets",
        notice: NOTICE_48H,
        attributes: &[Attribute {
            code: "flux",
            variable: true,
            datatype: Datatype::SingleValueList,
            required: true,
            datatype_description: None,
            order: 1,
            description: "Quel type de conteneur ?",
            values: &[
                ("ordures", "Ordures ménagères"),
                ("recyclables", "Emballages recyclables"),
                ("verre", "Verre"),
                ("biodechets", "Biodéchets"),
            ],
        }],
    },
    Service {
        code: "depot-sauvage",
        name: "Dépôt sauvage",
        description: "Des déchets ou des encombrants ont été abandonnés sur la voie publique.",
        group: WASTE,
        keywords: "déchets, encombrants, dépôt sauvage",
        kind: "batch",
        agency: "Service collecte des déchets",
        notice: NOTICE_WEEK,
        attributes: &[
            Attribute {
                code: "nature",
                variable: true,
                datatype: Datatype::MultiValueList,
                required: true,
                datatype_description: None,
                order: 1,
                description: "Qu'est-ce qui a été déposé ?",
                values: &[
                    ("encombrants", "Encombrants (meubles, matelas)"),
                    ("gravats", "Gravats"),
                    ("vegetaux", "Déchets verts"),
                    ("electromenager", "Électroménager"),
                    ("autre", "Autre"),
                ],
            },
            Attribute {
                code: "volume_m3",
                variable: true,
                datatype: Datatype::Number,
                required: false,
                datatype_description: Some("Volume estimé en mètres cubes"),
                order: 2,
                description: "Volume approximatif",
                values: &[],
            },
        ],
    },
    Service {
        code: "nid-de-poule",
        name: "Nid-de-poule",
        description: "Un trou dans la chaussée, le trottoir ou une piste cyclable.",
        group: ROADS,
        keywords: "voirie, chaussée, trou, nid-de-poule",
        kind: "realtime",
        agency: "Service voirie",
        notice: NOTICE_WEEK,
        // Every datatype of the spec, so that clients can be tested against one service.
        attributes: &[
            Attribute {
                code: "consigne",
                variable: false,
                datatype: Datatype::String,
                required: false,
                datatype_description: None,
                order: 0,
                description: "En cas de danger immédiat pour la circulation, appelez le 112.",
                values: &[],
            },
            Attribute {
                code: "taille",
                variable: true,
                datatype: Datatype::SingleValueList,
                required: true,
                datatype_description: None,
                order: 1,
                description: "Quelle est la taille du trou ?",
                values: &[
                    ("petit", "Moins de 20 cm"),
                    ("moyen", "De 20 à 50 cm"),
                    ("grand", "Plus de 50 cm"),
                ],
            },
            Attribute {
                code: "usagers",
                variable: true,
                datatype: Datatype::MultiValueList,
                required: false,
                datatype_description: None,
                order: 2,
                description: "Qui est gêné ?",
                values: &[
                    ("voitures", "Voitures"),
                    ("velos", "Vélos"),
                    ("pietons", "Piétons"),
                ],
            },
            Attribute {
                code: "profondeur_cm",
                variable: true,
                datatype: Datatype::Number,
                required: false,
                datatype_description: Some("Profondeur estimée en centimètres"),
                order: 3,
                description: "Profondeur",
                values: &[],
            },
            Attribute {
                code: "precisions",
                variable: true,
                datatype: Datatype::Text,
                required: false,
                datatype_description: None,
                order: 4,
                description: "Précisions sur l'emplacement (devant le n°, côté de la rue…)",
                values: &[],
            },
            SINCE,
        ],
    },
    Service {
        code: "signalisation-abimee",
        name: "Signalisation abîmée",
        description: "Un panneau, un feu ou un marquage au sol est abîmé ou manquant.",
        group: ROADS,
        keywords: "voirie, panneau, feu, marquage",
        kind: "realtime",
        agency: "Service voirie",
        notice: NOTICE_48H,
        attributes: &[Attribute {
            code: "element",
            variable: true,
            datatype: Datatype::SingleValueList,
            required: true,
            datatype_description: None,
            order: 1,
            description: "Quel élément ?",
            values: &[
                ("panneau", "Panneau"),
                ("feu", "Feu tricolore"),
                ("marquage", "Marquage au sol"),
            ],
        }],
    },
    Service {
        code: "fuite-eau",
        name: "Fuite d'eau",
        description: "De l'eau s'écoule de la chaussée, d'une bouche ou d'un compteur.",
        group: WATER,
        keywords: "eau, fuite, canalisation",
        kind: "realtime",
        agency: "Régie des eaux",
        notice: NOTICE_URGENT,
        attributes: &[Attribute {
            code: "debit",
            variable: true,
            datatype: Datatype::SingleValueList,
            required: true,
            datatype_description: None,
            order: 1,
            description: "Importance de la fuite",
            values: &[
                ("suintement", "Suintement"),
                ("filet", "Filet d'eau"),
                ("jaillissement", "L'eau jaillit"),
            ],
        }],
    },
    Service {
        code: "egout-bouche",
        name: "Bouche d'égout bouchée",
        description: "Une grille ou un avaloir ne laisse plus passer l'eau de pluie.",
        group: WATER,
        keywords: "égout, avaloir, inondation, assainissement",
        kind: "realtime",
        agency: "Régie des eaux",
        notice: NOTICE_48H,
        attributes: &[SINCE],
    },
    Service {
        code: "graffiti",
        name: "Graffiti",
        description: "Un tag ou un graffiti sur un bâtiment ou du mobilier public.",
        group: CLEANLINESS,
        keywords: "propreté, tag, graffiti",
        kind: "batch",
        agency: "Service propreté urbaine",
        notice: NOTICE_WEEK,
        attributes: &[Attribute {
            code: "support",
            variable: true,
            datatype: Datatype::SingleValueList,
            required: false,
            datatype_description: None,
            order: 1,
            description: "Sur quel support ?",
            values: &[
                ("facade", "Façade"),
                ("mobilier", "Mobilier urbain"),
                ("autre", "Autre"),
            ],
        }],
    },
    Service {
        code: "trottoir-sale",
        name: "Trottoir sale",
        description: "Un trottoir ou une place nécessite un nettoyage.",
        group: CLEANLINESS,
        keywords: "propreté, nettoyage, trottoir",
        kind: "batch",
        agency: "Service propreté urbaine",
        notice: NOTICE_WEEK,
        attributes: &[],
    },
    Service {
        code: "arbre-dangereux",
        name: "Arbre ou branche dangereux",
        description: "Un arbre penche, ou une branche menace de tomber.",
        group: GREEN,
        keywords: "espaces verts, arbre, branche",
        kind: "realtime",
        agency: "Service espaces verts",
        notice: NOTICE_URGENT,
        attributes: &[Attribute {
            code: "precisions",
            variable: true,
            datatype: Datatype::Text,
            required: false,
            datatype_description: None,
            order: 1,
            description: "Décrivez le danger",
            values: &[],
        }],
    },
    Service {
        code: "aire-de-jeux",
        name: "Aire de jeux endommagée",
        description: "Un jeu, un banc ou une clôture d'un parc est cassé.",
        group: GREEN,
        keywords: "espaces verts, parc, jeux, banc",
        kind: "blackbox",
        agency: "Service espaces verts",
        notice: NOTICE_48H,
        attributes: &[],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_lists_have_values() {
        for (i, service) in SERVICES.iter().enumerate() {
            assert!(
                SERVICES[i + 1..]
                    .iter()
                    .all(|other| other.code != service.code),
                "{}",
                service.code
            );
            for attribute in service.attributes {
                let is_list = matches!(
                    attribute.datatype,
                    Datatype::SingleValueList | Datatype::MultiValueList
                );
                assert_eq!(is_list, !attribute.values.is_empty(), "{}", attribute.code);
            }
        }
        assert!((8..=12).contains(&SERVICES.len()));
    }
}
