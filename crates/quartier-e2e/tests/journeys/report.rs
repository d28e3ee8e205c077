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
        "report::ten_reports_through_faults_are_ten",
        ten_reports_through_faults_are_ten,
    ),
    (
        "report::nearby_report_and_asset_state_are_shown_and_followed",
        nearby_report_and_asset_state_are_shown_and_followed,
    ),
    (
        "report::staff_status_change_shows_and_notes_stay_text",
        staff_status_change_shows_and_notes_stay_text,
    ),
    (
        "report::html_in_a_service_name_is_shown_as_text",
        html_in_a_service_name_is_shown_as_text,
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
    b.press(ENTER).await?;
    // As a person would, wait for the next step: its heading takes the focus.
    b.wait_until(
        "return document.activeElement?.classList.contains('report-step__title')",
        "the next step's heading focused",
    )
    .await
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
    // A second photo (the same file chosen again).
    b.wait_for("#report-photo")
        .await?
        .send_keys(&photo.display().to_string())
        .await
        .map_err(|e| format!("cannot choose the second photo: {e}"))?;
    b.wait_until(
        "return document.querySelectorAll('.report-photos__item img').length === 2",
        "two photos kept",
    )
    .await?;
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
    // The category's questions, as answered.
    if report["attributes"]["taille"] != "petit" || report["attributes"]["profondeur_cm"] != "15" {
        return Err(format!(
            "the answers were not kept: {}",
            report["attributes"]
        ));
    }
    let photos: Vec<String> = report["media_urls"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|u| u.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if photos.len() != 2 || text("media_url") != photos[0] {
        return Err(format!("expected the two photos: {report}"));
    }
    for media in photos {
        let path = media
            .find("/open311/")
            .map(|i| media[i..].to_string())
            .ok_or(format!("unexpected media URL {media}"))?;
        let photo = ctx.get(&path)?;
        if photo.status != 200 || photo.body.len() < 1000 {
            return Err(format!(
                "the photo cannot be read at {path}: {}",
                photo.status
            ));
        }
        if has_exif(&photo.body) {
            return Err(format!("the photo at {path} still carries EXIF data"));
        }
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
    ctx.runtime.block_on(async {
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
    })
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

/// Clicks "Try again" wherever a wait failed, until `css` is there (a platform in fault mode
/// fails a share of every kind of request).
async fn until_there(b: &Browser, css: &str) -> Outcome {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let state = b
            .eval(&format!(
                "if (document.querySelector({css:?})) return 'there'; \
                 const retry = document.querySelector('.async-section__error button'); \
                 if (retry) {{ retry.click(); return 'retried'; }} return 'waiting';"
            ))
            .await?;
        if state == "there" {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("{css} never appeared, even with Try again"));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn ten_reports_through_faults_are_ten(ctx: Arc<Ctx>) -> Outcome {
    // 30 % of API requests delayed, failed, cut after the write or answered with a broken body.
    let platform = Platform::start_with(
        &ctx.platform_bin,
        &ctx.dist,
        &["--faults", "0.3", "--faults-seed", "11"],
    )?;
    let tag = format!("fault-run-{}", std::process::id());
    let count = |platform: &Platform| -> Result<usize, String> {
        // The listing itself may be faulted: ask until it answers well.
        for _ in 0..50 {
            if let Ok(list) = quartier_e2e::http::get(
                &platform.base_url,
                "/open311/v2/requests.json?service_code=trottoir-sale&page_size=200",
            ) && list.status == 200
                && let Ok(list) = json(&list)
                && let Some(all) = list.as_array()
            {
                return Ok(all
                    .iter()
                    .filter(|r| {
                        r["description"]
                            .as_str()
                            .is_some_and(|d| d.starts_with(&tag))
                    })
                    .count());
            }
        }
        Err("the platform never listed its reports".into())
    };
    ctx.runtime.block_on(async {
        let b = ctx.browser_on(&platform.base_url).await?;
        let run = async {
            b.viewport(Viewport::Kiosk).await?;
            for n in 1..=10 {
                b.open_page("/report?lang=en&service_code=trottoir-sale&lat=47.3941&lon=0.6848").await?;
                until_there(&b, "#report-category option[value='trottoir-sale']").await?;
                b.wait_until(
                    "return document.querySelector('#report-category').value === 'trottoir-sale'",
                    "the category taken from the address",
                )
                .await?;
                type_into(&b, "#report-description", &format!("{tag} no. {n}")).await?;
                focus(&b, "button[type=submit]").await?;
                b.press(ENTER).await?;
                // Whatever the platform did, the resident is told where their report is.
                let deadline = std::time::Instant::now() + Duration::from_secs(30);
                loop {
                    let outcome = b
                        .eval("return document.querySelector('#report-sent-title, #report-queued-title')?.textContent ?? ''")
                        .await?;
                    if outcome.as_str().is_some_and(|t| !t.is_empty()) {
                        break;
                    }
                    if std::time::Instant::now() > deadline {
                        let page = b.text_of("main").await?;
                        return Err(format!("report {n}: no confirmation and no waiting message: {page}"));
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
            // What waits goes by itself (timer, and the next opening of the app).
            b.open_page("/my-reports?lang=en").await?;
            let deadline = std::time::Instant::now() + Duration::from_secs(90);
            while count(&platform)? < 10 {
                if std::time::Instant::now() > deadline {
                    return Err(format!("only {} of 10 reports reached the platform", count(&platform)?));
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
            let stored = count(&platform)?;
            if stored != 10 {
                return Err(format!("10 reports sent, {stored} stored"));
            }
            Ok(())
        };
        let outcome = run.await;
        b.close().await;
        outcome
    })
}

/// Posts a report as any Open311 client would (the demo's api_key), and gives its id.
fn post_report(base_url: &str, fields: &[(&str, &str)]) -> Result<String, String> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("api_key", "quartier-demo-key");
    for (name, value) in fields {
        form.append_pair(name, value);
    }
    let body = form.finish();
    let response = quartier_e2e::http::send(
        base_url,
        "POST",
        "/open311/v2/requests.json",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    )?;
    let created = json(&response)?;
    created
        .pointer("/0/service_request_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or(format!(
            "no report created ({}): {created}",
            response.status
        ))
}

fn followers(ctx: &Ctx, id: &str) -> Result<u64, String> {
    let report = json(&ctx.get(&format!("/open311/v2/requests/{id}.json"))?)?;
    report
        .pointer("/0/followers")
        .and_then(Value::as_u64)
        .ok_or(format!("no followers count: {report}"))
}

fn nearby_report_and_asset_state_are_shown_and_followed(ctx: Arc<Ctx>) -> Outcome {
    // A streetlight that reports itself out of order, found as any NGSI-LD client finds it.
    let (lon, lat, asset) = ctx.first_service("type=Streetlight&q=status==%22defectiveLamp%22")?;
    let description = format!("Plus de lumière depuis hier soir ({})", std::process::id());
    let (lat_text, lon_text) = (lat.to_string(), lon.to_string());
    let id = post_report(
        &ctx.platform.base_url,
        &[
            ("service_code", "lampadaire-eteint"),
            ("lat", &lat_text),
            ("long", &lon_text),
            ("description", &description),
        ],
    )?;
    let before = followers(&ctx, &id)?;
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.viewport(Viewport::Kiosk).await?;
        // The map's "Report a problem here" address: the asset's type, place and id.
        b.open_page(&format!(
            "/report?lang=en&category=Streetlight&lat={lat}&lon={lon}&asset={asset}"
        ))
        .await?;
        b.wait_until(
            "return document.querySelector('#report-category')?.value === 'lampadaire-eteint'",
            "the category chosen from the asset's type",
        )
        .await?;
        // Named by the readable end of its id (`BSL-000030`).
        let reference = asset.rsplit(':').next().unwrap_or(&asset).to_string();
        let about = b.text_of(".report-form__asset").await?;
        if !about.contains(&reference) {
            return Err(format!("the form does not name the asset: {about}"));
        }
        b.wait_for_within(".report-nearby", 20).await?;
        let hint = b.text_of(".report-nearby").await?;
        if !hint.contains(&description) {
            return Err(format!("the hint does not name the nearby report: {hint}"));
        }
        if !hint.contains(&reference) || !hint.contains("reports itself") {
            return Err(format!("the hint does not give the asset's live state: {hint}"));
        }
        let button = b
            .wait_for_xpath(&format!(
                "//li[contains(@class,'report-nearby__report')][contains(., {description:?})]//button"
            ))
            .await?;
        button.click().await.map_err(|e| e.to_string())?;
        b.wait_for(".report-nearby .follow-button__done").await?;
        assert_clean_page(&ctx, b, "/report with the nearby hint").await
    }))?;
    let after = followers(&ctx, &id)?;
    if after != before + 1 {
        return Err(format!("following counted {before} → {after}"));
    }
    Ok(())
}

fn staff_status_change_shows_and_notes_stay_text(ctx: Arc<Ctx>) -> Outcome {
    let id = post_report(
        &ctx.platform.base_url,
        &[
            ("service_code", "graffiti"),
            ("lat", "47.3941"),
            ("long", "0.6848"),
            ("description", "Tag sur le mur de l'école"),
        ],
    )?;
    let note = "<img src=x onerror=\"document.title='pwned'\"><b>Nettoyé</b> par l'équipe propreté";
    let body = serde_json::json!({ "status": "closed", "status_notes": note }).to_string();
    let changed = quartier_e2e::http::send(
        &ctx.platform.base_url,
        "PATCH",
        &format!("/api/v1/staff/requests/{id}"),
        &[
            ("Authorization", "Bearer quartier-demo-staff-token"),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )?;
    if changed.status != 200 {
        return Err(format!(
            "the staff update answered {}: {}",
            changed.status,
            String::from_utf8_lossy(&changed.body)
        ));
    }
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        for (lang, closed) in [("en", "Closed"), ("fr", "Clos")] {
            b.open_page(&format!("/reports/{id}?lang={lang}")).await?;
            b.wait_for(".report-detail__facts").await?;
            let status = b.text_of(".report-status").await?;
            if !status.contains(closed) {
                return Err(format!("the status shown is {status:?}, expected {closed}"));
            }
            let facts = b.text_of(".report-detail__facts").await?;
            if !facts.contains("<img src=x") || !facts.contains("<b>Nettoyé</b>") {
                return Err(format!("the town's note is not shown as written: {facts}"));
            }
            let injected = b
                .eval("return document.querySelectorAll('.report-detail__facts img, .report-detail__facts b').length")
                .await?;
            if injected != 0 || b.eval("return document.title").await? == "pwned" {
                return Err("the note's markup was rendered".into());
            }
        }
        assert_clean_page(&ctx, b, &format!("/reports/{id} closed by the town")).await
    }))
}

fn html_in_a_service_name_is_shown_as_text(ctx: Arc<Ctx>) -> Outcome {
    let platform = Platform::start_with(&ctx.platform_bin, &ctx.dist, &["--demo-html-payloads"])?;
    ctx.runtime.block_on(async {
        let b = ctx.browser_on(&platform.base_url).await?;
        let run = async {
            b.open_page("/report?lang=en").await?;
            b.wait_for("#report-category option[value='demo-html-payload']").await?;
            let shown = b
                .eval("return document.querySelector(\"#report-category option[value='demo-html-payload']\").textContent")
                .await?;
            if shown.as_str() != Some("<script>alert(1)</script><b>x</b>") {
                return Err(format!("the service name is not shown as written: {shown}"));
            }
            b.eval("const s = document.querySelector('#report-category'); s.value = 'demo-html-payload'; s.dispatchEvent(new Event('change')); return true").await?;
            b.wait_until(
                "return [...document.querySelectorAll('.text-field__hint')].some(p => p.textContent.includes('<b>x</b>'))",
                "the service description shown as written",
            )
            .await?;
            let elements = b
                .eval("return document.querySelectorAll('main script, main b').length")
                .await?;
            if elements != 0 {
                return Err(format!("{elements} elements came from the service's markup"));
            }
            Ok(())
        };
        let outcome = run.await;
        b.close().await;
        outcome
    })
}
