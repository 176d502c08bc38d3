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

/// One move of a stream decoder over the bytes it holds ([`step`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// A frame of this many bytes at the front.
    Frame(usize),
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
}

/// Judges the candidate frame at the front of `view` (see the [module docs](self)).
/// `synced` selects the lenient header check; `end` says that no byte will follow `view`.
pub fn verdict<F: Framing + ?Sized>(f: &F, view: &[u8], synced: bool, end: bool) -> Verdict {
    let total = match f.header(view, synced) {
        Verdict::Frame(n) => n,
        Verdict::Junk => return Verdict::Junk,
        Verdict::Wait => {
            // A whole frame inside the declared length already makes it junk, whatever
            // the rest of the header turns out to be.
            let holds_whole = f
                .declared_len(view)
                .is_some_and(|n| inner_frames(f, view, n, end) == Inner::Whole);
            return if end || holds_whole {
                Verdict::Junk
            } else {
                Verdict::Wait
            };
        }
    };
    let inner = match inner_frames(f, view, total, end) {
        Inner::Whole => return Verdict::Junk,
        _ if view.len() < total => return if end { Verdict::Junk } else { Verdict::Wait },
        Inner::Start => Probe::Recognized,
        Inner::Unknown => Probe::NeedMore,
        Inner::None => return Verdict::Frame(total),
    };
    if inner == Probe::Unrecognized {
        return Verdict::Frame(total);
    }
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
        (Probe::Unrecognized, Probe::Recognized) => Verdict::Junk,
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

/// The moves over bytes after which a gap comes: [`step`] with `end`, from the front to
/// the last byte (an iterator, so that a decoder can settle them before the gap).
#[derive(Debug, Clone)]
pub struct Settle<'a, F: Framing + ?Sized> {
    framing: &'a F,
    view: &'a [u8],
    synced: bool,
}

impl<'a, F: Framing + ?Sized> Settle<'a, F> {
    /// The moves over `view`, starting in sync or not.
    pub fn new(framing: &'a F, view: &'a [u8], synced: bool) -> Self {
        Settle {
            framing,
            view,
            synced,
        }
    }
}

impl<F: Framing + ?Sized> Iterator for Settle<'_, F> {
    type Item = Step;

    fn next(&mut self) -> Option<Step> {
        let s = step(self.framing, self.view, self.synced, true);
        let (n, synced) = match s {
            Step::Frame(n) => (n, true),
            Step::Junk { skipped, synced } => (skipped, synced),
            Step::Wait => return None,
        };
        self.view = self.view.get(n..).unwrap_or_default();
        self.synced = synced;
        Some(s)
    }
}

/// The synchronisation state of a stream decoder, and the moves already settled for the
/// bytes at the front of its buffer (those received before a gap). The decoder keeps the
/// bytes; this keeps what to do with them (feature `alloc`).
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, Default)]
pub struct Resync {
    synced: bool,
    settled: alloc::collections::VecDeque<Step>,
    /// Bytes the settled moves cover.
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

    /// The next move over `buf`, the decoder's whole buffer; the decoder must apply it
    /// (take the frame, drop the junk) before asking again.
    pub fn next<F: Framing + ?Sized>(&mut self, f: &F, buf: &[u8]) -> Step {
        if let Some(s) = self.settled.pop_front() {
            let n = match s {
                Step::Frame(n) | Step::Junk { skipped: n, .. } => n,
                Step::Wait => 0,
            };
            self.settled_len = self.settled_len.saturating_sub(n);
            if self.settled.is_empty() {
                // Past the bytes received before the gap: search for the next frame.
                self.settled_len = 0;
                self.synced = false;
            }
            return s;
        }
        let s = step(f, buf, self.synced, false);
        match s {
            Step::Frame(_) => self.synced = true,
            Step::Junk { synced, .. } => self.synced = synced,
            Step::Wait => {}
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
        let synced = self.settled.is_empty() && self.synced;
        let mut at = start;
        let mut keep = start;
        let mut keep_moves = self.settled.len();
        for s in Settle::new(f, buf.get(start..).unwrap_or_default(), synced) {
            self.settled.push_back(s);
            match s {
                Step::Frame(n) => {
                    at += n;
                    keep = at;
                    keep_moves = self.settled.len();
                }
                Step::Junk { skipped, .. } => at += skipped,
                Step::Wait => {}
            }
        }
        // Junk after the last frame goes with the tail: dropped, not reported.
        self.settled.truncate(keep_moves);
        self.settled_len = keep;
        self.synced = false;
        buf.len().saturating_sub(keep)
    }

    /// Whether moves settled before a gap are still to be taken.
    pub fn has_settled(&self) -> bool {
        !self.settled.is_empty()
    }
}
