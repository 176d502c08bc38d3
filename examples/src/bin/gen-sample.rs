//! Writes otscan's bundled sample capture (`examples/data/sample.pcap`), or with `--bulk` a
//! large Modbus polling capture for benchmarks, or with `--repeat N --from FILE` N copies of
//! a real Ethernet capture as distinct conversations (each copy later in time, its ephemeral
//! ports shifted), so that every copy is decoded, not taken for retransmissions; or with
//! `--flood N` a hostile capture of N distinct TCP flows to port 502 (a SYN and random
//! bytes each) for memory tests; or with `--plant SITES` a plant of many hosts in many
//! subnets (Modbus polling) for the HTML report's map.
//!
//! ```text
//! cargo run -p otwire-examples --bin gen-sample                       # regenerate the sample
//! cargo run --release -p otwire-examples --bin gen-sample -- --bulk 500M --out /tmp/big.pcap
//! cargo run --release -p otwire-examples --bin gen-sample -- --repeat 70 \
//!     --from ../shared/captures/modbus/plant1_ModbusTCP.pcap --out /tmp/plant70.pcap
//! cargo run --release -p otwire-examples --bin gen-sample -- --flood 600000 --out /tmp/flood.pcap
//! cargo run -p otwire-examples --bin gen-sample -- --plant 12 --plcs 30 --out /tmp/plant.pcap
//! ```

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Generates the sample capture, or a bulk polling capture.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Output file (default: the package's data/sample.pcap).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write a polling capture of at least this size instead (e.g. 500M, 2G, 10000000).
    #[arg(long, value_parser = parse_size)]
    bulk: Option<u64>,
    /// Servers polled in the bulk capture (per site with --plant).
    #[arg(long, default_value_t = 20)]
    plcs: u8,
    /// Write a plant of this many /24 sites instead, each an HMI polling --plcs PLCs, and a
    /// historian reading every site (many hosts, for the HTML report's map).
    #[arg(long, value_name = "SITES")]
    plant: Option<u8>,
    /// Write this many copies of `--from` (an Ethernet pcap or pcapng) instead.
    #[arg(long, requires = "from")]
    repeat: Option<u32>,
    /// The capture `--repeat` copies.
    #[arg(long)]
    from: Option<PathBuf>,
    /// Write this many distinct TCP flows to port 502 instead, each a SYN and one segment
    /// of random bytes (a hostile capture for memory tests).
    #[arg(long)]
    flood: Option<u32>,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, 'K' | 'k')) => (&s[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&s[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .map(|n| n.saturating_mul(mult))
        .map_err(|e| format!("bad size {s:?}: {e}"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let path = args
        .out
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample.pcap")));
    let file = match File::create(&path) {
        Ok(f) => BufWriter::with_capacity(1 << 20, f),
        Err(e) => {
            eprintln!("gen-sample: cannot create {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let result = match (args.repeat, &args.from, args.bulk) {
        _ if args.plant.is_some() => {
            let sites = args.plant.unwrap_or(0);
            otwire_examples::sample_plant::write_plant(file, sites, args.plcs).map(|n| n as usize)
        }
        _ if args.flood.is_some() => {
            let flows = args.flood.unwrap_or(0);
            otwire_examples::flood::write_flood(file, flows, 502, 7).map(|n| n as usize)
        }
        (Some(n), Some(from), _) => repeat(file, from, n),
        (_, _, Some(size)) => {
            otwire_examples::sample::write_bulk(file, size, args.plcs).map(|n| n as usize)
        }
        _ => otwire_examples::sample::write_sample(file).map(|_| 0),
    };
    match result {
        Ok(_) => {
            eprintln!("gen-sample: wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-sample: {e}");
            ExitCode::from(1)
        }
    }
}

/// Writes `copies` copies of the Ethernet capture at `from`: copy `i` is shifted in time by
/// `i` times (the capture's span plus one second), and every TCP/UDP port outside the
/// well-known OT ports and below 1024 is shifted by `i * 97` within 1024-65535 (TCP and UDP
/// checksums are left as they were: neither otscan nor tshark checks them by default).
fn repeat<W: std::io::Write>(
    out: W,
    from: &std::path::Path,
    copies: u32,
) -> std::io::Result<usize> {
    use otwire_examples::capture::CaptureReader;
    use otwire_examples::pcapw::{LINKTYPE_ETHERNET, PcapWriter};
    let read = || -> std::io::Result<Vec<(i64, Vec<u8>)>> {
        let file = File::open(from)?;
        let mut r = CaptureReader::new(std::io::BufReader::new(file))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let mut v = Vec::new();
        while let Some(p) = r
            .next_packet()
            .map_err(|e| std::io::Error::other(e.to_string()))?
        {
            if p.linktype != LINKTYPE_ETHERNET as i32 {
                return Err(std::io::Error::other(
                    "--repeat takes Ethernet captures only",
                ));
            }
            v.push((p.ts_us, p.data.to_vec()));
        }
        Ok(v)
    };
    let packets = read()?;
    let (first, last) = packets.iter().fold((i64::MAX, i64::MIN), |(a, b), (t, _)| {
        (a.min(*t), b.max(*t))
    });
    let span = last.saturating_sub(first).max(0) + 1_000_000;
    let mut w = PcapWriter::new(out, LINKTYPE_ETHERNET)?;
    for i in 0..copies {
        for (ts, data) in &packets {
            let mut d = data.clone();
            shift_ports(&mut d, i);
            w.packet(ts + i64::from(i) * span, &d)?;
        }
    }
    Ok(w.packets as usize)
}

/// Shifts the ephemeral ports of an Ethernet / IPv4 / TCP-or-UDP frame by `i * 97`.
fn shift_ports(frame: &mut [u8], i: u32) {
    const WELL_KNOWN: &[u16] = otwire_examples::flow::WELL_KNOWN_PORTS;
    let Some(ip) = frame.get(14..) else { return };
    let (Some(&ver_ihl), Some(&proto)) = (ip.first(), ip.get(9)) else {
        return;
    };
    if frame.get(12..14) != Some(&[0x08, 0x00]) || ver_ihl >> 4 != 4 || !matches!(proto, 6 | 17) {
        return;
    }
    let at = 14 + usize::from(ver_ihl & 0x0f) * 4;
    for off in [at, at + 2] {
        let Some(b) = frame.get_mut(off..off + 2) else {
            return;
        };
        let Ok(two) = <[u8; 2]>::try_from(&*b) else {
            return;
        };
        let port = u16::from_be_bytes(two);
        if port < 1024 || WELL_KNOWN.contains(&port) {
            continue;
        }
        let mut p = 1024 + ((u32::from(port) - 1024 + i * 97) % 64_512) as u16;
        while WELL_KNOWN.contains(&p) {
            p = p.wrapping_add(1).max(1024);
        }
        b.copy_from_slice(&p.to_be_bytes());
    }
}
