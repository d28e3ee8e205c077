//! `/embed/map`: the services map as a widget for a town's website (in an iframe): the same page
//! as `/map`, filling the frame, without the site's header and footer around it.

use leptos::prelude::*;

use crate::pages::services_map_page::ServicesMapPage;

#[component]
pub fn EmbedMapPage() -> impl IntoView {
    view! { <ServicesMapPage embedded=true/> }
}
