//! Two batches in flight: while the sink (merge, detection, inventory, records) handles one
//! batch, the shards already decode the next.
//!
//! Two workers (this thread and one more) take batches in turn. Each owns one set of
//! arenas, so the events of its batch borrow only what it owns. Two tokens go back and forth
//! between them: the shards (with the channel the batches come from) and the sink. A worker
//! waits for the shards, decodes its batch, hands the shards over, waits for the sink,
//! handles its batch, hands the sink over. The shards see the batches in order and so does
//! the sink, so the output is what one thread would make; only the work overlaps.

use std::sync::mpsc::{Receiver, Sender, channel};

use crate::batch::Batch;
use crate::scanner::Report;
use crate::shard::{self, Shard, Spares};
use crate::sink::Sink;

/// The turn to run the shards on the next batch, or the end of the scan.
enum Turn<'s> {
    Shards(&'s mut [Shard], Receiver<Batch>),
    Stop,
}

/// One worker's channels: turns and the sink come in from the other worker and go out to
/// it.
struct Ends<'s, R: Report> {
    turns: Receiver<Turn<'s>>,
    next: Sender<Turn<'s>>,
    sinks: Receiver<&'s mut Sink<R>>,
    pass: Sender<&'s mut Sink<R>>,
}

/// Runs every batch `batches` delivers through `shards` and `sink`, two batches at a time,
/// until the channel closes. `done` gets each batch after its sink step (emptied, to
/// recycle) with the sink as it is then.
pub(crate) fn run<R: Report + Send>(
    shards: &mut [Shard],
    sink: &mut Sink<R>,
    arenas: &mut [Vec<Vec<u8>>; 2],
    batches: Receiver<Batch>,
    done: &(dyn Fn(&Sink<R>, Batch) + Sync),
) {
    let (turn0, turns0) = channel();
    let (turn1, turns1) = channel();
    let (sink0, sinks0) = channel();
    let (sink1, sinks1) = channel();
    // The first worker starts with both tokens.
    let _ = turn0.send(Turn::Shards(shards, batches));
    let _ = sink0.send(sink);
    let [a0, a1] = arenas;
    let first = Ends {
        turns: turns0,
        next: turn1,
        sinks: sinks0,
        pass: sink1,
    };
    let second = Ends {
        turns: turns1,
        next: turn0,
        sinks: sinks1,
        pass: sink0,
    };
    std::thread::scope(|s| {
        let other = s.spawn(move || worker(second, a1, done));
        worker(first, a0, done);
        if let Err(e) = other.join() {
            std::panic::resume_unwind(e);
        }
    });
}

/// One worker: decodes a batch when it has the shards, handles it when it has the sink.
fn worker<'s, R: Report + Send>(
    ends: Ends<'s, R>,
    arenas: &mut [Vec<u8>],
    done: &(dyn Fn(&Sink<R>, Batch) + Sync),
) {
    let mut spares: Vec<Spares> = Vec::new();
    while let Ok(Turn::Shards(shards, batches)) = ends.turns.recv() {
        let Ok(mut batch) = batches.recv() else {
            // End of input: once the other worker has handled its last batch, stop it.
            let _ = ends.sinks.recv();
            let _ = ends.next.send(Turn::Stop);
            return;
        };
        for (s, sp) in shards.iter_mut().zip(spares.drain(..)) {
            s.lend(sp);
        }
        let threads = shards.len();
        let mut outputs = shard::run(shards, arenas, &batch);
        if ends.next.send(Turn::Shards(shards, batches)).is_err() {
            return;
        }
        let Ok(sink) = ends.sinks.recv() else { return };
        sink.handle(&mut outputs, threads);
        spares.extend(outputs.into_iter().map(|o| o.into_spares()));
        batch.clear();
        done(sink, batch);
        if ends.pass.send(sink).is_err() {
            return;
        }
    }
}
