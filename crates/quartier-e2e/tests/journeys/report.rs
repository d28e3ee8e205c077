//! Reporting an issue, end to end: the form through the keyboard, the photo stripped of its
//! EXIF, the error summary, the draft that survives a reload, the outbox that survives a
//! stopped platform, and the pages after sending. Every report is checked through Open311 as
//! any client would read it.

use std::sync::Arc;
use std::time::Duration;

use quartier_e2e::Outcome;
use quartier_e2e::browser::{Browser, Viewport};
use quartier_e2e::photo::{has_exif, jpeg_with_gps};
use quartier_e2e::processes::Platform;
use serde_json::Value;

use crate::{Ctx, Journey, assert_clean_page, viewports};

pub const JOURNEYS: &[(&str, Journey)] = &[
    (
        "report::full_report_by_keyboard_en",
        full_report_by_keyboard_en,
    ),
    (
        "report::full_report_by_keyboard_fr",
        full_report_by_keyboard_fr,
    ),
    (
        "report::invalid_form_shows_the_summary_with_focus",
        invalid_form_shows_the_summary_with_focus,
    ),
    (
        "report::draft_with_photo_survives_reload",
        draft_with_photo_survives_reload,
    ),
    (
        "report::report_made_while_platform_stopped_is_sent_once",
        report_made_while_platform_stopped_is_sent_once,
    ),
    (
        "report::every_step_passes_axe_on_phone_and_kiosk",
        every_step_passes_axe_on_phone_and_kiosk,
    ),
];

const ENTER: &str = "\u{E007}";
const SPACE: &str = "\u{E00D}";
const ARROW_DOWN: &str = "\u{E015}";

/// A street of the demo town, and a photo taken there.
const STREET: &str = "rue Albert Camus";

fn photo_file(name: &str) -> Result<std::path::PathBuf, String> {
    let path = std::env::temp_dir().join(format!("quartier-e2e-{}-{name}.jpg", std::process::id()));
    std::fs::write(&path, jpeg_with_gps(47.3893, 0.6639)?).map_err(|e| e.to_string())?;
    Ok(path)
}

fn json(response: &quartier_e2e::http::Response) -> Result<Value, String> {
    serde_json::from_slice(&response.body).map_err(|e| {
        format!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&response.body)
        )
    })
}

/// Focuses an element by CSS selector, as Tab would.
async fn focus(b: &Browser, css: &str) -> Outcome {
    b.wait_for(css).await?;
    b.eval(&format!(
        "document.querySelector({css:?}).focus(); return true"
    ))
    .await
    .map(|_| ())
}

/// Types into the element, key by key.
async fn type_into(b: &Browser, css: &str, text: &str) -> Outcome {
    b.wait_for(css)
        .await?
        .send_keys(text)
        .await
        .map_err(|e| format!("cannot type into {css}: {e}"))
}

/// On a phone, the step's Next button (pressed with Enter).
async fn next_step(b: &Browser) -> Outcome {
    focus(
        b,
        ".report-step--current .report-step__nav .button--primary",
    )
    .await?;
    b.press(ENTER).await
}

/// Fills the whole form with the keyboard: category by typing its name, its questions, the
/// address from the suggestions with Down and Enter, the description, a photo, then sends.
/// Returns the report's id, read from the confirmation's link.
async fn fill_and_send(
    b: &Browser,
    lang: &str,
    phone: bool,
    description: &str,
) -> Result<String, String> {
    b.wait_for("#report-category option[value='nid-de-poule']")
        .await?;
    focus(b, "#report-category").await?;
    b.press("Nid").await?;
    b.wait_until(
        "return document.querySelector('#report-category').value === 'nid-de-poule'",
        "the category chosen by typing its name",
    )
    .await?;
    // Its questions: the size (a required radio choice) and the depth (a number).
    focus(b, "#report-attr-taille").await?;
    b.press(SPACE).await?;
    type_into(b, "#report-attr-profondeur_cm", "15").await?;
    if phone {
        next_step(b).await?;
    }
    type_into(b, "#report-address", &format!("12 {STREET}")).await?;
    b.wait_until(
        "return document.querySelectorAll('#report-address-suggestions [role=option]').length > 0",
        "address suggestions",
    )
    .await?;
    b.press(ARROW_DOWN).await?;
    b.wait_until(
        "return !!document.querySelector('#report-address').getAttribute('aria-activedescendant')",
        "an active suggestion",
    )
    .await?;
    b.press(ENTER).await?;
    b.wait_until(
        &format!(
            "return document.querySelector('.report-place__summary').textContent.includes({:?})",
            STREET
        ),
        "the place taken from the address",
    )
    .await?;
    if phone {
        next_step(b).await?;
    }
    type_into(b, "#report-description", description).await?;
    let photo = photo_file(lang)?;
    b.wait_for("#report-photo")
        .await?
        .send_keys(&photo.display().to_string())
        .await
        .map_err(|e| format!("cannot choose the photo: {e}"))?;
    b.wait_for(".report-photos__item img").await?;
    // The photo knew where it was taken: the form offers its place, and the resident keeps theirs.
    b.wait_for(".report-photos__gps").await?;
    let _ = std::fs::remove_file(&photo);
    if phone {
        next_step(b).await?;
    }
    focus(b, "button[type=submit]").await?;
    b.press(ENTER).await?;
    b.wait_for_within("#report-sent-title", 30).await?;
    let href = b
        .eval("return document.querySelector('.report-confirmation a[href^=\"/reports/\"]')?.getAttribute('href')")
        .await?;
    let id = href
        .as_str()
        .and_then(|h| h.strip_prefix("/reports/"))
        .map(|id| id.split('?').next().unwrap_or(id).to_string())
        .ok_or(format!("no link to the report in the confirmation: {href}"))?;
    Ok(id)
}

fn full_report(ctx: Arc<Ctx>, lang: &'static str, viewport: Viewport) -> Outcome {
    let description = format!("Nid-de-poule devant la boulangerie ({lang})");
    let id = ctx.runtime.block_on(async {
        let browser = ctx.browser().await?;
        let b = &browser;
        let run = async {
            b.viewport(viewport).await?;
            b.open_page(&format!("/report?lang={lang}")).await?;
            let id =
                fill_and_send(b, lang, matches!(viewport, Viewport::Phone), &description).await?;
            // The report's own page shows what the town's server holds.
            focus(b, ".report-confirmation a[href^='/reports/']").await?;
            b.press(ENTER).await?;
            b.wait_for(".report-detail__facts").await?;
            let page = b.text_of("main").await?;
            if !page.contains(&description) || !page.contains(STREET) {
                return Err(format!("/reports/{id} does not show the report: {page}"));
            }
            assert_clean_page(&ctx, b, &format!("/reports/{id} ({lang})")).await?;
            Ok::<String, String>(id)
        };
        let outcome = run.await;
        browser.close().await;
        outcome
    });
    let id = id?;
    let report = json(&ctx.get(&format!("/open311/v2/requests/{id}.json"))?)?;
    let report = report.get(0).ok_or(format!("no report {id}: {report}"))?;
    let text = |name: &str| report[name].as_str().unwrap_or_default().to_string();
    if text("service_code") != "nid-de-poule" || text("description") != description {
        return Err(format!("the stored report differs: {report}"));
    }
    if !text("address").contains(STREET) {
        return Err(format!("the address was not kept: {report}"));
    }
    let lat = report["lat"].as_f64().unwrap_or_default();
    if (lat - 47.389).abs() > 0.01 {
        return Err(format!(
            "the report was not placed at the address: {report}"
        ));
    }
    let media = text("media_url");
    if media.is_empty() {
        return Err(format!("no photo with the report: {report}"));
    }
    let path = media
        .find("/open311/")
        .map(|i| media[i..].to_string())
        .ok_or(format!("unexpected media_url {media}"))?;
    let photo = ctx.get(&path)?;
    if photo.status != 200 || photo.body.len() < 1000 {
        return Err(format!(
            "the photo cannot be read at {path}: {}",
            photo.status
        ));
    }
    if has_exif(&photo.body) {
        return Err("the stored photo still carries EXIF data".into());
    }
    Ok(())
}

fn full_report_by_keyboard_en(ctx: Arc<Ctx>) -> Outcome {
    full_report(ctx, "en", Viewport::Kiosk)
}

fn full_report_by_keyboard_fr(ctx: Arc<Ctx>) -> Outcome {
    full_report(ctx, "fr", Viewport::Phone)
}

fn invalid_form_shows_the_summary_with_focus(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.viewport(Viewport::Phone).await?;
        b.open_page("/report?lang=en").await?;
        b.wait_for("#report-category option[value='nid-de-poule']").await?;
        for _ in 0..3 {
            next_step(b).await?;
        }
        focus(b, "button[type=submit]").await?;
        b.press(ENTER).await?;
        b.wait_until(
            "return document.activeElement?.classList.contains('error-summary')",
            "focus on the error summary",
        )
        .await?;
        let links = b
            .eval_strings("return [...document.querySelectorAll('.error-summary a')].map(a => a.getAttribute('href'))")
            .await?;
        for field in ["#report-category", "#report-address", "#report-description"] {
            if !links.iter().any(|l| l == field) {
                return Err(format!("the summary does not link to {field}: {links:?}"));
            }
        }
        let summary = b.text_of(".error-summary").await?;
        if !summary.contains("Category: this is required") {
            return Err(format!("the summary does not say what is wrong: {summary}"));
        }
        // Every step is shown now, so each link reaches its field.
        focus(b, ".error-summary a[href='#report-description']").await?;
        b.press(ENTER).await?;
        b.wait_until(
            "return document.activeElement?.id === 'report-description'",
            "the description field focused from the summary",
        )
        .await?;
        let invalid = b
            .eval("return document.querySelector('#report-description').getAttribute('aria-invalid')")
            .await?;
        if invalid != "true" {
            return Err(format!("the description is not marked invalid: {invalid}"));
        }
        assert_clean_page(&ctx, b, "/report with errors").await
    }))
}

fn draft_with_photo_survives_reload(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.viewport(Viewport::Kiosk).await?;
        b.open_page("/report?lang=en").await?;
        b.wait_for("#report-category option[value='graffiti']").await?;
        b.eval("const s = document.querySelector('#report-category'); s.value = 'graffiti'; s.dispatchEvent(new Event('change')); return true").await?;
        type_into(b, "#report-description", "Tag on the school wall").await?;
        let photo = photo_file("draft")?;
        b.wait_for("#report-photo")
            .await?
            .send_keys(&photo.display().to_string())
            .await
            .map_err(|e| e.to_string())?;
        b.wait_for(".report-photos__item img").await?;
        let _ = std::fs::remove_file(&photo);
        // The draft is written after a short pause.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        b.client.refresh().await.map_err(|e| e.to_string())?;
        b.wait_for(".report-form__restored").await?;
        b.wait_until(
            "return document.querySelector('#report-description')?.value === 'Tag on the school wall' \
             && document.querySelector('#report-category')?.value === 'graffiti' \
             && document.querySelectorAll('.report-photos__item img').length === 1",
            "the draft with its photo after a reload",
        )
        .await?;
        Ok(())
    }))
}

fn report_made_while_platform_stopped_is_sent_once(ctx: Arc<Ctx>) -> Outcome {
    // A platform of its own: this journey stops it.
    let mut platform = Platform::start(&ctx.platform_bin, &ctx.dist)?;
    let description = "Trottoir couvert de verre brisé (hors ligne)";
    let count = |platform: &Platform| -> Result<usize, String> {
        let list = quartier_e2e::http::get(
            &platform.base_url,
            "/open311/v2/requests.json?service_code=trottoir-sale&page_size=200",
        )?;
        let list = json(&list)?;
        Ok(list
            .as_array()
            .map(|all| {
                all.iter()
                    .filter(|r| r["description"] == description)
                    .count()
            })
            .unwrap_or_default())
    };
    let outcome = ctx.runtime.block_on(async {
        let b = ctx.browser_on(&platform.base_url).await?;
        let run = async {
            b.viewport(Viewport::Kiosk).await?;
            b.open_page("/report?lang=en").await?;
            b.wait_for("#report-category option[value='trottoir-sale']").await?;
            b.eval("const s = document.querySelector('#report-category'); s.value = 'trottoir-sale'; s.dispatchEvent(new Event('change')); return true").await?;
            type_into(&b, "#report-address", &format!("3 {STREET}")).await?;
            b.wait_until(
                "return document.querySelectorAll('#report-address-suggestions [role=option]').length > 0",
                "address suggestions",
            )
            .await?;
            b.press(ARROW_DOWN).await?;
            b.press(ENTER).await?;
            type_into(&b, "#report-description", description).await?;
            platform.stop();
            focus(&b, "button[type=submit]").await?;
            b.press(ENTER).await?;
            b.wait_for_within("#report-queued-title", 30).await?;
            platform.restart()?;
            // The app is opened again: the waiting report goes by itself.
            b.client.refresh().await.map_err(|e| e.to_string())?;
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            while count(&platform)? == 0 {
                if std::time::Instant::now() > deadline {
                    return Err("the waiting report never reached the platform".to_string());
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            // Later attempts (the timer, the page's own start) change nothing.
            tokio::time::sleep(Duration::from_secs(6)).await;
            let sent = count(&platform)?;
            if sent != 1 {
                return Err(format!("the report reached the platform {sent} times"));
            }
            b.open_page("/my-reports?lang=en").await?;
            b.wait_until(
                "return document.querySelectorAll('.my-reports__waiting').length === 0 \
                 && document.querySelectorAll('.report-list__item a[href^=\"/reports/\"]').length > 0",
                "the report listed as sent in My reports",
            )
            .await
        };
        let outcome = run.await;
        b.close().await;
        outcome
    });
    outcome
}

fn every_step_passes_axe_on_phone_and_kiosk(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        for viewport in viewports() {
            b.viewport(viewport).await?;
            for lang in ["fr", "en"] {
                b.open_page(&format!("/report?lang={lang}")).await?;
                b.wait_for("#report-category option[value='nid-de-poule']").await?;
                b.eval("const s = document.querySelector('#report-category'); s.value = 'nid-de-poule'; s.dispatchEvent(new Event('change')); return true").await?;
                b.wait_for("#report-attr-taille").await?;
                let steps = if matches!(viewport, Viewport::Phone) { 4 } else { 1 };
                for step in 0..steps {
                    assert_clean_page(&ctx, b, &format!("/report step {} ({lang}, {viewport:?})", step + 1)).await?;
                    if step + 1 < steps {
                        next_step(b).await?;
                    }
                }
            }
            b.open_page("/my-reports?lang=en").await?;
            b.wait_for("#my-reports-sent-title").await?;
            assert_clean_page(&ctx, b, &format!("/my-reports ({viewport:?})")).await?;
            b.open_page("/embed/report?lang=en").await?;
            b.wait_for("#report-category").await?;
            assert_clean_page(&ctx, b, &format!("/embed/report ({viewport:?})")).await?;
        }
        Ok(())
    }))
}
