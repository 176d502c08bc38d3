//! The scanner's shards: each owns the flows whose addresses hash to it, reassembles their
//! TCP streams and runs the protocols' analyzers on them, one run of packets at a time,
//! all shards at once on threads of their own.

use otwire_detect::Event;
use otwire_detect::net::Link;

use crate::batch::{Batch, Kind};
use crate::conn::{Conn, Ctx, Item};
use crate::flow::{FlowLimits, FlowTable, PacketMeta, TcpSegment};

/// One shard: its flows and the vectors its last output used, kept for their allocations.
pub(crate) struct Shard {
    pub(crate) flows: FlowTable<Conn>,
    spare_items: Vec<Item>,
    spare_events: Vec<Event<'static>>,
}

/// What a shard produced from a run of packets.
#[derive(Debug, Default)]
pub(crate) struct Output<'b> {
    pub(crate) items: Vec<Item>,
    pub(crate) events: Vec<Event<'b>>,
    pub(crate) dropped: u64,
}

impl<'b> From<Ctx<'b>> for Output<'b> {
    fn from(c: Ctx<'b>) -> Self {
        Output {
            items: c.items,
            events: c.events,
            dropped: c.dropped,
        }
    }
}

impl Shard {
    /// A shard with its share of the flow limits.
    pub(crate) fn new(limits: FlowLimits) -> Self {
        Shard {
            flows: FlowTable::new(limits),
            spare_items: Vec::new(),
            spare_events: Vec::new(),
        }
    }

    /// The scratch room a run needs: copies of the frames completed from buffered bytes,
    /// which are at most the bytes held plus the bytes of the run.
    fn ctx<'b>(&mut self, arena: &'b mut Vec<u8>, own: usize) -> Ctx<'b> {
        let need = 2 * (self.flows.held() + own) + 4096;
        if arena.len() < need {
            arena.resize(need, 0);
        }
        Ctx::new(
            arena.get_mut(..need).unwrap_or_default(),
            std::mem::take(&mut self.spare_items),
            std::mem::take(&mut self.spare_events),
        )
    }

    /// Runs the batch's packets of shard `me` (and every packet's time).
    fn run<'b>(&mut self, arena: &'b mut Vec<u8>, batch: &'b Batch, me: usize) -> Output<'b> {
        let own = batch.payload.get(me).copied().unwrap_or(0);
        let mut ctx = self.ctx(arena, own);
        for p in &batch.pkts {
            ctx.seq = p.meta.seq;
            ctx.phase = 0;
            // What the table does on its own carries no packet's link metadata.
            ctx.link = Link::NONE;
            self.flows.sweep(&mut ctx, p.meta);
            if p.shard != me {
                continue;
            }
            ctx.phase = 1;
            ctx.link = p.link;
            let payload = batch.payload(p);
            match p.kind {
                Kind::Tcp(h) => {
                    let seg = TcpSegment {
                        src: p.src,
                        dst: p.dst,
                        seq: h.seq,
                        ack: h.ack,
                        syn: h.syn,
                        ack_flag: h.ack_flag,
                        fin: h.fin,
                        rst: h.rst,
                        payload,
                        declared: p.declared,
                    };
                    self.flows.tcp(&mut ctx, seg, p.meta);
                }
                Kind::Udp => self.flows.udp(&mut ctx, p.src, p.dst, p.meta, payload),
                Kind::Net(i) => {
                    if let Some(net) = batch.net(i) {
                        ctx.network(p.meta, p.src, p.dst, net);
                    }
                }
            }
        }
        ctx.into()
    }

    /// Closes the flows whose first packet is at most `bound` (end of input), in order of
    /// first packet.
    pub(crate) fn finish<'b>(
        &mut self,
        arena: &'b mut Vec<u8>,
        last: PacketMeta,
        bound: u64,
    ) -> Output<'b> {
        let mut ctx = self.ctx(arena, 0);
        ctx.seq = u64::MAX;
        ctx.phase = 0;
        self.flows.finish_upto(&mut ctx, last, bound);
        ctx.into()
    }

    /// Takes back an output's vectors, emptied, for a later run.
    pub(crate) fn reclaim(&mut self, o: Output<'_>) {
        self.spare_items = o.items;
        self.spare_events = otwire_detect::protocol::recycle(o.events);
    }
}

/// Runs a batch through every shard, each with its own arena (shard 0 on the calling
/// thread, the others on threads of their own); the outputs in shard order.
pub(crate) fn run<'b>(
    shards: &mut [Shard],
    arenas: &'b mut [Vec<u8>],
    batch: &'b Batch,
) -> Vec<Output<'b>> {
    let mut jobs = shards.iter_mut().zip(arenas.iter_mut()).enumerate();
    if jobs.len() == 1 {
        return jobs.map(|(i, (s, a))| s.run(a, batch, i)).collect();
    }
    std::thread::scope(|scope| {
        let first = jobs.next();
        let handles: Vec<_> = jobs
            .map(|(i, (s, a))| scope.spawn(move || s.run(a, batch, i)))
            .collect();
        let mut outs: Vec<Output<'b>> = first
            .map(|(i, (s, a))| s.run(a, batch, i))
            .into_iter()
            .collect();
        for h in handles {
            match h.join() {
                Ok(o) => outs.push(o),
                Err(e) => std::panic::resume_unwind(e),
            }
        }
        outs
    })
}
