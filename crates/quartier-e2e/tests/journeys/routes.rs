//! Each route's code comes when the route is first opened: a route whose code cannot be
//! downloaded (the network is gone) says so in the resident's language, offers Try again, and
//! shows the page once the network is back — never a blank page, never a panic.

use std::sync::Arc;

use quartier_e2e::Outcome;
use quartier_e2e::browser::Browser;

use crate::shell::{nav_link, press_button};
use crate::{Ctx, Journey};

pub const JOURNEYS: &[(&str, Journey)] = &[(
    "routes::a_route_whose_code_cannot_be_downloaded_offers_try_again",
    a_route_whose_code_cannot_be_downloaded_offers_try_again,
)];

/// Loading a layer of thousands of services from a debug platform can take a while on CI.
const READY_SECONDS: u64 = 90;

fn a_route_whose_code_cannot_be_downloaded_offers_try_again(ctx: Arc<Ctx>) -> Outcome {
    ctx.runtime.block_on(ctx.with_browser(async |b: &Browser| {
        b.open_page("/map?lang=en").await?;
        b.wait_for_within("[data-ready=\"true\"]", READY_SECONDS)
            .await?;
        // The code of "Report an issue" has not been downloaded: the map does not need it.
        // (A public page: a personal one would lead to sign-in after Try again.)
        let before: Vec<String> = resources(b).await?;
        if before.iter().any(|r| r.contains("split_report")) {
            return Err(format!("/map downloaded the code of /report: {before:?}"));
        }
        b.set_offline(true).await?;
        press_button(b, &nav_link("Report an issue")).await?;
        let alert = match b
            .wait_for_xpath("//main//*[@role='alert'][.//button[normalize-space()='Try again']]")
            .await
        {
            Ok(alert) => alert.text().await.map_err(|e| e.to_string())?,
            Err(error) => {
                let main = b
                    .eval("return document.querySelector('main')?.innerText")
                    .await?;
                let errors = b.console_errors().await?;
                return Err(format!(
                    "{error}; the page shows {main}; console: {errors:?}"
                ));
            }
        };
        if !alert.contains("This page could not be downloaded") {
            return Err(format!("offline, the route's error reads {alert:?}"));
        }
        // The shell is still alive: the header's links still work.
        b.wait_for_xpath(&nav_link("Map")).await?;
        b.set_offline(false).await?;
        press_button(b, "//main//button[normalize-space()='Try again']").await?;
        let heading = b.text_of("main h1").await?;
        if heading != "Report an issue" {
            return Err(format!(
                "after Try again, the page's heading is {heading:?}"
            ));
        }
        let after = resources(b).await?;
        if !after.iter().any(|r| r.contains("split_report")) {
            return Err(format!("the code of /report was never fetched: {after:?}"));
        }
        Ok(())
    }))
}

/// The addresses of the resources the page has fetched so far.
async fn resources(b: &Browser) -> Result<Vec<String>, String> {
    b.eval_strings("return performance.getEntriesByType('resource').map(e => e.name)")
        .await
}
