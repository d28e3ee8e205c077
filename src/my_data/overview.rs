//! Everything the town holds about the resident, loaded once, in one read (so the access log
//! lists one access per visit): a year of records of every category, which gives the chart its
//! water readings and each category its first page. Then the summary, the categories, the access log
//! and the export and erasure, in the order a resident asks: what, who looked, take it away.

use leptos::prelude::*;
use quartier_api::resident::{DataCategory, MyData, WaterReading};
use serde::Deserialize;

use super::access_log_section::AccessLogSection;
use super::category_section::{CategorySection, PAGE_SIZE};
use super::summary::Summary;
use super::take_away_section::TakeAwaySection;
use super::water_usage::{WaterUsage, monthly};
use crate::api::ApiError;
use crate::api::resident::fetch_my_data;
use crate::components::async_section::AsyncSection;
use crate::components::signed_in_only::sign_in_again_on_401;
use crate::session::use_session;
use crate::task::Latest;

/// The water category's code, whose readings the chart draws.
const WATER: &str = "water-meter-readings";
/// A year of daily readings and a few days more: the chart's twelve months are all there (the
/// other categories hold far fewer records a year).
const WATER_DAYS: u32 = 366;

#[derive(Clone, Debug, PartialEq)]
struct Overview {
    categories: Vec<DataCategory>,
    water: WaterUsage,
}

#[component]
pub fn MyDataOverview() -> impl IntoView {
    let session = use_session();
    let base = session.base();
    let loaded = Latest::<Result<Overview, ApiError>>::new();
    let load = move || {
        let base = base.clone();
        loaded.run(async move {
            let data = fetch_my_data(&base, None, 0, WATER_DAYS).await?;
            let water = monthly(&water_readings(&data));
            Ok(Overview {
                categories: data.categories.into_iter().map(first_page).collect(),
                water,
            })
        });
    };
    load();
    let load = StoredValue::new(load);
    sign_in_again_on_401(loaded);
    let state = Signal::derive_local(move || loaded.value());
    view! {
        <AsyncSection state=state on_retry=Callback::new(move |_| load.with_value(|load| load())) let:found>
            {
                let Overview { categories, water } = found;
                let (summary, listed) = (categories.clone(), categories.clone());
                view! {
                    <Summary categories=summary/>
                    <For each=move || listed.clone() key=|c: &DataCategory| c.id.clone() let:category>
                        {
                            if category.id == WATER {
                                view! { <CategorySection category=category water=water.clone()/> }.into_any()
                            } else {
                                view! { <CategorySection category=category/> }.into_any()
                            }
                        }
                    </For>
                    <AccessLogSection/>
                    <TakeAwaySection categories=categories/>
                }
            }
        </AsyncSection>
    }
}

/// The water readings of an answer; a record of another shape is left out of the chart (the
/// category's table still shows it as it came).
fn water_readings(data: &MyData) -> Vec<WaterReading> {
    data.categories
        .iter()
        .filter(|c| c.id == WATER)
        .flat_map(|c| &c.records.items)
        .filter_map(|item| WaterReading::deserialize(item).ok())
        .collect()
}

/// A category as its section first shows it: the first [`PAGE_SIZE`] records of the year read.
fn first_page(mut category: DataCategory) -> DataCategory {
    category.records.items.truncate(PAGE_SIZE as usize);
    category.records.limit = Some(u64::from(PAGE_SIZE));
    category
}
