//! Multiple Service Packet (service 0x0A, Vol. 1 § ): a count, one offset per embedded
//! request or reply (measured from the count field), then the embedded messages.

use otwire_core::{Emit, EmitError, Sink};

use super::message::{Request, Response};
use crate::{Anomalies, Error, Layer, Parsed};

/// The body of a Multiple Service Packet request or reply (the same layout both ways).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MultipleService<'a> {
    /// The number of services.
    pub count: u16,
    /// The whole body from the count field (offsets are measured from its start).
    body: &'a [u8],
}

/// The embedded messages' bytes: a `Copy` iterator. An entry whose offset lies outside the
/// body is skipped (flagged by [`MultipleService::parse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entries<'a> {
    body: &'a [u8],
    index: u16,
    count: u16,
}

#[inline]
fn offset(body: &[u8], i: u16) -> Option<usize> {
    let at = 2 + usize::from(i) * 2;
    let b = body.get(at..at + 2)?;
    Some(usize::from(u16::from_le_bytes([*b.first()?, *b.get(1)?])))
}

impl<'a> Iterator for Entries<'a> {
    type Item = &'a [u8];
    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        while self.index < self.count {
            let i = self.index;
            self.index += 1;
            let Some(start) = offset(self.body, i) else {
                // The offset table itself is cut short.
                self.index = self.count;
                return None;
            };
            let end = if i + 1 < self.count {
                offset(self.body, i + 1)
                    .filter(|&e| e >= start && e <= self.body.len())
                    .unwrap_or(self.body.len())
            } else {
                self.body.len()
            };
            if let Some(b) = self.body.get(start..end) {
                if start >= 2 + usize::from(self.count) * 2 {
                    return Some(b);
                }
            }
        }
        None
    }
}

impl<'a> MultipleService<'a> {
    /// Parses the service data of a Multiple Service Packet request or reply: at least the
    /// count. Offsets outside the body, inside the offset table or decreasing are flagged
    /// ([`Anomalies::MSP_OFFSET`]); an offset table cut short too.
    #[inline]
    pub fn parse(data: &'a [u8]) -> Result<Parsed<MultipleService<'a>>, Error> {
        let Some((c, _)) = data.split_first_chunk::<2>() else {
            return Err(Error::malformed(Layer::Service, data.len()));
        };
        let count = u16::from_le_bytes(*c);
        let table_end = 2 + usize::from(count) * 2;
        let mut anomalies = Anomalies::empty();
        let mut prev = table_end;
        for i in 0..count {
            match offset(data, i) {
                Some(o) if o >= prev && o <= data.len() => prev = o,
                Some(_) => anomalies |= Anomalies::MSP_OFFSET,
                None => {
                    anomalies |= Anomalies::MSP_OFFSET;
                    break;
                }
            }
        }
        Ok(Parsed::new(
            MultipleService { count, body: data },
            anomalies,
        ))
    }

    /// The bytes from the count field on.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.body
    }

    /// The embedded messages' bytes.
    pub const fn entries(&self) -> Entries<'a> {
        Entries {
            body: self.body,
            index: 0,
            count: self.count,
        }
    }

    /// The embedded requests (of a request), each parsed; one that does not decode is `Err`.
    pub fn requests(&self) -> impl Iterator<Item = Result<Parsed<Request<'a>>, Error>> + 'a {
        self.entries().map(Request::parse)
    }

    /// The embedded replies (of a reply), each parsed.
    pub fn replies(&self) -> impl Iterator<Item = Result<Parsed<Response<'a>>, Error>> + 'a {
        self.entries().map(Response::parse)
    }

    /// The anomalies of the embedded messages ([`Anomalies::EMBEDDED_MALFORMED`] for one that
    /// does not decode), requests when `requests`, else replies.
    pub fn embedded_anomalies(&self, requests: bool) -> Anomalies {
        self.entries().fold(Anomalies::empty(), |a, e| {
            let r = if requests {
                Request::parse(e).map(|p| p.anomalies)
            } else {
                Response::parse(e).map(|p| p.anomalies)
            };
            a | r.unwrap_or(Anomalies::EMBEDDED_MALFORMED)
        })
    }
}

/// A Multiple Service Packet body to encode from messages (requests or responses): count,
/// offsets, messages.
#[derive(Debug, Clone, Copy)]
pub struct MultipleServiceBuilder<'s, M> {
    /// The embedded messages.
    pub messages: &'s [M],
}

impl<M: Emit> MultipleServiceBuilder<'_, M> {
    /// Encodes count, offsets and messages.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let n = self.messages.len();
        let count = u16::try_from(n).map_err(|_| EmitError::ValueOutOfRange {
            field: "service count",
        })?;
        s.u16_le(count)?;
        let mut at = 2 + n * 2;
        for m in self.messages {
            let o = u16::try_from(at).map_err(|_| EmitError::ValueOutOfRange {
                field: "service offset",
            })?;
            s.u16_le(o)?;
            at += m.buffer_len();
        }
        self.messages.iter().try_for_each(|m| s.nested(m))
    }
}

impl MultipleService<'_> {
    /// Encodes the body as it was.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.bytes(self.body)
    }
}

otwire_core::emit_via_encode!(MultipleService<'_>);

emit_generic!(MultipleServiceBuilder);
