//! Live capture (`otscan --interface IFACE`) through libpcap (the `pcap` crate): packets
//! from the wire go through the same [`Scanner`] as packets from a file, so the same
//! packets give the same records. Records and alerts stream as they are found: the
//! scanner's partial batch is run whenever the wire goes quiet for a read timeout, and at
//! least every [`FLUSH_INTERVAL`], instead of waiting for [`BATCH`](crate::batch::BATCH)
//! packets.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::capture::Packet;
use crate::scanner::{Report, Scanner};

/// How long the loop waits for the capture to become readable before it looks at the
/// clock, the stop flag and the partial batch. The capture is non-blocking and the loop
/// polls its descriptor: libpcap's own read timeout does not fire on Linux while no packet
/// arrives at all.
pub const READ_TIMEOUT_MS: u16 = 100;
/// The longest a packet's records and alerts wait in a partial batch.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(250);
/// The kernel's capture buffer. Not immediate mode: libpcap then keeps packets in
/// variable-sized slots of this buffer (TPACKET_V3 blocks handed over when full or after the
/// read timeout), where immediate mode would give each packet a slot of the whole snaplen
/// and drop bursts after a few packets.
pub const BUFFER_BYTES: i32 = 16 << 20;
/// The default snapshot length (libpcap's own, enough for any frame).
pub const DEFAULT_SNAPLEN: i32 = 262_144;

/// What to capture and when to stop.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// The interface (`eth0`, `any`, `lo`).
    pub interface: String,
    /// A BPF filter (pcap-filter(7) syntax).
    pub filter: Option<String>,
    /// Bytes kept of each packet.
    pub snaplen: i32,
    /// Promiscuous mode (see traffic not addressed to this machine, as on a SPAN port).
    pub promisc: bool,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Stop after this many packets (those that passed the filter).
    pub count: Option<u64>,
}

/// Why a live capture stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// `--count` packets were captured.
    Count,
    /// `--duration` elapsed.
    Duration,
    /// Ctrl-C (or SIGTERM), or the output failed.
    Interrupted,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stop::Count => "--count packets captured",
            Stop::Duration => "--duration elapsed",
            Stop::Interrupted => "interrupted",
        })
    }
}

/// What a live capture saw: the packets it read and the kernel's counts (`pcap_stats`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSummary {
    /// The interface.
    pub interface: String,
    /// Packets read and scanned.
    pub packets: u64,
    /// Packets the kernel received (that passed the filter).
    pub received: u32,
    /// Packets the kernel dropped for lack of buffer room (not read fast enough).
    pub dropped: u32,
    /// Packets the interface or its driver dropped.
    pub if_dropped: u32,
    /// First and last packet time (microseconds since the epoch).
    pub span: Option<(i64, i64)>,
    /// Why it stopped.
    pub stop: Stop,
}

/// One interface libpcap can capture on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// Its name (what `--interface` takes).
    pub name: String,
    /// libpcap's description, if any.
    pub description: Option<String>,
    /// Its addresses.
    pub addresses: Vec<std::net::IpAddr>,
    /// Up and running.
    pub up: bool,
    /// A loopback interface.
    pub loopback: bool,
}

/// The interfaces libpcap can capture on (`otscan --list-interfaces`).
pub fn list_interfaces() -> Result<Vec<Interface>, String> {
    let devices = pcap::Device::list().map_err(|e| format!("listing interfaces: {e}"))?;
    Ok(devices
        .into_iter()
        .map(|d| Interface {
            up: d.flags.is_up() && d.flags.is_running(),
            loopback: d.flags.is_loopback(),
            addresses: d.addresses.iter().map(|a| a.addr).collect(),
            description: d.desc,
            name: d.name,
        })
        .collect())
}

/// A clear message for a capture that could not start: the interface does not exist, or
/// this process may not capture.
fn open_error(interface: &str, e: &pcap::Error) -> String {
    let text = e.to_string();
    let lower = text.to_lowercase();
    if lower.contains("permission") || lower.contains("not permitted") {
        format!(
            "{interface}: cannot capture: {text} (live capture needs root or the CAP_NET_RAW capability)"
        )
    } else if lower.contains("no such device") || lower.contains("doesn't exist") {
        format!(
            "{interface}: no such interface ({text}); `otscan --list-interfaces` lists those there are"
        )
    } else {
        format!("{interface}: cannot capture: {text}")
    }
}

/// Opens the capture: the interface with the options, and the filter.
pub fn open(opts: &LiveOptions) -> Result<pcap::Capture<pcap::Active>, String> {
    let iface = opts.interface.as_str();
    let mut cap = pcap::Capture::from_device(iface)
        .and_then(|c| {
            c.promisc(opts.promisc)
                .snaplen(opts.snaplen)
                .timeout(i32::from(READ_TIMEOUT_MS))
                .buffer_size(BUFFER_BYTES)
                .open()
        })
        .and_then(pcap::Capture::setnonblock)
        .map_err(|e| open_error(iface, &e))?;
    if let Some(f) = &opts.filter {
        cap.filter(f, true)
            .map_err(|e| format!("--filter {f:?}: {e}"))?;
    }
    Ok(cap)
}

/// Captures from an opened capture into `scanner` until a stop condition (`stop` set by
/// Ctrl-C, `--count`, `--duration`, or the report failing). `flushed` is called after each
/// partial batch has run (to flush the writer, so lines appear as they happen). The caller
/// calls [`Scanner::finish`] afterwards, as for a file.
pub fn capture<R: Report>(
    cap: &mut pcap::Capture<pcap::Active>,
    opts: &LiveOptions,
    scanner: &mut Scanner<R>,
    stop: &AtomicBool,
    mut flushed: impl FnMut(&mut Scanner<R>),
) -> Result<LiveSummary, String> {
    let linktype = cap.get_datalink().0;
    let started = Instant::now();
    let mut last_flush = Instant::now();
    let mut pending = 0usize;
    let mut frame = 0u64;
    let mut span: Option<(i64, i64)> = None;
    let why = loop {
        if stop.load(Ordering::Relaxed) || scanner.report().failed() {
            break Stop::Interrupted;
        }
        if opts.count.is_some_and(|n| frame >= n) {
            break Stop::Count;
        }
        if opts.duration.is_some_and(|d| started.elapsed() >= d) {
            break Stop::Duration;
        }
        let quiet = match cap.next_packet() {
            Ok(p) => {
                frame += 1;
                // time_t and suseconds_t are i64 here, narrower on some platforms.
                #[allow(clippy::useless_conversion)]
                let ts_us = i64::from(p.header.ts.tv_sec)
                    .saturating_mul(1_000_000)
                    .saturating_add(i64::from(p.header.ts.tv_usec));
                span = Some(span.map_or((ts_us, ts_us), |(a, b)| (a.min(ts_us), b.max(ts_us))));
                scanner.packet(&Packet {
                    frame,
                    ts_us,
                    linktype,
                    data: p.data,
                });
                pending += 1;
                false
            }
            // Non-blocking: nothing to read now.
            Err(pcap::Error::TimeoutExpired) => true,
            // Ctrl-C interrupts a blocked read on some systems.
            Err(_) if stop.load(Ordering::Relaxed) => break Stop::Interrupted,
            Err(e) => return Err(format!("{}: capture failed: {e}", opts.interface)),
        };
        // The wire went quiet, or packets have waited long enough: run them now.
        if pending > 0 && (quiet || last_flush.elapsed() >= FLUSH_INTERVAL) {
            scanner.run_pending();
            flushed(scanner);
            pending = 0;
            last_flush = Instant::now();
        }
        if quiet {
            wait_readable(cap);
        }
    };
    let stats = cap.stats().unwrap_or(pcap::Stat {
        received: 0,
        dropped: 0,
        if_dropped: 0,
    });
    Ok(LiveSummary {
        interface: opts.interface.clone(),
        packets: frame,
        received: stats.received,
        dropped: stats.dropped,
        if_dropped: stats.if_dropped,
        span,
        stop: why,
    })
}

/// otscan's live-capture options (flattened into its command line).
#[derive(Debug, Clone, clap::Args)]
pub struct LiveArgs {
    /// Capture live from this interface through libpcap instead of reading capture files
    /// (needs root or CAP_NET_RAW). Ctrl-C stops it cleanly; the summary then prints as for
    /// a file.
    #[arg(long, short = 'i', value_name = "IFACE")]
    pub interface: Option<String>,

    /// Capture only what this BPF filter passes (pcap-filter(7), e.g. "tcp port 502").
    #[arg(long, value_name = "BPF", requires = "interface")]
    pub filter: Option<String>,

    /// Bytes kept of each captured packet.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_SNAPLEN, requires = "interface")]
    pub snaplen: i32,

    /// Do not put the interface in promiscuous mode (see only this machine's traffic).
    #[arg(long, requires = "interface")]
    pub no_promisc: bool,

    /// Stop the live capture after this many seconds.
    #[arg(long, value_name = "SECONDS", requires = "interface")]
    pub duration: Option<f64>,

    /// Stop the live capture after this many packets.
    #[arg(long, value_name = "N", requires = "interface")]
    pub count: Option<u64>,

    /// List the interfaces a live capture can use, and exit.
    #[arg(long)]
    pub list_interfaces: bool,
}

impl LiveArgs {
    /// The capture's options, when `--interface` was given.
    pub fn options(&self) -> Option<LiveOptions> {
        Some(LiveOptions {
            interface: self.interface.clone()?,
            filter: self.filter.clone(),
            snaplen: self.snaplen,
            promisc: !self.no_promisc,
            duration: self
                .duration
                .map(|s| Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::MAX)),
            count: self.count,
        })
    }
}

/// Writes the interface list (`otscan --list-interfaces`): one a line, name, state and
/// addresses.
pub fn write_interfaces<W: std::io::Write>(out: &mut W, list: &[Interface]) -> std::io::Result<()> {
    for i in list {
        let addrs: Vec<String> = i.addresses.iter().map(ToString::to_string).collect();
        writeln!(
            out,
            "{:<16} {:<8} {}{}",
            i.name,
            if i.up { "up" } else { "down" },
            addrs.join(" "),
            match (&i.description, i.loopback) {
                (Some(d), _) => format!("  ({d})"),
                (None, true) => "  (loopback)".to_string(),
                (None, false) => String::new(),
            }
        )?;
    }
    Ok(())
}

/// Waits until the capture has something to read, at most [`READ_TIMEOUT_MS`] (a signal,
/// Ctrl-C, ends the wait early).
fn wait_readable(cap: &pcap::Capture<pcap::Active>) {
    use nix::poll::{PollFd, PollFlags, poll};
    use std::os::fd::AsFd;
    let mut fds = [PollFd::new(cap.as_fd(), PollFlags::POLLIN)];
    // EINTR (Ctrl-C) and timeouts alike: the loop looks at the flag and the clock.
    let _ = poll(&mut fds, READ_TIMEOUT_MS);
}
