//! Consents, purpose by purpose: the page asks to sign in and comes back, each purpose is a
//! switch named by its title, and withdrawing then giving through the page adds two events
//! that the resident API holds and the page shows without a reload.

use std::sync::Arc;

use quartier_e2e::Outcome;
use quartier_e2e::browser::Browser;
use serde_json::Value;

use crate::shell::{fill, nav_link, press_button};
use crate::{Ctx, Journey, assert_clean_page, viewports};

pub const JOURNEYS: &[(&str, Journey)] = &[
    (
        "consents::signed_out_asks_to_sign_in_and_comes_back",
        signed_out_asks_to_sign_in_and_comes_back,
    ),
    (
        "consents::withdraw_then_give_adds_two_events",
        withdraw_then_give_adds_two_events,
    ),
    (
        "consents::pass_axe_on_phone_and_kiosk",
        pass_axe_on_phone_and_kiosk,
    ),
];

/// The purpose the journeys change, and its English title.
const PURPOSE: &str = "town-newsletter";
const TITLE: &str = "Town newsletter";

/// Opens `/consents` signed out, signs in on the page it leads to, and waits for the purposes.
async fn sign_in_from_consents(b: &Browser, email: &str) -> Outcome {
    b.open_page("/consents?lang=en").await?;
    b.wait_until(
        "return location.pathname === '/sign-in' && new URLSearchParams(location.search).get('next') === '/consents'",
        "the sign-in page, asked to come back to /consents",
    )
    .await?;
    fill(b, "Email", email).await?;
    fill(b, "Password", "quartier-demo").await?;
    press_button(b, "//form//button[normalize-space()='Sign in']").await?;
    b.wait_until(
        "return location.pathname === '/consents' && document.querySelectorAll('.consent').length > 0",
        "back on /consents with the purposes",
    )
    .await
}

/// The resident's record for `PURPOSE`, read through the resident API with the page's cookie.
async fn record(b: &Browser) -> Result<Value, String> {
    let mine = b
        .client
        .execute_async(
            "const done = arguments[0]; fetch('/api/v1/me/consents').then(r => r.json()).then(done, e => done(String(e)));",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    mine["records"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|r| r["processing"]["purposeId"] == PURPOSE)
                .cloned()
        })
        .ok_or(format!("no record for {PURPOSE}: {mine}"))
}

fn events(record: &Value) -> Vec<String> {
    record["events"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|e| e["eventType"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn signed_out_asks_to_sign_in_and_comes_back(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        // From home, the Consents link leads to sign-in, which takes /consents' place in the
        // history: Back returns home instead of bouncing to sign-in again.
        b.open_page("/?lang=en").await?;
        press_button(b, &nav_link("Consents")).await?;
        b.wait_until(
            "return location.pathname === '/sign-in'",
            "the sign-in page from the Consents link",
        )
        .await?;
        b.client.back().await.map_err(|e| e.to_string())?;
        b.wait_until("return location.pathname === '/'", "Back returning home")
            .await?;
        sign_in_from_consents(b, "lucas.bernard@example.org").await?;
        press_button(
            b,
            "//nav[contains(@class,'main-nav')]//button[normalize-space()='Sign out']",
        )
        .await?;
        b.wait_for_xpath(&nav_link("Sign in")).await?;
        // Signed out, the page asks again rather than showing anything of the last resident.
        b.open_page("/consents?lang=en").await?;
        b.wait_until(
            "return location.pathname === '/sign-in' && document.querySelectorAll('.consent').length === 0",
            "/consents leading to sign-in after sign-out",
        )
        .await
    }))
}

fn withdraw_then_give_adds_two_events(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        sign_in_from_consents(b, "camille.martin@example.org").await?;
        let before = events(&record(b).await?);
        // The switch is found by its name, the purpose's title.
        let switch = format!(
            "//input[@role='switch'][@id=//label[normalize-space()='{TITLE}']/@for]"
        );
        let set = |want: bool| {
            format!("return document.querySelector('#consent-{PURPOSE}').checked === {want}")
        };
        if b.eval(&set(false)).await? == Value::Bool(true) {
            // Start from "given" so that the journey withdraws then gives.
            press_button(b, &switch).await?;
            b.wait_until(&set(true), "the consent given").await?;
        }
        let start = events(&record(b).await?).len();
        press_button(b, &switch).await?;
        b.wait_until(&set(false), "the consent withdrawn").await?;
        b.wait_until(
            "return document.querySelector('[aria-live=polite]').textContent.includes('Consent withdrawn: Town newsletter')",
            "the withdrawal announced",
        )
        .await?;
        press_button(b, &switch).await?;
        b.wait_until(&set(true), "the consent given again").await?;
        let after = events(&record(b).await?);
        if after.len() != start + 2 || after[after.len() - 2..] != ["withdrawn", "given"] {
            return Err(format!(
                "expected two more events (withdrawn, given): before {before:?}, after {after:?}"
            ));
        }
        // Both in the page's history, without a reload.
        let shown = b
            .eval_strings(&format!(
                "return [...document.querySelectorAll('#consent-{PURPOSE}') ].flatMap(s => [...s.closest('.consent').querySelectorAll('.consent__event')].map(e => e.textContent))"
            ))
            .await?;
        if shown.len() != after.len()
            || !shown[0].contains("consent given")
            || !shown[1].contains("consent withdrawn")
        {
            return Err(format!("the page's history is not the API's: {shown:?}"));
        }
        // The receipt, readable on the page, is the latest event's.
        let receipt_id = record(b).await?["events"]
            .as_array()
            .and_then(|all| all.last())
            .and_then(|e| e["receiptId"].as_str().map(str::to_string))
            .ok_or("no receipt id on the latest event")?;
        b.eval(&format!(
            "const c = document.querySelector('#consent-{PURPOSE}').closest('.consent'); \
             c.querySelector('details').open = true; \
             [...c.querySelectorAll('button')].find(x => x.textContent === 'Show the receipt').click(); return true"
        ))
        .await?;
        b.wait_for(".consent__receipt").await?;
        let receipt = b.text_of(".consent__receipt").await?;
        if !receipt.contains(&receipt_id) || !receipt.contains("your consent") {
            return Err(format!("the receipt shown is not the latest one ({receipt_id}): {receipt}"));
        }
        Ok(())
    }))
}

fn pass_axe_on_phone_and_kiosk(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        sign_in_from_consents(b, "camille.martin@example.org").await?;
        for viewport in viewports() {
            b.viewport(viewport).await?;
            for lang in ["fr", "en"] {
                b.open_page(&format!("/consents?lang={lang}")).await?;
                b.wait_for(".consent").await?;
                b.eval("document.querySelectorAll('.consent__history').forEach(d => d.open = true); return true")
                    .await?;
                assert_clean_page(&ctx, b, &format!("/consents ({lang}, {viewport:?})")).await?;
            }
        }
        Ok(())
    }))
}
