# Quartier — English

## Document and structure
document-title = { $page } – { $town } – Quartier
loading = Loading…
skip-to-content = Skip to content
header-tagline = Your town's connected services

## Navigation
nav-label = Main navigation
nav-menu = Menu
nav-map = Map
nav-report = Report an issue
nav-my-reports = My reports
nav-my-data = My data
nav-consents = Consents
nav-sign-in = Sign in

## Languages
lang-menu-label = Language

## Footer
footer-label = About this site
footer-accessibility = Accessibility: partially compliant
footer-legal = Legal notice
footer-town-website = Town website
footer-demo = Demonstration: the town, its equipment and its residents are fictional.

## Home
home-title = Welcome to { $town }
home-intro = Quartier shows you the town's connected services, lets you report a problem and keeps you in control of your personal data.
home-areas-title = What you can do
home-map-title = The town's services
home-map-text = Lighting, waste, water, transport, parking: their live state, on a map or as a list.
home-map-link = Explore the services
home-report-title = A problem in the street?
home-report-text = Light out, full bin, pothole: tell the town in a few steps, even offline.
home-report-link = Tell the town
home-my-reports-title = Your reports
home-my-reports-text = Follow how the town handles what you reported.
home-my-reports-link = Follow my requests
home-my-data-title = Your data
home-my-data-text = See the data the town's platform holds about you, and who looked at it.
home-my-data-link = See what the town knows about me
home-consents-title = Your choices
home-consents-text = Give or withdraw your agreement, purpose by purpose, with the history of every change.
home-consents-link = Choose what I share

## Areas under construction
page-map-title = Services map
page-report-title = Report an issue
page-report-detail-title = Report { $id }
page-my-reports-title = My reports
page-sign-in-title = Sign in
page-my-data-title = My data
page-consents-title = My consents

## Not found
not-found-title = Page not found
not-found-text = The address you asked for matches no page of Quartier. It may have changed, or contain a typo.
not-found-home = Back to the home page

## Configuration
config-error-title = Quartier cannot start
config-error-unreachable = The town's configuration file could not be loaded. Check your connection and try again.
config-error-status = The server did not provide the town's configuration file (code { $status }).
config-error-syntax = The town's configuration file cannot be read.
config-error-invalid = The town's configuration file has invalid values:
config-error-webmaster = If the problem persists, tell the town hall: the site's config.json file must be fixed.
config-error-details = Technical details
config-error-retry = Try again
config-problem-empty = { $field }: missing value
config-problem-out-of-range = { $field }: value out of range
config-problem-not-a-colour = { $field }: invalid colour (expected: #rrggbb)
config-problem-unknown-language = { $field }: unsupported language
config-problem-not-offered = { $field }: language missing from the offered languages
config-problem-duplicate = { $field }: duplicate value
config-problem-missing-placeholder = { $field }: the tile address must contain {"{"}z{"}"}, {"{"}x{"}"} and {"{"}y{"}"}
config-problem-unsupported = { $field }: not used by this version of Quartier; remove it
config-detail-unreachable = { $path } could not be fetched: { $cause }
config-detail-status = { $path } answered HTTP { $status }
config-detail-syntax = { $path } is not valid JSON of the expected shape: { $cause }
config-detail-invalid = { $path } has { $count ->
    [one] one invalid value
   *[other] { $count } invalid values
}

## Network errors
error-network = The town's server cannot be reached. Check your connection and try again.
error-not-found = This item does not exist, or no longer exists.
error-session-expired = Your session has expired. Sign in again to continue.
error-server = The town's server has a problem. Try again in a moment.
error-request = The request could not be processed.
error-decode = The town's server sent an answer that cannot be read.
error-broker-refused = The services platform refused access to this data.
error-broker-server = The services platform has a problem. Try again in a moment.
error-geocoder-query = Type at least two characters of the address.
error-geocoder-unavailable = The address search is unavailable. Try again later, or move the map by hand.
error-forbidden = You are not allowed to see this.
error-too-many = Too many requests at once. Wait a moment, then try again.
error-app-code-network = This page could not be downloaded. Check your connection and try again.
error-app-code = This page could not be started. Try again, or reload the page.

## Accessibility statement
a11y-title = Accessibility statement
a11y-commitment = { $town } is committed to making its digital services accessible, in accordance with article 47 of French law no. 2005-102 of 11 February 2005.
a11y-scope = This statement applies to Quartier, the town's connected-services application.
a11y-status-title = Compliance status
a11y-status = Quartier is partially compliant with the French accessibility framework RGAA version 4.1 (WCAG 2.1 AA): no full audit has been carried out yet. Every version is checked by automated tests (axe-core) and with the keyboard.
a11y-alternatives-title = Alternatives
a11y-alternatives = The services map always has a list alternative, and a place can always be given by its address.
a11y-contact-title = Feedback and contact
a11y-contact = If you cannot access a content or a service, contact the town hall to be directed to an accessible alternative or to get the content in another form.
a11y-remedy-title = Remedies
a11y-remedy = If you reported an accessibility problem and did not get a satisfactory answer, you can refer the matter to the Défenseur des droits (online form, regional delegate, or free post: Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07, France).

## Legal notice
legal-title = Legal notice
legal-publisher-title = Publisher
legal-publisher = This service is published by the town of { $town }, which is responsible for it.
legal-platform-title = Data and hosting
legal-platform = The data shown comes from the town's data platform, which the town owns and runs. Quartier uses no trackers and no advertising, and sets no cookie other than your sign-in session.
legal-privacy-title = Personal data
legal-privacy = The town processes your personal data in accordance with the GDPR. You can view it, export it, request its erasure and manage your consents from the "My data" and "Consents" pages. You can also refer a complaint to the CNIL.
legal-software-title = Software
legal-software = Quartier is free software that any local authority can reuse.

## Services map
map-layers = Services shown
map-layers-button = Layers
map-layers-close = Close
map-layer-loading = Loading…
map-layer-loading-progress = Loading: { $loaded } of { $total }
map-layer-source = Source: { $provider }
map-layer-licence = Licence: { $licence }
map-layer-observed = Latest observation: { $time }
map-layer-loaded-at = Updated at { $time }
map-layer-updated-seconds = { $seconds ->
    [0] Updated just now
    [one] Updated { $seconds } second ago
   *[other] Updated { $seconds } seconds ago
}
map-layer-updated-minutes = { $minutes ->
    [one] Updated { $minutes } minute ago
   *[other] Updated { $minutes } minutes ago
}
map-live-on = Live updates on.
map-live-connecting = Connecting to live updates…
map-live-interrupted = Live updates interrupted: the map may be out of date.
map-live-retry-in = { $seconds ->
    [0] Reconnecting…
    [one] Reconnecting in { $seconds } second.
   *[other] Reconnecting in { $seconds } seconds.
}
map-legend-row = { $state }: { $count }
map-legend-clusters = On the map, a circle counts the services of a layer in one place; a red square with “!” says how many of them are out of order, an orange mark how many are to watch.
map-cluster-label = { $layer }: { $count } services{ $problems ->
    [0] {""}
    [one] , 1 out of order
   *[other] , { $problems } out of order
}{ $warnings ->
    [0] {""}
    [one] , 1 to watch
   *[other] , { $warnings } to watch
}.
retry = Try again
map-show-list = Show as list
map-show-map = Show the map
map-failed = The map could not be displayed. The services are still available as a list.
map-region = Map
map-keyboard-help = Arrow keys move the map, plus and minus zoom, Enter opens the service under the cross at the centre of the map.
map-zoom-in = Zoom in
map-zoom-out = Zoom out
map-list-title = Visible services, nearest to the map's centre first
map-list-empty = No service of these kinds in this area. Move the map or choose other services.
map-list-count = { $total ->
    [one] One service in this area.
   *[other] { $total } services in this area.
}
map-list-truncated = The { $shown } nearest of { $total } services in this area. Zoom in to see the others.
map-list-distance = { $metres } m away
map-list-near-centre = { $layer }: at this zoom, only those within { $metres } m of the map's centre. Zoom in or move the map to list others.
map-list-details = Details: { $name }

## Service states
state-ok = Working
state-warning = To watch
state-problem = Out of order or full
state-unknown = State unknown
state-full-percent = { $percent } % full
state-free-places-of = { $free } of { $total } places free
state-free-places = { $free ->
    [one] one place free
   *[other] { $free } places free
}
state-air-index = air quality index { $index } ({ $band })
state-ph = pH { $value } (allowed: 6.5 to 9)
state-unknown-value = { $value } (unknown state)
air-band-good = good
air-band-fair = fair
air-band-degraded = degraded
air-band-poor = poor
air-band-very-poor = very poor
air-band-extremely-poor = extremely poor
details-reading = Reading
status-ok = working
status-working = working
status-free = free
status-occupied = occupied
status-closed = closed
status-defective-lamp = defective lamp
status-column-issue = column problem
status-broken-lantern = broken lantern
status-out-of-service = out of service
status-lid-open = lid open
status-dropped = knocked over
status-burning = on fire

## Service details
details-state = State
details-title-named = { $layer } – { $name }
details-title-reference = { $layer } { $reference }
details-observed = Last observation
details-owner = Data provider
details-address = Address
details-report-here = Report a problem here
details-close = Close
details-follow = Follow its changes

## Finding a place
map-place-label = Search an address
map-place-search = Search
map-place-results = Addresses found
map-place-none = No address found. Check the spelling or try the street name alone.
map-place-centred = Map centred on { $place }.
map-locate-me = Use my location
map-locating = Finding your position…
map-located = Map centred on your position.
map-location-unavailable = Your position is not available. You can search an address instead.

## Sign in
sign-in-email = Email
sign-in-password = Password
sign-in-submit = Sign in
sign-in-help = Residents of the demo town use the password "quartier-demo".
sign-in-email-missing = Enter your email address.
sign-in-email-invalid = Enter an email address like name@example.org.
sign-in-password-missing = Enter your password.
sign-in-wrong = Wrong email address or password.
sign-in-too-many = Too many attempts. Wait a minute before trying again.
sign-in-already = You are signed in as { $name }.
sign-out = Sign out
form-errors-title = The form has errors
map-layer-by-area = { $total } services, counted by area on the map. Zoom in on a district to see each one.
map-announce-layer-ready = { $layer }: { $count ->
    [one] one service shown.
   *[other] { $count } services shown.
}
map-announce-layer-failed = { $layer } could not be loaded.
map-announce-followed-changed = { $layer } { $service }: now { $state }.
map-announce-layer-by-area = { $layer }: { $total } services, counted by area. Zoom in on a district to see each one.
map-layer-area-only = Only the services of the area shown are loaded.

## Report an issue
report-public-note = What is published: the category, the place, the description and the photos (without their location data). Your name and contact details are never published.
report-required-note = Fields marked * are required.
report-step-of = Step { $n } of { $total }:
report-step-category = What is the problem?
report-step-place = Where is it?
report-step-description = Describe it
report-step-contact = Contact and sending
report-back = Back
report-next = Next
report-category-search = Find a category
report-category-count = { $count ->
    [one] One category matches.
   *[other] { $count } categories match.
}
report-category = Category
report-category-choose = Choose a category
report-about-asset = About: { $layer }, { $id }
report-questions-missing = The questions of this category could not be loaded. Try again.
report-address = Address
report-address-hint = Type at least three characters, then choose a suggestion with the arrow keys and Enter.
report-address-suggestions = Address suggestions
report-address-none = No address found. Check the spelling, or place the pin on the map.
report-address-count = { $count ->
    [one] One suggestion.
   *[other] { $count } suggestions.
}
report-map-help = Tap the map to place the pin, or move the map under the pin (drag it, or use the arrow keys once the map has focus).
report-map-unavailable = The map cannot be shown. Give an address or use your location instead.
report-place = Place
report-place-none = No place chosen yet.
report-place-address = The report will be placed at { $address }.
report-place-map = The report will be placed where the pin is on the map ({ $lat }, { $lon }).
report-place-my-location = The report will be placed at your position ({ $lat }, { $lon }).
report-place-asset = The report will be placed at the service you chose on the map ({ $lat }, { $lon }).
report-place-photo = The report will be placed where the photo was taken ({ $lat }, { $lon }).
report-nearby-title = Already known to the town nearby
report-nearby-asset = { $layer } { $name }: { $state }.
report-nearby-asset-since = { $layer } { $name } reports itself: { $state }, since { $time }.
report-nearby-reported = Reported on { $time } (no. { $id }).
report-nearby-open = See this report
report-follow = Follow this report: tell me when it is fixed
report-followed = You follow this report. The town counts you among those waiting for it.
report-nearby-still-send = If your problem is different, go on with your report.
report-description = Description
report-description-hint = What is wrong, and anything that helps find it (at most 4,000 characters).
report-photo = Photo
report-photo-hint = Up to 3 photos. They are made smaller and cleaned of their hidden data (position, device) on this device before sending.
report-photo-preparing = Preparing the photo…
report-photo-alt = Photo { $n } of your report
report-photo-remove = Remove photo { $n }
report-photo-not-image = This file is not a photo. Choose a JPEG, PNG, WebP or HEIC image.
report-photo-too-large = This photo is too large, even made smaller. Choose another one.
report-photo-unreadable = This photo cannot be read. Try another one.
report-photo-too-many = At most 3 photos: remove one to add another.
report-photo-gps = This photo knows where it was taken.
report-photo-gps-use = Use this place for the report
report-photo-gps-ignore = No, keep my place
report-contact-private = Optional. Sent to the town only, to answer you; never published. Leave everything empty to report anonymously.
report-signed-in-note = You are signed in: the report is linked to your account, so you can follow it in My reports.
report-first-name = First name
report-last-name = Last name
report-email = Email
report-phone = Phone
report-send = Send report
report-sending = Sending…
report-sending-progress = Sending… { $percent } %
report-draft-restored = We kept the report you had started on this device.
report-start-over = Start over
report-sent-title = Report sent
report-sent-id = Your report number is { $id }.
report-sent-follow = Follow this report
report-another = Report another problem
report-queued-title = Report saved, waiting to be sent
report-queued-text = The town's server cannot be reached right now. Your report is kept on this device and will be sent by itself as soon as possible, even if you close this page.
report-send-now = Try sending now
report-see-mine = See my reports
report-delivered = Your waiting report was sent: number { $id }.
report-queued-invalid = The town refused this report. Edit it and send it again.
field-error-required = { $field }: this is required.
field-error-too-long = { $field }: this is too long.
field-error-email = { $field }: this is not an email address.
field-error-number = { $field }: enter a number.
field-error-outside-town = { $field }: this place is outside the town. Choose a place in the town.
field-error-option = { $field }: choose one of the options.
field-error-datetime = { $field }: enter a date and time.
field-error-invalid = { $field }: this value is not accepted.
error-report-not-found = This report does not exist, or no longer exists.
error-reports-refused = The town's report service refused the request.
report-detail-mine = All my reports
report-status-open = Open
report-status-closed = Closed
report-detail-status = Status: { $status }
report-detail-category = Category
report-detail-description = Description
report-detail-address = Address
report-detail-requested = Reported on
report-detail-updated = Last change
report-detail-expected = Expected by
report-detail-notes = The town's notes
report-detail-agency = Handled by
report-detail-photo = Photo { $n } sent with the report
report-detail-map = Map of the report's place ({ $lat }, { $lon })
my-reports-account = The reports of your account, newest first.
my-reports-device = The reports sent from this device, newest first. Sign in to see those of your account.
my-reports-waiting-title = Waiting to be sent
my-reports-waiting = Waiting to be sent since { $time }.
my-reports-delete = Delete this report
my-reports-sent-title = Sent to the town
my-reports-none = No report yet.
my-reports-no-category = Report
my-reports-number = no. { $id }
report-detail-followers = { $count ->
    [0] Nobody else follows this report yet.
    [one] One person follows this report.
   *[other] { $count } people follow this report.
}
signed-in-only-checking = Checking your session…
signed-in-only-redirect = Sign in to see this page: taking you to the sign-in page…

## Consents
consents-intro = For each use of your data below, you decide. You can give or withdraw your consent at any time, as easily one way as the other; withdrawing does not affect what was done before.
consents-now-given = Consent given: { $purpose }.
consents-now-withdrawn = Consent withdrawn: { $purpose }.
consents-state-given = You gave your consent on { $time }.
consents-state-withdrawn = You withdrew your consent on { $time }.
consents-state-refused = You refused on { $time }.
consents-state-none = You have not answered yet: nothing is done without your consent.
consents-renewal = To be renewed: this use changed since you consented (it is now version { $version }). Read it again and renew your consent if you still agree; until then it is not used.
consents-renew = Renew my consent
consents-controller = Controller
consents-data = Data used
consents-recipients = Recipients
consents-recipients-town = The town only.
consents-recipients-also = The town, and { $recipient }.
consents-retention = Kept
consents-legal-basis = Legal basis
consents-legal-basis-consent = Your consent (GDPR article 6(1)(a)), which you may withdraw at any time (article 7(3)).
consents-history = History ({ $count ->
    [one] one event
   *[other] { $count } events
})
consents-event-given = { $time }: consent given (version { $version }).
consents-event-withdrawn = { $time }: consent withdrawn (version { $version }).
consents-event-refused = { $time }: refused (version { $version }).
consents-receipt = Download the receipt (JSON)
data-category-water-meter-readings = water meter readings
data-category-contact-details = contact details
data-category-address = address
data-category-transport-trips = public transport trips
data-category-district = district
retention-withdrawal-or-1-year = until you withdraw your consent, at most one year
retention-until-withdrawal = until you withdraw your consent
retention-anonymised-after-30-days = made anonymous after 30 days, then kept two years for statistics
retention-programme-end-plus-1-year = until one year after the end of the programme
report-place-typed = The report will give the address "{ $address }" as you typed it (choose a suggestion, or place the pin, to give its exact place).
consents-receipt-show = Show the receipt
consents-receipt-id = Receipt number
consents-receipt-state = What it attests
consents-receipt-time = When
consents-receipt-purpose = Purpose
consents-receipt-version = Version of the purpose
consents-receipt-controller = Controller
consents-receipt-principal = You
consents-receipt-method = How it was collected
consents-receipt-policy = Privacy policy
consents-receipt-jurisdiction = Jurisdiction
consents-receipt-format = Receipt format
consents-receipt-given = your consent
consents-receipt-withdrawn = the withdrawal of your consent
consents-receipt-refused = your refusal

## My data
my-data-intro = Everything the town's platform holds about you, where it comes from, why, and for how long; who accessed it; and how to take it away or have it erased.
my-data-summary-title = In short
summary-identity = your account as { $name }: name, email address, postal address and preferred language.
summary-water = { $count ->
    [0] no water meter reading yet.
    [one] one reading of your water meter, on { $latest }.
   *[other] { $count } daily readings of your water meter, the latest on { $latest }.
}
summary-waste = { $count ->
    [0] your waste badge has not been used yet.
    [one] one use of your waste badge, on { $latest }.
   *[other] { $count } uses of your waste badge, the latest on { $latest }.
}
summary-reports = { $count ->
    [0] no report from you.
    [one] one report you made, with its follow-up.
   *[other] { $count } reports you made, with their follow-up.
}
summary-consents = { $count ->
    [0] no consent asked yet.
    [one] one consent record, with its full history.
   *[other] { $count } consent records, each with its full history.
}
summary-other = { $count } records.
data-category-identity = identity and contact details
data-category-waste-badge-uses = waste badge uses
data-category-issue-reports = issue reports
data-category-consents = consents
data-category-title-identity = Identity and contact details
data-category-title-water-meter-readings = Water meter readings
data-category-title-waste-badge-uses = Waste badge uses
data-category-title-issue-reports = Issue reports
data-category-title-consents = Consents
my-data-source = Held by
my-data-purpose = Used for
my-data-legal-basis = Legal basis
my-data-retention = Kept
my-data-records = { $count ->
    [0] No records
    [one] The record
   *[other] The records ({ $count })
}
my-data-no-records = Nothing in this category.
service-town-hall-resident-services = Town hall, resident services
service-water-utility = Water utility
service-waste-service = Waste collection service
service-open311-issue-reports = Issue reports (public space maintenance)
service-quartier-platform = The town's data platform
service-quartier-resident-api = Quartier, for you
service-parking-service = Parking service
service-street-lighting = Street lighting
purpose-resident-account = your resident account
purpose-water-billing-and-leak-detection = water billing and leak detection
purpose-water-billing = water billing
purpose-water-consumption-alerts = alerts on unusual water use
purpose-incentive-waste-charge = the waste charge that depends on use
purpose-public-space-maintenance = maintenance of public space
purpose-proof-of-consent = proof of your consents
purpose-right-of-access = your right of access (you looked at your data)
purpose-data-portability = your right to data portability (export)
purpose-meter-maintenance = water meter maintenance
purpose-leak-detection = leak detection
purpose-waste-collection = waste collection
purpose-erasure-request = handling your erasure request
legal-basis-consent = your consent (GDPR article 6(1)(a))
legal-basis-contract = your contract with the service (GDPR article 6(1)(b))
legal-basis-legal-obligation = a legal obligation of the town (GDPR article 6(1)(c))
legal-basis-vital-interests = someone's vital interests (GDPR article 6(1)(d))
legal-basis-public-task = the town's public task (GDPR article 6(1)(e))
legal-basis-legitimate-interests = the town's legitimate interests (GDPR article 6(1)(f))
retention-account-closure-plus-1-year = until one year after your account is closed
retention-reading-plus-3-years = three years after each reading
retention-use-plus-2-years = two years after each use
retention-closure-plus-3-years = three years after the report is closed
retention-withdrawal-plus-5-years = five years after you withdraw a consent
profile-name = Name
profile-email = Email address
profile-phone = Phone
profile-address = Postal address
profile-since = Resident since
profile-language = Preferred language
profile-not-given = not given
records-date = Day
records-meter = Meter
records-index = Index (m³)
records-used-litres = Used (litres)
records-when = When
records-waste-stream = Waste
records-container = Container
records-weight = Weight (kg)
records-not-weighed = not weighed
records-purpose = Purpose
records-state = State
records-events = Events
records-consent-given = given on { $time }
records-consent-withdrawn = withdrawn on { $time }
records-consent-refused = refused on { $time }
records-consent-none = not answered
records-consents-link = Manage my consents
records-range = { $from }–{ $to } of { $total }
records-pages = Pages of records
records-previous = Previous page
records-next = Next page
waste-stream-residual = household waste
waste-stream-recyclable = recycling
waste-stream-glass = glass
waste-stream-organic = food and garden waste
water-chart-title = Water used per month, in m³.
water-summary = { $total } m³ over { $months } months, highest in { $month } ({ $highest } m³).
water-summary-none = No water meter reading yet.
water-table-caption = Water used per month (m³)
water-table-month = Month
water-table-used = Used (m³)
water-table-partial = (read on { $days } days only)
access-log-title = Who accessed my data
access-log-text = Every read of your data is recorded: by you through Quartier, by the town's agents and by its automated services, with the reason.
access-log-from = From
access-log-to = To
access-log-service = Service
access-log-all-services = All services
access-log-apply = Filter
access-log-bad-period = The period ends before it starts: check the dates.
access-log-count = { $count ->
    [0] No access in this period.
    [one] One access.
   *[other] { $count } accesses.
}
access-log-none = Nothing to show for this choice.
access-log-pages = Pages of the access log
access-log-when = When
access-log-who = Who
access-log-through = Through
access-log-why = Why
access-log-what = What
reader-self = You, through Quartier
reader-agent = A town agent ({ $role })
reader-service = An automated service: { $job }
role-billing-officer = billing officer
role-meter-technician = meter technician
role-resident-services-clerk = resident services clerk
role-street-maintenance-officer = street maintenance officer
role-automated-analysis = automated analysis
role-water-billing-clerk = water billing clerk
role-data-protection-officer = data protection officer
role-resident = resident
take-away-title = Take my data away
export-title = Export
export-text = One JSON file with everything: your profile, all your data, your consents with their full history, your reports and the access log. Its format is published, so any program can read it.
export-button = Export my data
export-schema = The file's format (JSON Schema)
erasure-title = Ask for erasure
erasure-text = A town agent handles each request within one month (GDPR article 17). Some data must be kept by law for a while; the table says what happens to each category.
erasure-outcomes-caption = What erasure means, category by category
erasure-outcomes-category = Category
erasure-outcomes-what = What happens
erasure-outcome-consent = Erased.
erasure-outcome-contract = Erased, except what billing law requires the town to keep: { $retention }.
erasure-outcome-legal-obligation = Kept, because the law requires it: { $retention }. Then erased.
erasure-outcome-public-task = Erased, unless the town still needs it for its public task; then kept: { $retention }.
erasure-what = What should be erased?
erasure-all = All my data
erasure-some = Only some categories
erasure-choose = Choose at least one category to erase.
erasure-reason = Why (optional)
erasure-reason-left = { $count ->
    [0] no character left
    [one] one character left
   *[other] { $count } characters left
}
erasure-send = Send my erasure request
erasure-everything = all your data
erasure-sent = Request sent for { $what }. You can follow it below.
erasure-requests-title = My erasure requests
erasure-requests-none = You have made no erasure request.
erasure-request = { $time }: { $what } — { $status }.
erasure-status-received = received
erasure-status-in-progress = being handled
erasure-status-completed = done
erasure-status-rejected = refused (data the law requires the town to keep)
service-town-communication = Town communication
purpose-energy-saving-programme = the energy-saving programme (shared with the energy agency)
purpose-badge-replacement = replacing your waste badge
purpose-collection-round-planning = planning the collection rounds
purpose-proof-of-residence = a proof of residence
purpose-town-newsletter = the town newsletter
purpose-anonymised-mobility-studies = anonymised mobility studies
purpose-waste-collection-sms-reminders = text reminders of collection days
role-billing-clerk = billing clerk
role-customer-service-agent = customer service agent
role-civil-status-officer = civil status officer
role-automated-processing = automated processing
job-leak-detection = leak detection
job-consumption-alerts = unusual use alerts
job-energy-agency-transfer = transfer to the energy agency
job-collection-round-planning = collection round planning
job-newsletter-mailing = newsletter mailing
access-log-reader = Who
access-log-all-readers = Everyone
access-log-readers-agents = Town agents
access-log-readers-services = Automated services
access-log-readers-self = You, through Quartier
