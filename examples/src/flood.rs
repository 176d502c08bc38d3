//! Hostile captures for memory tests: many distinct TCP flows to a well-known port, each a
//! SYN and one segment of random bytes (issue 10, "Memory under hostile input"). Every
//! flow is new to the scanner and carries a few bytes it has to judge, so the flow table
//! fills and stays full; what a flow costs before it holds data decides the peak memory.

use std::io::{self, Write};

use crate::pcapw::{Flags, Host, LINKTYPE_ETHERNET, PcapWriter, tcp_frame};
use crate::sample::{Rng, SAMPLE_START_US};

/// The server every flood flow goes to.
pub const FLOOD_SERVER: Host = Host::new([10, 0, 0, 2]);

/// Writes `flows` distinct TCP flows to `FLOOD_SERVER:port`, 10 µs apart: a SYN, then one
/// segment of 16 to 95 random bytes from a client address and port of its own (addresses
/// in 10.64.0.0/10, ports 1024 to 65023). The same `seed` writes the same bytes. Returns
/// the bytes written (about 190 per flow).
pub fn write_flood<W: Write>(out: W, flows: u32, port: u16, seed: u64) -> io::Result<u64> {
    let mut w = PcapWriter::new(out, LINKTYPE_ETHERNET)?;
    let mut rng = Rng::new(seed);
    let mut payload = [0u8; 96];
    let mut t = SAMPLE_START_US;
    for i in 0..flows {
        let [_, a, b, c] = i.to_be_bytes();
        let client = Host::new([10, 64 | (a & 0x3f), b, c]);
        let cport = 1024 + (i % 64_000) as u16;
        let isn = rng.next_u64() as u32;
        let syn = Flags {
            syn: true,
            ..Flags::default()
        };
        w.packet(
            t,
            &tcp_frame(client, FLOOD_SERVER, cport, port, isn, 0, syn, &[]),
        )?;
        let len = 16 + rng.below(80) as usize;
        let data = payload.get_mut(..len).unwrap_or_default();
        for chunk in data.chunks_mut(8) {
            let r = rng.next_u64().to_le_bytes();
            chunk.copy_from_slice(r.get(..chunk.len()).unwrap_or_default());
        }
        let psh = Flags {
            ack: true,
            psh: true,
            ..Flags::default()
        };
        let ack = rng.next_u64() as u32;
        let seg = tcp_frame(
            client,
            FLOOD_SERVER,
            cport,
            port,
            isn.wrapping_add(1),
            ack,
            psh,
            data,
        );
        w.packet(t + 5, &seg)?;
        t += 10;
    }
    let bytes = w.bytes;
    w.into_inner().flush()?;
    Ok(bytes)
}
