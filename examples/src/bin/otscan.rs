//! otscan: scan pcap / pcapng captures for OT protocol traffic, inventory the assets, and
//! raise ATT&CK for ICS alerts. See `otscan --help` and examples/README.md.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use otwire_examples::capture::{CaptureError, CaptureReader, Packet};
use otwire_examples::output::{InputsSummary, JsonLines, write_assets, write_summary};
use otwire_examples::record::Severity;
use otwire_examples::scanner::{Report, ScanOptions, Scanner};
use otwire_examples::siem::AlertFormat;

const EXIT_HELP: &str = "\
Exit status:
  0  the scan completed (with or without alerts)
  1  the scan completed and --fail-on was given and an alert at or above that severity fired
  2  usage error, or an input could not be opened or is not a pcap / pcapng capture

A capture cut short or corrupt part-way is scanned up to the damage, with a warning on
stderr (and in the summary); it does not change the exit status.

With no CAPTURE, otscan scans the sample capture bundled with it (Modbus, S7comm and
EtherNet/IP polling between an HMI and PLCs, DNP3 and IEC 104 supervision of two RTUs, plus a
handful of attacks), learning a baseline from its first 15 s.

Without --learn or --baseline-in, the baseline is learned during the configuration's
learning_secs (default 3600 s of capture time); single-message detectors (dangerous function
codes, protocol conformance) alert from the first packet either way.";

/// Scan pcap / pcapng captures for OT protocol traffic (Modbus/TCP, DNP3, IEC 104, S7comm, EtherNet/IP): inventory the
/// assets, decode every PDU, and raise ATT&CK for ICS alerts.
#[derive(Parser, Debug)]
#[command(version, after_help = EXIT_HELP)]
struct Args {
    /// Capture files (pcap or pcapng); `-` reads standard input. Scanned in order as one
    /// capture (flows continue across files; frame numbers restart in each file).
    #[arg(conflicts_with = "interface")]
    captures: Vec<PathBuf>,

    /// What to print: a human summary, or JSON lines (one record per alert, per PDU, or per
    /// asset; ecs and eve: alerts as Elastic Common Schema documents or Suricata EVE records).
    #[arg(long, short, value_enum, default_value_t = Output::Summary)]
    output: Output,

    /// Write the JSON lines of --output to FILE instead of standard output; the summary
    /// then prints on standard output.
    #[arg(long, value_name = "FILE")]
    output_file: Option<PathBuf>,

    #[command(flatten)]
    live: otwire_examples::live::LiveArgs,

    /// Learn a baseline during the first SECONDS of capture time, then detect deviations from it.
    #[arg(long, value_name = "SECONDS")]
    learn: Option<f64>,

    /// Load a baseline saved by --baseline-out before scanning.
    #[arg(long, value_name = "FILE")]
    baseline_in: Option<PathBuf>,

    /// Save the baseline learned during this scan.
    #[arg(long, value_name = "FILE")]
    baseline_out: Option<PathBuf>,

    /// Detection configuration (TOML; see otwire-detect's Config).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Exit with status 1 when an alert of this severity or higher fires.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<FailOn>,

    /// Alerts listed under "Top alerts" in the summary.
    #[arg(long, default_value_t = 15)]
    top: usize,

    /// Most flows tracked at once (the longest idle are evicted beyond it).
    #[arg(long, default_value_t = 65_536)]
    max_flows: usize,

    /// Which copy wins when a TCP segment resends bytes with different content (an overlap
    /// conflict, always reported): the first seen, or the last (replacing bytes still
    /// queued; delivered bytes are never taken back).
    #[arg(long, value_enum, default_value_t = Overlap::First)]
    overlap: Overlap,

    /// Worker threads flows are spread over (default: one per core). The output is the
    /// same whatever the number.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Decode and inventory only: no detection (faster; no alerts).
    #[arg(long, conflicts_with_all = ["learn", "baseline_in", "baseline_out", "config", "fail_on"])]
    no_detect: bool,

    /// Never show a progress bar.
    #[arg(long)]
    no_progress: bool,

    /// Also write a self-contained HTML report (asset inventory, communication map, alert
    /// timeline and ATT&CK for ICS table, statistics) to FILE.
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Summary,
    Alerts,
    Pdus,
    Assets,
    Ecs,
    Eve,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Overlap {
    First,
    Last,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Low,
    Medium,
    High,
    Critical,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Low => Severity::Low,
            FailOn::Medium => Severity::Medium,
            FailOn::High => Severity::High,
            FailOn::Critical => Severity::Critical,
        }
    }
}

/// Learning period used for the bundled sample.
const SAMPLE_LEARN_SECS: f64 = 15.0;

/// Files larger than this get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_BYTES: u64 = 8 << 20;

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("otscan: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Set by Ctrl-C (or SIGTERM) during a live capture.
static STOP: AtomicBool = AtomicBool::new(false);

fn run(args: &Args) -> Result<ExitCode, String> {
    if args.live.list_interfaces {
        let list = otwire_examples::live::list_interfaces()?;
        otwire_examples::live::write_interfaces(&mut io::stdout().lock(), &list)
            .map_err(|e| format!("writing output: {e}"))?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.output_file.is_some() && args.output == Output::Summary {
        return Err(
            "--output-file writes JSON lines: give --output alerts|pdus|assets|ecs|eve".into(),
        );
    }
    let live = args.live.options();
    let options = ScanOptions {
        flows: otwire_examples::flow::FlowLimits {
            max_flows: args.max_flows.max(1),
            tcp: otwire_examples::tcp::TcpLimits {
                overlap: match args.overlap {
                    Overlap::First => otwire_examples::tcp::OverlapPolicy::First,
                    Overlap::Last => otwire_examples::tcp::OverlapPolicy::Last,
                },
                ..Default::default()
            },
            ..Default::default()
        },
        threads: args.threads.unwrap_or(0),
        ..ScanOptions::default()
    };
    // The bundled sample is one minute long: learn its first 15 s unless told otherwise.
    let sample_learning =
        (args.captures.is_empty() && live.is_none() && args.baseline_in.is_none())
            .then_some(SAMPLE_LEARN_SECS);
    let detection = if args.no_detect {
        None
    } else {
        Some(otwire_examples::detect_engine::build(
            &otwire_examples::detect_engine::DetectArgs {
                learn_seconds: args.learn.or(sample_learning),
                baseline_in: args.baseline_in.clone(),
                config: args.config.clone(),
            },
        )?)
    };
    let out: Box<dyn Write> = match &args.output_file {
        Some(p) => Box::new(File::create(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => Box::new(io::stdout().lock()),
    };
    let out = BufWriter::with_capacity(1 << 16, out);
    let report = JsonLines::new(
        out,
        args.output == Output::Pdus,
        matches!(args.output, Output::Alerts | Output::Ecs | Output::Eve),
    )
    .with_alert_format(match args.output {
        Output::Ecs => AlertFormat::Ecs,
        Output::Eve => AlertFormat::Eve,
        _ => AlertFormat::Otwire,
    });
    let mut scanner = match detection {
        Some(d) => Scanner::with_detection(options, report, d),
        None => Scanner::new(options, report),
    };
    if args.report.is_some() {
        scanner.collect_for_report();
    }
    let mut inputs = InputsSummary::default();

    if let Some(opts) = &live {
        let mut cap = otwire_examples::live::open(opts)?;
        ctrlc::set_handler(|| STOP.store(true, Ordering::Relaxed))
            .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
        eprintln!(
            "otscan: capturing on {}{}; Ctrl-C stops",
            opts.interface,
            opts.filter
                .as_ref()
                .map(|f| format!(" (filter {f:?})"))
                .unwrap_or_default()
        );
        let summary = otwire_examples::live::capture(&mut cap, opts, &mut scanner, &STOP, |s| {
            let _ = s.report_mut().get_mut().flush();
        })?;
        eprintln!(
            "otscan: capture on {} stopped: {}",
            opts.interface, summary.stop
        );
        inputs.span = summary.span;
        inputs.live = Some(summary);
    } else if args.captures.is_empty() {
        scan(
            &mut scanner,
            "(bundled sample)",
            otwire_examples::sample::SAMPLE_PCAP,
            0,
            args,
            &mut inputs,
        )?;
    }
    for path in &args.captures {
        let name = path.display().to_string();
        if name == "-" {
            scan(&mut scanner, "(stdin)", io::stdin(), 0, args, &mut inputs)?;
        } else {
            let file = File::open(path).map_err(|e| format!("{name}: {e}"))?;
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            scan(&mut scanner, &name, file, size, args, &mut inputs)?;
        }
        if scanner.report().error.is_some() {
            break;
        }
    }
    scanner.finish();
    if let Some(path) = &args.baseline_out {
        otwire_examples::detect_engine::save_baseline(scanner.detection(), path)?;
    }
    if let Some(path) = &args.report {
        write_report(path, &scanner, &inputs, &args.captures)?;
    }

    let mut code = ExitCode::SUCCESS;
    if let Some(f) = args.fail_on
        && scanner
            .alerts()
            .max_severity()
            .is_some_and(|s| s >= f.severity())
    {
        code = ExitCode::from(1);
    }
    if args.output_file.is_some() {
        // The JSON lines go to the file, the summary to the terminal.
        let mut buf = Vec::new();
        write_summary(&mut buf, &scanner, &inputs, args.top)
            .and_then(|()| io::stdout().lock().write_all(&buf))
            .map_err(|e| format!("writing the summary: {e}"))?;
    }
    let mut buf = Vec::new();
    let result = match args.output {
        Output::Summary => write_summary(&mut buf, &scanner, &inputs, args.top),
        Output::Assets => write_assets(&mut buf, &scanner),
        _ => Ok(()),
    }
    .and_then(|()| scanner.report_mut().get_mut().write_all(&buf));
    let flushed = result.and_then(|()| scanner.report_mut().flush());
    match flushed {
        Ok(()) => Ok(code),
        // A closed pipe (otscan … | head) is not an error of the scan.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(code),
        Err(e) => Err(format!("writing output: {e}")),
    }
}

/// Writes `--report FILE.html`.
fn write_report<R: otwire_examples::scanner::Report>(
    path: &std::path::Path,
    scanner: &Scanner<R>,
    inputs: &InputsSummary,
    captures: &[PathBuf],
) -> Result<(), String> {
    let source = if let Some(l) = &inputs.live {
        format!("live capture on {}", l.interface)
    } else if captures.is_empty() {
        "(bundled sample)".to_string()
    } else {
        let names: Vec<String> = captures.iter().map(|p| p.display().to_string()).collect();
        names.join(", ")
    };
    let err = |e: io::Error| format!("{}: {e}", path.display());
    let mut out = BufWriter::new(File::create(path).map_err(err)?);
    otwire_examples::report::write_html(&mut out, scanner, inputs, &source).map_err(err)?;
    out.flush().map_err(err)
}

fn scan<'r, R: Read + Send + 'r, W: Write>(
    scanner: &mut Scanner<JsonLines<W>>,
    name: &str,
    input: R,
    size: u64,
    args: &Args,
    inputs: &mut InputsSummary,
) -> Result<(), String> {
    let mut reader = CaptureReader::new(input).map_err(|e| format!("{name}: {e}"))?;
    inputs.files += 1;
    let bar =
        (!args.no_progress && size > PROGRESS_MIN_BYTES && io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(size);
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message(name.to_string());
            bar
        });
    let mut read = |hand: &mut dyn FnMut(&Packet<'_>) -> bool| loop {
        match reader.next_packet() {
            Ok(Some(p)) => {
                inputs.span = Some(match inputs.span {
                    Some((a, b)) => (a.min(p.ts_us), b.max(p.ts_us)),
                    None => (p.ts_us, p.ts_us),
                });
                let frame = p.frame;
                let go_on = hand(&p);
                if frame % 8192 == 0
                    && let Some(bar) = &bar
                {
                    bar.set_position(reader.offset());
                }
                if !go_on {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                let msg = match e {
                    CaptureError::Truncated { .. } => {
                        format!("{name}: {e} (after frame {})", reader.frames())
                    }
                    _ => format!(
                        "{name}: {e} (after frame {}); the rest of the file is skipped",
                        reader.frames()
                    ),
                };
                eprintln!("otscan: warning: {msg}");
                inputs.warnings.push(msg);
                break;
            }
        }
    };
    if scanner.threads() > 1 {
        // Reading (pcap, IP and transport headers) beside the shards and detection.
        scanner.read_alongside(read);
    } else {
        read(&mut |p: &Packet<'_>| {
            scanner.packet(p);
            !scanner.report().failed()
        });
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(())
}
