//! 标签枚举 — enums that have a stable English code (JSON, database) and a Chinese label
//! (tables, spreadsheets), and that read either, plus the aliases seen in real ledgers.

/// Declares such an enum. Each variant: `Variant = "code", "标签", ["别名", …]`.
#[macro_export]
macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal, [$($alias:literal),*] ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// Every value, in the order of the domain.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code used in JSON and in the database.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese label shown to users.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Reads a code, a label or a known alias (white space and width ignored).
            pub fn parse(text: &str) -> Result<$name, $crate::label::LabelError> {
                // The stored code, as the database gives it back: no folding needed.
                $( if text == $code { return Ok($name::$variant); } )+
                let t = $crate::text::compact(text);
                $(
                    if t == $code || t == $label $(|| t == $alias)* {
                        return Ok($name::$variant);
                    }
                )+
                Err($crate::label::LabelError {
                    what: $what,
                    value: text.trim().to_string(),
                    valid: Self::ALL.iter().map(|v| v.label()).collect::<Vec<_>>().join("、"),
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::label::LabelError;
            fn from_str(s: &str) -> Result<$name, Self::Err> {
                $name::parse(s)
            }
        }
    };
}

/// A value that is none of an enum's codes, labels or aliases.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("无法识别的{what}“{value}”（可选：{valid}）")]
pub struct LabelError {
    pub what: &'static str,
    pub value: String,
    pub valid: String,
}
