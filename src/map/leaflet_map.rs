//! The only file that talks to Leaflet. A small component that owns one Leaflet map: it draws
//! what it is given (points on a canvas, clusters as count badges), reports the view when it
//! changes and where the resident clicked, and moves when asked. Leaflet never sees text from
//! the API: points carry colours only, clusters carry numbers we computed.

use leaflet::{
    CircleMarker, CircleOptions, DivIconOptions, Icon, LatLng, LayerGroup, Map, MapOptions, Marker,
    MarkerOptions, TileLayer, TileLayerOptions,
};
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::prelude::{Closure, wasm_bindgen};
use wasm_bindgen::{JsCast, JsValue};

use crate::config::is_hex_colour;

#[wasm_bindgen]
extern "C" {
    /// `L.divIcon(options)`. leaflet-rs 0.5's `DivIcon::new` constructs an `L.Icon` instead,
    /// which throws without an image URL.
    #[wasm_bindgen(js_namespace = L, js_name = divIcon)]
    fn div_icon(options: &DivIconOptions) -> Icon;
}

/// Something to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawItem {
    pub lat: f64,
    pub lon: f64,
    pub kind: DrawKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DrawKind {
    /// One service: a dot in its state's colour.
    Point { colour: &'static str },
    /// Several services: a neutral badge with their number, ringed in the layer's colour, and
    /// separate marks with the number of those out of order and to watch (a number and a shape,
    /// never colour alone); `label` says it all in words for assistive technology.
    Cluster {
        count: u32,
        problems: u32,
        warnings: u32,
        /// The layer's colour (a validated `#rrggbb`).
        ring: String,
        label: String,
    },
}

/// What the map shows, reported after every move or zoom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
    pub center_lat: f64,
    pub center_lon: f64,
    pub zoom: f64,
}

/// Where to go: centre and zoom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GoTo {
    pub lat: f64,
    pub lon: f64,
    pub zoom: u8,
}

/// The static setup of the map.
#[derive(Clone, Debug, PartialEq)]
pub struct MapSetup {
    pub start: GoTo,
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// The deepest zoom the tile server has; Leaflet enlarges its tiles beyond it.
    pub tiles_max_zoom: u8,
    pub tile_url: String,
    /// Plain text: escaped before Leaflet sees it (it renders attributions as HTML).
    pub attribution: String,
}

struct Live {
    map: Map,
    points: LayerGroup,
    clusters: LayerGroup,
    /// The ring around the picked service, drawn apart so that a pick redraws nothing else.
    selection: LayerGroup,
    /// Tells Leaflet when its box changes size (a form step shown, a panel opened): Leaflet
    /// only watches the window, and a map started hidden would keep a zero size.
    resize: Option<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>,
}

#[component]
pub fn LeafletMap(
    setup: MapSetup,
    /// What to draw; redrawn whenever it changes.
    #[prop(into)]
    items: Signal<Vec<DrawItem>>,
    /// The picked service's position (lat, lon), ringed on top of the rest.
    #[prop(into)]
    highlight: Signal<Option<(f64, f64)>>,
    /// Requests to move the map (address search, "use my location", a cluster to open).
    #[prop(into)]
    go_to: Signal<Option<GoTo>>,
    /// Called with the view after every move or zoom, and once at start.
    on_view: Callback<Viewport>,
    /// Called with the position of a click or tap.
    on_pick: Callback<(f64, f64)>,
    /// Called if Leaflet could not start (script blocked or failed to load).
    on_failure: Callback<String>,
) -> impl IntoView {
    let host = NodeRef::<Div>::new();
    // Leaflet objects are JS handles: local storage, on the browser's one thread.
    let live: StoredValue<Option<Live>, LocalStorage> = StoredValue::new_local(None);

    Effect::new(move |_| {
        let Some(element) = host.get() else { return };
        if live.with_value(Option::is_some) {
            return;
        }
        match start(&element, &setup, on_view, on_pick) {
            Ok(started) => live.set_value(Some(started)),
            Err(message) => on_failure.run(message),
        }
    });

    Effect::new(move |_| {
        let items = items.get();
        live.with_value(|live| {
            if let Some(live) = live {
                draw(live, &items);
            }
        });
    });

    Effect::new(move |_| {
        let at = highlight.get();
        live.with_value(|live| {
            if let Some(live) = live {
                draw_highlight(live, at);
            }
        });
    });

    Effect::new(move |_| {
        let Some(target) = go_to.get() else { return };
        live.with_value(|live| {
            if let Some(live) = live {
                live.map
                    .set_view(&LatLng::new(target.lat, target.lon), f64::from(target.zoom));
            }
        });
    });

    on_cleanup(move || {
        live.try_update_value(|live| {
            if let Some(live) = live.take() {
                if let Some((observer, _)) = &live.resize {
                    observer.disconnect();
                }
                live.map.remove();
            }
        });
    });

    view! { <div node_ref=host class="leaflet-map"></div> }
}

fn start(
    element: &web_sys::HtmlDivElement,
    setup: &MapSetup,
    on_view: Callback<Viewport>,
    on_pick: Callback<(f64, f64)>,
) -> Result<Live, String> {
    if js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("L"))
        .map(|l| l.is_undefined())
        .unwrap_or(true)
    {
        return Err("Leaflet (L) is not loaded".into());
    }
    let options = MapOptions::new();
    options.set_center(LatLng::new(setup.start.lat, setup.start.lon));
    options.set_zoom(f64::from(setup.start.zoom));
    options.set_min_zoom(f64::from(setup.min_zoom));
    options.set_max_zoom(f64::from(setup.max_zoom));
    // One canvas for every dot: thousands of services stay fast to draw.
    options.set_prefer_canvas(true);
    // Our own translated zoom buttons replace Leaflet's English ones.
    options.set_zoom_control(false);
    let html_element: &web_sys::HtmlElement = element.unchecked_ref();
    let map = Map::new_with_element(html_element, &options)
        .map_err(|e| format!("Leaflet could not start: {e:?}"))?;
    hide_leaflet_prefix(&map);

    let tiles = TileLayerOptions::new();
    tiles.set_attribution(escape_html(&setup.attribution));
    tiles.set_max_zoom(f64::from(setup.max_zoom));
    tiles.set_max_native_zoom(f64::from(setup.tiles_max_zoom.min(setup.max_zoom)));
    TileLayer::new_options(&setup.tile_url, &tiles).add_to(&map);

    let points = LayerGroup::new();
    points.add_to(&map);
    let clusters = LayerGroup::new();
    clusters.add_to(&map);
    let selection = LayerGroup::new();
    selection.add_to(&map);

    let report = {
        let map = map.clone();
        move || on_view.run(viewport_of(&map))
    };
    report();
    let on_move = report.clone();
    map.on_move_end(Box::new(move |_| on_move()));
    map.on_mouse_click(Box::new(move |event| {
        let at = event.lat_lng();
        on_pick.run((at.lat(), at.lng()));
    }));
    let resize = {
        let map = map.clone();
        let on_resize = Closure::<dyn FnMut()>::new(move || {
            map.invalidate_size(false);
        });
        web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref())
            .ok()
            .map(|observer| {
                observer.observe(element);
                (observer, on_resize)
            })
    };
    Ok(Live {
        map,
        points,
        clusters,
        selection,
        resize,
    })
}

fn viewport_of(map: &Map) -> Viewport {
    let bounds = map.get_bounds();
    let center = map.get_center();
    let south_west = bounds.get_south_west();
    let north_east = bounds.get_north_east();
    Viewport {
        west: south_west.lng(),
        south: south_west.lat(),
        east: north_east.lng(),
        north: north_east.lat(),
        center_lat: center.lat(),
        center_lon: center.lng(),
        zoom: map.get_zoom(),
    }
}

fn draw(live: &Live, items: &[DrawItem]) {
    live.points.clear_layers();
    live.clusters.clear_layers();
    for item in items {
        let at = LatLng::new(item.lat, item.lon);
        match &item.kind {
            DrawKind::Point { colour } => {
                let options = CircleOptions::new();
                options.set_radius(6.0);
                options.set_color("#ffffff".into());
                options.set_weight(1.5);
                options.set_fill_color((*colour).into());
                options.set_fill_opacity(1.0);
                options.set_interactive(false);
                CircleMarker::new_with_options(&at, &options).add_to_layer_group(&live.points);
            }
            DrawKind::Cluster {
                count,
                problems,
                warnings,
                ring,
                label,
            } => {
                let icon_options = DivIconOptions::new();
                icon_options.set_html(cluster_html(*count, *problems, *warnings, ring, label));
                icon_options.set_class_name("map-cluster".into());
                let size = 28.0 + (f64::from(*count).log10() * 8.0).min(24.0);
                icon_options.set_icon_size(leaflet::Point::new(size, size));
                let options = MarkerOptions::new();
                options.set_icon(div_icon(&icon_options));
                // Badges are pictures of the list view's content, not controls: keyboard and
                // screen-reader users get the list and the centre-of-map picker instead.
                options.set_keyboard(false);
                options.set_interactive(false);
                Marker::new_with_options(&at, &options).add_to_layer_group(&live.clusters);
            }
        }
    }
}

fn draw_highlight(live: &Live, at: Option<(f64, f64)>) {
    live.selection.clear_layers();
    let Some((lat, lon)) = at else { return };
    let options = CircleOptions::new();
    options.set_radius(11.0);
    options.set_color("#000000".into());
    options.set_weight(3.0);
    options.set_fill(false);
    options.set_interactive(false);
    CircleMarker::new_with_options(&LatLng::new(lat, lon), &options)
        .add_to_layer_group(&live.selection);
}

/// A cluster badge's HTML: our numbers, a validated colour and our translated label, escaped.
fn cluster_html(count: u32, problems: u32, warnings: u32, ring: &str, label: &str) -> String {
    // The town's colours are validated with the configuration; checked again here because
    // this string becomes a style.
    let ring = if is_hex_colour(ring) { ring } else { "#5f6b7a" };
    let mut html = format!(
        "<span class=\"map-cluster__count\" style=\"border-color:{ring}\" aria-hidden=\"true\">{count}</span>"
    );
    if problems > 0 {
        html.push_str(&format!(
            "<span class=\"map-cluster__problems\" aria-hidden=\"true\">{problems}</span>"
        ));
    }
    if warnings > 0 {
        html.push_str(&format!(
            "<span class=\"map-cluster__warnings\" aria-hidden=\"true\">{warnings}</span>"
        ));
    }
    html.push_str(&format!(
        "<span class=\"visually-hidden\">{}</span>",
        escape_html(label)
    ));
    html
}

/// Leaflet's default attribution prefix links to leafletjs.com: a kiosk must show no external
/// links, and the town's attribution is enough.
fn hide_leaflet_prefix(map: &Map) {
    let Ok(control) = js_sys::Reflect::get(map, &JsValue::from_str("attributionControl")) else {
        return;
    };
    if let Ok(set_prefix) = js_sys::Reflect::get(&control, &JsValue::from_str("setPrefix"))
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = set_prefix.call1(&control, &JsValue::FALSE);
    }
}

/// Leaflet renders attributions as HTML; the town's text is shown as text.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_badges_say_their_problems_in_numbers_and_words() {
        let html = cluster_html(
            100,
            3,
            0,
            "#1f4e8c",
            "Streetlights: 100 <b>, 3 out of order",
        );
        assert!(html.contains(">100</span>"));
        assert!(html.contains("map-cluster__problems\" aria-hidden=\"true\">3</span>"));
        assert!(!html.contains("map-cluster__warnings"));
        assert!(html.contains("border-color:#1f4e8c"));
        assert!(html.contains("&lt;b&gt;"), "{html}");
        // Anything but a plain colour is never written into the style.
        assert!(cluster_html(2, 0, 0, "red;background:url(x)", "x").contains("#5f6b7a"));
    }

    #[test]
    fn attributions_are_escaped() {
        assert_eq!(
            escape_html("<img src=x onerror=alert(1)> © IGN & co"),
            "&lt;img src=x onerror=alert(1)&gt; © IGN &amp; co"
        );
    }
}
