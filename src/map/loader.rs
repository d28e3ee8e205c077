//! Loads a layer the way real brokers allow: its size first (an empty page with `count=true`),
//! then pages of the configured size (never more than the broker's cap) fetched a few at a
//! time, all cancelled together through one `AbortSignal`. A layer too large to load whole is
//! loaded area by area instead, and asking its size first means it costs nothing until then.

use futures::StreamExt;
use web_sys::AbortSignal;

use crate::api::ApiError;
use crate::api::ngsi_ld::{LayerQuery, MapFeature, fetch_layer_count, fetch_layer_page};

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
    let page =
        |offset, count| fetch_layer_page(&paging.base, query, offset, limit, count, Some(signal));
    // A whole layer may be huge: ask its size before any of it. An area is already bounded:
    // its first page counts it (as does a whole layer's when the broker cannot count apart).
    let counted = match query.area {
        None => fetch_layer_count(&paging.base, query, Some(signal)).await?,
        Some(_) => None,
    };
    let (mut features, total, offsets) = match counted {
        Some(total) if total > max_whole => return Ok(Loaded::TooLarge { total }),
        Some(total) => (Vec::new(), Some(total), page_offsets(0, total, limit)),
        None => {
            let first = page(0, true).await?;
            let offsets = first.total.map(|t| page_offsets(1, t, limit));
            (first.features, first.total, offsets.unwrap_or_default())
        }
    };
    progress(features.len() as u32, total);
    match total {
        Some(total) => {
            let mut pages = futures::stream::iter(offsets)
                .map(|offset| page(offset, false))
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
                let next = page(offset, false).await?;
                last = next.features.len() as u32;
                offset += limit;
                features.extend(next.features);
                progress(features.len() as u32, None);
            }
        }
    }
    Ok(Loaded::All(features))
}

/// Offsets of the pages from page `from` (0 is the first) to the last one of `total`.
pub fn page_offsets(from: u32, total: u32, limit: u32) -> Vec<u32> {
    let limit = limit.max(1);
    (from..total.div_ceil(limit))
        .map(|page| page * limit)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_the_total_once() {
        assert_eq!(page_offsets(1, 0, 100), Vec::<u32>::new());
        assert_eq!(page_offsets(1, 100, 100), Vec::<u32>::new());
        assert_eq!(page_offsets(1, 101, 100), vec![100]);
        assert_eq!(page_offsets(1, 12_000, 1000).len(), 11);
        assert_eq!(page_offsets(1, 250, 100), vec![100, 200]);
        // Counted first: every page, the first included.
        assert_eq!(page_offsets(0, 250, 100), vec![0, 100, 200]);
        assert_eq!(page_offsets(0, 0, 100), Vec::<u32>::new());
        assert_eq!(page_offsets(0, 7, 0), (0..7).collect::<Vec<_>>());
    }
}
