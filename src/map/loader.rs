//! Loads a layer the way real brokers allow: pages of the configured size (never more than the
//! broker's cap), the first one counting the total, the rest fetched a few at a time, all
//! cancelled together through one `AbortSignal`. A layer too large to load whole is loaded
//! area by area instead.

use futures::StreamExt;
use web_sys::AbortSignal;

use crate::api::ApiError;
use crate::api::ngsi_ld::{LayerQuery, MapFeature, fetch_layer_page};

/// What a load brought.
pub enum Loaded {
    /// Every feature asked for.
    All(Vec<MapFeature>),
    /// The whole layer is larger than the limit given: only areas can be loaded.
    TooLarge { total: u32 },
}

/// How to page through a broker.
#[derive(Clone, Debug)]
pub struct Paging {
    pub base: String,
    pub page_size: u32,
    pub parallel: u32,
}

/// Every feature of `query`, unless the whole layer (no area) has more than `max_whole`;
/// `progress(loaded, total)` is called after each page.
pub async fn load_layer(
    paging: &Paging,
    query: &LayerQuery<'_>,
    max_whole: u32,
    signal: &AbortSignal,
    progress: impl Fn(u32, Option<u32>),
) -> Result<Loaded, ApiError> {
    let limit = paging.page_size.max(1);
    let page = |offset| fetch_layer_page(&paging.base, query, offset, limit, Some(signal));
    let first = page(0).await?;
    if let (None, Some(total)) = (query.area, first.total)
        && total > max_whole
    {
        return Ok(Loaded::TooLarge { total });
    }
    let mut features = first.features;
    progress(features.len() as u32, first.total);
    match first.total {
        Some(total) => {
            let mut pages = futures::stream::iter(remaining_offsets(total, limit))
                .map(page)
                .buffered(paging.parallel.max(1) as usize);
            while let Some(next) = pages.next().await {
                features.extend(next?.features);
                progress(features.len() as u32, Some(total));
            }
        }
        None => {
            // A broker that does not count: keep paging until a short page.
            let mut last = features.len() as u32;
            let mut offset = limit;
            while last == limit {
                let next = page(offset).await?;
                last = next.features.len() as u32;
                offset += limit;
                features.extend(next.features);
                progress(features.len() as u32, None);
            }
        }
    }
    Ok(Loaded::All(features))
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
