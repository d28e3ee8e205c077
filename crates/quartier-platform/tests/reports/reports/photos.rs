//! A photo sent as the app sends it (`multipart/form-data`, a `media` part) with an EXIF GPS
//! block is served, at its `media_url`, re-encoded without any EXIF.

use std::io::Cursor;

use image::{ImageDecoder, codecs::jpeg::JpegDecoder};
use quartier_api::open311::json::parse_service_request;

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
    let image = image::RgbImage::from_fn(40, 30, |x, y| {
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
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; \
             filename=\"IMG_0001.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
        )
        .bytes(),
    );
    body.extend(photo);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
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
