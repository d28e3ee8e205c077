//! The language asked for stays: through the map rewriting the address, a reload, in-app links,
//! and a switch that translates a form without touching what the resident typed.

use std::sync::Arc;

use quartier_e2e::Outcome;
use quartier_e2e::browser::Browser;
use serde_json::Value;

use crate::shell::{fill, nav_link, press_button};
use crate::{Ctx, Journey};

pub const JOURNEYS: &[(&str, Journey)] = &[
    (
        "language::moving_the_map_and_reloading_keep_the_language",
        moving_the_map_and_reloading_keep_the_language,
    ),
    (
        "language::in_app_links_keep_the_language",
        in_app_links_keep_the_language,
    ),
    (
        "language::switching_language_translates_the_form_and_keeps_its_values",
        switching_language_translates_the_form_and_keeps_its_values,
    ),
];

const READY: &str = "[data-ready=\"true\"]";
/// Loading a layer of thousands of services from a debug build can take a while on CI.
const READY_SECONDS: u64 = 90;

/// One parameter of the address shown (`null` when absent).
async fn query_param(b: &Browser, name: &str) -> Result<Value, String> {
    b.eval(&format!(
        "return new URLSearchParams(location.search).get({name:?})"
    ))
    .await
}

async fn assert_lang_in_address(b: &Browser, lang: &str, when: &str) -> Outcome {
    let found = query_param(b, "lang").await?;
    if found != lang {
        let url = b.eval("return location.href").await?;
        return Err(format!(
            "{when}: the address lost lang={lang} (lang is {found}): {url}"
        ));
    }
    Ok(())
}

async fn assert_html_lang(b: &Browser, lang: &str, when: &str) -> Outcome {
    let found = b.eval("return document.documentElement.lang").await?;
    if found != lang {
        return Err(format!("{when}: <html lang> is {found}, expected {lang}"));
    }
    Ok(())
}

/// The id of the input whose label reads `label`.
async fn field_id(b: &Browser, label: &str) -> Result<String, String> {
    b.wait_for_xpath(&format!("//label[normalize-space()='{label}']"))
        .await?
        .attr("for")
        .await
        .map_err(|e| e.to_string())?
        .ok_or(format!("label {label} has no `for`"))
}

async fn value_of(b: &Browser, id: &str) -> Result<Value, String> {
    b.eval(&format!(
        "return document.getElementById({id:?})?.value ?? null"
    ))
    .await
}

fn moving_the_map_and_reloading_keep_the_language(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/map?lang=en").await?;
        b.wait_for_within(READY, READY_SECONDS).await?;
        let zoom_before = query_param(b, "z").await?;
        // The button's name is its visually hidden text (the "+" is hidden from assistive
        // technologies).
        press_button(
            b,
            "//button[normalize-space(.//span[not(@aria-hidden='true')])='Zoom in']",
        )
        .await?;
        // The map writes its new view into the address.
        b.wait_until(
            &format!(
                "const q = new URLSearchParams(location.search);\
                 return q.get('z') !== null && q.get('z') !== {zoom_before}\
                     && q.get('lat') !== null && q.get('lon') !== null;"
            ),
            "the address showing the zoomed-in view",
        )
        .await?;
        assert_lang_in_address(b, "en", "after zooming in").await?;

        b.client.refresh().await.map_err(|e| e.to_string())?;
        b.wait_for("h1").await?;
        b.wait_for_xpath(&nav_link("Map")).await?;
        b.wait_for_xpath("//h1[normalize-space()='Services map']")
            .await?;
        assert_html_lang(b, "en", "after a reload").await?;
        assert_lang_in_address(b, "en", "after a reload").await?;
        Ok(())
    }))
}

fn in_app_links_keep_the_language(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/map?lang=en").await?;
        // Once ready, the map has written its view into the address.
        b.wait_for_within(READY, READY_SECONDS).await?;
        press_button(b, &nav_link("Report an issue")).await?;
        b.wait_until(
            "return location.pathname === '/report'",
            "the Report an issue page",
        )
        .await?;
        assert_lang_in_address(b, "en", "on /report, reached from the map").await?;
        b.wait_for_xpath("//h1[normalize-space()='Report an issue']")
            .await?;

        press_button(b, &nav_link("Sign in")).await?;
        b.wait_until(
            "return location.pathname === '/sign-in'",
            "the Sign in page",
        )
        .await?;
        assert_lang_in_address(b, "en", "on /sign-in, reached from /report").await?;
        assert_html_lang(b, "en", "on /sign-in").await?;
        Ok(())
    }))
}

fn switching_language_translates_the_form_and_keeps_its_values(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/sign-in?lang=en").await?;
        // Found by their English labels now: the labels change with the language.
        let email = field_id(b, "Email").await?;
        let password = field_id(b, "Password").await?;
        fill(b, "Email", "camille.martin@example.org").await?;
        fill(b, "Password", "not-the-password").await?;
        press_button(b, "//form//button[normalize-space()='Sign in']").await?;
        let alert = "//*[@role='alert'][contains(., 'Wrong email address or password')]";
        let english = b
            .wait_for_xpath(alert)
            .await?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        // A wrong password is emptied once, by the answer.
        b.wait_until(
            &format!("return document.getElementById({password:?}).value === ''"),
            "the wrong password being emptied",
        )
        .await?;
        fill(b, "Password", "second-try").await?;

        press_button(b, "//button[normalize-space()='Français']").await?;
        b.wait_for_xpath(&nav_link("Carte")).await?;
        assert_html_lang(b, "fr", "after choosing Français").await?;

        let french = b.text_of("[role=alert]").await?.trim().to_string();
        if french.is_empty() || french == english.trim() || french.contains("Wrong email") {
            return Err(format!(
                "after choosing Français the error says {french:?} (in English: {english:?})"
            ));
        }
        let email_value = value_of(b, &email).await?;
        if email_value != "camille.martin@example.org" {
            return Err(format!(
                "the language switch changed the email to {email_value}"
            ));
        }
        let password_value = value_of(b, &password).await?;
        if password_value != "second-try" {
            return Err(format!(
                "the language switch changed the password typed after the error to {password_value}"
            ));
        }
        Ok(())
    }))
}
