//! The services map: layers, markers, keyboard, list alternative, deep links, failures.

use std::sync::Arc;

use quartier_e2e::browser::Browser;
use quartier_e2e::processes::Platform;
use quartier_e2e::{Outcome, http};
use serde_json::Value;

use crate::{Ctx, Journey, assert_clean_page, first_service_on, viewports};

pub const JOURNEYS: &[(&str, Journey)] = &[
    ("map::default_layers_are_drawn", default_layers_are_drawn),
    (
        "map::toggling_a_layer_draws_its_markers",
        toggling_a_layer_draws_its_markers,
    ),
    (
        "map::show_as_list_lists_visible_services",
        show_as_list_lists_visible_services,
    ),
    (
        "map::details_open_by_keyboard_on_the_map",
        details_open_by_keyboard_on_the_map,
    ),
    (
        "map::deep_link_restores_the_view",
        deep_link_restores_the_view,
    ),
    (
        "map::platform_failure_then_retry",
        platform_failure_then_retry,
    ),
    ("map::map_and_list_pass_axe", map_and_list_pass_axe),
    (
        "map::very_large_layers_load_by_area",
        very_large_layers_load_by_area,
    ),
    (
        "map::a_charger_put_out_of_service_appears_live_and_a_dropped_stream_reconnects",
        a_charger_put_out_of_service_appears_live_and_a_dropped_stream_reconnects,
    ),
    (
        "map::a_followed_lamp_set_defective_shows_live_and_is_announced",
        a_followed_lamp_set_defective_shows_live_and_is_announced,
    ),
];

const READY: &str = "[data-ready=\"true\"]";
/// Loading a layer of thousands of services from a debug build can take a while on CI.
const READY_SECONDS: u64 = 90;

async fn checkbox_checked(b: &Browser, label: &str) -> Result<bool, String> {
    let script = format!(
        "const l = [...document.querySelectorAll('label')].find(l => l.textContent.trim() === {label:?});\
         return l ? document.getElementById(l.htmlFor).checked : null;"
    );
    match b.eval(&script).await? {
        Value::Bool(checked) => Ok(checked),
        other => Err(format!("no checkbox labelled {label:?} ({other})")),
    }
}

async fn drawn(b: &Browser) -> Result<u64, String> {
    b.eval("return Number(document.getElementById('services-map').dataset.drawn)")
        .await?
        .as_u64()
        .ok_or("no data-drawn on the map".into())
}

fn default_layers_are_drawn(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/map?lang=en").await?;
        b.wait_for_within(READY, READY_SECONDS).await?;
        for layer in ["Streetlights", "Waste containers"] {
            if !checkbox_checked(b, layer).await? {
                return Err(format!("{layer} is not shown by default"));
            }
        }
        if checkbox_checked(b, "EV charging stations").await? {
            return Err("EV charging stations should not be shown by default".into());
        }
        if drawn(b).await? == 0 {
            return Err("the default layers drew nothing".into());
        }
        // The legend counts the states of the loaded layer.
        let legend = b.text_of("#layer-status-Streetlight").await?;
        if !legend.contains("Working") {
            return Err(format!("the streetlight legend says {legend:?}"));
        }
        Ok(())
    }))
}

fn toggling_a_layer_draws_its_markers(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/map?lang=en&layers=Streetlight").await?;
        b.wait_for_within(READY, READY_SECONDS).await?;
        let before = drawn(b).await?;
        b.wait_for("#layer-EVChargingStation")
            .await?
            .click()
            .await
            .map_err(|e| e.to_string())?;
        b.wait_for_within("#layer-status-EVChargingStation .legend", READY_SECONDS)
            .await?;
        b.wait_for_within(READY, READY_SECONDS).await?;
        // Who owns the data, its licence, and how fresh it is (the newest `observedAt`).
        let provenance = b
            .text_of("#layer-status-EVChargingStation .layer-panel__provenance")
            .await?;
        for expected in ["Source:", "Licence:", "Latest observation:"] {
            if !provenance.contains(expected) {
                return Err(format!(
                    "the layer says {provenance:?}, without {expected:?}"
                ));
            }
        }
        let after = drawn(b).await?;
        if after <= before {
            return Err(format!(
                "switching EV charging on drew {before} → {after} items"
            ));
        }
        let search = b.eval("return location.search").await?;
        if !search
            .as_str()
            .unwrap_or_default()
            .contains("EVChargingStation")
        {
            return Err(format!("the address does not keep the layer: {search}"));
        }
        // Off again: its markers go.
        b.wait_for("#layer-EVChargingStation")
            .await?
            .click()
            .await
            .map_err(|e| e.to_string())?;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let off = drawn(b).await?;
        if off != before {
            return Err(format!(
                "switching EV charging off left {off} items (was {before})"
            ));
        }
        Ok(())
    }))
}

fn show_as_list_lists_visible_services(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/map?lang=en&layers=EVChargingStation").await?;
        b.wait_for_within(READY, READY_SECONDS).await?;
        b.wait_for_xpath("//button[normalize-space()='Show as list']")
            .await?
            .click()
            .await
            .map_err(|e| e.to_string())?;
        b.wait_for(".services-list__item").await?;
        let distances = b
            .eval(
                "return [...document.querySelectorAll('.services-list__distance')]\
                 .map(e => parseInt(e.textContent.replace(/\\D/g, ''), 10));",
            )
            .await?;
        let distances: Vec<u64> = distances
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default();
        if distances.is_empty() || distances.windows(2).any(|w| w[0] > w[1]) {
            return Err(format!("the list is not sorted by distance: {distances:?}"));
        }
        // The map is out of the way for assistive technologies.
        let hidden = b
            .eval("return document.getElementById('services-map').getAttribute('aria-hidden')")
            .await?;
        if hidden != "true" {
            return Err("the map is still exposed in list mode".into());
        }
        // Details from the list, by keyboard.
        b.eval("document.querySelector('.services-list__details').focus()")
            .await?;
        b.press("\u{E007}").await?;
        b.wait_for("#service-details-title").await?;
        let mut focused = serde_json::Value::Null;
        for _ in 0..20 {
            focused = b.eval("return document.activeElement.id").await?;
            if focused == "service-details-title" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        if focused != "service-details-title" {
            return Err(format!("focus went to {focused}, not the details heading"));
        }
        Ok(())
    }))
}

fn details_open_by_keyboard_on_the_map(ctx: Arc<Ctx>) -> Outcome {
    // A real streetlight's position, asked from the platform like any NGSI-LD client would.
    let (lon, lat, id) = ctx.first_service("type=Streetlight")?;
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page(&format!(
            "/map?lang=en&layers=Streetlight&lat={lat}&lon={lon}&z=19"
        ))
        .await?;
        b.wait_for_within(READY, READY_SECONDS).await?;
        b.eval("document.querySelector('.leaflet-container').focus()")
            .await?;
        b.press("\u{E007}").await?;
        let panel = b.text_of(".service-details").await?;
        let reference = id.rsplit(':').next().unwrap_or_default();
        if !panel.contains(reference) {
            return Err(format!("the panel does not name {reference}: {panel:?}"));
        }
        let link = b
            .wait_for_xpath("//aside//a[normalize-space()='Report a problem here']")
            .await?;
        let href = link
            .attr("href")
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or_default();
        if !href.starts_with("/report?")
            || !href.contains("category=Streetlight")
            || !href.contains("asset=")
        {
            return Err(format!("the report link is {href}"));
        }
        Ok(())
    }))
}

fn deep_link_restores_the_view(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/map?lang=en&layers=EVChargingStation&lat=47.40000&lon=0.69000&z=16")
            .await?;
        b.wait_for_within(READY, READY_SECONDS).await?;
        if !checkbox_checked(b, "EV charging stations").await?
            || checkbox_checked(b, "Streetlights").await?
        {
            return Err("the deep link's layers were not restored".into());
        }
        let search = b.eval("return location.search").await?;
        let search = search.as_str().unwrap_or_default();
        if !(search.contains("lat=47.40000")
            && search.contains("lon=0.69000")
            && search.contains("z=16"))
        {
            return Err(format!("the view moved: {search}"));
        }
        Ok(())
    }))
}

fn platform_failure_then_retry(ctx: Arc<Ctx>) -> Outcome {
    let mut platform = Platform::start(&ctx.platform_bin, &ctx.dist)?;
    let outcome = ctx.runtime.block_on(async {
        let b = ctx.browser_on(&platform.base_url).await?;
        let result = async {
            // The map's code is downloaded first (a map with no layer), then the resident goes
            // elsewhere: the platform stopping now fails the layers, not the page's code
            // (`routes::` covers a route whose code cannot be downloaded).
            b.open_page("/map?layers=&lang=en").await?;
            b.wait_for_within(READY, READY_SECONDS).await?;
            b.wait_for("footer a[href^='/accessibility']")
                .await?
                .click()
                .await
                .map_err(|e| e.to_string())?;
            b.wait_for_xpath("//h1[normalize-space()='Accessibility statement']")
                .await?;
            platform.stop();
            b.wait_for_xpath("//nav//a[normalize-space()='Map']")
                .await?
                .click()
                .await
                .map_err(|e| e.to_string())?;
            let alert = b.text_of(".layer-panel__error").await?;
            if !alert.contains("cannot be reached") {
                return Err(format!("the failure says {alert:?}"));
            }
            platform.restart()?;
            b.wait_for_xpath("//div[contains(@class,'layer-panel__error')]//button[normalize-space()='Try again']")
                .await?
                .click()
                .await
                .map_err(|e| e.to_string())?;
            b.wait_for_within(READY, READY_SECONDS).await?;
            Ok(())
        }
        .await;
        b.close().await;
        result
    });
    drop(platform);
    outcome
}

fn map_and_list_pass_axe(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        for viewport in viewports() {
            b.viewport(viewport).await?;
            for page in [
                "/map",
                "/map?lang=en",
                "/map?view=list",
                "/map?lang=en&view=list",
            ] {
                b.open_page(page).await?;
                b.wait_for_within(READY, READY_SECONDS).await?;
                assert_clean_page(&ctx, b, &format!("{page} ({viewport:?})")).await?;
                // The layers panel open over the map (phone, portrait kiosk).
                if !page.contains("view=list") {
                    b.eval("document.querySelector('.services-map-page__layers-button').click()")
                        .await?;
                    b.wait_until(
                        "return document.getElementById('map-layers').getClientRects().length > 0",
                        "the layers panel opened",
                    )
                    .await?;
                    assert_clean_page(&ctx, b, &format!("{page} ({viewport:?}), layers open"))
                        .await?;
                }
            }
        }
        Ok(())
    }))
}

fn very_large_layers_load_by_area(ctx: Arc<Ctx>) -> Outcome {
    // The same app with a town config that calls any layer above 1000 services "very large".
    let dist = std::env::temp_dir().join(format!("quartier-e2e-large-{}", std::process::id()));
    crate::copy_dir(&ctx.dist, &dist)?;
    let path = dist.join("config.json");
    let mut config: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    config["api"]["maxWholeLayer"] = 1000.into();
    std::fs::write(&path, config.to_string()).map_err(|e| e.to_string())?;
    let platform = Platform::start(&ctx.platform_bin, &dist)?;
    let outcome = ctx.runtime.block_on(async {
        let b = ctx.browser_on(&platform.base_url).await?;
        let result = async {
            b.open_page("/map?lang=en&layers=Streetlight").await?;
            b.wait_for_within(READY, READY_SECONDS).await?;
            let status = b.text_of("#layer-status-Streetlight").await?;
            if !status.contains("counted by area") {
                return Err(format!("a very large layer at town scale says {status:?}"));
            }
            // Drawn as counts per area, never as "zoom in to see them": every service of the
            // layer is in one of the areas' counts, and the legend counts the whole layer.
            let counted: u64 = b
                .eval_strings(
                    "return [...document.querySelectorAll('.map-cluster__count')]\
                     .map(e => e.textContent.trim());",
                )
                .await?
                .iter()
                .filter_map(|n| n.parse::<u64>().ok())
                .sum();
            let whole = http::get_with(
                &platform.base_url,
                "/ngsi-ld/v1/entities?type=Streetlight&limit=0&count=true",
                &[],
            )?;
            let total: u64 = whole
                .header("ngsild-results-count")
                .and_then(|v| v.trim().parse().ok())
                .ok_or("the platform does not count the layer")?;
            if counted == 0 || counted > total {
                return Err(format!("the areas count {counted} of {total} streetlights"));
            }
            if !status.contains("Out of order or full:") || !status.contains("Working:") {
                return Err(format!("the legend of a counted layer says {status:?}"));
            }
            b.open_page("/map?lang=en&layers=Streetlight&lat=47.39410&lon=0.68480&z=17")
                .await?;
            b.wait_for_within("#layer-status-Streetlight .legend", READY_SECONDS)
                .await?;
            b.wait_for_within(READY, READY_SECONDS).await?;
            let status = b.text_of("#layer-status-Streetlight").await?;
            if !status.contains("Only the services of the area shown") || drawn(&b).await? == 0 {
                return Err(format!("zoomed in, the layer says {status:?}"));
            }
            Ok(())
        }
        .await;
        b.close().await;
        result
    });
    drop(platform);
    let _ = std::fs::remove_dir_all(&dist);
    outcome
}

async fn live_state(b: &Browser) -> Result<String, String> {
    b.text_of(".layer-panel__live").await
}

/// A layer loaded whole (the chargers: 40 in the demo town): the change is applied in place.
/// (A layer too large to load whole is counted again: the lamp journey below.)
fn a_charger_put_out_of_service_appears_live_and_a_dropped_stream_reconnects(
    ctx: Arc<Ctx>,
) -> Outcome {
    // Its own platform: the journey stops it.
    let mut platform = Platform::start(&ctx.platform_bin, &ctx.dist)?;
    let outcome = ctx.runtime.block_on(async {
        let b = ctx.browser_on(&platform.base_url).await?;
        let result = async {
            b.open_page("/map?lang=en&layers=EVChargingStation").await?;
            b.wait_for_within(READY, READY_SECONDS).await?;
            b.wait_until(
                "return document.querySelector('.layer-panel__live')?.textContent.includes('Live updates on')",
                "the live stream opening",
            )
            .await?;
            let before = out_of_order(&b, "EVChargingStation").await?;
            // A working charger, found as any client would, then put out of service by the
            // charging silo's IoT agent through the NGSI-LD write API.
            let found = http::get_with(
                &platform.base_url,
                "/ngsi-ld/v1/entities?type=EVChargingStation&q=status==%22working%22&limit=1&options=keyValues",
                &[("Accept", "application/json")],
            )?;
            let found: Value = serde_json::from_slice(&found.body).map_err(|e| e.to_string())?;
            let id = found
                .pointer("/0/id")
                .and_then(Value::as_str)
                .ok_or(format!("no working charger in {found}"))?
                .to_owned();
            let written = std::time::Instant::now();
            let answer = http::send(
                &platform.base_url,
                "PATCH",
                &format!("/ngsi-ld/v1/entities/{id}/attrs/status"),
                &[
                    ("Content-Type", "application/json"),
                    ("Authorization", "Bearer quartier-demo-writer-charging"),
                ],
                br#"{"type": "Property", "value": "outOfService"}"#,
            )?;
            if answer.status != 204 {
                return Err(format!("the write answered {}", answer.status));
            }
            loop {
                if out_of_order(&b, "EVChargingStation").await? == before + 1 {
                    break;
                }
                if written.elapsed() > std::time::Duration::from_secs(2) {
                    return Err(format!(
                        "2 s after the write the legend still counts {} out of order (before: {before})",
                        out_of_order(&b, "EVChargingStation").await?
                    ));
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            let fresh = b.text_of("#layer-status-EVChargingStation .layer-panel__provenance").await?;
            if !fresh.contains("Updated") {
                return Err(format!("the layer does not say how fresh it is: {fresh:?}"));
            }
            // The stream drops: the map says so in words, then reconnects once the platform is back.
            platform.stop();
            b.wait_until(
                "return document.querySelector('.layer-panel__live')?.textContent.includes('interrupted')",
                "the map saying the stream dropped",
            )
            .await?;
            let down = live_state(&b).await?;
            if !down.contains("Reconnecting") {
                return Err(format!("the dropped stream says {down:?}"));
            }
            platform.restart()?;
            b.wait_until(
                "return document.querySelector('.layer-panel__live')?.textContent.includes('Live updates on')",
                "the live stream reconnecting",
            )
            .await?;
            b.wait_for_within(READY, READY_SECONDS).await?;
            Ok(())
        }
        .await;
        b.close().await;
        result
    });
    drop(platform);
    outcome
}

/// With the demo's sensor simulator feeding the town, a working lamp is set defective by the
/// lighting silo's IoT agent through the NGSI-LD write API: on a map open at it (a layer too
/// large to load whole, so loaded for the area in view), its details panel says so within 2 s
/// without a reload, the polite live region says it because the resident follows the lamp, and
/// the whole layer's legend counts one more out of order.
fn a_followed_lamp_set_defective_shows_live_and_is_announced(ctx: Arc<Ctx>) -> Outcome {
    let platform = Platform::start_with(
        &ctx.platform_bin,
        &ctx.dist,
        &["--simulate", "--simulate-interval", "500"],
    )?;
    let (lon, lat, id) =
        first_service_on(&platform.base_url, "type=Streetlight&q=status==%22ok%22")?;
    let reference = id.rsplit(':').next().unwrap_or_default().to_owned();
    let outcome = ctx.runtime.block_on(async {
        let b = ctx.browser_on(&platform.base_url).await?;
        let result = async {
            b.open_page(&format!(
                "/map?lang=en&layers=Streetlight&lat={lat}&lon={lon}&z=19"
            ))
            .await?;
            b.wait_for_within(READY, READY_SECONDS).await?;
            b.wait_until(
                "return document.querySelector('.layer-panel__live')?.textContent.includes('Live updates on')",
                "the live stream opening",
            )
            .await?;
            // The lamp at the centre, opened from the keyboard, then followed.
            b.eval("document.querySelector('.leaflet-container').focus()")
                .await?;
            b.press("\u{E007}").await?;
            let panel = b.text_of(".service-details").await?;
            if !panel.contains(&reference) || !panel.contains("Working") {
                return Err(format!("the panel of {reference} says {panel:?}"));
            }
            let follow = b
                .wait_for_xpath("//aside//button[normalize-space()='Follow its changes']")
                .await?;
            follow.click().await.map_err(|e| e.to_string())?;
            let pressed = follow
                .attr("aria-pressed")
                .await
                .map_err(|e| e.to_string())?
                .unwrap_or_default();
            if pressed != "true" {
                return Err(format!("the follow toggle says aria-pressed={pressed:?}"));
            }
            let before = out_of_order(&b, "Streetlight").await?;
            // Gone if the page reloads.
            b.eval("window.quartierStillHere = true").await?;
            let written = std::time::Instant::now();
            let answer = http::send(
                &platform.base_url,
                "PATCH",
                &format!("/ngsi-ld/v1/entities/{id}/attrs/status"),
                &[
                    ("Content-Type", "application/json"),
                    ("Authorization", "Bearer quartier-demo-writer-lighting"),
                ],
                br#"{"type": "Property", "value": "defectiveLamp"}"#,
            )?;
            if answer.status != 204 {
                return Err(format!("the write answered {}", answer.status));
            }
            loop {
                let panel = b.text_of(".service-details").await?;
                let said = b.text_of("[data-testid='map-announcer']").await?;
                if panel.contains("Out of order") && said.contains("now Out of order") {
                    break;
                }
                if written.elapsed() > std::time::Duration::from_secs(2) {
                    return Err(format!(
                        "2 s after the write the panel says {panel:?} and the live region {said:?}"
                    ));
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            if b.eval("return window.quartierStillHere === true").await? != Value::Bool(true) {
                return Err("the page reloaded to show the change".into());
            }
            // The legend counts the whole layer (asked again of the platform): one more, give
            // or take what the simulator changed meanwhile.
            let counted = async {
                loop {
                    let now = out_of_order(&b, "Streetlight").await?;
                    if now != before {
                        return Ok::<_, String>(now);
                    }
                    if written.elapsed() > std::time::Duration::from_secs(10) {
                        return Err(format!("the legend still counts {now} out of order"));
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
            .await?;
            if counted.abs_diff(before) > 20 {
                return Err(format!("the legend went from {before} to {counted} out of order"));
            }
            Ok(())
        }
        .await;
        b.close().await;
        result
    });
    drop(platform);
    outcome
}

/// A layer's legend count of services out of order (0 when the row is absent).
async fn out_of_order(b: &Browser, entity_type: &str) -> Result<u64, String> {
    let count = b
        .eval(&format!(
            "const row = [...document.querySelectorAll('#layer-status-{entity_type} .legend__row')]\
               .find(r => r.textContent.includes('Out of order'));\
             return row ? Number(row.textContent.split(':').pop().trim()) : 0;"
        ))
        .await?;
    count
        .as_u64()
        .ok_or(format!("the legend's count is {count}"))
}
