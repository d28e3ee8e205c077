//! A photo made safe to send: its GPS position read first (the resident may use it as the
//! report's place), then the picture redrawn on a canvas at most 1600 px on its longest side
//! and re-encoded as JPEG, which leaves every EXIF field behind (position, device, owner).
//! The platform re-encodes again on receipt (defence in depth).

use quartier_api::geo::LonLat;
use quartier_api::validation::PHOTO_MAX_BYTES;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, File};

/// Longest side of a photo sent to the town, in pixels.
pub const MAX_SIDE_PX: f64 = 1600.0;
/// JPEG quality of the re-encoded photo (0–1).
const JPEG_QUALITY: f64 = 0.85;
/// Largest file the app tries to read (a phone photo is under 15 MB; more is not a photo).
const MAX_INPUT_BYTES: f64 = 40.0 * 1024.0 * 1024.0;

/// A photo ready to send.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub blob: Blob,
    /// Where it was taken, if the camera wrote it (read before re-encoding removed it).
    pub gps: Option<LonLat>,
}

/// Why a photo cannot be used, as the resident needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoError {
    NotAnImage,
    TooLarge,
    Unreadable,
    TooMany,
}

impl PhotoError {
    pub fn message_key(self) -> &'static str {
        match self {
            PhotoError::NotAnImage => "report-photo-not-image",
            PhotoError::TooLarge => "report-photo-too-large",
            PhotoError::Unreadable => "report-photo-unreadable",
            PhotoError::TooMany => "report-photo-too-many",
        }
    }
}

/// The position in a photo's EXIF (JPEG, TIFF, HEIF, PNG, WebP containers), if any.
pub fn gps_position(bytes: &[u8]) -> Option<LonLat> {
    use exif::{In, Tag, Value};
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(bytes))
        .ok()?;
    let degrees = |tag: Tag| match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Rational(parts) if parts.len() == 3 => {
            Some(parts[0].to_f64() + parts[1].to_f64() / 60.0 + parts[2].to_f64() / 3600.0)
        }
        _ => None,
    };
    let negative = |tag: Tag, sign: &str| {
        exif.get_field(tag, In::PRIMARY).is_some_and(|f| {
            f.display_value()
                .to_string()
                .trim()
                .eq_ignore_ascii_case(sign)
        })
    };
    let mut lat = degrees(Tag::GPSLatitude)?;
    let mut lon = degrees(Tag::GPSLongitude)?;
    if negative(Tag::GPSLatitudeRef, "S") {
        lat = -lat;
    }
    if negative(Tag::GPSLongitudeRef, "W") {
        lon = -lon;
    }
    LonLat::new(lon, lat)
        .ok()
        .filter(|p| p.lat != 0.0 || p.lon != 0.0)
}

/// The size of a picture `width` × `height` once fitted in [`MAX_SIDE_PX`] (never enlarged).
pub fn fitted(width: f64, height: f64) -> (f64, f64) {
    let scale = (MAX_SIDE_PX / width.max(height)).min(1.0);
    (
        (width * scale).round().max(1.0),
        (height * scale).round().max(1.0),
    )
}

/// Reads, measures and re-encodes a chosen file.
pub async fn prepare(file: &File) -> Result<Prepared, PhotoError> {
    if file.size() > MAX_INPUT_BYTES {
        return Err(PhotoError::TooLarge);
    }
    if !file.type_().starts_with("image/") {
        return Err(PhotoError::NotAnImage);
    }
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| PhotoError::Unreadable)?;
    let gps = gps_position(&js_sys::Uint8Array::new(&buffer).to_vec());
    let blob = reencode(file).await?;
    if blob.size() > PHOTO_MAX_BYTES as f64 {
        return Err(PhotoError::TooLarge);
    }
    Ok(Prepared { blob, gps })
}

async fn reencode(file: &File) -> Result<Blob, PhotoError> {
    let window = web_sys::window().ok_or(PhotoError::Unreadable)?;
    // createImageBitmap applies the EXIF orientation, so a portrait photo stays upright.
    let bitmap: web_sys::ImageBitmap = JsFuture::from(
        window
            .create_image_bitmap_with_blob(file)
            .map_err(|_| PhotoError::NotAnImage)?,
    )
    .await
    .map_err(|_| PhotoError::NotAnImage)?
    .unchecked_into();
    let (width, height) = fitted(bitmap.width() as f64, bitmap.height() as f64);
    let canvas: web_sys::HtmlCanvasElement = window
        .document()
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|e| e.dyn_into().ok())
        .ok_or(PhotoError::Unreadable)?;
    canvas.set_width(width as u32);
    canvas.set_height(height as u32);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or(PhotoError::Unreadable)?;
    context
        .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, width, height)
        .map_err(|_| PhotoError::Unreadable)?;
    bitmap.close();
    let encoded = js_sys::Promise::new(&mut |resolve, reject| {
        let on_blob = reject.clone();
        let callback = Closure::once_into_js(move |blob: JsValue| {
            // `null` when the canvas cannot be encoded.
            let _ = if blob.is_null() {
                on_blob.call0(&JsValue::NULL)
            } else {
                resolve.call1(&JsValue::NULL, &blob)
            };
        });
        if canvas
            .to_blob_with_type_and_encoder_options(
                callback.unchecked_ref(),
                "image/jpeg",
                &JsValue::from_f64(JPEG_QUALITY),
            )
            .is_err()
        {
            let _ = reject.call0(&JsValue::NULL);
        }
    });
    JsFuture::from(encoded)
        .await
        .map_err(|_| PhotoError::Unreadable)?
        .dyn_into::<Blob>()
        .map_err(|_| PhotoError::Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG holding only an EXIF segment with a GPS position (enough for the reader).
    fn jpeg_with_gps(lat: [u32; 3], lat_ref: &str, lon: [u32; 3], lon_ref: &str) -> Vec<u8> {
        use exif::experimental::Writer;
        use exif::{Field, In, Rational, Tag, Value};
        let rational =
            |v: [u32; 3]| Value::Rational(v.iter().map(|&n| Rational::from((n, 1))).collect());
        let fields = [
            Field {
                tag: Tag::GPSLatitudeRef,
                ifd_num: In::PRIMARY,
                value: Value::Ascii(vec![lat_ref.as_bytes().to_vec()]),
            },
            Field {
                tag: Tag::GPSLatitude,
                ifd_num: In::PRIMARY,
                value: rational(lat),
            },
            Field {
                tag: Tag::GPSLongitudeRef,
                ifd_num: In::PRIMARY,
                value: Value::Ascii(vec![lon_ref.as_bytes().to_vec()]),
            },
            Field {
                tag: Tag::GPSLongitude,
                ifd_num: In::PRIMARY,
                value: rational(lon),
            },
        ];
        let mut writer = Writer::new();
        for field in &fields {
            writer.push_field(field);
        }
        let mut tiff = std::io::Cursor::new(Vec::new());
        writer.write(&mut tiff, false).unwrap();
        let tiff = tiff.into_inner();
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        jpeg.extend_from_slice(&((tiff.len() + 8) as u16).to_be_bytes());
        jpeg.extend_from_slice(b"Exif\0\0");
        jpeg.extend_from_slice(&tiff);
        jpeg.extend_from_slice(&[0xFF, 0xD9]);
        jpeg
    }

    #[test]
    fn a_photo_position_is_read_with_its_hemisphere() {
        let at = gps_position(&jpeg_with_gps([47, 23, 36], "N", [0, 41, 6], "E")).unwrap();
        assert!((at.lat - 47.3933).abs() < 1e-3, "{at:?}");
        assert!((at.lon - 0.685).abs() < 1e-3, "{at:?}");
        let south_west = gps_position(&jpeg_with_gps([33, 52, 0], "S", [151, 12, 0], "W")).unwrap();
        assert!(south_west.lat < 0.0 && south_west.lon < 0.0);
    }

    #[test]
    fn a_photo_without_position_gives_none() {
        assert_eq!(gps_position(&[0xFF, 0xD8, 0xFF, 0xD9]), None);
        assert_eq!(gps_position(b"not an image"), None);
    }

    #[test]
    fn photos_are_fitted_never_enlarged() {
        assert_eq!(fitted(4000.0, 3000.0), (1600.0, 1200.0));
        assert_eq!(fitted(3000.0, 4000.0), (1200.0, 1600.0));
        assert_eq!(fitted(800.0, 600.0), (800.0, 600.0));
    }
}
