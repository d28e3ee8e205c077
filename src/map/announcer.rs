//! The map's one polite live region: layers that finished loading or failed, places found.
//! One region for the whole map, so a screen reader never hears two at once; its words are
//! derived from what happened when it is shown, in the current language.

use leptos::prelude::*;

use crate::config::use_config;
use crate::i18n::use_i18n;
use crate::map::services_list::short_reference;
use crate::map::state::{Announcement, MapContext};

#[component]
pub fn MapAnnouncer(ctx: MapContext) -> impl IntoView {
    let i18n = use_i18n();
    let config = use_config();
    let label = move |entity_type: &str| config.layer_label(entity_type, i18n.lang());
    let text = move || {
        Some(match ctx.announcement.get()? {
            Announcement::LayerReady { entity_type, count } => i18n.t_with(
                "map-announce-layer-ready",
                &[
                    ("layer", label(&entity_type).into()),
                    ("count", count.into()),
                ],
            ),
            Announcement::LayerFailed { entity_type } => i18n.t_with(
                "map-announce-layer-failed",
                &[("layer", label(&entity_type).into())],
            ),
            Announcement::LayerByArea { entity_type, total } => i18n.t_with(
                "map-announce-layer-by-area",
                &[
                    ("layer", label(&entity_type).into()),
                    ("total", total.into()),
                ],
            ),
            Announcement::Place(status) => status.text(i18n),
            Announcement::FollowedChanged {
                entity_type,
                id,
                name,
                state_key,
            } => i18n.t_with(
                "map-announce-followed-changed",
                &[
                    ("layer", label(&entity_type).into()),
                    (
                        "service",
                        name.unwrap_or_else(|| short_reference(&id)).into(),
                    ),
                    ("state", i18n.t(state_key).into()),
                ],
            ),
        })
    };
    view! {
        <p class="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="map-announcer">
            {text}
        </p>
    }
}
