//! Framing of one TCP direction, the same for every protocol (DESIGN.md §2 "Streams"): the
//! protocol crate's `StreamDecoder` hands out frames that lie in the bytes fed borrowed
//! from them, and copies of the frames it completed from its buffer are put in the
//! caller's [`Arena`](super::Arena).

use super::Out;

/// What a [`Framer`] hands to its protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'b> {
    /// One whole frame (header to last byte).
    Frame(&'b [u8]),
    /// Bytes skipped while resynchronising (the decoder reported junk).
    Junk,
}

/// What a [`Decoder`] hands out: a frame borrowed from the bytes fed (`'b`), a frame
/// completed from its buffer (valid for the call, `'q`), or a junk report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fed<'b, 'q> {
    /// A whole frame that lies in the bytes fed.
    Frame(&'b [u8]),
    /// A whole frame completed from buffered bytes.
    Buffered(&'q [u8]),
    /// Bytes skipped while resynchronising.
    Junk,
}

/// A protocol crate's stream decoder (`otwire_modbus::StreamDecoder`, ...), seen the same
/// way for every protocol. Implemented in each protocol's module with `stream_decoder!`.
pub trait Decoder: Send + Sized {
    /// A decoder for one direction, with the capacity limit the analyzer uses.
    fn new() -> Self;
    /// Feeds stream bytes; `f` gets every frame and junk report, in order: frames that lie
    /// in `data` borrowed from it, frames completed from buffered bytes for the call only
    /// (the crate's `StreamDecoder::feed`).
    fn feed<'b>(&mut self, data: &'b [u8], f: impl for<'q> FnMut(Fed<'b, 'q>));
    /// Bytes are missing here: resynchronise after them.
    fn gap(&mut self);
    /// Bytes held.
    fn buffered(&self) -> usize;
}

/// One direction's framing. The decoder is made on first use, so an idle direction costs
/// a pointer.
#[derive(Debug)]
pub struct Framer<D> {
    decoder: Option<Box<D>>,
}

impl<D> Default for Framer<D> {
    fn default() -> Self {
        Self { decoder: None }
    }
}

impl<D: Decoder> Framer<D> {
    /// Feeds the next stream bytes; `f` gets every frame and junk report, in order (frames
    /// that were buffered are copied into `out`'s arena).
    pub fn feed<'b>(
        &mut self,
        data: &'b [u8],
        out: &mut Out<'_, 'b>,
        mut f: impl FnMut(&mut Out<'_, 'b>, Piece<'b>),
    ) {
        let dec = self.decoder.get_or_insert_with(|| Box::new(D::new()));
        dec.feed(data, |p| {
            let piece = match p {
                Fed::Frame(frame) => Piece::Frame(frame),
                // The caller sized the arena too small (counted there): the frame is lost.
                Fed::Buffered(frame) => out.arena.copy(frame).map_or(Piece::Junk, Piece::Frame),
                Fed::Junk => Piece::Junk,
            };
            f(out, piece);
        });
    }

    /// Bytes are missing before the next `feed`: a partial frame can never complete, so
    /// the decoder resynchronises on the next plausible header after the hole.
    pub fn gap(&mut self) {
        if let Some(d) = self.decoder.as_mut() {
            d.gap();
        }
    }

    /// Bytes held.
    pub fn buffered(&self) -> usize {
        self.decoder.as_ref().map_or(0, |d| d.buffered())
    }
}

/// Implements [`Decoder`] for a protocol crate's `StreamDecoder` (`feed` with the crate's
/// `Piece`, `gap`, `buffered`), made with `with_capacity_limit($cap)`.
// Unused when every protocol feature is off.
#[allow(unused_macros)]
macro_rules! stream_decoder {
    ($krate:ident, $cap:expr) => {
        impl $crate::protocol::Decoder for $krate::StreamDecoder {
            fn new() -> Self {
                $krate::StreamDecoder::with_capacity_limit($cap)
            }
            fn feed<'b>(
                &mut self,
                data: &'b [u8],
                mut f: impl for<'q> FnMut($crate::protocol::Fed<'b, 'q>),
            ) {
                $krate::StreamDecoder::feed(self, data, |p| match p {
                    $krate::Piece::Frame(frame) => f($crate::protocol::Fed::Frame(frame)),
                    $krate::Piece::Buffered(frame) => f($crate::protocol::Fed::Buffered(&frame)),
                    $krate::Piece::Junk(_) => f($crate::protocol::Fed::Junk),
                });
            }
            fn gap(&mut self) {
                $krate::StreamDecoder::gap(self)
            }
            fn buffered(&self) -> usize {
                $krate::StreamDecoder::buffered(self)
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use stream_decoder;
