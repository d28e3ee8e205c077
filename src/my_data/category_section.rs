//! One category of the resident's data: what the town declares about it (the service that holds
//! it, why, on which legal basis, for how long) and its records, a page at a time.

use leptos::prelude::*;
use quartier_api::resident::{DataCategory, MyData, Page};
use serde_json::Value;

use super::records_table::RecordsTable;
use super::water_chart::WaterChart;
use super::water_usage::WaterUsage;
use super::words::{
    data_category_title, legal_basis_words, purpose_words, retention_words, service_words,
};
use crate::api::ApiError;
use crate::api::resident::fetch_my_data;
use crate::components::async_section::AsyncSection;
use crate::components::pager::Pager;
use crate::components::signed_in_only::sign_in_again_on_401;
use crate::i18n::use_i18n;
use crate::session::use_session;
use crate::task::Latest;

/// Records shown per page.
pub const PAGE_SIZE: u32 = 10;

#[component]
pub fn CategorySection(
    /// The category with its first page of records.
    category: DataCategory,
    /// The water meter's months, for the water category's chart.
    #[prop(optional)]
    water: Option<WaterUsage>,
) -> impl IntoView {
    let i18n = use_i18n();
    let base = use_session().base();
    let id = category.id.clone();
    let section_id = format!("category-{id}");
    let title_id = format!("category-{id}-title");
    let labelled_by = title_id.clone();
    let records_heading = format!("category-{id}-records");
    let first = category.records.clone();
    let total = first.total;
    let offset = RwSignal::new(0u64);
    let other = Latest::<Result<MyData, ApiError>>::new();
    sign_in_again_on_401(other);
    let load = {
        let id = id.clone();
        move || {
            let (base, id, at) = (base.clone(), id.clone(), offset.get_untracked());
            other.clear();
            other.run(async move { fetch_my_data(&base, Some(&id), at, PAGE_SIZE).await });
        }
    };
    let load = StoredValue::new(load);
    let go = move |to: u64| {
        offset.set(to);
        if to != 0 {
            load.with_value(|load| load());
        }
    };
    let page = {
        let first = first.clone();
        Signal::derive_local(move || -> Option<Result<Page<Value>, ApiError>> {
            if offset.get() == 0 {
                return Some(Ok(first.clone()));
            }
            other.value().map(|answer| {
                answer.map(|mut data| data.categories.pop().map(|c| c.records).unwrap_or_default())
            })
        })
    };
    let facts = category.clone();
    let records_id = id.clone();
    view! {
        <section id=section_id class="my-data__category" aria-labelledby=labelled_by>
            <h2 id=title_id>{move || data_category_title(i18n, &id)}</h2>
            <dl class="facts">
                <dt>{i18n.tr("my-data-source")}</dt>
                <dd>{move || service_words(i18n, &facts.source)}</dd>
                <dt>{i18n.tr("my-data-purpose")}</dt>
                <dd>{move || purpose_words(i18n, &facts.purpose)}</dd>
                <dt>{i18n.tr("my-data-legal-basis")}</dt>
                <dd>{move || legal_basis_words(i18n, &facts.legal_basis)}</dd>
                <dt>{i18n.tr("my-data-retention")}</dt>
                <dd>{move || retention_words(i18n, &facts.retention.code, &facts.retention.duration)}</dd>
            </dl>
            {water.map(|usage| view! { <WaterChart usage=usage/> })}
            <h3 id=records_heading.clone()>{move || i18n.t_with("my-data-records", &[("count", total.into())])}</h3>
            <div class="data-table__scroll" tabindex="0" role="group" aria-labelledby=records_heading.clone()>
                <AsyncSection state=page on_retry=Callback::new(move |_| load.with_value(|load| load())) let:found>
                    <RecordsTable category=records_id.clone() items=found.items/>
                </AsyncSection>
            </div>
            <Pager
                offset=offset.into()
                total=Signal::stored(Some(total))
                page_size=PAGE_SIZE
                label="records-pages"
                go=Callback::new(go)
            />
        </section>
    }
}
