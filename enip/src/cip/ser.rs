//! serde forms of the borrowed CIP views that are iterators over their bytes: a path is the
//! list of its segments, additional status the list of its words, a Multiple Service Packet
//! its count and the list of its embedded messages (each a request or a reply).

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::message::{Message, StatusWords};
use super::msp::MultipleService;
use super::path::Path;

impl Serialize for Path<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.segments())
    }
}

impl Serialize for StatusWords<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(*self)
    }
}

/// The embedded messages of a Multiple Service Packet, each parsed (`null` where one does
/// not decode).
struct Embedded<'a>(MultipleService<'a>);

impl Serialize for Embedded<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.0
                .entries()
                .map(|b| Message::parse(b).ok().map(|p| p.pdu)),
        )
    }
}

impl Serialize for MultipleService<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("MultipleService", 2)?;
        st.serialize_field("count", &self.count)?;
        st.serialize_field("services", &Embedded(*self))?;
        st.end()
    }
}
