//! Photos sent as the app sends them (`multipart/form-data`, up to `PHOTOS_MAX` `media` parts)
//! with an EXIF GPS block are served, at `media_url` and `media_urls`, re-encoded without any
//! EXIF; a photo too many is refused, and the photos are part of what an `Idempotency-Key`
//! stands for.

use std::io::Cursor;

use image::{ImageDecoder, codecs::jpeg::JpegDecoder};
use quartier_api::{
    open311::{json::parse_service_request, xml},
    validation::{PHOTO_MAX_BYTES, PHOTOS_MAX},
};

use super::support::*;

/// TIFF (little endian) with IFD0 holding only a GPS IFD pointer, and a GPS IFD with
/// 47°23'39" N, 0°41'5.3" E: what a phone writes into a photo taken in the town.
fn exif_gps() -> Vec<u8> {
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        tiff.extend(tag.to_le_bytes());
        tiff.extend(kind.to_le_bytes());
        tiff.extend(count.to_le_bytes());
        tiff.extend(value);
    };
    const ASCII: u16 = 2;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    // IFD0 at 8: one entry, GPSInfo (0x8825) → the GPS IFD at 26.
    tiff.extend(1u16.to_le_bytes());
    entry(&mut tiff, 0x8825, LONG, 1, 26u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    // GPS IFD at 26: four entries; the rationals follow it at 80 and 104.
    tiff.extend(4u16.to_le_bytes());
    entry(&mut tiff, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, RATIONAL, 3, 80u32.to_le_bytes());
    entry(&mut tiff, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut tiff, 0x0004, RATIONAL, 3, 104u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    assert_eq!(tiff.len(), 80);
    for (numerator, denominator) in [
        (47u32, 1u32),
        (23, 1),
        (3900, 100),
        (0, 1),
        (41, 1),
        (530, 100),
    ] {
        tiff.extend(numerator.to_le_bytes());
        tiff.extend(denominator.to_le_bytes());
    }
    tiff
}

/// A small JPEG whose APP1 segment is [`exif_gps`].
fn jpeg_with_gps() -> Vec<u8> {
    jpeg_with_gps_of(40, 30)
}

/// A JPEG of `width` × `height` (so that each photo of a report can be told apart once
/// re-encoded) whose APP1 segment is [`exif_gps`].
fn jpeg_with_gps_of(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 6) as u8, (y * 8) as u8, 90])
    });
    let mut plain = Vec::new();
    image
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new(&mut plain))
        .expect("encode");
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(exif_gps());
    let length = u16::try_from(app1.len() + 2).expect("small");
    let mut jpeg = plain[..2].to_vec(); // SOI
    jpeg.extend([0xFF, 0xE1]);
    jpeg.extend(length.to_be_bytes());
    jpeg.extend(app1);
    jpeg.extend(&plain[2..]);
    jpeg
}

fn exif_of(jpeg: &[u8]) -> Option<Vec<u8>> {
    let mut decoder = JpegDecoder::new(Cursor::new(jpeg)).expect("a JPEG");
    decoder.exif_metadata().expect("readable")
}

/// The markers of a JPEG's segments before its image data.
fn segment_markers(jpeg: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            break; // start of scan: the image data follows
        }
        let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        at += 2 + length;
    }
    markers
}

fn multipart(fields: &[(&str, &str)], photo: &[u8]) -> Request<Body> {
    multipart_photos(fields, &[photo])
}

/// A multipart `POST requests.json` of the fields, then one `media` part per photo, in order.
fn multipart_photos(fields: &[(&str, &str)], photos: &[&[u8]]) -> Request<Body> {
    let boundary = "quartier-photo-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .bytes(),
        );
    }
    for (number, photo) in photos.iter().enumerate() {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; \
                 filename=\"IMG_000{number}.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .bytes(),
        );
        body.extend(*photo);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    Request::post("/open311/v2/requests.json")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request")
}

#[tokio::test]
async fn a_photo_with_an_exif_gps_block_is_served_without_exif() {
    let photo = jpeg_with_gps();
    let exif = exif_of(&photo).expect("the fixture carries EXIF");
    assert!(
        exif.windows(2).any(|w| w == [0x25, 0x88]),
        "with a GPS IFD pointer"
    );
    assert!(segment_markers(&photo).contains(&0xE1));

    let platform = platform();
    let (lat, long) = centre();
    let fields = report_at("lampadaire-eteint", lat, long);
    let created = platform.send(multipart(&pairs(&fields), &photo)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let request = parse_service_request(
        &platform
            .get(&format!("/open311/v2/requests/{id}.json"))
            .await
            .text(),
    )
    .expect("request");
    let media_url = request.media_url.expect("media_url");

    let served = platform.get(&media_url).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.content_type(), "image/jpeg");
    assert_eq!(exif_of(&served.body), None, "no EXIF left");
    let markers = segment_markers(&served.body);
    assert!(
        !markers.iter().any(|m| (0xE1..=0xEF).contains(m)),
        "no APP1-APP15 segment (EXIF, XMP, maker notes): {markers:02X?}"
    );
    let decoded = image::load_from_memory(&served.body).expect("a real image");
    assert_eq!((decoded.width(), decoded.height()), (40, 30));
}

fn keyed(request: Request<Body>, key: &str) -> Request<Body> {
    let (mut parts, body) = request.into_parts();
    parts
        .headers
        .insert("idempotency-key", key.parse().expect("header value"));
    Request::from_parts(parts, body)
}

fn id_of(created: &Reply) -> String {
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    created.json()[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Three photos of three sizes, each with the EXIF GPS block.
fn three_photos() -> Vec<Vec<u8>> {
    [(40, 30), (24, 36), (50, 20)]
        .into_iter()
        .map(|(width, height)| jpeg_with_gps_of(width, height))
        .collect()
}

#[tokio::test]
async fn three_photos_are_stored_in_order_and_each_served_without_exif() {
    assert_eq!(PHOTOS_MAX, 3, "this test sends PHOTOS_MAX photos");
    let platform = platform();
    let (lat, long) = centre();
    let mut fields = report_at("nid-de-poule", lat, long);
    fields.push(("attribute[taille]", "moyen".to_owned()));
    let photos = three_photos();
    let refs: Vec<&[u8]> = photos.iter().map(Vec::as_slice).collect();
    let id = id_of(
        &platform
            .send(multipart_photos(&pairs(&fields), &refs))
            .await,
    );

    let json = parse_service_request(
        &platform
            .get(&format!("/open311/v2/requests/{id}.json"))
            .await
            .text(),
    )
    .expect("request");
    let from_xml = xml::parse_service_request(
        &platform
            .get(&format!("/open311/v2/requests/{id}.xml"))
            .await
            .text(),
    )
    .expect("request (XML)");
    assert_eq!(json.media_urls.len(), 3, "{:?}", json.media_urls);
    assert_eq!(from_xml.media_urls, json.media_urls);
    assert_eq!(
        json.media_url.as_ref(),
        json.media_urls.first(),
        "media_url is the first"
    );
    for (url, (width, height)) in json.media_urls.iter().zip([(40, 30), (24, 36), (50, 20)]) {
        let served = platform.get(url).await;
        assert_eq!(served.status, StatusCode::OK, "{url}");
        assert_eq!(served.content_type(), "image/jpeg");
        assert_eq!(exif_of(&served.body), None, "no EXIF left in {url}");
        let markers = segment_markers(&served.body);
        assert!(
            !markers.iter().any(|m| (0xE1..=0xEF).contains(m)),
            "{url}: {markers:02X?}"
        );
        let decoded = image::load_from_memory(&served.body).expect("a real image");
        assert_eq!(
            (decoded.width(), decoded.height()),
            (width, height),
            "{url} in order"
        );
    }
    // The list shows them too.
    let listed = platform
        .get(&format!(
            "/open311/v2/requests.json?service_request_id={id}"
        ))
        .await
        .json();
    assert_eq!(
        listed[0]["media_urls"],
        serde_json::to_value(&json.media_urls).expect("json")
    );
}

#[tokio::test]
async fn a_photo_beyond_photos_max_is_refused_and_empty_parts_do_not_count() {
    let platform = platform();
    let (lat, long) = centre();
    let fields = report_at("graffiti", lat, long);
    let photos = three_photos();
    let before = platform.report_count().await;
    let mut four: Vec<&[u8]> = photos.iter().map(Vec::as_slice).collect();
    four.push(&photos[0]);
    let refused = platform
        .send(multipart_photos(&pairs(&fields), &four))
        .await;
    assert_eq!(refused.errors(StatusCode::BAD_REQUEST), ["media: too_many"]);
    assert_eq!(platform.report_count().await, before, "nothing stored");
    let media_rows = || async {
        platform
            .state
            .db
            .call(|conn| {
                Ok(
                    conn.query_row("SELECT COUNT(*) FROM open311_media", [], |r| {
                        r.get::<_, i64>(0)
                    })?,
                )
            })
            .await
            .expect("count")
    };
    assert_eq!(media_rows().await, 0);

    // An empty file input is sent as an empty part: not a photo.
    let mut with_empty: Vec<&[u8]> = photos.iter().map(Vec::as_slice).collect();
    with_empty.insert(1, b"");
    let id = id_of(
        &platform
            .send(multipart_photos(&pairs(&fields), &with_empty))
            .await,
    );
    let request = parse_service_request(
        &platform
            .get(&format!("/open311/v2/requests/{id}.json"))
            .await
            .text(),
    )
    .expect("request");
    assert_eq!(request.media_urls.len(), 3);
    assert_eq!(media_rows().await, 3);
}

#[tokio::test]
async fn the_body_limit_admits_photos_max_photos_of_the_largest_size() {
    let platform = platform();
    let (lat, long) = centre();
    let fields = report_at("graffiti", lat, long);
    // JPEG magic, then nothing an image decoder can read: the body is read in full, and each
    // part is judged as a photo (400), not the body as too large (413).
    let mut largest = vec![0u8; PHOTO_MAX_BYTES];
    largest[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    let parts = vec![largest.as_slice(); PHOTOS_MAX];
    let reply = platform
        .send(multipart_photos(&pairs(&fields), &parts))
        .await;
    assert_eq!(
        reply.errors(StatusCode::BAD_REQUEST),
        ["media: unreadable image"]
    );
}

#[tokio::test]
async fn an_idempotency_key_stands_for_every_photo_in_order() {
    let platform = platform();
    let (lat, long) = centre();
    let fields = report_at("graffiti", lat, long);
    let photos = three_photos();
    let send = |order: &[usize], key: &str| {
        let parts: Vec<&[u8]> = order.iter().map(|&i| photos[i].as_slice()).collect();
        platform.send(keyed(multipart_photos(&pairs(&fields), &parts), key))
    };
    let before = platform.report_count().await;
    let first = send(&[0, 1, 2], "three-photos").await;
    let id = id_of(&first);
    let again = send(&[0, 1, 2], "three-photos").await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json(), first.json(), "replayed");
    assert_eq!(platform.report_count().await, before + 1);
    for other in [&[0, 2, 1][..], &[0, 1], &[0], &[], &[0, 1, 1]] {
        let refused = send(other, "three-photos").await;
        assert_eq!(
            refused.errors(StatusCode::UNPROCESSABLE_ENTITY),
            ["Idempotency-Key: already used with another request"],
            "photos {other:?}"
        );
    }
    // One changed photo is another request too.
    let mut changed = photos.clone();
    changed[2] = jpeg_with_gps_of(50, 21);
    let parts: Vec<&[u8]> = changed.iter().map(Vec::as_slice).collect();
    let refused = platform
        .send(keyed(
            multipart_photos(&pairs(&fields), &parts),
            "three-photos",
        ))
        .await;
    refused.errors(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(platform.report_count().await, before + 1);
    let request = parse_service_request(
        &platform
            .get(&format!("/open311/v2/requests/{id}.json"))
            .await
            .text(),
    )
    .expect("request");
    assert_eq!(request.media_urls.len(), 3);
}
