//! The layer panel: one checkbox per layer, named by the layer's label; under each shown layer,
//! its loading progress or error, a legend of states with counts, and where the data comes from.

use leptos::prelude::*;

use crate::browser;
use crate::config::{LayerConfig, use_config};
use crate::i18n::use_i18n;
use crate::map::layers::StateClass;
use crate::map::state::{LayerLoad, MapContext};

#[component]
pub fn LayerPanel(ctx: MapContext) -> impl IntoView {
    let i18n = use_i18n();
    let layers = use_config().layers.clone();
    view! {
        <fieldset class="layer-panel">
            <legend class="layer-panel__legend">{i18n.tr("map-layers")}</legend>
            <ul class="layer-panel__list">
                {layers
                    .into_iter()
                    .map(|layer| view! { <LayerEntry ctx=ctx layer=layer/> })
                    .collect_view()}
            </ul>
        </fieldset>
    }
}

#[component]
fn LayerEntry(ctx: MapContext, layer: LayerConfig) -> impl IntoView {
    let i18n = use_i18n();
    let entity_type = layer.entity_type.clone();
    let input_id = format!("layer-{}", layer.entity_type);
    let status_id = format!("layer-status-{}", layer.entity_type);
    let checked = {
        let entity_type = entity_type.clone();
        move || ctx.selected.with(|s| s.contains(&entity_type))
    };
    let toggle = {
        let entity_type = entity_type.clone();
        let order: Vec<String> = use_config()
            .layers
            .iter()
            .map(|l| l.entity_type.clone())
            .collect();
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            ctx.selected.update(|selected| {
                selected.retain(|t| t != &entity_type);
                if on {
                    selected.push(entity_type.clone());
                    selected.sort_by_key(|t| order.iter().position(|o| o == t));
                }
            });
        }
    };
    let label = layer.label.clone();
    let provider = layer.provider.clone();
    let licence = layer.licence.clone();
    let status = {
        let entity_type = entity_type.clone();
        let shown = checked.clone();
        move || {
            if !shown() {
                return None;
            }
            let load = ctx.loads.with(|loads| loads.get(&entity_type).cloned());
            Some(match load {
                None | Some(LayerLoad::Loading { .. }) => {
                    let (loaded, total) = match load {
                        Some(LayerLoad::Loading { loaded, total }) => (loaded, total),
                        _ => (0, None),
                    };
                    let text = match total {
                        Some(total) => i18n.t_with(
                            "map-layer-loading-progress",
                            &[("loaded", loaded.into()), ("total", total.into())],
                        ),
                        None => i18n.t("map-layer-loading"),
                    };
                    view! {
                        <p class="layer-panel__status">
                            <progress
                                class="layer-panel__progress"
                                max=total.unwrap_or(0).max(1)
                                value=loaded
                                aria-label=text.clone()
                            ></progress>
                            " "
                            {text}
                        </p>
                    }
                    .into_any()
                }
                Some(LayerLoad::Failed(error)) => view! {
                    <div class="layer-panel__error" role="alert">
                        <p>{i18n.t(error.message_key())}</p>
                        <button
                            type="button"
                            class="button"
                            on:click=move |_| ctx.retry.update(|n| *n += 1)
                        >
                            {i18n.t("retry")}
                        </button>
                    </div>
                }
                .into_any(),
                Some(LayerLoad::ZoomIn { total }) => view! {
                    <p class="layer-panel__status">
                        {i18n.t_with("map-layer-zoom-in", &[("total", total.into())])}
                    </p>
                }
                .into_any(),
                Some(LayerLoad::Ready {
                    data,
                    loaded_at,
                    area,
                }) => {
                    let rows = StateClass::ALL
                        .into_iter()
                        .map(|state| (state, data.count(state)))
                        .filter(|(_, count)| *count > 0)
                        .map(|(state, count)| {
                            view! {
                                <li class="legend__row">
                                    <span class=format!("legend__dot legend__dot--{}", state.css()) aria-hidden="true"></span>
                                    {i18n.t(state.label_key())}
                                    " : "
                                    {count}
                                </li>
                            }
                        })
                        .collect_view();
                    let source = provider.clone().map(|p| {
                        i18n.t_with(
                            "map-layer-source",
                            &[("provider", p.get(i18n.lang()).to_string().into())],
                        )
                    });
                    let licence_text = licence
                        .clone()
                        .map(|l| i18n.t_with("map-layer-licence", &[("licence", l.into())]));
                    let observed = data.newest_observation.map(|ms| {
                        let when = browser::local_date_time(ms, i18n.lang().code());
                        i18n.t_with("map-layer-observed", &[("time", when.into())])
                    });
                    view! {
                        <ul class="legend">{rows}</ul>
                        <p class="layer-panel__provenance">
                            {source}
                            {licence_text.map(|l| view! { <br/> {l} })}
                            {observed.map(|o| view! { <br/> {o} })}
                            <br/>
                            {i18n.t_with("map-layer-loaded-at", &[("time", loaded_at.into())])}
                            {area.map(|_| view! { <br/> {i18n.t("map-layer-area-only")} })}
                        </p>
                    }
                    .into_any()
                }
            })
        }
    };
    view! {
        <li class="layer-panel__item">
            <input
                type="checkbox"
                id=input_id.clone()
                class="layer-panel__checkbox"
                prop:checked=checked
                on:change=toggle
                aria-describedby=status_id.clone()
            />
            <label for=input_id class="layer-panel__label">
                <span class="layer-panel__swatch" style:background-color=layer.color.clone() aria-hidden="true"></span>
                {move || label.get(i18n.lang()).to_string()}
            </label>
            <div id=status_id class="layer-panel__details" aria-live="polite">{status}</div>
        </li>
    }
}
