//! The open-enum macro: every code table of every otwire crate (function codes, type
//! identifications, services, statuses) has this one API (DESIGN.md §2 "Types").

/// Declares an open enum over an integer: named variants plus `Unknown(n)`.
///
/// Every such enum has the same API:
/// - `From<repr>` and `From<Enum> for repr` (an unknown value is data, not an error);
/// - `value()`: the wire value (`const`);
/// - `name() -> Option<&'static str>`: the specification's name, `None` when unknown;
/// - `description() -> Option<&'static str>`: a longer name where the table gives one,
///   else the name;
/// - `is_known()`;
/// - `Display`: the name, or the value in hex (`0x5b`, `0x012c`);
/// - with the calling crate's `serde` feature: serialized as the wire value, and read back
///   from it.
///
/// ```
/// otwire_core::open_enum! {
///     /// A table.
///     pub enum Cause: u8 {
///         /// Spontaneous.
///         Spontaneous = 3 => "spont" ("Spontaneous"),
///         /// Activation.
///         Activation = 6 => "act",
///     }
///     // Optional: the enum is `#[repr(u8)]` with each known variant's discriminant its
///     // value (conversions become tag reads); `Unknown`'s discriminant is this, which
///     // must be no known value.
///     unknown = 255;
/// }
/// assert_eq!(Cause::from(3), Cause::Spontaneous);
/// assert_eq!(Cause::Activation.value(), 6);
/// assert_eq!(Cause::Spontaneous.description(), Some("Spontaneous"));
/// assert_eq!(Cause::Activation.description(), Some("act"));
/// assert_eq!(Cause::from(0x2a).name(), None);
/// assert_eq!(Cause::from(0x2a).to_string(), "0x2a");
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $repr:ty {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $text:literal $(($desc:literal))?, )*
        }
        unknown = $udisc:literal;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        // Each known variant's discriminant is its wire value, so the conversions compile
        // to a tag read.
        #[repr($repr)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant = $value, )*
            /// A value without a name here, kept as it was on the wire.
            Unknown($repr) = $udisc,
        }
        $crate::open_enum!(@impl $name : $repr { $( $variant = $value => $text $(($desc))?, )* });
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $repr:ty {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $text:literal $(($desc:literal))?, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value without a name here, kept as it was on the wire.
            Unknown($repr),
        }
        $crate::open_enum!(@impl $name : $repr { $( $variant = $value => $text $(($desc))?, )* });
    };
    (@desc $text:literal) => { $text };
    (@desc $text:literal $desc:literal) => { $desc };
    (@impl $name:ident : $repr:ty {
        $( $variant:ident = $value:literal => $text:literal $(($desc:literal))?, )*
    }) => {
        impl ::core::convert::From<$repr> for $name {
            #[inline(always)]
            fn from(v: $repr) -> Self {
                match v {
                    $( $value => $name::$variant, )*
                    other => $name::Unknown(other),
                }
            }
        }

        impl ::core::convert::From<$name> for $repr {
            #[inline(always)]
            fn from(v: $name) -> $repr {
                v.value()
            }
        }

        impl $name {
            /// The value on the wire.
            #[inline]
            pub const fn value(self) -> $repr {
                match self {
                    $( $name::$variant => $value, )*
                    $name::Unknown(v) => v,
                }
            }

            /// The specification's name, or `None` for a value without one.
            pub const fn name(self) -> ::core::option::Option<&'static str> {
                match self {
                    $( $name::$variant => ::core::option::Option::Some($text), )*
                    $name::Unknown(_) => ::core::option::Option::None,
                }
            }

            /// A longer name for people where the table gives one, else the name; `None`
            /// for a value without one.
            pub const fn description(self) -> ::core::option::Option<&'static str> {
                match self {
                    $( $name::$variant => ::core::option::Option::Some(
                        $crate::open_enum!(@desc $text $($desc)?)
                    ), )*
                    $name::Unknown(_) => ::core::option::Option::None,
                }
            }

            /// Whether the value has a name here.
            #[inline]
            pub const fn is_known(self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl ::core::fmt::Display for $name {
            /// The name, or the value in hex (`0x5b`).
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.name() {
                    ::core::option::Option::Some(n) => f.write_str(n),
                    ::core::option::Option::None => ::core::write!(
                        f,
                        "{:#0w$x}",
                        self.value(),
                        w = 2 + 2 * ::core::mem::size_of::<$repr>()
                    ),
                }
            }
        }

        #[cfg(feature = "serde")]
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::__private::serde::Serialize::serialize(&self.value(), s)
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                <$repr as $crate::__private::serde::Deserialize>::deserialize(d).map($name::from)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::open_enum! {
        /// A u16 table without repr.
        pub enum Wide: u16 {
            /// One.
            One = 1 => "One",
            /// Big.
            Big = 0x1234 => "Big" ("A big one"),
        }
    }

    crate::open_enum! {
        /// A u8 table with repr.
        pub enum Narrow: u8 {
            /// Zero.
            Zero = 0 => "Zero",
        }
        unknown = 7;
    }

    #[test]
    fn one_api() {
        extern crate std;
        use std::string::ToString;
        assert_eq!(Wide::from(0x1234), Wide::Big);
        assert_eq!(u16::from(Wide::Big), 0x1234);
        assert_eq!(Wide::from(0x2c).to_string(), "0x002c");
        assert_eq!(Wide::Big.to_string(), "Big");
        assert_eq!(Wide::Big.description(), Some("A big one"));
        assert!(!Wide::Unknown(5).is_known());
        // The repr table keeps a value equal to Unknown's discriminant as data.
        assert_eq!(Narrow::from(7), Narrow::Unknown(7));
        assert_eq!(Narrow::from(7).value(), 7);
        assert_eq!(Narrow::from(0x5b).to_string(), "0x5b");
        assert_eq!(Narrow::Zero.name(), Some("Zero"));
    }

    #[cfg(feature = "serde")]
    #[test]
    fn serde_is_the_wire_value() {
        assert_eq!(serde_json::to_string(&Wide::Big).unwrap(), "4660");
        assert_eq!(serde_json::to_string(&Wide::Unknown(9)).unwrap(), "9");
        assert_eq!(serde_json::from_str::<Wide>("1").unwrap(), Wide::One);
        assert_eq!(
            serde_json::from_str::<Narrow>("3").unwrap(),
            Narrow::Unknown(3)
        );
    }
}
