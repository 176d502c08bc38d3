//! Sessions keyed by flow, for tools that see `(flow, direction, bytes)` one call at a
//! time (an IDS engine's stream callback, a test): one [`Stream`] per flow in a capped
//! table, and a scratch arena reused across calls.

use super::{Analyzer, Arena, ConnInfo, Out, Session, Stream, Transport};
use crate::event::{Direction, Event, Flow, Meta};
use crate::table::{BoundedMap, TableStats};

/// Flows remembered by default.
pub const DEFAULT_FLOWS: usize = 65_536;

/// The connections of protocol `A`, keyed by flow (client and server endpoints), at most
/// `cap` of them (the least recently used are forgotten).
pub struct Sessions<A: Analyzer> {
    flows: BoundedMap<Flow, Stream<A>>,
    transport: Transport,
    arena: Vec<u8>,
    spare: Vec<Event<'static>>,
}

impl<A: Analyzer> core::fmt::Debug for Sessions<A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sessions")
            .field("protocol", &A::PROTOCOL)
            .field("transport", &self.transport)
            .field("flows", &self.flows.len())
            .finish()
    }
}

impl<A: Analyzer> Sessions<A> {
    /// Sessions over `transport`, remembering [`DEFAULT_FLOWS`] flows.
    pub fn new(transport: Transport) -> Self {
        Self::with_capacity(transport, DEFAULT_FLOWS)
    }

    /// Sessions over `transport`, remembering `cap` flows.
    pub fn with_capacity(transport: Transport, cap: usize) -> Self {
        Self {
            flows: BoundedMap::new(cap),
            transport,
            arena: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// The flow table's counters.
    pub fn stats(&self) -> TableStats {
        self.flows.stats()
    }

    /// Bytes of one direction of `meta.flow` (the next TCP stream bytes, or one datagram);
    /// `f` sees every event they complete, in order. A flow is on the protocol's port when
    /// its server port is one of `A`'s well-known ports (else it is identified by probe).
    pub fn feed(&mut self, meta: Meta, dir: Direction, data: &[u8], mut f: impl FnMut(&Event<'_>)) {
        let ports = match self.transport {
            Transport::Tcp => A::TCP_PORTS,
            Transport::Udp => A::UDP_PORTS,
        };
        let info = ConnInfo {
            transport: self.transport,
            on_port: ports.contains(&meta.flow.server.port),
        };
        let Some((stream, _)) = self
            .flows
            .get_or_insert_with(meta.flow, || Stream::new(info))
        else {
            return;
        };
        // Every byte an event borrows is in `data` or was buffered: twice both is enough.
        let need = 2 * (stream.buffered() + data.len()) + 64;
        if self.arena.len() < need {
            self.arena.resize(need, 0);
        }
        let mut arena = Arena::new(self.arena.get_mut(..need).unwrap_or_default());
        let mut events = recycle(core::mem::take(&mut self.spare));
        {
            let mut out = Out::new(meta, &mut arena, &mut events);
            stream.data(&mut out, dir, data);
        }
        for ev in &events {
            f(ev);
        }
        self.spare = recycle(events);
    }

    /// Bytes of one direction of `flow` are missing before the next `feed`.
    pub fn gap(&mut self, flow: Flow, dir: Direction) {
        if let Some(s) = self.flows.get_mut(&flow) {
            s.gap(dir);
        }
    }

    /// Bytes of one direction of `flow` were resent with different content (a TCP overlap
    /// conflict the caller's reassembly found), just before the bytes it concerns: the
    /// next event of `dir` carries [`Conformance::OVERLAP_CONFLICT`](crate::Conformance)
    /// (see [`Session::conflict`]).
    pub fn conflict(&mut self, flow: Flow, dir: Direction) {
        if let Some(s) = self.flows.get_mut(&flow) {
            s.conflict(dir);
        }
    }

    /// The flow ended; `f` sees what its close reports.
    pub fn close(&mut self, meta: Meta, mut f: impl FnMut(&Event<'_>)) {
        let Some(mut stream) = self.flows.remove(&meta.flow) else {
            return;
        };
        let need = 2 * stream.buffered() + 64;
        if self.arena.len() < need {
            self.arena.resize(need, 0);
        }
        let mut arena = Arena::new(self.arena.get_mut(..need).unwrap_or_default());
        let mut events = Vec::new();
        stream.close(&mut Out::new(meta, &mut arena, &mut events));
        for ev in &events {
            f(ev);
        }
    }
}

/// An empty vector of events of another lifetime that keeps `v`'s allocation (a vector
/// collected in place from its own iterator reuses its buffer), so that a caller that
/// collects events per run of packets allocates nothing once the first run has sized it.
#[allow(clippy::unnecessary_filter_map)] // the point is the change of type, not the filter
pub fn recycle<'b>(mut v: Vec<Event<'_>>) -> Vec<Event<'b>> {
    v.clear();
    v.into_iter().filter_map(|_| None).collect()
}
