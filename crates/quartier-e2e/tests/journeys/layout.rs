//! The map as the screen: on a phone and a kiosk the map fills the viewport under a compact
//! header, the layers panel and the site menu open and close by keyboard with focus managed,
//! clusters and containers say their state in words.

use std::sync::Arc;

use quartier_e2e::Outcome;
use quartier_e2e::browser::{Browser, Viewport};
use serde_json::Value;

use crate::{Ctx, Journey};

pub const JOURNEYS: &[(&str, Journey)] = &[
    (
        "layout::on_a_phone_the_map_is_the_screen",
        on_a_phone_the_map_is_the_screen,
    ),
    (
        "layout::on_a_kiosk_the_map_is_the_screen",
        on_a_kiosk_the_map_is_the_screen,
    ),
    (
        "layout::the_layers_panel_opens_and_closes_by_keyboard",
        the_layers_panel_opens_and_closes_by_keyboard,
    ),
    (
        "layout::the_site_menu_is_a_disclosure_on_a_phone",
        the_site_menu_is_a_disclosure_on_a_phone,
    ),
    (
        "layout::a_cluster_says_how_many_are_out_of_order",
        a_cluster_says_how_many_are_out_of_order,
    ),
    (
        "layout::a_full_container_says_so_in_words",
        a_full_container_says_so_in_words,
    ),
    (
        "layout::the_list_from_afar_lists_what_is_near_the_centre",
        the_list_from_afar_lists_what_is_near_the_centre,
    ),
];

const READY: &str = "[data-ready=\"true\"]";
const READY_SECONDS: u64 = 90;

/// The map's box: its top edge, and the share of the viewport it covers.
async fn map_cover(b: &Browser) -> Result<(f64, f64), String> {
    let v = b
        .eval(
            "const r = document.getElementById('services-map').getBoundingClientRect();\
             const h = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));\
             const w = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));\
             return [r.top, (w * h) / (innerWidth * innerHeight)];",
        )
        .await?;
    let at = |i: usize| v.get(i).and_then(Value::as_f64).unwrap_or(f64::NAN);
    Ok((at(0), at(1)))
}

async fn the_map_covers(b: &Browser, viewport: Viewport, lang: &str) -> Outcome {
    b.viewport(viewport).await?;
    b.open_page(&format!("/map?lang={lang}")).await?;
    b.wait_for_within(READY, READY_SECONDS).await?;
    let (top, cover) = map_cover(b).await?;
    if cover < 0.70 {
        return Err(format!(
            "{viewport:?} {lang}: the map covers {:.0} % of the screen",
            cover * 100.0
        ));
    }
    // On a phone the header is one compact row; a kiosk's portrait screen has room for the
    // navigation in sight.
    if matches!(viewport, Viewport::Phone) && top > 100.0 {
        return Err(format!("{viewport:?} {lang}: the map starts {top} px down"));
    }
    Ok(())
}

fn on_a_phone_the_map_is_the_screen(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        for lang in ["fr", "en"] {
            the_map_covers(b, Viewport::Phone, lang).await?;
        }
        Ok(())
    }))
}

fn on_a_kiosk_the_map_is_the_screen(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        for lang in ["fr", "en"] {
            the_map_covers(b, Viewport::Kiosk, lang).await?;
        }
        Ok(())
    }))
}

/// Whether an element is rendered (not `display: none` itself or by an ancestor).
async fn shown(b: &Browser, css: &str) -> Result<bool, String> {
    let v = b
        .eval(&format!(
            "const e = document.querySelector({css:?}); return !!e && e.getClientRects().length > 0;"
        ))
        .await?;
    Ok(v == Value::Bool(true))
}

async fn focused_is(b: &Browser, script_test: &str, what: &str) -> Outcome {
    b.wait_until(
        &format!("const a = document.activeElement; return !!a && ({script_test});"),
        what,
    )
    .await
}

fn the_layers_panel_opens_and_closes_by_keyboard(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.viewport(Viewport::Phone).await?;
        b.open_page("/map?lang=en").await?;
        b.wait_for_within(READY, READY_SECONDS).await?;
        if shown(b, "#map-layers").await? {
            return Err("on a phone the layers panel starts open, over the map".into());
        }
        let button = b
            .wait_for_xpath("//button[normalize-space()='Layers']")
            .await?;
        b.eval("[...document.querySelectorAll('button')].find(e => e.textContent.trim() === 'Layers').focus()")
            .await?;
        b.press("\u{E007}").await?;
        focused_is(
            b,
            "document.getElementById('map-layers').contains(a)",
            "focus inside the opened layers panel",
        )
        .await?;
        if button.attr("aria-expanded").await.map_err(|e| e.to_string())? != Some("true".into())
        {
            return Err("the Layers button does not say it is expanded".into());
        }
        // The layer checkboxes are there, named by their layer.
        b.wait_for_xpath("//section[@id='map-layers']//label[normalize-space()='Streetlights']")
            .await?;
        b.press("\u{E00C}").await?; // Escape
        focused_is(
            b,
            "a.textContent.trim() === 'Layers'",
            "focus back on the Layers button after Escape",
        )
        .await?;
        if shown(b, "#map-layers").await? {
            return Err("Escape left the layers panel open".into());
        }
        // Its close button does the same.
        b.press("\u{E007}").await?;
        focused_is(
            b,
            "document.getElementById('map-layers').contains(a)",
            "focus inside the panel, opened again",
        )
        .await?;
        b.eval("document.querySelector('.services-map-page__layers-close').click()")
            .await?;
        focused_is(
            b,
            "a.textContent.trim() === 'Layers'",
            "focus back on the Layers button after Close",
        )
        .await?;
        Ok(())
    }))
}

fn the_site_menu_is_a_disclosure_on_a_phone(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.viewport(Viewport::Phone).await?;
        b.open_page("/map?lang=en").await?;
        let map_link = "nav a[href^='/map']";
        if shown(b, map_link).await? {
            return Err("on a phone the navigation starts unfolded".into());
        }
        b.eval("document.querySelector('.site-header__menu-button').focus()")
            .await?;
        b.press("\u{E007}").await?;
        b.wait_until(
            "return document.querySelector(\"nav a[href^='/report']\")?.getClientRects().length > 0",
            "the navigation unfolded by the Menu button",
        )
        .await?;
        let expanded = b
            .eval("return document.querySelector('.site-header__menu-button').getAttribute('aria-expanded')")
            .await?;
        if expanded != "true" {
            return Err(format!("the Menu button says aria-expanded={expanded}"));
        }
        b.eval("document.querySelector(\"nav a[href^='/report']\").focus()")
            .await?;
        b.press("\u{E00C}").await?;
        focused_is(
            b,
            "a.classList.contains('site-header__menu-button')",
            "focus back on the Menu button after Escape",
        )
        .await?;
        if shown(b, map_link).await? {
            return Err("Escape left the navigation unfolded".into());
        }
        // Following a link folds it again.
        b.press("\u{E007}").await?;
        b.wait_for_xpath("//nav//a[normalize-space()='Report an issue']")
            .await?
            .click()
            .await
            .map_err(|e| e.to_string())?;
        b.wait_until(
            "return location.pathname === '/report' && \
             document.querySelector('.site-header__menu-button').getAttribute('aria-expanded') === 'false'",
            "the menu folded after following a link",
        )
        .await?;
        // A wide screen shows the links without a menu button.
        b.viewport(Viewport::Desktop).await?;
        b.wait_until(
            "return document.querySelector(\"nav a[href^='/map']\").getClientRects().length > 0 && \
             document.querySelector('.site-header__menu-button').getClientRects().length === 0",
            "the navigation in sight on a wide screen",
        )
        .await?;
        Ok(())
    }))
}

fn a_cluster_says_how_many_are_out_of_order(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.viewport(Viewport::Phone).await?;
        // Zoomed in on the town centre, where the streetlights are drawn as clusters of
        // services (the town's view counts them per area, the same badges).
        b.open_page("/map?lang=en&layers=Streetlight&lat=47.39410&lon=0.68480&z=16")
            .await?;
        b.wait_for_within(READY, READY_SECONDS).await?;
        // What a screen reader gets of each cluster badge (its visually hidden label).
        let labels = b
            .eval_strings(
                "return [...document.querySelectorAll('.map-cluster .visually-hidden')]\
                 .map(e => e.textContent.trim());",
            )
            .await?;
        let one_among_many = labels.iter().find(|label| {
            label.contains(", 1 out of order")
                && label
                    .split_whitespace()
                    .nth(1)
                    .and_then(|n| n.parse::<u32>().ok())
                    .is_some_and(|n| n > 1)
        });
        if one_among_many.is_none() {
            return Err(format!(
                "no cluster says \"1 out of order\" among many: {:?}",
                labels.iter().take(8).collect::<Vec<_>>()
            ));
        }
        // Never carried by colour alone: the problem count is drawn as a number too.
        let marks = b
            .eval("return document.querySelectorAll('.map-cluster__problems').length")
            .await?;
        if marks.as_u64().unwrap_or(0) == 0 {
            return Err("no cluster draws its count of problems".into());
        }
        Ok(())
    }))
}

fn a_full_container_says_so_in_words(ctx: Arc<Ctx>) -> Outcome {
    // A container the demo reports 99 % full, found like any NGSI-LD client would.
    let (lon, lat, _) = ctx.first_service("type=WasteContainer&q=fillingLevel==0.99")?;
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.viewport(Viewport::Phone).await?;
        for (lang, words) in [("en", "99 % full"), ("fr", "plein à 99 %")] {
            b.open_page(&format!(
                "/map?lang={lang}&layers=WasteContainer&lat={lat}&lon={lon}&z=19&view=list"
            ))
            .await?;
            b.wait_for_within(".services-list__reading", READY_SECONDS)
                .await?;
            let readings = b
                .eval_strings(
                    "return [...document.querySelectorAll('.services-list__reading')]\
                     .map(e => e.textContent.trim());",
                )
                .await?;
            if !readings.iter().any(|r| r == words) {
                return Err(format!(
                    "{lang}: the list reads {readings:?}, not {words:?}"
                ));
            }
        }
        Ok(())
    }))
}

fn the_list_from_afar_lists_what_is_near_the_centre(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.viewport(Viewport::Phone).await?;
        // The town's view: both default layers are large and counted per area on the map,
        // but a list of counts is nothing to read: it lists the nearest services.
        b.open_page("/map?lang=en&view=list").await?;
        b.wait_for_within(".services-list__item", READY_SECONDS)
            .await?;
        let groups = b
            .eval_strings(
                "return [...document.querySelectorAll('.services-list__group-title')]\
                 .map(e => e.textContent.trim());",
            )
            .await?;
        if !groups.iter().any(|g| g == "Streetlights") {
            return Err(format!("the list's groups are {groups:?}"));
        }
        let note = b.text_of(".services-list__near-centre").await?;
        if !note.contains("within 300 m of the map's centre") {
            return Err(format!("the list does not say what it lists: {note:?}"));
        }
        Ok(())
    }))
}
