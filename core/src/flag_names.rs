//! One serde form for every crate's anomaly flags: the list of flag names.

/// Gives a `bitflags` type the one serde form every otwire crate uses for its flags (a list
/// of flag names, `["PROTOCOL_ID", "TRUNCATED"]`; deserializing refuses an unknown name)
/// and a `names()` iterator, the same in every crate. The serde impls exist when the
/// calling crate's `serde` feature is on.
///
/// ```
/// bitflags::bitflags! {
///     #[derive(Debug, Clone, Copy, PartialEq, Eq)]
///     pub struct Flags: u8 {
///         const A = 1;
///         const B = 2;
///     }
/// }
/// otwire_core::flag_names!(Flags);
/// assert_eq!((Flags::A | Flags::B).names().collect::<Vec<_>>(), ["A", "B"]);
/// ```
#[macro_export]
macro_rules! flag_names {
    ($name:ident) => {
        impl $name {
            /// The flag names, for logs and JSON (the serde form is this list).
            pub fn names(self) -> impl ::core::iter::Iterator<Item = &'static str> {
                self.iter_names().map(|(name, _)| name)
            }
        }

        /// Serializes as the list of flag names, the form `otscan` prints.
        #[cfg(feature = "serde")]
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                s.collect_seq(self.names())
            }
        }

        /// Deserializes a list of flag names; an unknown name is an error.
        #[cfg(feature = "serde")]
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                struct Names;
                impl<'de> $crate::__private::serde::de::Visitor<'de> for Names {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str("a list of flag names")
                    }
                    fn visit_seq<A: $crate::__private::serde::de::SeqAccess<'de>>(
                        self,
                        mut seq: A,
                    ) -> ::core::result::Result<$name, A::Error> {
                        let mut all = $name::empty();
                        while let Some(name) = seq.next_element::<&str>()? {
                            all |= $name::from_name(name).ok_or_else(|| {
                                <A::Error as $crate::__private::serde::de::Error>::unknown_variant(
                                    name,
                                    &[],
                                )
                            })?;
                        }
                        Ok(all)
                    }
                }
                d.deserialize_seq(Names)
            }
        }
    };
}

#[cfg(all(test, feature = "serde"))]
#[allow(unreachable_pub)] // the macro makes `names()` public, as in the crates
mod tests {
    extern crate std;
    use std::string::ToString;

    bitflags::bitflags! {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct Flags: u16 {
            const FIRST = 1;
            const SECOND = 1 << 9;
        }
    }
    crate::flag_names!(Flags);

    #[test]
    fn flags_serialize_as_their_names_and_back() {
        let f = Flags::FIRST | Flags::SECOND;
        let json = serde_json::to_string(&f).unwrap_or_default();
        assert_eq!(json, r#"["FIRST","SECOND"]"#);
        assert_eq!(serde_json::from_str::<Flags>(&json).ok(), Some(f));
        assert_eq!(
            serde_json::to_string(&Flags::empty()).ok(),
            Some("[]".to_string())
        );
    }

    #[test]
    fn an_unknown_name_is_refused() {
        let e = serde_json::from_str::<Flags>(r#"["FIRST","THIRD"]"#);
        assert!(e.is_err_and(|e| e.to_string().contains("THIRD")));
    }
}
