//! `/embed/map`: the services map as a widget for a town's website (in an iframe): the same page
//! as `/map`, filling the frame; the layout leaves out the site's header and footer on embed
//! routes (`Route::is_embed`).

use leptos::prelude::*;

use crate::pages::services_map_page::ServicesMapPage;

#[component]
pub fn EmbedMapPage() -> impl IntoView {
    view! { <ServicesMapPage/> }
}
