//! Framing a byte stream that may hold junk (DESIGN.md §2 "Streams"): the rules every
//! parser crate's `StreamDecoder` applies to decide whether the bytes at the front are a
//! frame, junk, or cannot be told yet.
//!
//! A protocol describes its frames through [`Framing`]; [`verdict`] judges one candidate
//! frame and [`step`] finds the next frame or the junk before it. The rules:
//!
//! - the candidate's header must pass the protocol's checks: lenient right after a frame
//!   (in sync, where an unusual frame is still the protocol's to flag), strict while
//!   searching for synchronisation;
//! - a candidate that holds a whole *trusted* frame after its first octet is junk: its
//!   length would swallow that frame;
//! - a candidate that holds the start of a trusted frame running past its end is a frame
//!   only if a trusted frame starts right after it (otherwise it is junk that would cut
//!   the frame inside it short);
//! - a candidate whose answer depends on bytes that have not arrived is `Wait`, never a
//!   guess, so that the frames of a stream do not depend on how it was chunked. With `end`
//!   (nothing more will come before a gap), what is missing is missing: a candidate cut
//!   short is junk, and the last whole candidate is a frame.
//!
//! Every answer depends on at most the candidate and a header's worth of bytes after it.
//! A protocol without a start octet cannot afford the look at what follows (every frame
//! would wait for the next one's header): it judges with its own rules
//! ([`Framing::judge`]) and asks [`Resync`] to look back ([`Framing::looks_back`]).

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
    /// check accepts, the lenient one must accept too.
    fn header(&self, view: &[u8], synced: bool) -> Verdict;

    /// The frame's length on the wire as its header declares it, as soon as the octets
    /// that declare it are there (before the rest of the header can be judged).
    fn declared_len(&self, view: &[u8]) -> Option<usize>;

    /// Whether a frame the decoder would trust starts at the front of `view`: the strict
    /// header check and whatever consistency checks the first octets allow.
    fn trusted(&self, view: &[u8]) -> Probe;

    /// Whether `view` starts with a whole trusted frame that ends within it and whose
    /// content agrees with its length (objects that fill it exactly, matching CRCs).
    fn whole(&self, view: &[u8]) -> bool;

    /// Judges the candidate at the front of `view`: [`verdict`] unless the protocol needs
    /// other rules. [`step`] asks this.
    fn judge(&self, view: &[u8], synced: bool, end: bool) -> Verdict {
        verdict(self, view, synced, end)
    }

    /// Whether [`Resync`] looks back into the frame it returned last when what follows it
    /// is not a frame (for protocols whose `judge` does not look at what follows).
    fn looks_back(&self) -> bool {
        false
    }

    /// The longest frame `header` accepts (a bound on the bytes a look back copies).
    fn max_frame_len(&self) -> usize {
        usize::MAX
    }
}

/// What starts inside a candidate frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inner {
    /// A whole trusted frame, within the candidate.
    Whole,
    /// The start of a trusted frame (that ends past the candidate's end).
    Start,
    /// Perhaps the start of one: bytes are missing to tell.
    Unknown,
    /// Nothing.
    None,
}

/// The frames that start after the first octet of the candidate of `total` octets at the
/// front of `view` (their headers may run past its end; a whole one must end within it).
fn inner_frames<F: Framing + ?Sized>(f: &F, view: &[u8], total: usize, end: bool) -> Inner {
    let candidate = view.get(..total).unwrap_or(view);
    let mut inner = Inner::None;
    for (i, &octet) in candidate.iter().enumerate().skip(1) {
        if !f.may_start(octet) {
            continue;
        }
        match f.trusted(view.get(i..).unwrap_or_default()) {
            Probe::Recognized => {
                if f.whole(candidate.get(i..).unwrap_or_default()) {
                    return Inner::Whole;
                }
                inner = Inner::Start;
            }
            Probe::NeedMore if !end && inner == Inner::None => inner = Inner::Unknown,
            _ => {}
        }
    }
    inner
}

/// Whether a whole trusted frame starts after the first octet of the candidate of `total`
/// octets at the front of `view` and ends within it (as far as `view` holds it).
pub fn holds_whole<F: Framing + ?Sized>(f: &F, view: &[u8], total: usize) -> bool {
    inner_frames(f, view, total, true) == Inner::Whole
}

/// Judges the candidate frame at the front of `view` by the rules of the
/// [module docs](self). `synced` selects the lenient header check; `end` says that no byte
/// will follow `view`.
pub fn verdict<F: Framing + ?Sized>(f: &F, view: &[u8], synced: bool, end: bool) -> Verdict {
    let total = match f.header(view, synced) {
        Verdict::Frame(n) => n,
        Verdict::Junk => return Verdict::Junk,
        Verdict::Wait => {
            // A whole frame inside the declared length already makes it junk, whatever
            // the rest of the header turns out to be.
            let holds = f
                .declared_len(view)
                .is_some_and(|n| holds_whole(f, view, n));
            return if end || holds {
                Verdict::Junk
            } else {
                Verdict::Wait
            };
        }
    };
    let inner = match inner_frames(f, view, total, end) {
        Inner::Whole => return Verdict::Junk,
        _ if view.len() < total => return if end { Verdict::Junk } else { Verdict::Wait },
        Inner::None => return Verdict::Frame(total),
        other => other,
    };
    let follows = match view.get(total..) {
        Some([]) | None if end => Probe::Recognized,
        Some([]) | None => Probe::NeedMore,
        Some(after) => match f.trusted(after) {
            Probe::NeedMore if end => Probe::Recognized,
            p => p,
        },
    };
    match (follows, inner) {
        (Probe::Recognized, _) => Verdict::Frame(total),
        (Probe::Unrecognized, Inner::Start) => Verdict::Junk,
        _ => Verdict::Wait,
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
        match f.judge(view, true, end) {
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
            match f.judge(rest, false, end) {
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
    match f.judge(view, false, end) {
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
        match f.judge(here, false, end) {
            Verdict::Frame(_) => return Some(Step::Rewind { back }),
            Verdict::Wait => return Some(Step::Wait),
            Verdict::Junk => {}
        }
    }
    None
}

/// The synchronisation state of a stream decoder, and the moves already settled for the
/// bytes at the front of its buffer (those received before a gap). The decoder keeps the
/// bytes; this keeps what to do with them (feature `alloc`).
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, Default)]
pub struct Resync {
    synced: bool,
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

    /// One move over `buf` from `synced`, looking back into `last` (the frame returned
    /// right before the front, empty if none) where the framing asks for it.
    fn one<F: Framing + ?Sized>(f: &F, buf: &[u8], synced: bool, last: &[u8], end: bool) -> Step {
        if synced && f.looks_back() && !last.is_empty() {
            if let Some(s) = look_back(f, last, buf, end) {
                return s;
            }
        }
        step(f, buf, synced, end)
    }

    /// The next move over `buf`, the decoder's whole buffer, right after `last` (the frame
    /// returned last, or empty after junk, a gap, or at the start); the decoder must apply
    /// it (take the frame, drop the junk, put bytes back) before asking again.
    pub fn next<F: Framing + ?Sized>(&mut self, f: &F, buf: &[u8], last: &[u8]) -> Step {
        if let Some(s) = self.settled.pop_front() {
            match s {
                Step::Rewind { back } => self.settled_len += back,
                _ => self.settled_len = self.settled_len.saturating_sub(taken(s)),
            }
            if self.settled.is_empty() {
                // Past the bytes received before the gap: search for the next frame.
                self.settled_len = 0;
                self.synced = false;
            }
            return s;
        }
        let s = Resync::one(f, buf, self.synced, last, false);
        match s {
            Step::Frame(_) | Step::Rewind { .. } => self.synced = true,
            Step::Junk { synced, .. } => self.synced = synced,
            Step::Wait => {}
        }
        s
    }

    /// Bytes are missing after `buf` (the decoder's whole buffer; `last` as for
    /// [`next`](Resync::next)): settles the moves over the bytes not settled yet as if the
    /// stream ended there, and returns how many bytes at the end of `buf` belong to no
    /// frame (a frame cut short by the gap, junk after the last frame): the decoder drops
    /// them. After the settled moves, the decoder searches for the next frame.
    pub fn gap<F: Framing + ?Sized>(&mut self, f: &F, buf: &[u8], last: &[u8]) -> usize {
        let start = self.settled_len.min(buf.len());
        let fresh = self.settled.is_empty();
        let mut synced = fresh && self.synced;
        let mut last: alloc::vec::Vec<u8> = if fresh {
            last.to_vec()
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
            self.settled.push_back(s);
            match s {
                Step::Rewind { back: n } => {
                    let put = last.get(last.len().saturating_sub(n)..).unwrap_or_default();
                    back.splice(0..0, put.iter().copied());
                    synced = true;
                    continue;
                }
                Step::Wait => {
                    self.settled.pop_back();
                    break;
                }
                _ => {}
            }
            let n = taken(s);
            let from_back = n.min(back.len());
            let taken_bytes = view.get(..n).unwrap_or_default().to_vec();
            back.drain(..from_back);
            at += n - from_back;
            match s {
                Step::Frame(_) => {
                    last = taken_bytes;
                    synced = true;
                    keep = at;
                    keep_moves = self.settled.len();
                }
                Step::Junk { synced: s, .. } => {
                    last.clear();
                    synced = s;
                }
                Step::Rewind { .. } | Step::Wait => {}
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
