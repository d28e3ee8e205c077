//! `/my-data`, against the real platform: the way in through sign-in (a wrong password first),
//! every category and the chart's table equal to the API's numbers, the export that validates
//! against the schema the platform publishes, the access log that shows the journey's own
//! reads, an erasure request followed on the page, and a second resident who finds nothing of
//! the first in the page or the browser's storage.

use std::collections::BTreeMap;
use std::sync::Arc;

use quartier_e2e::Outcome;
use quartier_e2e::browser::Browser;
use serde_json::Value;

use crate::shell::{fill, nav_link, press_button};
use crate::{Ctx, Journey, assert_clean_page, viewports};

pub const JOURNEYS: &[(&str, Journey)] = &[
    (
        "my_data::wrong_password_then_back_to_my_data",
        wrong_password_then_back_to_my_data,
    ),
    (
        "my_data::every_category_and_the_chart_table_equal_the_api",
        every_category_and_the_chart_table_equal_the_api,
    ),
    (
        "my_data::export_validates_against_the_published_schema",
        export_validates_against_the_published_schema,
    ),
    (
        "my_data::access_log_shows_the_journeys_own_reads",
        access_log_shows_the_journeys_own_reads,
    ),
    (
        "my_data::erasure_request_is_followed_on_the_page",
        erasure_request_is_followed_on_the_page,
    ),
    (
        "my_data::second_resident_finds_nothing_of_the_first",
        second_resident_finds_nothing_of_the_first,
    ),
    (
        "my_data::pass_axe_on_phone_and_kiosk",
        pass_axe_on_phone_and_kiosk,
    ),
];

const CAMILLE: &str = "camille.martin@example.org";
const LUCAS: &str = "lucas.bernard@example.org";

/// Signs in on the sign-in page the gate led to, and waits for `/my-data`'s categories.
async fn sign_in_here(b: &Browser, email: &str) -> Outcome {
    fill(b, "Email", email).await?;
    fill(b, "Password", "quartier-demo").await?;
    press_button(b, "//form//button[normalize-space()='Sign in']").await?;
    b.wait_until(
        "return location.pathname === '/my-data' && document.querySelectorAll('.my-data__category').length > 0",
        "back on /my-data with the categories",
    )
    .await
}

/// Opens `/my-data` signed out and signs in on the page it leads to.
async fn sign_in_to_my_data(b: &Browser, email: &str) -> Outcome {
    b.open_page("/my-data?lang=en").await?;
    b.wait_until(
        "return location.pathname === '/sign-in' && new URLSearchParams(location.search).get('next') === '/my-data'",
        "the sign-in page, asked to come back to /my-data",
    )
    .await?;
    sign_in_here(b, email).await
}

/// A JSON read of the resident API with the page's cookie.
async fn api(b: &Browser, path: &str) -> Result<Value, String> {
    b.client
        .execute_async(
            &format!(
                "const done = arguments[0]; fetch('{path}').then(r => r.json()).then(done, e => done({{error: String(e)}}));"
            ),
            vec![],
        )
        .await
        .map_err(|e| e.to_string())
}

fn wrong_password_then_back_to_my_data(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/my-data?lang=en").await?;
        b.wait_until(
            "return location.pathname === '/sign-in'",
            "/my-data leading to sign-in",
        )
        .await?;
        fill(b, "Email", CAMILLE).await?;
        fill(b, "Password", "not-the-password").await?;
        press_button(b, "//form//button[normalize-space()='Sign in']").await?;
        b.wait_until(
            "return [...document.querySelectorAll('[role=alert]')].some(a => a.textContent.includes('Wrong email address or password'))",
            "the wrong password explained",
        )
        .await?;
        if b.eval("return location.pathname").await? != "/sign-in" {
            return Err("a wrong password left the sign-in page".into());
        }
        sign_in_here(b, CAMILLE).await?;
        let name = b.text_of(".my-data__summary").await?;
        if !name.contains("Camille Martin") {
            return Err(format!("the summary does not name the resident: {name}"));
        }
        Ok(())
    }))
}

fn every_category_and_the_chart_table_equal_the_api(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        sign_in_to_my_data(b, CAMILLE).await?;
        let data = api(b, "/api/v1/me/data?limit=366").await?;
        let categories = data["categories"]
            .as_array()
            .ok_or(format!("no categories: {data}"))?;
        for category in categories {
            let id = category["id"].as_str().unwrap_or_default();
            let total = category["records"]["total"].as_u64().unwrap_or_default();
            let heading = b
                .eval(&format!(
                    "const s = document.getElementById('category-{id}'); return s ? s.querySelector('h3').textContent : null"
                ))
                .await?;
            let heading = heading.as_str().ok_or(format!("no section for {id}"))?;
            if total > 1 && !heading.contains(&total.to_string()) {
                return Err(format!("{id}: the page says {heading:?}, the API {total} records"));
            }
        }
        // The chart's table: each month's m³ is the sum of the API's daily litres.
        let water = categories
            .iter()
            .find(|c| c["id"] == "water-meter-readings")
            .ok_or("no water category")?;
        let mut litres: BTreeMap<String, i64> = BTreeMap::new();
        for reading in water["records"]["items"].as_array().into_iter().flatten() {
            let month = reading["date"].as_str().unwrap_or_default().get(..7).unwrap_or_default();
            *litres.entry(month.to_string()).or_default() +=
                reading["consumptionLitres"].as_i64().unwrap_or_default();
        }
        let rows = b
            .eval(
                "return [...document.querySelectorAll('.water-chart__table tbody tr')].map(r => [r.dataset.month, r.querySelector('td').textContent])",
            )
            .await?;
        let rows = rows.as_array().ok_or("no chart table")?;
        if rows.len() < 12 {
            return Err(format!("the chart's table has {} months, not 12", rows.len()));
        }
        for row in rows {
            let month = row[0].as_str().unwrap_or_default();
            let shown: f64 = row[1]
                .as_str()
                .unwrap_or_default()
                .replace(',', "")
                .parse()
                .map_err(|_| format!("{month}: not a number: {row}"))?;
            let api = litres.get(month).copied().unwrap_or_default() as f64 / 1000.0;
            if (shown - api).abs() > 0.05 {
                return Err(format!("{month}: the table says {shown} m³, the API {api} m³"));
            }
        }
        // The chart itself is an image with a title and a description that says the total.
        let described = b
            .eval("const s = document.querySelector('.water-chart__svg'); return s.getAttribute('role') + '|' + s.querySelector('title').textContent + '|' + s.querySelector('desc').textContent")
            .await?;
        let described = described.as_str().unwrap_or_default();
        let total: i64 = rows
            .iter()
            .filter_map(|r| r[0].as_str())
            .map(|m| litres.get(m).copied().unwrap_or_default())
            .sum();
        let total_m3 = group_thousands(&format!("{} m³", ((total as f64) / 1000.0).round() as i64));
        if !described.starts_with("img|Water used per month") || !described.contains(&total_m3) {
            return Err(format!("the chart's description ({described}) does not say {total_m3}"));
        }
        Ok(())
    }))
}

/// `12345 m³` as English writes it, `12,345 m³`.
fn group_thousands(text: &str) -> String {
    let (number, rest) = text.split_once(' ').unwrap_or((text, ""));
    let mut out = String::new();
    for (i, c) in number.chars().enumerate() {
        if i > 0 && (number.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out} {rest}")
}

fn export_validates_against_the_published_schema(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        sign_in_to_my_data(b, CAMILLE).await?;
        // The page's own links: the export (a download) and its schema.
        let links = b
            .eval_strings(
                "const e = [...document.querySelectorAll('a')].find(a => a.textContent === 'Export my data'); \
                 const s = [...document.querySelectorAll('a')].find(a => a.textContent.includes('JSON Schema')); \
                 return [e ? e.getAttribute('href') : '', e && e.hasAttribute('download') ? 'download' : '', s ? s.getAttribute('href') : '']",
            )
            .await?;
        if links.len() != 3 || links[0].is_empty() || links[1] != "download" || links[2].is_empty() {
            return Err(format!("the export and schema links are not there: {links:?}"));
        }
        let fetched = b
            .client
            .execute_async(
                "const [url] = arguments; const done = arguments[1]; fetch(url).then(async r => done([r.headers.get('content-disposition') || '', await r.text()]), e => done(['', String(e)]));",
                vec![Value::from(links[0].clone())],
            )
            .await
            .map_err(|e| e.to_string())?;
        let disposition = fetched[0].as_str().unwrap_or_default();
        if !disposition.starts_with("attachment") || !disposition.contains(".json") {
            return Err(format!("the export is not a JSON download: {disposition:?}"));
        }
        let export: Value = serde_json::from_str(fetched[1].as_str().unwrap_or_default())
            .map_err(|e| format!("the export is not JSON: {e}"))?;
        let schema = api(b, &links[2]).await?;
        let validator = jsonschema::validator_for(&schema)
            .map_err(|e| format!("the published schema does not compile: {e}"))?;
        let errors: Vec<String> = validator
            .iter_errors(&export)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .take(5)
            .collect();
        if !errors.is_empty() {
            return Err(format!("the export does not validate: {errors:?}"));
        }
        // The consent history is in it: every record with its events.
        let events: usize = consent_records(&export)
            .iter()
            .map(|r| r["events"].as_array().map_or(0, Vec::len))
            .sum();
        if events == 0 {
            return Err("the export holds no consent event".into());
        }
        Ok(())
    }))
}

/// The consent records of an export, wherever the document keeps them.
fn consent_records(export: &Value) -> Vec<Value> {
    if let Some(records) = export
        .pointer("/consents/records")
        .and_then(Value::as_array)
    {
        return records.clone();
    }
    export["categories"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["id"] == "consents")
        .flat_map(|c| {
            c["records"]["items"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

fn access_log_shows_the_journeys_own_reads(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        sign_in_to_my_data(b, LUCAS).await?;
        let count_self = async || -> Result<u64, String> {
            let log = api(b, "/api/v1/me/access-log?service=quartier-resident-api&limit=1").await?;
            log["total"].as_u64().ok_or(format!("no total: {log}"))
        };
        let before = count_self().await?;
        // Opening the page again reads every category: the log grows by the page's own reads.
        b.open_page("/my-data?lang=en").await?;
        b.wait_for(".access-log__table").await?;
        let after = count_self().await?;
        if after <= before {
            return Err(format!("the page's reads were not logged ({before} then {after})"));
        }
        let first = b
            .eval_strings("return [...document.querySelector('.access-log__table tbody tr').children].map(c => c.textContent)")
            .await?;
        if first.get(1).map(String::as_str) != Some("You, through Quartier")
            || first.get(2).map(String::as_str) != Some("Quartier, for you")
        {
            return Err(format!("the newest entry is not the page's own read: {first:?}"));
        }
        // Filtering by a service narrows the table to it, and its count is the API's.
        let services = b
            .eval_strings("return [...document.querySelectorAll('#access-log-service option')].map(o => o.value).filter(v => v && v !== 'quartier-resident-api')")
            .await?;
        let service = services.first().ok_or("no other service to filter by")?.clone();
        b.eval(&format!(
            "const s = document.getElementById('access-log-service'); s.value = '{service}'; s.dispatchEvent(new Event('change', {{bubbles: true}})); return true"
        ))
        .await?;
        press_button(b, "//form[contains(@class,'access-log__filters')]//button[normalize-space()='Filter']").await?;
        let expected = api(b, &format!("/api/v1/me/access-log?service={service}&limit=1")).await?["total"]
            .as_u64()
            .unwrap_or_default();
        b.wait_until(
            &format!(
                "return document.querySelector('.access-log__count').textContent.startsWith('{}')",
                if expected == 1 { "One".to_string() } else { expected.to_string() }
            ),
            "the filtered count",
        )
        .await?;
        let through = b
            .eval_strings("return [...document.querySelectorAll('.access-log__table tbody tr')].map(r => r.children[2].textContent)")
            .await?;
        if through.is_empty() || through.iter().any(|t| t != &through[0]) || through[0] == "Quartier, for you" {
            return Err(format!("the filter on {service} shows: {through:?}"));
        }
        // A period that ends before it starts is refused with a message.
        b.eval("const f = document.getElementById('access-log-from'); f.value = '2026-06-01'; f.dispatchEvent(new Event('input', {bubbles: true})); \
                const t = document.getElementById('access-log-to'); t.value = '2026-05-01'; t.dispatchEvent(new Event('input', {bubbles: true})); return true")
            .await?;
        press_button(b, "//form[contains(@class,'access-log__filters')]//button[normalize-space()='Filter']").await?;
        b.wait_until(
            "return [...document.querySelectorAll('[role=alert]')].some(a => a.textContent.includes('ends before it starts'))",
            "the impossible period explained",
        )
        .await
    }))
}

fn erasure_request_is_followed_on_the_page(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        sign_in_to_my_data(b, LUCAS).await?;
        let before = api(b, "/api/v1/me/erasure-requests").await?["items"]
            .as_array()
            .map_or(0, Vec::len);
        press_button(b, "//label[normalize-space()='Only some categories']").await?;
        // None chosen: the form says so instead of sending.
        press_button(b, "//button[normalize-space()='Send my erasure request']").await?;
        b.wait_until(
            "return document.getElementById('erasure-error').textContent.includes('at least one category')",
            "the empty choice explained",
        )
        .await?;
        press_button(b, "//label[normalize-space()='Waste badge uses']").await?;
        fill(b, "Why (optional)", "I moved out of town.").await?;
        press_button(b, "//button[normalize-space()='Send my erasure request']").await?;
        b.wait_until(
            "return document.querySelector('.erasure-form__sent').textContent.includes('Request sent for waste badge uses')",
            "the request confirmed",
        )
        .await?;
        let items = api(b, "/api/v1/me/erasure-requests").await?["items"].clone();
        let items = items.as_array().cloned().unwrap_or_default();
        if items.len() != before + 1 || items[0]["categories"] != serde_json::json!(["waste-badge-uses"]) {
            return Err(format!("the API does not hold the request: {items:?}"));
        }
        b.wait_until(
            &format!("return document.querySelectorAll('.erasure-requests__item').length === {} && document.querySelector('.erasure-requests__item').textContent.includes('received')", before + 1),
            "the request listed with its status",
        )
        .await
    }))
}

fn second_resident_finds_nothing_of_the_first(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        sign_in_to_my_data(b, CAMILLE).await?;
        press_button(b, "//nav[contains(@class,'main-nav')]//button[normalize-space()='Sign out']").await?;
        b.wait_for_xpath(&nav_link("Sign in")).await?;
        // Signed out, the page asks to sign in and shows nothing.
        b.open_page("/my-data?lang=en").await?;
        b.wait_until(
            "return location.pathname === '/sign-in' && document.querySelectorAll('.my-data__category').length === 0",
            "/my-data leading to sign-in after sign-out",
        )
        .await?;
        sign_in_here(b, LUCAS).await?;
        b.wait_for(".access-log__table").await?;
        let page = b.text_of("main").await?;
        if page.contains("Camille") || page.contains(CAMILLE) {
            return Err("the second resident's page shows the first one's data".into());
        }
        if !page.contains("Lucas Bernard") {
            return Err("the second resident's page does not show their own name".into());
        }
        // Nor does anything the browser keeps for this site.
        let kept = b
            .client
            .execute_async(
                "const done = arguments[0]; (async () => { \
                   const out = []; \
                   for (const s of [localStorage, sessionStorage]) for (let i = 0; i < s.length; i++) out.push(s.key(i) + '=' + s.getItem(s.key(i))); \
                   if (self.caches) for (const name of await caches.keys()) { const c = await caches.open(name); for (const r of await c.keys()) out.push(r.url + ' ' + await (await c.match(r)).text()); } \
                   if (indexedDB.databases) for (const d of await indexedDB.databases()) out.push('idb:' + d.name); \
                   return out; })().then(done, e => done([String(e)]));",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        let kept = kept.to_string();
        if kept.contains("Camille") || kept.contains("camille.martin") {
            return Err(format!("the browser keeps the first resident's data: {kept}"));
        }
        Ok(())
    }))
}

fn pass_axe_on_phone_and_kiosk(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        sign_in_to_my_data(b, CAMILLE).await?;
        for viewport in viewports() {
            b.viewport(viewport).await?;
            for lang in ["fr", "en"] {
                b.open_page(&format!("/my-data?lang={lang}")).await?;
                b.wait_for(".access-log__table").await?;
                b.wait_for(".erasure-requests, .erasure-form").await?;
                // The erasure form's categories too.
                b.eval("document.getElementById('erasure-some').click(); return true")
                    .await?;
                assert_clean_page(&ctx, b, &format!("/my-data ({lang}, {viewport:?})")).await?;
            }
        }
        Ok(())
    }))
}
