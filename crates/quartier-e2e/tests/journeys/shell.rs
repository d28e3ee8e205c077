//! The app shell: languages, navigation, focus, titles, 404, embed chrome, configuration errors,
//! security headers, accessibility.

use std::sync::Arc;

use quartier_e2e::Outcome;
use quartier_e2e::browser::Browser;
use quartier_e2e::processes::Platform;

use crate::{Ctx, Journey, assert_clean_page, viewports};

pub const JOURNEYS: &[(&str, Journey)] = &[
    ("shell::french_is_the_default", french_is_the_default),
    ("shell::english_navigation_names", english_navigation_names),
    (
        "shell::language_choice_is_remembered",
        language_choice_is_remembered,
    ),
    (
        "shell::navigation_sets_title_and_focus",
        navigation_sets_title_and_focus,
    ),
    (
        "shell::back_and_forward_stay_in_the_app",
        back_and_forward_stay_in_the_app,
    ),
    ("shell::skip_link_comes_first", skip_link_comes_first),
    (
        "shell::unknown_path_shows_not_found",
        unknown_path_shows_not_found,
    ),
    (
        "shell::embed_widgets_have_no_chrome",
        embed_widgets_have_no_chrome,
    ),
    (
        "shell::broken_config_shows_error_screen",
        broken_config_shows_error_screen,
    ),
    (
        "shell::strict_csp_and_the_app_still_runs",
        strict_csp_and_the_app_still_runs,
    ),
    (
        "shell::pages_pass_axe_on_phone_and_kiosk",
        pages_pass_axe_on_phone_and_kiosk,
    ),
    (
        "shell::sign_in_errors_are_announced",
        sign_in_errors_are_announced,
    ),
    ("shell::sign_in_then_sign_out", sign_in_then_sign_out),
];

/// The link of the main navigation with exactly this visible name.
pub fn nav_link(name: &str) -> String {
    format!("//nav[contains(@class,'main-nav')]//a[normalize-space()='{name}']")
}

fn french_is_the_default(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/").await?;
        let lang = b.eval("return document.documentElement.lang").await?;
        if lang != "fr" {
            return Err(format!("<html lang> is {lang}, expected fr"));
        }
        let h1 = b.text_of("h1").await?;
        if !h1.starts_with("Bienvenue à Belleville-sur-Loire") {
            return Err(format!("unexpected heading {h1:?}"));
        }
        for name in [
            "Carte",
            "Signaler un problème",
            "Mes signalements",
            "Mes données",
            "Consentements",
            "Se connecter",
        ] {
            b.wait_for_xpath(&nav_link(name)).await?;
        }
        Ok(())
    }))
}

fn english_navigation_names(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/?lang=en").await?;
        for name in [
            "Map",
            "Report an issue",
            "My reports",
            "My data",
            "Consents",
            "Sign in",
        ] {
            b.wait_for_xpath(&nav_link(name)).await?;
        }
        let lang = b.eval("return document.documentElement.lang").await?;
        if lang != "en" {
            return Err(format!("<html lang> is {lang}, expected en"));
        }
        Ok(())
    }))
}

fn language_choice_is_remembered(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/").await?;
        let english = b
            .wait_for_xpath("//button[normalize-space()='English']")
            .await?;
        english.click().await.map_err(|e| e.to_string())?;
        b.wait_for_xpath(&nav_link("Map")).await?;
        let pressed = english
            .attr("aria-pressed")
            .await
            .map_err(|e| e.to_string())?;
        if pressed.as_deref() != Some("true") {
            return Err(format!("the English button is not pressed: {pressed:?}"));
        }
        b.client.refresh().await.map_err(|e| e.to_string())?;
        b.wait_for("h1").await?;
        b.wait_for_xpath(&nav_link("Map")).await?;
        Ok(())
    }))
}

fn navigation_sets_title_and_focus(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/?lang=en").await?;
        let map = b.wait_for_xpath(&nav_link("Map")).await?;
        map.click().await.map_err(|e| e.to_string())?;
        b.wait_for_xpath("//h1[normalize-space()='Services map']")
            .await?;
        let path = b.eval("return location.pathname").await?;
        if path != "/map" {
            return Err(format!("the Map link led to {path}"));
        }
        let title = b.eval("return document.title").await?;
        if title != "Services map – Belleville-sur-Loire – Quartier" {
            return Err(format!("document title is {title}"));
        }
        let focused = b.eval("return document.activeElement.tagName").await?;
        if focused != "H1" {
            return Err(format!("focus is on {focused}, expected the page heading"));
        }
        let current = b
            .eval("return document.querySelector('a[aria-current=\"page\"]')?.textContent")
            .await?;
        if current != "Map" {
            return Err(format!("aria-current is on {current}"));
        }
        Ok(())
    }))
}

/// In-app links do not reload the page, and the browser's back and forward buttons move
/// between the pages visited.
fn back_and_forward_stay_in_the_app(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/?lang=en").await?;
        // A page load would forget this marker.
        b.eval("window.__samePage = true; return true").await?;
        let link = b.wait_for_xpath(&nav_link("Report an issue")).await?;
        link.click().await.map_err(|e| e.to_string())?;
        b.wait_for_xpath("//h1[normalize-space()='Report an issue']")
            .await?;
        let legal = b.wait_for("footer a[href^='/legal-notice']").await?;
        legal.click().await.map_err(|e| e.to_string())?;
        b.wait_for_xpath("//h1[normalize-space()='Legal notice']")
            .await?;

        b.client.back().await.map_err(|e| e.to_string())?;
        b.wait_for_xpath("//h1[normalize-space()='Report an issue']")
            .await?;
        let current = b
            .eval("return document.querySelector('a[aria-current=\"page\"]')?.textContent")
            .await?;
        if current != "Report an issue" {
            return Err(format!("after Back, aria-current is on {current}"));
        }
        b.client.back().await.map_err(|e| e.to_string())?;
        b.wait_for("h1").await?;
        b.wait_for_xpath("//main//a[starts-with(@href,'/map')]")
            .await?;
        b.client.forward().await.map_err(|e| e.to_string())?;
        b.wait_for_xpath("//h1[normalize-space()='Report an issue']")
            .await?;
        let same_page = b.eval("return window.__samePage === true").await?;
        if same_page != true {
            return Err("a link or Back reloaded the page".into());
        }
        Ok(())
    }))
}

fn skip_link_comes_first(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/").await?;
        let first = b
            .eval(
                "const f = document.querySelector('a[href], button, input, select, textarea, [tabindex]:not([tabindex=\"-1\"])');\
                 return [f.textContent, f.getAttribute('href'), !!document.getElementById('main')];",
            )
            .await?;
        if first != serde_json::json!(["Aller au contenu", "#main", true]) {
            return Err(format!("first focusable element is {first}"));
        }
        Ok(())
    }))
}

fn unknown_path_shows_not_found(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/no/such/page").await?;
        let h1 = b.text_of("h1").await?;
        if h1 != "Page introuvable" {
            return Err(format!("unknown path shows {h1:?}"));
        }
        b.wait_for_xpath("//main//a[normalize-space()=\"Retour à l'accueil\"]")
            .await?;
        Ok(())
    }))
}

fn embed_widgets_have_no_chrome(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        for path in ["/embed/map", "/embed/report"] {
            b.open_page(path).await?;
            let chrome = b
                .eval("return document.querySelectorAll('header.site-header, footer.site-footer, nav.main-nav').length")
                .await?;
            if chrome != 0 {
                return Err(format!("{path} shows {chrome} chrome elements"));
            }
        }
        Ok(())
    }))
}

fn broken_config_shows_error_screen(ctx: Arc<Ctx>) -> Outcome {
    // A copy of the built app whose config.json is broken, served by a second platform.
    let dist = std::env::temp_dir().join(format!("quartier-e2e-broken-{}", std::process::id()));
    copy_dir(&ctx.dist, &dist)?;
    let config = std::fs::read_to_string(dist.join("config.json")).map_err(|e| e.to_string())?;
    let broken = config.replace("\"zoom\": 14", "\"zoom\": 99");
    if broken == config {
        return Err("could not break the config (its zoom line changed?)".into());
    }
    std::fs::write(dist.join("config.json"), broken).map_err(|e| e.to_string())?;
    let platform = Platform::start(&ctx.platform_bin, &dist)?;
    let outcome = ctx.runtime.block_on(async {
        let b = ctx.browser_on(&platform.base_url).await?;
        let result = async {
            b.open_page("/").await?;
            let alert = b.text_of("[role=alert]").await?;
            if !alert.contains("Quartier ne peut pas démarrer") || !alert.contains("map.zoom") {
                return Err(format!("the error screen says {alert:?}"));
            }
            b.wait_for_xpath("//button[normalize-space()='Réessayer']")
                .await?;
            Ok(())
        }
        .await;
        b.close().await;
        result
    });
    let _ = std::fs::remove_dir_all(&dist);
    outcome
}

fn strict_csp_and_the_app_still_runs(ctx: Arc<Ctx>) -> Outcome {
    let page = ctx.get("/")?;
    let csp = page
        .header("content-security-policy")
        .ok_or("no Content-Security-Policy on /")?;
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .ok_or(format!("no script-src in {csp}"))?;
    if script_src.contains("'unsafe-inline'") || csp.contains("'unsafe-eval'") {
        return Err(format!("CSP is not strict: {csp}"));
    }
    // The app renders under that policy (this fails if the policy blocks Trunk's loader).
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/").await?;
        let errors = b.console_errors().await?;
        if errors.iter().any(|e| e.contains("Content Security Policy")) {
            return Err(format!("CSP violations: {errors:?}"));
        }
        Ok(())
    }))
}

fn pages_pass_axe_on_phone_and_kiosk(ctx: Arc<Ctx>) -> Outcome {
    let pages = [
        "/",
        "/?lang=en",
        "/sign-in",
        "/sign-in?lang=en",
        "/report",
        "/my-data",
        "/consents",
        "/accessibility",
        "/legal-notice",
        "/no/such/page",
        "/embed/map",
    ];
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        for viewport in viewports() {
            b.viewport(viewport).await?;
            for page in pages {
                b.open_page(page).await?;
                assert_clean_page(&ctx, b, &format!("{page} ({viewport:?})")).await?;
            }
        }
        Ok(())
    }))
}

pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> Outcome {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// Types into the input whose label reads `label`.
pub async fn fill(b: &Browser, label: &str, text: &str) -> Outcome {
    let label_el = b
        .wait_for_xpath(&format!("//label[normalize-space()='{label}']"))
        .await?;
    let id = label_el
        .attr("for")
        .await
        .map_err(|e| e.to_string())?
        .ok_or(format!("label {label} has no `for`"))?;
    let input = b.wait_for(&format!("#{id}")).await?;
    input.clear().await.map_err(|e| e.to_string())?;
    input.send_keys(text).await.map_err(|e| e.to_string())
}

pub async fn press_button(b: &Browser, xpath: &str) -> Outcome {
    b.wait_for_xpath(xpath)
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())
}

fn sign_in_errors_are_announced(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/sign-in?lang=en").await?;
        press_button(b, "//form//button[normalize-space()='Sign in']").await?;
        let summary = b.text_of("[role=alert]").await?;
        if !summary.contains("Enter your email address") || !summary.contains("Enter your password")
        {
            return Err(format!("empty form: the summary says {summary:?}"));
        }
        let invalid = b
            .eval("return document.getElementById('sign-in-email').getAttribute('aria-invalid')")
            .await?;
        if invalid != "true" {
            return Err("the email field is not marked invalid".into());
        }
        fill(b, "Email", "camille.martin@example.org").await?;
        fill(b, "Password", "not-the-password").await?;
        press_button(b, "//form//button[normalize-space()='Sign in']").await?;
        b.wait_for_xpath("//*[@role='alert'][contains(., 'Wrong email address or password')]")
            .await?;
        Ok(())
    }))
}

fn sign_in_then_sign_out(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/sign-in?lang=en").await?;
        fill(b, "Email", "lucas.bernard@example.org").await?;
        fill(b, "Password", "quartier-demo").await?;
        press_button(b, "//form//button[normalize-space()='Sign in']").await?;
        press_button(b, "//nav[contains(@class,'main-nav')]//button[normalize-space()='Sign out']")
            .await?;
        b.wait_for_xpath(&nav_link("Sign in")).await?;
        // The session is over on the platform too.
        let signed_in = b
            .client
            .execute_async(
                "const done = arguments[0]; fetch('/api/v1/session').then(r => r.json()).then(j => done(j.authenticated));",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        if signed_in != serde_json::Value::Bool(false) {
            return Err(format!("after sign-out the platform says authenticated={signed_in}"));
        }
        Ok(())
    }))
}
