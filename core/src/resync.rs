//! Framing a byte stream that may hold junk (DESIGN.md §2 "Streams"): the rules every
//! parser crate's `StreamDecoder` applies to decide whether the bytes at the front are a
//! frame, junk, or cannot be told yet.
//!
//! A protocol describes its frames through [`Framing`]; [`verdict`] judges one candidate
//! frame, [`step`] finds the next frame or the junk before it, and [`Resync`] keeps the
//! state between calls. The rules:
//!
//! - the candidate's header must pass the protocol's checks: lenient right after a frame
//!   (in sync, where an unusual frame is still the protocol's to flag), strict while
//!   searching for synchronisation;
//! - a candidate that holds a whole *trusted* frame after its first octet is junk: its
//!   length would swallow that frame;
//! - right after a frame, when what follows is not a frame, the decoder looks back into
//!   that frame for a trusted one that starts inside it and runs on past its end: the
//!   frame was junk whose length ended inside a real one, and the stream resumes there
//!   ([`Step::Rewind`]; the junk has come out as a frame, the real one comes out after);
//! - a candidate whose answer depends on bytes that have not arrived is `Wait`, never a
//!   guess, so that the frames of a stream do not depend on how it was chunked. With `end`
//!   (nothing more will come before a gap or the end of the stream), what is missing is
//!   missing: a candidate cut short is junk.
//!
//! No answer depends on bytes after the candidate, so a frame is returned as soon as its
//! last byte arrives.

use crate::Probe;

/// What the bytes at the front of a stream are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// A frame of this many bytes.
    Frame(usize),
    /// Not a frame: skip (at least) its first byte.
    Junk,
    /// Cannot be told before more bytes arrive.
    Wait,
}

/// One move of a stream decoder over the bytes it holds ([`step`], [`Resync::next`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// A frame of this many bytes at the front.
    Frame(usize),
    /// The frame returned last was junk whose length ended inside the frames after it:
    /// put its last `back` bytes back in front of the buffer, where a frame starts.
    Rewind {
        /// Bytes of the last frame to put back.
        back: usize,
    },
    /// Junk at the front: skip this many bytes. With `synced`, a frame starts right after
    /// them; without, the bytes after them cannot be told yet (or there are none).
    Junk {
        /// Bytes to skip.
        skipped: usize,
        /// Whether a frame was found right after them.
        synced: bool,
    },
    /// More bytes are needed.
    Wait,
}

/// A protocol's framing rules, as [`verdict`] and [`step`] use them.
///
/// Each answer must be final once given: `Probe::Unrecognized` and `Probe::Recognized`
/// must not change when more bytes are appended (answer `NeedMore` until they cannot).
pub trait Framing {
    /// Whether a frame can start with this octet (the protocol's start octet; any octet
    /// for a protocol without one).
    fn may_start(&self, octet: u8) -> bool;

    /// The header check of the frame at the front of `view`: the whole frame's length on
    /// the wire, `Junk`, or `Wait` while the header is not all there. Lenient when
    /// `synced` (the previous frame ended here), strict otherwise; everything the strict
    /// check accepts, the lenient one must accept too, with the same length.
    fn header(&self, view: &[u8], synced: bool) -> Verdict;

    /// The frame's length on the wire as its header declares it, as soon as the octets
    /// that declare it are there (before the rest of the header can be judged).
    fn declared_len(&self, view: &[u8]) -> Option<usize>;

    /// Whether a frame the decoder would trust starts at the front of `view`: the strict
    /// header check and whatever consistency checks the first octets allow.
    fn trusted(&self, view: &[u8]) -> Probe;

    /// Whether `view` starts with a whole trusted frame that ends within it and whose
    /// content agrees with its length (objects that fill it exactly, matching CRCs): what
    /// real frames are and a false start inside another frame's bytes almost never is.
    fn whole(&self, view: &[u8]) -> bool;

    /// Whether the candidate at the front of `view` may hold octets that read as whole
    /// trusted frames and still be a frame (where a protocol's own payload often does, as
    /// a consistent Modbus frame's register values can). Answer `true` while the octets
    /// that tell have not arrived: a candidate is never junk on a guess.
    fn may_enclose(&self, _view: &[u8]) -> bool {
        false
    }

    /// Whether [`may_enclose`](Framing::may_enclose) holds for every candidate that
    /// [`trusted`](Framing::trusted) recognises (the in-sync fast path then need not ask).
    fn trusted_may_enclose(&self) -> bool {
        false
    }

    /// The longest frame `header` accepts (a bound on the bytes a look back copies).
    fn max_frame_len(&self) -> usize;
}

/// Whether a whole trusted frame starts after the first octet of the candidate of `total`
/// octets at the front of `view` and ends within it (as far as `view` holds it).
pub fn holds_whole<F: Framing + ?Sized>(f: &F, view: &[u8], total: usize) -> bool {
    let candidate = view.get(..total).unwrap_or(view);
    candidate.iter().enumerate().skip(1).any(|(i, &octet)| {
        let inner = candidate.get(i..).unwrap_or_default();
        f.may_start(octet) && f.trusted(inner) == Probe::Recognized && f.whole(inner)
    })
}

/// Judges the candidate frame at the front of `view` by the rules of the
/// [module docs](self). `synced` selects the lenient header check; `end` says that no byte
/// will follow `view`.
pub fn verdict<F: Framing + ?Sized>(f: &F, view: &[u8], synced: bool, end: bool) -> Verdict {
    let (total, header) = match f.header(view, synced) {
        Verdict::Frame(n) => (n, true),
        Verdict::Junk => return Verdict::Junk,
        // A whole frame inside the declared length already makes it junk, whatever the
        // rest of the header turns out to be.
        Verdict::Wait => (f.declared_len(view).unwrap_or(0), false),
    };
    if !f.may_enclose(view) && holds_whole(f, view, total) {
        Verdict::Junk
    } else if !header || view.len() < total {
        if end { Verdict::Junk } else { Verdict::Wait }
    } else {
        Verdict::Frame(total)
    }
}

/// The next move over the bytes a stream decoder holds: the frame at the front, the junk
/// before the next frame (or before bytes that cannot be told yet), or `Wait`.
///
/// In sync the front is judged with the lenient header check; junk there, or any junk
/// while not in sync, starts a search with the strict check at each octet that may start
/// a frame. The answers depend only on the bytes, never on how they arrived.
pub fn step<F: Framing + ?Sized>(f: &F, view: &[u8], synced: bool, end: bool) -> Step {
    let from = if synced {
        match verdict(f, view, true, end) {
            Verdict::Frame(n) => return Step::Frame(n),
            Verdict::Wait => return Step::Wait,
            Verdict::Junk => 1,
        }
    } else {
        0
    };
    let mut at = from;
    while let Some(rest) = view.get(at..).filter(|r| !r.is_empty()) {
        if rest.first().is_some_and(|&o| f.may_start(o)) {
            match verdict(f, rest, false, end) {
                Verdict::Junk => {}
                Verdict::Frame(n) if at == 0 => return Step::Frame(n),
                Verdict::Frame(_) => {
                    return Step::Junk {
                        skipped: at,
                        synced: true,
                    };
                }
                Verdict::Wait => break,
            }
        }
        at += 1;
    }
    let at = at.min(view.len());
    if at == 0 {
        Step::Wait
    } else {
        Step::Junk {
            skipped: at,
            synced: false,
        }
    }
}

/// Right after the frame `last`, when the front of `view` is not a frame by the strict
/// check (or neither it nor `last` is trusted): the first trusted frame that starts inside
/// `last` (`last` was junk whose length ran over it). `None` when there is none, or the
/// front is a frame.
#[cfg(feature = "alloc")]
fn look_back<F: Framing + ?Sized>(f: &F, last: &[u8], view: &[u8], end: bool) -> Option<Step> {
    match verdict(f, view, false, end) {
        Verdict::Frame(_)
            if f.trusted(view) == Probe::Recognized || f.trusted(last) == Probe::Recognized =>
        {
            return None;
        }
        Verdict::Wait => return Some(Step::Wait),
        Verdict::Frame(_) | Verdict::Junk => {}
    }
    let room = f.max_frame_len();
    let ahead = view.get(..room).unwrap_or(view);
    let end = end && ahead.len() == view.len();
    let tail = last.get(1..).unwrap_or_default();
    let joined: alloc::vec::Vec<u8> = tail.iter().chain(ahead).copied().collect();
    for (i, back) in (1..=tail.len()).rev().enumerate() {
        let here = joined.get(i..).unwrap_or_default();
        if !here.first().is_some_and(|&o| f.may_start(o)) || f.trusted(here) == Probe::Unrecognized
        {
            continue;
        }
        match verdict(f, here, false, end) {
            // Only a frame that runs on past the end of `last` shows that `last` was junk
            // whose length ended inside it: one wholly inside `last` is `last`'s data.
            Verdict::Frame(n) if n > back => return Some(Step::Rewind { back }),
            Verdict::Wait => return Some(Step::Wait),
            Verdict::Frame(_) | Verdict::Junk => {}
        }
    }
    None
}

/// In sync, the common case decided in one pass: a whole trusted frame at the front that
/// is not junk (it holds no whole trusted frame, or may). [`look_back`] then finds nothing
/// to rewind to (the front is a trusted frame) and [`step`]'s lenient check takes the same
/// frame, whatever `last` and `end` are; this returns that frame without their work.
#[cfg(feature = "alloc")]
#[inline]
fn trusted_frame<F: Framing + ?Sized>(f: &F, view: &[u8]) -> Option<usize> {
    let Verdict::Frame(n) = f.header(view, false) else {
        return None;
    };
    let whole = n <= view.len() && f.trusted(view) == Probe::Recognized;
    let encloses = f.trusted_may_enclose() || f.may_enclose(view);
    (whole && (encloses || !holds_whole(f, view, n))).then_some(n)
}

/// The synchronisation state of a stream decoder, the frame it returned last (to look
/// back into), and the moves already settled for the bytes at the front of its buffer
/// (those received before a gap). The decoder keeps the bytes; this keeps what to do with
/// them (feature `alloc`).
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, Default)]
pub struct Resync {
    synced: bool,
    /// The frame returned right before the front (empty after junk, a gap, or a rewind).
    last: alloc::vec::Vec<u8>,
    /// The last move was a rewind: `last` is kept for [`Resync::put_back`] until the next.
    rewound: bool,
    settled: alloc::collections::VecDeque<Step>,
    /// Bytes of the buffer the settled moves take.
    settled_len: usize,
}

#[cfg(feature = "alloc")]
impl Resync {
    /// A stream not yet in sync (the first frame must pass the strict header check).
    pub fn new() -> Self {
        Resync::default()
    }

    /// A stream in sync from its first byte (the first frame gets the lenient check).
    pub fn synced() -> Self {
        Resync {
            synced: true,
            ..Resync::default()
        }
    }

    /// Whether the next frame is expected right at the front.
    pub fn is_synced(&self) -> bool {
        self.synced
    }

    /// Whether moves settled before a gap are still to be taken.
    pub fn has_settled(&self) -> bool {
        !self.settled.is_empty()
    }

    /// After [`Step::Rewind`]: the bytes the decoder puts back in front of its buffer.
    pub fn put_back(&self, back: usize) -> &[u8] {
        self.last
            .get(self.last.len().saturating_sub(back)..)
            .unwrap_or_default()
    }

    /// After [`Step::Rewind`]: the decoder's new buffer, [`put_back`](Resync::put_back)
    /// followed by `buf`.
    pub fn rewound(&self, back: usize, buf: &[u8]) -> alloc::vec::Vec<u8> {
        [self.put_back(back), buf].concat()
    }

    /// One move over `buf` from `synced`, looking back into `last` (the frame returned
    /// right before the front, empty if none).
    fn one<F: Framing + ?Sized>(f: &F, buf: &[u8], synced: bool, last: &[u8], end: bool) -> Step {
        if synced {
            if let Some(n) = trusted_frame(f, buf) {
                return Step::Frame(n);
            }
        }
        if synced && !last.is_empty() {
            if let Some(s) = look_back(f, last, buf, end) {
                return s;
            }
        }
        step(f, buf, synced, end)
    }

    /// Remembers what a move returns: the frame to look back into.
    fn keep_last(last: &mut alloc::vec::Vec<u8>, s: Step, buf: &[u8]) {
        match s {
            Step::Frame(n) => {
                last.clear();
                last.extend_from_slice(buf.get(..n).unwrap_or_default());
            }
            Step::Junk { .. } => last.clear(),
            Step::Rewind { .. } | Step::Wait => {}
        }
    }

    /// The next move over `buf`, the decoder's whole buffer; the decoder must apply it
    /// (take the frame, drop the junk, or put [`put_back`](Resync::put_back) in front of
    /// its buffer) before asking again.
    pub fn next<F: Framing + ?Sized>(&mut self, f: &F, buf: &[u8]) -> Step {
        if core::mem::take(&mut self.rewound) {
            self.last.clear();
        }
        let s = if let Some(s) = self.settled.pop_front() {
            match s {
                Step::Rewind { back } => self.settled_len += back,
                _ => self.settled_len = self.settled_len.saturating_sub(taken(s)),
            }
            if self.settled.is_empty() {
                // Past the bytes received before the gap: search for the next frame.
                self.settled_len = 0;
                self.synced = false;
            }
            s
        } else {
            let s = Resync::one(f, buf, self.synced, &self.last, false);
            match s {
                Step::Frame(_) | Step::Rewind { .. } => self.synced = true,
                Step::Junk { synced, .. } => self.synced = synced,
                Step::Wait => {}
            }
            s
        };
        Resync::keep_last(&mut self.last, s, buf);
        self.rewound = matches!(s, Step::Rewind { .. });
        if self.settled.is_empty() && !self.synced && !self.rewound {
            self.last.clear();
        }
        s
    }

    /// Bytes are missing after `buf` (the decoder's whole buffer): settles the moves over
    /// the bytes not settled yet as if the stream ended there, and returns how many bytes
    /// at the end of `buf` belong to no frame (a frame cut short by the gap, junk after the
    /// last frame): the decoder drops them. After the settled moves, the decoder searches
    /// for the next frame.
    pub fn gap<F: Framing + ?Sized>(&mut self, f: &F, buf: &[u8]) -> usize {
        let start = self.settled_len.min(buf.len());
        let fresh = self.settled.is_empty();
        let mut synced = fresh && self.synced;
        let mut last = if fresh && !self.rewound {
            self.last.clone()
        } else {
            alloc::vec::Vec::new()
        };
        // Bytes put back by a rewind, in front of `buf[at..]`.
        let mut back: alloc::vec::Vec<u8> = alloc::vec::Vec::new();
        let mut at = start;
        let mut keep = start;
        let mut keep_moves = self.settled.len();
        loop {
            let rest = buf.get(at..).unwrap_or_default();
            let joined;
            let view = if back.is_empty() {
                rest
            } else {
                joined = [&back[..], rest].concat();
                &joined[..]
            };
            let s = Resync::one(f, view, synced, &last, true);
            match s {
                Step::Wait => break,
                Step::Rewind { back: n } => {
                    let put = last.get(last.len().saturating_sub(n)..).unwrap_or_default();
                    back.splice(0..0, put.iter().copied());
                    last.clear();
                    synced = true;
                    self.settled.push_back(s);
                    continue;
                }
                Step::Frame(_) | Step::Junk { .. } => {}
            }
            self.settled.push_back(s);
            Resync::keep_last(&mut last, s, view);
            let n = taken(s);
            let from_back = n.min(back.len());
            back.drain(..from_back);
            at += n - from_back;
            if let Step::Junk { synced: s, .. } = s {
                synced = s;
            } else {
                synced = true;
                keep = at;
                keep_moves = self.settled.len();
            }
        }
        // Junk after the last frame goes with the tail: dropped, not reported.
        self.settled.truncate(keep_moves);
        self.settled_len = keep;
        self.synced = false;
        buf.len().saturating_sub(keep)
    }
}

/// Bytes of the buffer a move takes.
#[cfg(feature = "alloc")]
fn taken(s: Step) -> usize {
    match s {
        Step::Frame(n) => n,
        Step::Junk { skipped, .. } => skipped,
        Step::Rewind { .. } | Step::Wait => 0,
    }
}
