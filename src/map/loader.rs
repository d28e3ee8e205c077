//! Loads a whole layer the way real brokers allow: pages of the configured size (never more
//! than the broker's cap), the first one counting the total, the rest fetched a few at a time,
//! all cancelled together through one `AbortSignal`.

use futures::StreamExt;
use web_sys::AbortSignal;

use crate::api::ApiError;
use crate::api::ngsi_ld::{MapFeature, fetch_layer_page};

/// How to page through a broker.
#[derive(Clone, Debug)]
pub struct Paging {
    pub base: String,
    pub page_size: u32,
    pub parallel: u32,
}

/// Every feature of a layer; `progress(loaded, total)` is called after each page.
pub async fn load_layer(
    paging: &Paging,
    entity_type: &str,
    status_attr: Option<&str>,
    attrs: &[&str],
    signal: &AbortSignal,
    progress: impl Fn(u32, Option<u32>),
) -> Result<Vec<MapFeature>, ApiError> {
    let limit = paging.page_size.max(1);
    let first = fetch_layer_page(
        &paging.base,
        entity_type,
        status_attr,
        attrs,
        0,
        limit,
        Some(signal),
    )
    .await?;
    let mut features = first.features;
    progress(features.len() as u32, first.total);
    match first.total {
        Some(total) => {
            let offsets = remaining_offsets(total, limit);
            let mut pages = futures::stream::iter(offsets)
                .map(|offset| {
                    fetch_layer_page(
                        &paging.base,
                        entity_type,
                        status_attr,
                        attrs,
                        offset,
                        limit,
                        Some(signal),
                    )
                })
                .buffered(paging.parallel.max(1) as usize);
            while let Some(page) = pages.next().await {
                features.extend(page?.features);
                progress(features.len() as u32, Some(total));
            }
        }
        None => {
            // A broker that does not count: keep paging until a short page.
            let mut last = features.len() as u32;
            let mut offset = limit;
            while last == limit {
                let page = fetch_layer_page(
                    &paging.base,
                    entity_type,
                    status_attr,
                    attrs,
                    offset,
                    limit,
                    Some(signal),
                )
                .await?;
                last = page.features.len() as u32;
                offset += limit;
                features.extend(page.features);
                progress(features.len() as u32, None);
            }
        }
    }
    Ok(features)
}

/// Offsets of the pages after the first one.
pub fn remaining_offsets(total: u32, limit: u32) -> Vec<u32> {
    (1..total.div_ceil(limit.max(1)))
        .map(|page| page * limit)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_the_total_once() {
        assert_eq!(remaining_offsets(0, 100), Vec::<u32>::new());
        assert_eq!(remaining_offsets(100, 100), Vec::<u32>::new());
        assert_eq!(remaining_offsets(101, 100), vec![100]);
        assert_eq!(remaining_offsets(12_000, 1000).len(), 11);
        assert_eq!(remaining_offsets(250, 100), vec![100, 200]);
    }
}
