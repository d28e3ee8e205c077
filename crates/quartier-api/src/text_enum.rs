//! `text_enum!`: an enum of known text values plus `Other(String)`, read and written as text.
//!
//! Wire values outside the known list are kept (tolerant reading) instead of failing the whole
//! document; known values are always written with their canonical spelling (strict writing).

/// Declares `enum $name { $variant…, Other(String) }` with `as_str`, `from_text`, `Display`,
/// `Serialize` and `Deserialize` through the given wire spellings.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value outside the known list, kept as written.
            Other(String),
        }

        impl $name {
            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Other(s) => s,
                }
            }

            /// Reads a wire value (exact match, else `Other`).
            pub fn from_text(text: &str) -> Self {
                match text.trim() {
                    $( $text => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                Ok($name::from_text(&text))
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::openapi::text(&[$($text),+], None)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use text_enum;

#[cfg(test)]
mod tests {
    text_enum! {
        /// A test enum.
        pub enum Colour {
            /// Red.
            Red = "red",
            /// Dark blue.
            DarkBlue = "darkBlue",
        }
    }

    #[test]
    fn known_and_other_values() {
        assert_eq!(Colour::from_text("darkBlue"), Colour::DarkBlue);
        assert_eq!(Colour::from_text("mauve"), Colour::Other("mauve".into()));
        assert_eq!(
            serde_json::to_string(&Colour::DarkBlue).unwrap(),
            "\"darkBlue\""
        );
        let back: Colour = serde_json::from_str("\"red\"").unwrap();
        assert_eq!(back, Colour::Red);
        assert_eq!(Colour::Other("x".into()).to_string(), "x");
    }
}
