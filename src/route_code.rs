//! Each route's code, fetched when the route is first opened.
//!
//! With the `split` feature (release builds), every function below is a `#[wasm_split]` point:
//! what only it reaches goes into its own wasm chunk, which the first call downloads
//! (crates/quartier-split cuts the wasm after Trunk's build). A first visit to `/map` thus
//! downloads the shell and the map, and `/report`, `/my-data` or `/consents` fetch their own
//! code when first opened. Without the feature (component tests, debug builds) the same
//! functions are plain calls.
//!
//! Routes are grouped into few chunks on purpose: wasm-split puts the code that several chunks
//! share into one more file per combination of chunks, and with a chunk per route `/map` came
//! to download 47 files (4.3 s to ready on a slow phone, most of it waiting for requests). Four
//! groups — the map (with its list and details), reports (form, one report, mine), personal
//! data (my data, consents), sign-in — keep every route under ten files.
//!
//! A chunk that cannot be downloaded (network down) is an error the page shows with Try again,
//! never a panic: the split points are `fallible`, and the loader keeps no failed attempt.

use leptos::prelude::*;

use crate::api::{ApiError, Service};
use crate::map::service_details::ServiceDetails;
use crate::map::services_list::ServicesList;
use crate::map::state::{MapContext, Picked};
use crate::pages::accessibility_page::AccessibilityPage;
use crate::pages::consents_page::ConsentsPage;
use crate::pages::embed_map_page::EmbedMapPage;
use crate::pages::embed_report_page::EmbedReportPage;
use crate::pages::home_page::HomePage;
use crate::pages::legal_notice_page::LegalNoticePage;
use crate::pages::my_data_page::MyDataPage;
use crate::pages::my_reports_page::MyReportsPage;
use crate::pages::report_detail_page::ReportDetailPage;
use crate::pages::report_issue_page::ReportIssuePage;
use crate::pages::services_map_page::ServicesMapPage;
use crate::pages::sign_in_page::SignInPage;
use crate::route::Route;

/// A route's chunk could not be downloaded or started.
#[derive(Debug)]
pub struct ChunkError;

impl From<leptos::wasm_split::SplitLoaderError> for ChunkError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkError
    }
}

/// One split point: `$chunk` names the wasm chunk (functions that share it load together).
macro_rules! route_code {
    ($chunk:ident, $name:ident ( $($arg:ident : $ty:ty),* ) => $view:expr) => {
        #[cfg_attr(
            feature = "split",
            leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)
        )]
        fn $name($($arg: $ty),*) -> Result<AnyView, ChunkError> {
            Ok($view.into_any())
        }
    };
}

// The map's chunk can also be fetched ahead (`preload_map`), while the town's configuration loads.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(map, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_map))
)]
fn services_map() -> Result<AnyView, ChunkError> {
    Ok(view! { <ServicesMapPage/> }.into_any())
}
route_code!(map, embed_map() => view! { <EmbedMapPage/> });
route_code!(report, report_issue() => view! { <ReportIssuePage/> });
route_code!(report, embed_report() => view! { <EmbedReportPage/> });
route_code!(report, my_reports() => view! { <MyReportsPage/> });
route_code!(report, report_detail(id: String) => view! { <ReportDetailPage id=id/> });
route_code!(sign_in, sign_in() => view! { <SignInPage/> });
route_code!(resident, my_data() => view! { <MyDataPage/> });
route_code!(resident, consents() => view! { <ConsentsPage/> });
route_code!(about, accessibility() => view! { <AccessibilityPage/> });
route_code!(about, legal_notice() => view! { <LegalNoticePage/> });

/// On the map's address, starts fetching the map's code right away, beside the town's
/// configuration, rather than after it (about one round trip sooner on a phone). A failure here
/// is only a missed head start: the page's own load reports it.
pub fn preload(route: Option<&Route>) {
    #[cfg(feature = "split")]
    if route == Some(&Route::Map) {
        leptos::task::spawn_local(async {
            let _ = preload_map().await;
        });
    }
    #[cfg(not(feature = "split"))]
    let _ = route;
}

/// Awaits a split point (a plain call without the `split` feature).
#[cfg(feature = "split")]
macro_rules! call {
    ($call:expr) => {
        $call.await
    };
}
#[cfg(not(feature = "split"))]
macro_rules! call {
    ($call:expr) => {
        $call
    };
}

/// The page of a route, once its chunk is there (home is part of the shell).
pub async fn page(route: Route) -> Result<AnyView, ApiError> {
    let page = match route {
        Route::Map => call!(services_map()),
        Route::EmbedMap => call!(embed_map()),
        Route::Report => call!(report_issue()),
        Route::EmbedReport => call!(embed_report()),
        Route::MyReports => call!(my_reports()),
        Route::ReportDetail(id) => call!(report_detail(id)),
        Route::SignIn => call!(sign_in()),
        Route::MyData => call!(my_data()),
        Route::Consents => call!(consents()),
        Route::Accessibility => call!(accessibility()),
        Route::LegalNotice => call!(legal_notice()),
        Route::Home => Ok(view! { <HomePage/> }.into_any()),
    };
    page.map_err(chunk_error)
}

fn chunk_error(_: ChunkError) -> ApiError {
    ApiError::network(Service::AppCode, "chunk")
}

// The map's list and a service's details: the map's own chunk (see the module doc for why), but
// still called through a split point, so a later regrouping needs no other change.
route_code!(map, services_list(ctx: MapContext) => view! { <ServicesList ctx=ctx/> });
route_code!(map, service_details(ctx: MapContext, picked: Picked) => view! {
    <ServiceDetails ctx=ctx picked=picked/>
});

// Reports waiting on the device since an earlier visit are sent from whichever page opens first.
route_code!(report, outbox_start() => {
    crate::report::outbox::use_outbox();
});

/// Starts sending the reports that wait on this device, once the outbox's code is there.
pub async fn start_outbox() -> Result<AnyView, ApiError> {
    call!(outbox_start()).map_err(chunk_error)
}

/// The map's list alternative, once its code is there.
pub async fn map_list(ctx: MapContext) -> Result<AnyView, ApiError> {
    call!(services_list(ctx)).map_err(chunk_error)
}

/// The details panel of a picked service, once its code is there.
pub async fn map_details(ctx: MapContext, picked: Picked) -> Result<AnyView, ApiError> {
    call!(service_details(ctx, picked)).map_err(chunk_error)
}
