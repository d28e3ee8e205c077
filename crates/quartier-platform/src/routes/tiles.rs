//! `GET /tiles/{z}/{x}/{y}.png`: map tiles served by the platform itself, so that the demo needs
//! no internet. In demo mode they are the demo town's own basemap ([`Basemap`], drawn and
//! cached in memory); otherwise every tile is the same neutral placeholder (a real town points
//! the app at its own tile server).

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
    routing::get,
};
use tiny_skia::{Color, Paint, Pixmap, Rect, Transform};

use crate::{demo::basemap::Basemap, error::AppError, state::AppState};

pub const TILE_SIZE: u32 = 256;
/// Deepest zoom served; Leaflet's usual maximum is 19, with room for one more.
pub const MAX_ZOOM: u8 = 20;

pub fn router() -> Router<AppState> {
    Router::new().route("/tiles/{z}/{x}/{y}", get(tile))
}

async fn tile(
    State(state): State<AppState>,
    Path((z, x, y)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let (z, x, y) = parse_tile(&z, &x, &y).ok_or_else(|| AppError::not_found("no such tile"))?;
    let png = if state.settings.demo {
        // Drawing takes milliseconds of CPU: off the async workers.
        tokio::task::spawn_blocking(move || Basemap::demo()?.tile(z, x, y)).await??
    } else {
        state.placeholder_tile.clone()
    };
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        png,
    )
        .into_response())
}

/// `(z, x, y)` if they name a tile of the standard Web Mercator pyramid, with `y` ending in `.png`.
fn parse_tile(z: &str, x: &str, y: &str) -> Option<(u8, u32, u32)> {
    let z: u8 = parse_digits(z)?;
    if z > MAX_ZOOM {
        return None;
    }
    let x: u32 = parse_digits(x)?;
    let y: u32 = parse_digits(y.strip_suffix(".png")?)?;
    let side = 1u32 << z;
    (x < side && y < side).then_some((z, x, y))
}

/// Digits only: `str::parse` would also take `+5`, and one tile must have one URL for caches.
fn parse_digits<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || text.len() > 10 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A light neutral square with a faint line on its top and left edges, which tiles into a grid.
pub fn render_placeholder() -> anyhow::Result<Bytes> {
    let mut pixmap = Pixmap::new(TILE_SIZE, TILE_SIZE)
        .ok_or_else(|| anyhow::anyhow!("cannot allocate a {TILE_SIZE}px pixmap"))?;
    pixmap.fill(Color::from_rgba8(0xee, 0xf0, 0xf2, 0xff));
    let mut paint = Paint::default();
    paint.set_color_rgba8(0xdd, 0xe1, 0xe5, 0xff);
    let size = TILE_SIZE as f32;
    for edge in [
        Rect::from_xywh(0.0, 0.0, size, 1.0),
        Rect::from_xywh(0.0, 0.0, 1.0, size),
    ] {
        let edge = edge.ok_or_else(|| anyhow::anyhow!("invalid grid line rectangle"))?;
        pixmap.fill_rect(edge, &paint, Transform::identity(), None);
    }
    Ok(Bytes::from(pixmap.encode_png()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_coordinates_are_validated() {
        assert_eq!(parse_tile("0", "0", "0.png"), Some((0, 0, 0)));
        assert_eq!(parse_tile("14", "8223", "5749.png"), Some((14, 8223, 5749)));
        assert_eq!(
            parse_tile("20", "1048575", "1048575.png"),
            Some((20, 1048575, 1048575))
        );
        assert_eq!(parse_tile("21", "0", "0.png"), None);
        assert_eq!(parse_tile("1", "2", "0.png"), None);
        assert_eq!(parse_tile("1", "0", "2.png"), None);
        assert_eq!(parse_tile("1", "0", "1"), None);
        assert_eq!(parse_tile("1", "0", "1.jpg"), None);
        assert_eq!(parse_tile("1", "+1", "1.png"), None);
        assert_eq!(parse_tile("-1", "0", "0.png"), None);
        assert_eq!(parse_tile("1", "0", ".png"), None);
    }

    #[test]
    fn placeholder_is_a_256px_png_with_grid_lines() {
        let bytes = render_placeholder().expect("render");
        let pixmap = Pixmap::decode_png(&bytes).expect("decode");
        assert_eq!((pixmap.width(), pixmap.height()), (TILE_SIZE, TILE_SIZE));
        let at = |x, y| pixmap.pixel(x, y).expect("pixel");
        assert_eq!(
            (
                at(128, 128).red(),
                at(128, 128).green(),
                at(128, 128).blue()
            ),
            (0xee, 0xf0, 0xf2)
        );
        assert_eq!(at(128, 0).red(), 0xdd);
        assert_eq!(at(0, 128).red(), 0xdd);
    }
}
