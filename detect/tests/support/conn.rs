//! One connection of a protocol driven call by call, as a tool that hands whole frames (or
//! stream bytes) to an analyzer would: the events of each call borrow the caller's scratch
//! buffer.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::indexing_slicing
)]

use otwire_detect::protocol::{Analyzer, Arena, ConnInfo, Out, Session, Stream, Transport};
use otwire_detect::{Direction, Event, Meta};

pub struct Conn<A: Analyzer> {
    pub stream: Stream<A>,
}

impl<A: Analyzer> Conn<A> {
    /// A TCP connection on the protocol's well-known port.
    pub fn tcp() -> Self {
        Self::with(ConnInfo {
            transport: Transport::Tcp,
            on_port: true,
        })
    }

    /// A UDP conversation on the protocol's well-known port.
    pub fn udp() -> Self {
        Self::with(ConnInfo {
            transport: Transport::Udp,
            on_port: true,
        })
    }

    pub fn with(info: ConnInfo) -> Self {
        Self {
            stream: Stream::new(info),
        }
    }

    /// Every event `bytes` complete, borrowing `scratch`.
    pub fn events<'b>(
        &mut self,
        scratch: &'b mut Vec<u8>,
        meta: Meta,
        dir: Direction,
        bytes: &'b [u8],
    ) -> Vec<Event<'b>> {
        scratch.clear();
        scratch.resize(2 * (self.stream.buffered() + bytes.len()) + 64, 0);
        let mut arena = Arena::new(scratch);
        let mut events = Vec::new();
        self.stream
            .data(&mut Out::new(meta, &mut arena, &mut events), dir, bytes);
        events
    }

    /// The last event `bytes` complete that detection sees, if any.
    pub fn frame<'b>(
        &mut self,
        scratch: &'b mut Vec<u8>,
        meta: Meta,
        dir: Direction,
        bytes: &'b [u8],
    ) -> Option<Event<'b>> {
        self.events(scratch, meta, dir, bytes)
            .into_iter()
            .rfind(|e| !e.record_only)
    }

    /// The one event `bytes` complete.
    pub fn one<'b>(
        &mut self,
        scratch: &'b mut Vec<u8>,
        meta: Meta,
        dir: Direction,
        bytes: &'b [u8],
    ) -> Event<'b> {
        let v = self.events(scratch, meta, dir, bytes);
        assert_eq!(v.len(), 1, "{v:#?}");
        v[0]
    }
}
