//! Photos sent with a report (the `media` part of a multipart POST): JPEG, PNG or WebP, checked by
//! their magic bytes, decoded and re-encoded so that no metadata (EXIF position, camera serial)
//! survives, even from a client that did not strip it as the app does.

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits,
    codecs::{jpeg::JpegEncoder, png::PngEncoder, webp::WebPEncoder},
};

/// Largest photo accepted, before re-encoding.
pub const MAX_BYTES: usize = quartier_api::validation::PHOTO_MAX_BYTES;
/// Largest side accepted: more is not a phone photo, and decoding it would cost too much memory.
const MAX_SIDE: u32 = 12_000;
/// Memory the decoder may allocate (a 12 MP RGBA image needs 48 MB).
const MAX_ALLOC: u64 = 256 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Webp,
}

impl Kind {
    /// The type of a file from its first bytes; a declared content type is not trusted.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
            Self::Webp => ImageFormat::WebP,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    #[error("media: not a JPEG, PNG or WebP image")]
    UnsupportedType,
    #[error("media: unreadable image")]
    Unreadable,
    #[error("media: image too large")]
    TooLarge,
}

/// A clean copy of the photo in its own format, with its content type. CPU-bound: call it from
/// a blocking task.
pub fn sanitize(bytes: &[u8]) -> Result<(Kind, Vec<u8>), MediaError> {
    if bytes.len() > MAX_BYTES {
        return Err(MediaError::TooLarge);
    }
    let kind = Kind::sniff(bytes).ok_or(MediaError::UnsupportedType)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.image_format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| MediaError::Unreadable)?;
    // The orientation lives in the EXIF that is about to go: apply it to the pixels first, or
    // portrait photos would come out lying on their side.
    let orientation = decoder.orientation().map_err(|_| MediaError::Unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|error| match error {
        image::ImageError::Limits(_) => MediaError::TooLarge,
        _ => MediaError::Unreadable,
    })?;
    image.apply_orientation(orientation);
    let mut out = Vec::new();
    let written = match kind {
        Kind::Jpeg => image
            .to_rgb8()
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)),
        Kind::Png => image.write_with_encoder(PngEncoder::new(&mut out)),
        // The `image` crate encodes WebP losslessly only; 8-bit RGBA is what it takes.
        Kind::Webp => image
            .to_rgba8()
            .write_with_encoder(WebPEncoder::new_lossless(&mut out)),
    };
    written.map_err(|_| MediaError::Unreadable)?;
    Ok((kind, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn jpeg() -> Vec<u8> {
        let image = RgbImage::from_fn(16, 8, |x, _| Rgb([(x * 16) as u8, 80, 160]));
        let mut out = Vec::new();
        image
            .write_with_encoder(JpegEncoder::new(&mut out))
            .expect("encode");
        out
    }

    #[test]
    fn png_and_webp_stay_in_their_format() {
        let image = image::RgbaImage::from_fn(4, 3, |x, y| image::Rgba([x as u8, y as u8, 9, 255]));
        let mut png = Vec::new();
        image
            .write_with_encoder(PngEncoder::new(&mut png))
            .expect("png");
        let mut webp = Vec::new();
        image
            .write_with_encoder(WebPEncoder::new_lossless(&mut webp))
            .expect("webp");
        for (bytes, kind) in [(png, Kind::Png), (webp, Kind::Webp)] {
            let (found, out) = sanitize(&bytes).expect("sanitize");
            assert_eq!(found, kind);
            assert_eq!(Kind::sniff(&out), Some(kind));
            let decoded = image::load_from_memory(&out).expect("decodes").to_rgba8();
            assert_eq!(decoded, image, "lossless formats keep every pixel");
        }
    }

    #[test]
    fn sniffs_magic_bytes_only() {
        assert_eq!(Kind::sniff(&jpeg()), Some(Kind::Jpeg));
        assert_eq!(Kind::sniff(b"\x89PNG\r\n\x1a\nrest"), Some(Kind::Png));
        assert_eq!(Kind::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Kind::Webp));
        assert_eq!(Kind::sniff(b"GIF89a"), None);
        assert_eq!(Kind::sniff(b"RIFF"), None);
    }

    #[test]
    fn reencodes_and_rejects() {
        let (kind, out) = sanitize(&jpeg()).expect("sanitize");
        assert_eq!(kind, Kind::Jpeg);
        let decoded = image::load_from_memory(&out).expect("decodes");
        assert_eq!((decoded.width(), decoded.height()), (16, 8));
        assert_eq!(sanitize(b"GIF89a....."), Err(MediaError::UnsupportedType));
        assert_eq!(
            sanitize(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Err(MediaError::Unreadable)
        );
    }
}
