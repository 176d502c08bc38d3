//! Writes otscan's bundled sample capture (`examples/data/sample.pcap`), or with `--bulk` a
//! large Modbus polling capture for benchmarks.
//!
//! ```text
//! cargo run -p otwire-examples --bin gen-sample                       # regenerate the sample
//! cargo run --release -p otwire-examples --bin gen-sample -- --bulk 500M --out /tmp/big.pcap
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
    /// Servers polled in the bulk capture.
    #[arg(long, default_value_t = 20)]
    plcs: u8,
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
    let result = match args.bulk {
        Some(size) => {
            otwire_examples::sample::write_bulk(file, size, args.plcs).map(|n| n as usize)
        }
        None => otwire_examples::sample::write_sample(file).map(|_| 0),
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
