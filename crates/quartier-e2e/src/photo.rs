//! A phone photo as the report journeys need one: a real JPEG that carries an EXIF block with a
//! GPS position and a camera model, the data the app must strip before upload.

use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};

/// Degrees as EXIF writes them: degrees, minutes, seconds (hundredths).
fn dms(value: f64) -> Value {
    let value = value.abs();
    let degrees = value.trunc();
    let minutes = ((value - degrees) * 60.0).trunc();
    let seconds = ((value - degrees) * 60.0 - minutes) * 60.0;
    Value::Rational(vec![
        Rational::from((degrees as u32, 1)),
        Rational::from((minutes as u32, 1)),
        Rational::from(((seconds * 100.0).round() as u32, 100)),
    ])
}

/// A 1200 × 900 JPEG taken at (`lat`, `lon`) by a "QuartierCam".
pub fn jpeg_with_gps(lat: f64, lon: f64) -> Result<Vec<u8>, String> {
    let picture = image::RgbImage::from_fn(1200, 900, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 200) as u8])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&picture)
        .map_err(|e| e.to_string())?;
    let ascii = |text: &str| Value::Ascii(vec![text.as_bytes().to_vec()]);
    let fields = [
        (Tag::Model, ascii("QuartierCam")),
        (
            Tag::GPSLatitudeRef,
            ascii(if lat < 0.0 { "S" } else { "N" }),
        ),
        (Tag::GPSLatitude, dms(lat)),
        (
            Tag::GPSLongitudeRef,
            ascii(if lon < 0.0 { "W" } else { "E" }),
        ),
        (Tag::GPSLongitude, dms(lon)),
    ]
    .map(|(tag, value)| Field {
        tag,
        ifd_num: In::PRIMARY,
        value,
    });
    let mut writer = Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut tiff = std::io::Cursor::new(Vec::new());
    writer.write(&mut tiff, false).map_err(|e| e.to_string())?;
    let tiff = tiff.into_inner();
    // SOI, then the APP1 "Exif" segment, then the rest of the encoded picture.
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(
        &u16::try_from(tiff.len() + 8)
            .map_err(|e| e.to_string())?
            .to_be_bytes(),
    );
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    Ok(out)
}

/// Whether an image still carries EXIF data.
pub fn has_exif(bytes: &[u8]) -> bool {
    exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(bytes))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_photo_carries_its_position_and_a_clean_copy_does_not() {
        let photo = jpeg_with_gps(47.39, 0.68).unwrap();
        assert!(has_exif(&photo));
        assert!(image::load_from_memory(&photo).is_ok());
        assert!(!has_exif(&photo[..2]));
    }
}
