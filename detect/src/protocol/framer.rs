//! Framing of one TCP direction, the same for every protocol (DESIGN.md §2 "Streams"):
//! whole frames are split in place while the stream is known to be at a frame boundary,
//! and everything else goes through the protocol crate's `StreamDecoder`, whose frames are
//! copied into the caller's [`Arena`].

use super::Out;
use super::arena::Arena;

/// What a [`Framer`] hands to its protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'b> {
    /// One whole frame (header to last byte).
    Frame(&'b [u8]),
    /// Bytes skipped while resynchronising (the decoder reported junk).
    Junk,
}

/// A protocol crate's stream decoder (`otwire_modbus::StreamDecoder`, ...), seen the same
/// way for every protocol. Implemented in each protocol's module.
pub trait Decoder: Send + Sized {
    /// A decoder for one direction, with the capacity limit the analyzer uses.
    fn new() -> Self;
    /// Appends stream bytes.
    fn push(&mut self, data: &[u8]);
    /// The next piece, the frame copied into `arena`; `None` when more bytes are needed.
    fn next<'b>(&mut self, arena: &mut Arena<'b>) -> Option<Piece<'b>>;
    /// Bytes are missing here: resynchronise after them.
    fn gap(&mut self);
    /// Bytes held.
    fn buffered(&self) -> usize;
    /// The length of the whole frame at the front of `input`, when the decoder, in sync
    /// and empty, would return exactly that frame; `None` otherwise. The default (`None`)
    /// sends every byte through the decoder; a protocol whose in-sync framing is its
    /// `split_frame` (Modbus: the MBAP length) splits in place, without copying.
    #[inline]
    fn split_in_sync(input: &[u8]) -> Option<usize> {
        let _ = input;
        None
    }
}

/// One direction's framing: in place while in sync, through the decoder otherwise. The
/// decoder is made on first use, so an idle direction costs a few bytes.
#[derive(Debug)]
pub struct Framer<D> {
    decoder: Option<Box<D>>,
    in_sync: bool,
}

impl<D> Default for Framer<D> {
    fn default() -> Self {
        Self {
            decoder: None,
            in_sync: true,
        }
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
        let mut rest = data;
        if self.in_sync && self.decoder.as_ref().is_none_or(|d| d.buffered() == 0) {
            while let Some(n) = D::split_in_sync(rest) {
                let Some((frame, tail)) = rest.split_at_checked(n) else {
                    break;
                };
                f(out, Piece::Frame(frame));
                rest = tail;
            }
            if rest.is_empty() {
                return;
            }
        }
        let in_sync = self.in_sync;
        let dec = self.decoder.get_or_insert_with(|| {
            let mut d = Box::new(D::new());
            if !in_sync {
                d.gap();
            }
            d
        });
        dec.push(rest);
        let mut last = None;
        while let Some(p) = dec.next(out.arena) {
            last = Some(matches!(p, Piece::Frame(_)));
            f(out, p);
        }
        self.in_sync = last.unwrap_or(self.in_sync);
    }

    /// Bytes are missing before the next `feed`: a partial frame can never complete, so
    /// the decoder resynchronises on the next plausible header after the hole.
    pub fn gap(&mut self) {
        self.in_sync = false;
        if let Some(d) = self.decoder.as_mut() {
            d.gap();
        }
    }

    /// Bytes held.
    pub fn buffered(&self) -> usize {
        self.decoder.as_ref().map_or(0, |d| d.buffered())
    }
}

/// Implements [`Decoder`] for a protocol crate's `StreamDecoder` (`push`, `next_frame`,
/// `gap`, `buffered`), made with `with_capacity_limit($cap)`.
// Unused when every protocol feature is off.
#[allow(unused_macros)]
macro_rules! stream_decoder {
    ($t:ty, $cap:expr $(, split_in_sync = $split:expr)?) => {
        impl $crate::protocol::Decoder for $t {
            fn new() -> Self {
                <$t>::with_capacity_limit($cap)
            }
            fn push(&mut self, data: &[u8]) {
                let _ = <$t>::push(self, data);
            }
            fn next<'b>(
                &mut self,
                arena: &mut $crate::protocol::Arena<'b>,
            ) -> Option<$crate::protocol::Piece<'b>> {
                match self.next_frame() {
                    Ok(Some(frame)) => Some(match arena.copy(&frame) {
                        Some(f) => $crate::protocol::Piece::Frame(f),
                        // The caller sized the arena too small (counted there).
                        None => $crate::protocol::Piece::Junk,
                    }),
                    Ok(None) => None,
                    Err(_) => Some($crate::protocol::Piece::Junk),
                }
            }
            fn gap(&mut self) {
                <$t>::gap(self)
            }
            fn buffered(&self) -> usize {
                <$t>::buffered(self)
            }
            $(
                #[inline]
                fn split_in_sync(input: &[u8]) -> Option<usize> {
                    $split(input)
                }
            )?
        }
    };
}
#[allow(unused_imports)]
pub(crate) use stream_decoder;
