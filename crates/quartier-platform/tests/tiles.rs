//! Map tiles through the router: the demo town's basemap in demo mode, the placeholder otherwise.

use axum::{
    Router,
    body::{Body, Bytes},
    http::{Request, StatusCode, header},
};
use http_body_util::BodyExt;
use quartier_platform::{AppState, Settings, build_router, demo::Town};
use tempfile::TempDir;
use tower::ServiceExt;

fn platform(demo: bool) -> (TempDir, Router) {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = Settings {
        demo,
        ..Settings::new(dir.path().join("data"), dir.path().join("dist"))
    };
    let router = build_router(AppState::new(settings).expect("state"));
    (dir, router)
}

/// The slippy-map tile containing `(lon, lat)` at zoom `z`, computed independently of the
/// platform (the OSM wiki's formula).
fn tile_of(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * n;
    let lat = lat.to_radians();
    let y = (1.0 - lat.tan().asinh() / std::f64::consts::PI) / 2.0 * n;
    (x as u32, y as u32)
}

async fn tile(router: &Router, z: u32, x: u32, y: u32) -> Bytes {
    let response = router
        .clone()
        .oneshot(
            Request::get(format!("/tiles/{z}/{x}/{y}.png"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "public, max-age=86400"
    );
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    bytes
}

#[tokio::test]
async fn demo_tiles_draw_the_town_and_differ_from_the_countryside() {
    let (_dir, router) = platform(true);
    let town = Town::demo();
    let street = &town.streets()[0];
    let (lon, lat) = street.points[street.points.len() / 2];
    let (x, y) = tile_of(lon, lat, 16);
    let in_town = tile(&router, 16, x, y).await;
    let (fx, fy) = tile_of(lon + 0.5, lat + 0.5, 16);
    let outside = tile(&router, 16, fx, fy).await;
    assert_ne!(in_town, outside);
    // Every zoom the app uses draws the street, unlike the countryside.
    for z in 11..=19 {
        let (x, y) = tile_of(lon, lat, z);
        let (fx, fy) = tile_of(lon + 0.5, lat + 0.5, z);
        assert_ne!(
            tile(&router, z, x, y).await,
            tile(&router, z, fx, fy).await,
            "zoom {z}"
        );
    }
}

#[tokio::test]
async fn without_the_demo_every_tile_is_the_placeholder() {
    let (_dir, router) = platform(false);
    let (lon, lat) = Town::demo().center();
    let (x, y) = tile_of(lon, lat, 16);
    let in_town = tile(&router, 16, x, y).await;
    let elsewhere = tile(&router, 3, 1, 1).await;
    assert_eq!(in_town, elsewhere);
}
