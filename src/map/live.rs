//! Live updates of the layers shown: one server-sent-events stream from the platform
//! (`GET {resident API}/live?type=…`, see the README), whose NGSI-LD notifications change the
//! loaded layers in place: no reload, no flicker, a burst of changes rebuilt once.
//!
//! When the stream drops, the map says so, reconnects with backoff and asks for what it missed
//! (`since`, the last event id); a layer the platform can no longer catch up is reloaded alone.
//! The pure parts ([`apply`], [`backoff_ms`], [`parse_changes`]) are tested natively.

use std::collections::{HashMap, HashSet};

use quartier_api::ngsi_ld::live::{is_deleted, parse_notification};
use quartier_api::ngsi_ld::{Context, Entity};
use serde_json::Value;

use crate::api::ngsi_ld::{MapFeature, map_feature};
use crate::map::cluster::LayerIndex;
use crate::map::state::Announcement;

/// What happened to one service.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Created or changed: its new state.
    Upsert(MapFeature),
    /// Deleted (by its entity id).
    Deleted(String),
}

/// Where the live stream stands, shown under the layers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LiveStatus {
    Connecting,
    Live,
    /// Dropped; trying again at this time (ms since 1970).
    Interrupted {
        retry_at: f64,
    },
}

/// The delay before reconnection attempt `attempt` (0 first): 1 s, doubling, at most 30 s.
pub fn backoff_ms(attempt: u32) -> u32 {
    1000u32.saturating_mul(1 << attempt.min(5)).min(30_000)
}

/// A layer with `changes` applied in order, or `None` when nothing it shows changed. A layer
/// loaded for an area keeps only what lies inside it (a service moved out of it leaves).
pub fn apply(index: &LayerIndex, changes: &[Change], area: Option<[f64; 4]>) -> Option<LayerIndex> {
    let mut features = index.features.clone();
    let mut added: HashMap<String, usize> = HashMap::new();
    let mut gone: HashSet<String> = HashSet::new();
    let mut changed = false;
    for change in changes {
        let id = match change {
            Change::Upsert(feature) => &feature.id,
            Change::Deleted(id) => id,
        };
        let at = index
            .position_of(id)
            .or_else(|| added.get(id.as_str()).copied());
        match (change, at) {
            (Change::Upsert(feature), at) if area.is_none_or(|a| inside(a, feature)) => match at {
                Some(i) => {
                    changed |= gone.remove(id);
                    if features[i] != *feature {
                        features[i] = feature.clone();
                        changed = true;
                    }
                }
                None => {
                    added.insert(id.clone(), features.len());
                    features.push(feature.clone());
                    changed = true;
                }
            },
            (_, Some(_)) => changed |= gone.insert(id.clone()),
            (_, None) => {}
        }
    }
    if !changed {
        return None;
    }
    features.retain(|f| !gone.contains(&f.id));
    Some(LayerIndex::new(&index.entity_type, features))
}

/// What to say when the followed service `id` changed state between two versions of its layer.
pub fn state_change(before: &LayerIndex, after: &LayerIndex, id: &str) -> Option<Announcement> {
    let was = before.position_of(id).map(|i| before.states[i]);
    let at = after.position_of(id)?;
    let now = after.states[at];
    (was != Some(now)).then(|| Announcement::FollowedChanged {
        entity_type: after.entity_type.clone(),
        id: id.to_owned(),
        name: after.features[at].name.clone(),
        state_key: now.label_key(),
    })
}

fn inside(area: [f64; 4], feature: &MapFeature) -> bool {
    let [west, south, east, north] = area;
    (west..=east).contains(&feature.lon) && (south..=north).contains(&feature.lat)
}

/// The changes of one notification (the contract's `Notification`), each with its entity type;
/// a deleted entity comes as `{"id", "type", "deletedAt"}`. `status_attr` names each layer's
/// status attribute. An entity without a position cannot be drawn: it leaves the map.
pub fn parse_changes(
    data: &str,
    status_attr: impl Fn(&str) -> Option<String>,
) -> Result<Vec<(String, Change)>, String> {
    const DOC: &str = "live notification";
    let notification = parse_notification(data).map_err(|e| e.to_string())?;
    let items = &notification.data;
    let context = Context::default();
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_owned);
            let (Some(id), Some(entity_type)) = (text("id"), text("type")) else {
                return Err(format!("{DOC}: data[{i}] has no id or type"));
            };
            if is_deleted(item) {
                return Ok((entity_type, Change::Deleted(id)));
            }
            let entity = Entity::from_value(DOC, &format!("data[{i}]"), item, &context)
                .map_err(|e| e.to_string())?;
            let entity_type = entity.type_name().to_owned();
            let position = entity
                .location()
                .and_then(quartier_api::geo::Geometry::representative_point);
            let change = match position {
                Some(at) => Change::Upsert(map_feature(
                    entity,
                    at,
                    status_attr(&entity_type).as_deref(),
                )),
                None => Change::Deleted(id),
            };
            Ok((entity_type, change))
        })
        .collect()
}

#[cfg(target_arch = "wasm32")]
pub use stream::start_live;

/// Natively (tests of the pure parts) there is no stream to follow.
#[cfg(not(target_arch = "wasm32"))]
pub fn start_live(_ctx: crate::map::state::MapContext) {}

#[cfg(target_arch = "wasm32")]
mod stream {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;
    use std::sync::Arc;

    use leptos::prelude::*;
    use quartier_api::ngsi_ld::live::{
        ENTITIES_EVENT, RESET_EVENT, Reset, SINCE_PARAM, TYPE_PARAM,
    };
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{EventSource, MessageEvent};

    use super::{Change, LiveStatus, apply, backoff_ms, parse_changes, state_change};
    use crate::config::use_config;
    use crate::map::area_counts::{Stale, recount};
    use crate::map::state::{LayerLoad, MapContext};
    use quartier_api::geo::LonLat;

    /// Changes arriving within this time are applied together (one rebuild per layer).
    const COALESCE_MS: i32 = 200;
    /// A large layer's counts are asked again at most this often (a dozen small questions
    /// each time, which a busy town must not turn into a flood).
    const RECOUNT_MS: i32 = 1000;

    /// What the stream needs from the configuration.
    struct Setup {
        /// The platform's stream, beside the resident API (`LIVE_PATH`).
        live_url: String,
        /// The NGSI-LD API, where a large layer is counted.
        ngsi_ld: String,
        /// Each layer's status attribute.
        attrs: HashMap<String, Option<String>>,
    }

    impl Setup {
        fn attr(&self, entity_type: &str) -> Option<String> {
            self.attrs.get(entity_type).cloned().flatten()
        }
    }

    /// One open stream and what it needs to go on.
    #[derive(Default)]
    struct Stream {
        source: Option<EventSource>,
        /// The listeners, kept alive as long as the source.
        listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
        /// The last event id seen: what to ask for after a drop.
        last_id: Option<String>,
        attempt: u32,
        /// The stream was open once and dropped: what it missed is caught up when it opens again.
        dropped: bool,
        retry_timer: Option<i32>,
        flush_timer: Option<i32>,
        pending: Vec<(String, Change)>,
        /// Large layers changed since they were last counted, and when they will be again.
        stale: HashMap<String, Stale>,
        recount_timer: Option<i32>,
        types: Vec<String>,
    }

    type Shared = Rc<RefCell<Stream>>;

    /// Follows the selected layers for as long as the page lives.
    pub fn start_live(ctx: MapContext) {
        let config = use_config();
        let setup = Rc::new(Setup {
            live_url: format!("{}/live", config.api.resident.trim_end_matches('/')),
            ngsi_ld: config.api.ngsi_ld.clone(),
            attrs: config
                .layers
                .iter()
                .map(|l| (l.entity_type.clone(), l.status_attribute.clone()))
                .collect(),
        });
        let shared: Shared = Rc::default();
        let setup = StoredValue::new_local((shared.clone(), setup));

        Effect::new(move |_| {
            let selected = ctx.selected.get();
            setup.with_value(|(shared, setup)| {
                close(shared);
                shared.borrow_mut().types = selected;
                open(shared, setup, ctx);
            });
        });
        // "Updated N s ago" needs a clock; a second is the finest step it shows.
        let tick = Closure::<dyn FnMut()>::new(move || {
            ctx.clock.try_set(js_sys::Date::now());
        });
        let interval = web_sys::window().and_then(|w| {
            w.set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                1000,
            )
            .ok()
        });
        let tick = StoredValue::new_local(Some(tick));
        on_cleanup(move || {
            if let (Some(w), Some(id)) = (web_sys::window(), interval) {
                w.clear_interval_with_handle(id);
            }
            tick.try_update_value(|t| t.take());
            setup.try_with_value(|(shared, ..)| close(shared));
        });
    }

    fn close(shared: &Shared) {
        let mut s = shared.borrow_mut();
        if let Some(source) = s.source.take() {
            source.close();
        }
        s.listeners.clear();
        if let Some(w) = web_sys::window() {
            for timer in [s.retry_timer.take(), s.recount_timer.take()]
                .into_iter()
                .flatten()
            {
                w.clear_timeout_with_handle(timer);
            }
        }
        s.stale.clear();
    }

    fn open(shared: &Shared, setup: &Rc<Setup>, ctx: MapContext) {
        let (types, since) = {
            let s = shared.borrow();
            (s.types.join(","), s.last_id.clone())
        };
        if types.is_empty() {
            return;
        }
        let mut url = format!(
            "{}?{TYPE_PARAM}={}",
            setup.live_url,
            String::from(js_sys::encode_uri_component(&types))
        );
        if let Some(since) = &since {
            url.push_str(&format!(
                "&{SINCE_PARAM}={}",
                String::from(js_sys::encode_uri_component(since))
            ));
        }
        let Ok(source) = EventSource::new(&url) else {
            ctx.live.try_set(LiveStatus::Interrupted {
                retry_at: js_sys::Date::now(),
            });
            return;
        };
        ctx.live.try_set(LiveStatus::Connecting);

        let on_open = {
            let (shared, setup) = (shared.clone(), setup.clone());
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                let (dropped, told_where) = {
                    let mut s = shared.borrow_mut();
                    s.attempt = 0;
                    (std::mem::take(&mut s.dropped), s.last_id.is_some())
                };
                // Back after a drop, never told where it stopped: the layers shown are reloaded
                // (once, now that it is back; a stream that cannot connect reloads nothing).
                if dropped && !told_where {
                    let types = shared.borrow().types.clone();
                    reload(ctx, &setup, &types);
                }
                ctx.live.try_set(LiveStatus::Live);
            })
        };
        let on_entities = {
            let (shared, setup) = (shared.clone(), setup.clone());
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let Some(message) = event.dyn_ref::<MessageEvent>() else {
                    return;
                };
                let id = message.last_event_id();
                let data = message.data().as_string().unwrap_or_default();
                // A notification this app cannot read is left out; the next reload shows it.
                let Ok(changes) = parse_changes(&data, |t| setup.attr(t)) else {
                    return;
                };
                let mut s = shared.borrow_mut();
                if !id.is_empty() {
                    s.last_id = Some(id);
                }
                s.pending.extend(changes);
                if s.flush_timer.is_none() {
                    s.flush_timer = schedule(&shared, &setup, ctx, COALESCE_MS);
                }
            })
        };
        let on_reset = {
            let (shared, setup) = (shared.clone(), setup.clone());
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let data = event
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| m.data().as_string())
                    .unwrap_or_default();
                let types = serde_json::from_str::<Reset>(&data)
                    .map(|reset| reset.types)
                    .unwrap_or_else(|_| shared.borrow().types.clone());
                reload(ctx, &setup, &types);
            })
        };
        let on_error = {
            let (shared, setup) = (shared.clone(), setup.clone());
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                // The browser's own reconnection has no backoff: close, and come back later.
                let delay = {
                    let mut s = shared.borrow_mut();
                    if let Some(source) = s.source.take() {
                        source.close();
                    }
                    s.dropped |= s.attempt == 0;
                    let delay = backoff_ms(s.attempt);
                    s.attempt = s.attempt.saturating_add(1);
                    delay
                };
                ctx.live.try_set(LiveStatus::Interrupted {
                    retry_at: js_sys::Date::now() + f64::from(delay),
                });
                let again = {
                    let (shared, setup) = (shared.clone(), setup.clone());
                    Closure::once_into_js(move || {
                        shared.borrow_mut().retry_timer = None;
                        shared.borrow_mut().listeners.clear();
                        open(&shared, &setup, ctx);
                    })
                };
                let timer = web_sys::window().and_then(|w| {
                    w.set_timeout_with_callback_and_timeout_and_arguments_0(
                        again.unchecked_ref(),
                        delay as i32,
                    )
                    .ok()
                });
                shared.borrow_mut().retry_timer = timer;
            })
        };
        let _ = source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
        let _ = source
            .add_event_listener_with_callback(ENTITIES_EVENT, on_entities.as_ref().unchecked_ref());
        let _ =
            source.add_event_listener_with_callback(RESET_EVENT, on_reset.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        let mut s = shared.borrow_mut();
        s.source = Some(source);
        s.listeners = vec![on_open, on_entities, on_reset, on_error];
    }

    /// Runs `then` after `delay` ms.
    fn after(delay: i32, then: impl FnOnce() + 'static) -> Option<i32> {
        let then = Closure::once_into_js(then);
        web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(then.unchecked_ref(), delay)
                .ok()
        })
    }

    /// Applies the pending changes after `delay` ms.
    fn schedule(shared: &Shared, setup: &Rc<Setup>, ctx: MapContext, delay: i32) -> Option<i32> {
        let (shared, setup) = (shared.clone(), setup.clone());
        after(delay, move || {
            let pending = {
                let mut s = shared.borrow_mut();
                s.flush_timer = None;
                std::mem::take(&mut s.pending)
            };
            let stale = flush_changes(ctx, pending);
            mark_stale(&shared, &setup, ctx, stale);
        })
    }

    /// Large layers are counted again once the changes of the next second are in too.
    fn mark_stale(
        shared: &Shared,
        setup: &Rc<Setup>,
        ctx: MapContext,
        stale: HashMap<String, Stale>,
    ) {
        if stale.is_empty() {
            return;
        }
        let mut s = shared.borrow_mut();
        for (entity_type, more) in stale {
            s.stale.entry(entity_type).or_default().merge(more);
        }
        if s.recount_timer.is_some() {
            return;
        }
        let (again, setup) = (shared.clone(), setup.clone());
        s.recount_timer = after(RECOUNT_MS, move || {
            let stale = {
                let mut s = again.borrow_mut();
                s.recount_timer = None;
                std::mem::take(&mut s.stale)
            };
            for (entity_type, stale) in stale {
                recount(
                    ctx,
                    &setup.ngsi_ld,
                    &entity_type,
                    setup.attr(&entity_type),
                    &stale,
                );
            }
        });
    }

    /// Applies changes to the layers loaded, and says which large layers they made stale.
    fn flush_changes(ctx: MapContext, pending: Vec<(String, Change)>) -> HashMap<String, Stale> {
        let mut by_type: HashMap<String, Vec<Change>> = HashMap::new();
        for (entity_type, change) in pending {
            by_type.entry(entity_type).or_default().push(change);
        }
        // A large layer's counts come from the platform (it is not loaded whole here).
        let stale: HashMap<String, Stale> = ctx.large.with_untracked(|large| {
            by_type
                .iter()
                .filter(|(entity_type, _)| large.contains_key(*entity_type))
                .map(|(entity_type, changes)| (entity_type.clone(), stale_of(changes)))
                .collect()
        });
        let now = js_sys::Date::now();
        let followed = ctx.followed.get_untracked();
        let mut heard = None;
        ctx.loads.try_update(|loads| {
            for (entity_type, changes) in by_type {
                if let Some(LayerLoad::Ready { data, area, .. }) = loads.get(&entity_type)
                    && let Some(next) = apply(data, &changes, *area)
                {
                    if let Some(said) = followed
                        .as_deref()
                        .and_then(|id| state_change(data, &next, id))
                    {
                        heard = Some(said);
                    }
                    let area = *area;
                    loads.insert(
                        entity_type,
                        LayerLoad::Ready {
                            data: Arc::new(next),
                            loaded_at: now,
                            area,
                        },
                    );
                }
            }
        });
        // Said only because the resident asked to follow it: other changes stay silent.
        if heard.is_some() {
            ctx.announcement.try_set(heard);
        }
        stale
    }

    /// Where changes happened: their new places (a deletion does not say where it was).
    fn stale_of(changes: &[Change]) -> Stale {
        let mut stale = Stale::default();
        for change in changes {
            match change {
                Change::Upsert(f) => stale.at.push(LonLat {
                    lon: f.lon,
                    lat: f.lat,
                }),
                Change::Deleted(_) => stale.anywhere = true,
            }
        }
        stale
    }

    /// Loads these layers again, and counts the large ones again (the platform could not say
    /// what they missed).
    fn reload(ctx: MapContext, setup: &Setup, types: &[String]) {
        ctx.loads.try_update(|loads| {
            for t in types {
                if matches!(loads.get(t), Some(LayerLoad::Ready { .. })) {
                    loads.remove(t);
                }
            }
        });
        ctx.retry.try_update(|n| *n += 1);
        let anywhere = Stale {
            anywhere: true,
            at: Vec::new(),
        };
        for t in types {
            recount(ctx, &setup.ngsi_ld, t, setup.attr(t), &anywhere);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quartier_api::ngsi_ld::StatusValue;

    fn lamp(id: &str, status: &str, lon: f64) -> MapFeature {
        MapFeature {
            id: id.into(),
            lon,
            lat: 47.39,
            status: Some(StatusValue::Text(status.into())),
            name: None,
            observed: None,
        }
    }

    #[test]
    fn a_change_replaces_the_service_in_place_and_a_new_one_is_added() {
        let layer = LayerIndex::new(
            "Streetlight",
            vec![lamp("a", "ok", 0.68), lamp("b", "ok", 0.69)],
        );
        let next = apply(
            &layer,
            &[
                Change::Upsert(lamp("b", "defectiveLamp", 0.69)),
                Change::Upsert(lamp("c", "ok", 0.70)),
            ],
            None,
        )
        .expect("changed");
        let ids: Vec<&str> = next.features.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(
            next.features[1].status,
            Some(StatusValue::Text("defectiveLamp".into()))
        );
        assert_eq!(next.position_of("c"), Some(2));
    }

    #[test]
    fn nothing_new_rebuilds_nothing_and_deletions_leave() {
        let layer = LayerIndex::new(
            "Streetlight",
            vec![lamp("a", "ok", 0.68), lamp("b", "ok", 0.69)],
        );
        assert!(apply(&layer, &[Change::Upsert(lamp("a", "ok", 0.68))], None).is_none());
        assert!(apply(&layer, &[Change::Deleted("zzz".into())], None).is_none());
        let next = apply(&layer, &[Change::Deleted("a".into())], None).expect("changed");
        assert_eq!(next.features.len(), 1);
        assert_eq!(next.position_of("b"), Some(0));
        // Deleted then created again in the same burst: it stays.
        let back = apply(
            &layer,
            &[
                Change::Deleted("a".into()),
                Change::Upsert(lamp("a", "ok", 0.68)),
            ],
            None,
        );
        assert!(back.is_none_or(|l| l.features.len() == 2));
    }

    #[test]
    fn an_area_keeps_only_what_lies_inside() {
        let area = Some([0.6, 47.0, 0.7, 48.0]);
        let layer = LayerIndex::new("Streetlight", vec![lamp("a", "ok", 0.68)]);
        assert!(apply(&layer, &[Change::Upsert(lamp("far", "ok", 2.0))], area).is_none());
        let moved = apply(&layer, &[Change::Upsert(lamp("a", "ok", 2.0))], area).expect("left");
        assert!(moved.features.is_empty());
    }

    #[test]
    fn only_a_change_of_state_of_the_followed_service_is_said() {
        let layer = LayerIndex::new(
            "Streetlight",
            vec![lamp("a", "ok", 0.68), lamp("b", "ok", 0.69)],
        );
        let next = apply(
            &layer,
            &[Change::Upsert(lamp("a", "defectiveLamp", 0.68))],
            None,
        )
        .unwrap();
        let Some(Announcement::FollowedChanged { id, state_key, .. }) =
            state_change(&layer, &next, "a")
        else {
            panic!("the followed lamp's change is not said");
        };
        assert_eq!((id.as_str(), state_key), ("a", "state-problem"));
        assert_eq!(state_change(&layer, &next, "b"), None);
    }

    #[test]
    fn backoff_doubles_up_to_half_a_minute() {
        assert_eq!(
            (0..8).map(backoff_ms).collect::<Vec<_>>(),
            [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
        );
    }

    #[test]
    fn notifications_become_changes_by_layer() {
        let data = serde_json::json!({
            "id": "urn:ngsi-ld:Notification:1", "type": "Notification",
            "subscriptionId": "urn:ngsi-ld:Subscription:live", "notifiedAt": "2026-12-02T10:00:00Z",
            "data": [
                {"id": "urn:ngsi-ld:Streetlight:7", "type": "Streetlight",
                 "status": {"type": "Property", "value": "defectiveLamp",
                            "observedAt": "2026-12-02T09:59:58Z"},
                 "location": {"type": "GeoProperty",
                              "value": {"type": "Point", "coordinates": [0.68, 47.39]}}},
                {"id": "urn:ngsi-ld:WasteContainer:3", "type": "WasteContainer",
                 "deletedAt": "2026-12-02T10:00:00Z"}
            ]
        });
        let changes = parse_changes(&data.to_string(), |t| {
            (t == "Streetlight").then(|| "status".to_owned())
        })
        .unwrap();
        assert_eq!(changes.len(), 2);
        let (t, Change::Upsert(lamp)) = &changes[0] else {
            panic!("{changes:?}")
        };
        assert_eq!(t, "Streetlight");
        assert_eq!(lamp.status, Some(StatusValue::Text("defectiveLamp".into())));
        assert_eq!((lamp.lon, lamp.lat), (0.68, 47.39));
        assert_eq!(
            changes[1],
            (
                "WasteContainer".into(),
                Change::Deleted("urn:ngsi-ld:WasteContainer:3".into())
            )
        );
        assert!(parse_changes("{}", |_| None).is_err());
    }
}
