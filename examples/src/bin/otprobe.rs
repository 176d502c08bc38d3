//! otprobe: a polite active scanner for OT devices (Modbus/TCP, DNP3 over TCP,
//! IEC 60870-5-104, S7comm, EtherNet/IP), in the spirit of nmap's modbus-discover, s7-info
//! and enip-info. Read-only
//! unless told otherwise. See `otprobe --help`.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use otwire_examples::probe::{self, ProbeConfig, ProbeError};
use otwire_examples::probe_dnp3::{self, Dnp3Addresses};
use otwire_examples::probe_enip::{self, IdentityText};
use otwire_examples::probe_iec104;
use otwire_examples::probe_modbus::{self, DeviceId, ModbusClient, ServerId, UnitAnswer};
use otwire_examples::probe_s7::{self, RackSlot};

const EXIT_HELP: &str = "\
Exit status:
  0  the device answered (whatever it answered)
  1  the device could not be reached, or answered nothing useful
  2  usage error

otprobe sends only read requests (device identification, report server id, reads; DNP3
link status and reads, plus application confirms when asked; IEC 104 STARTDT, station
interrogation, S frames, STOPDT; S7 connection, setup communication and SZL reads;
EtherNet/IP ListIdentity, RegisterSession, Identity Get Attributes All, UnRegisterSession)
unless --allow-write is given; it waits --interval-ms
between requests and --timeout-ms for each answer. Probe only devices you are allowed to
probe.";

/// Probe an OT device and print what it says about itself.
#[derive(Parser, Debug)]
#[command(version, after_help = EXIT_HELP)]
struct Cli {
    #[command(subcommand)]
    protocol: Protocol,
}

#[derive(Subcommand, Debug)]
enum Protocol {
    /// Modbus/TCP: device identification (FC 43/14), report server id (FC 17), unit sweep,
    /// holding register reads.
    Modbus(ModbusArgs),
    /// DNP3 over TCP: link status, device attributes (g0v254) and a class 0 read.
    Dnp3(Dnp3Args),
    /// IEC 60870-5-104: STARTDT, station interrogation, the points each common address
    /// reports with types and values, STOPDT.
    Iec104(Iec104Args),
    /// S7comm (S7-300/400/1200/1500 CPUs): COTP connection to the rack and slot, setup
    /// communication, SZL reads of module identification (0x0011), component
    /// identification (0x001C) and operating mode (0x0424).
    S7(S7Args),
    /// EtherNet/IP (CIP): ListIdentity over TCP and UDP, RegisterSession, Identity object
    /// Get Attributes All through Unconnected Send to the slot (and directly when routing
    /// fails), UnRegisterSession.
    Enip(EnipArgs),
}

#[derive(Args, Debug)]
struct EnipArgs {
    #[arg(help = "Device: host, host:port or [v6]:port (port 44818 by default)")]
    target: String,
    /// Backplane slot the Unconnected Send is routed to (port 1, this slot).
    #[arg(long, default_value_t = 0)]
    slot: u8,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Debug)]
struct S7Args {
    #[arg(help = "CPU: host, host:port or [v6]:port (port 102 by default)")]
    target: String,
    /// Rack of the CPU (0-7).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=7))]
    rack: u8,
    /// Slot of the CPU (0-31: 2 on S7-300, 1 or 0 on S7-1200/1500).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=31))]
    slot: u8,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Debug)]
struct Iec104Args {
    #[arg(help = "Controlled station: host, host:port or [v6]:port (port 2404 by default)")]
    target: String,
    /// Common address to interrogate (65535: every station behind the address).
    #[arg(long, default_value_t = 65535)]
    ca: u16,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Debug)]
struct Dnp3Args {
    #[arg(help = "Outstation: host, host:port or [v6]:port (port 20000 by default)")]
    target: String,
    /// The outstation's link address.
    #[arg(long, default_value_t = 1)]
    outstation: u16,
    /// This master's link address.
    #[arg(long, default_value_t = 100)]
    master: u16,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Debug, Clone, Copy)]
struct Common {
    /// Timeout for connecting and for each answer, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    timeout_ms: u64,
    /// Least time between two requests, in milliseconds (the rate limit).
    #[arg(long, default_value_t = 100)]
    interval_ms: u64,
    /// Allow requests that change the device (none of the built-in probes write).
    #[arg(long)]
    allow_write: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct ModbusArgs {
    #[arg(help = "Device: host, host:port or [v6]:port (port 502 by default)")]
    target: String,
    /// Unit id to identify and read.
    #[arg(long, default_value_t = 1)]
    unit: u8,
    /// Also sweep these unit ids with Report Server ID (e.g. 0-247, or 1,2,10-20).
    #[arg(long, value_parser = parse_units)]
    units: Option<UnitList>,
    /// Also read COUNT holding registers from ADDR (e.g. 0:10).
    #[arg(long, value_name = "ADDR:COUNT", value_parser = parse_read)]
    read_holding: Option<(u16, u16)>,
    /// Skip device identification.
    #[arg(long)]
    no_device_id: bool,
    /// Skip report server id.
    #[arg(long)]
    no_server_id: bool,
    #[command(flatten)]
    common: Common,
}

/// A list of unit ids.
#[derive(Debug, Clone)]
struct UnitList(Vec<u8>);

fn parse_units(s: &str) -> Result<UnitList, String> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a, b),
            None => (part, part),
        };
        let a: u8 = a.trim().parse().map_err(|e| format!("unit {a:?}: {e}"))?;
        let b: u8 = b.trim().parse().map_err(|e| format!("unit {b:?}: {e}"))?;
        if a > b {
            return Err(format!("empty range {part}"));
        }
        out.extend(a..=b);
    }
    out.sort_unstable();
    out.dedup();
    Ok(UnitList(out))
}

fn parse_read(s: &str) -> Result<(u16, u16), String> {
    let (a, c) = s.split_once(':').ok_or("expected ADDR:COUNT")?;
    let a: u16 = a
        .trim()
        .parse()
        .map_err(|e| format!("address {a:?}: {e}"))?;
    let c: u16 = c.trim().parse().map_err(|e| format!("count {c:?}: {e}"))?;
    if !(1..=125).contains(&c) {
        return Err("COUNT must be 1 to 125 (Application Protocol §6.3)".into());
    }
    Ok((a, c))
}

/// Everything otprobe learned from a Modbus device.
#[derive(Debug, Serialize)]
struct ModbusReport {
    protocol: &'static str,
    target: String,
    unit: u8,
    device_identification: Option<DeviceId>,
    server_id: Option<Result<ServerId, ProbeError>>,
    holding_registers: Option<Result<HoldingRead, ProbeError>>,
    units: Option<Vec<UnitAnswer>>,
    requests: u64,
}

#[derive(Debug, Serialize)]
struct HoldingRead {
    address: u16,
    values: Vec<u16>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.protocol {
        Protocol::Modbus(args) => modbus(&args),
        Protocol::Dnp3(args) => dnp3(&args),
        Protocol::Iec104(args) => iec104(&args),
        Protocol::S7(args) => s7(&args),
        Protocol::Enip(args) => enip(&args),
    }
}

fn identity_rows(rows: &mut Vec<(String, String)>, prefix: &str, id: &IdentityText) {
    let mut push = |k: &str, v: String| rows.push((format!("{prefix}{k}"), v));
    push("vendor", id.vendor_id.to_string());
    push(
        "device type",
        match id.device_type_name {
            Some(n) => format!("{} ({n})", id.device_type),
            None => id.device_type.to_string(),
        },
    );
    push("product name", id.product_name.clone());
    push("product code", id.product_code.to_string());
    push("revision", id.revision.clone());
    push("serial number", id.serial.clone());
    push("status", id.status.clone());
    if let Some(s) = id.state {
        push("state", format!("{s:#04x}"));
    }
}

fn enip(args: &EnipArgs) -> ExitCode {
    let addr = match probe::resolve(&args.target, otwire_enip::PORT) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("otprobe: {e}");
            return ExitCode::from(1);
        }
    };
    let report = match probe_enip::probe(addr, config(&args.common), &[0x01, args.slot]) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("otprobe: {e}");
            return ExitCode::from(1);
        }
    };
    if args.common.json {
        print_json(&report);
        return ExitCode::SUCCESS;
    }
    let mut rows = vec![("target".to_string(), format!("{} (enip)", report.target))];
    for (how, li) in [
        ("tcp", &report.list_identity_tcp),
        ("udp", &report.list_identity_udp),
    ] {
        let key = format!("list identity ({how})");
        match li {
            Ok(l) => {
                let mut v = format!(
                    "socket {}, encapsulation version {}",
                    l.socket, l.encap_version
                );
                if !l.anomalies.is_empty() {
                    v.push_str(&format!(" ({})", l.anomalies.join(" ")));
                }
                rows.push((key, v));
                // The second reply is shown only where it differs from the first.
                let same = how == "udp"
                    && report
                        .list_identity_tcp
                        .as_ref()
                        .is_ok_and(|t| t.identity == l.identity);
                if same {
                    rows.push(("  identity".into(), "as over tcp".into()));
                } else {
                    identity_rows(&mut rows, "  ", &l.identity);
                }
            }
            Err(e) => rows.push((key, e.to_string())),
        }
    }
    rows.push((
        "session".into(),
        match &report.session {
            Ok(s) => format!(
                "{s}{}",
                if report.unregistered {
                    " (unregistered)"
                } else {
                    ""
                }
            ),
            Err(e) => e.to_string(),
        },
    ));
    if let Some(e) = &report.routing_error {
        rows.push(("routed request".into(), e.clone()));
    }
    match &report.identity_object {
        Ok(o) => {
            let mut v = format!("get attributes all, {}", o.via);
            if !o.anomalies.is_empty() {
                v.push_str(&format!(" ({})", o.anomalies.join(" ")));
            }
            rows.push(("identity object".into(), v));
            identity_rows(&mut rows, "  ", &o.identity);
        }
        Err(e) => rows.push(("identity object".into(), e.to_string())),
    }
    rows.push(("messages sent".into(), report.requests.to_string()));
    print_rows(&rows);
    ExitCode::SUCCESS
}

fn s7(args: &S7Args) -> ExitCode {
    let addr = match probe::resolve(&args.target, otwire_s7::PORT) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("otprobe: {e}");
            return ExitCode::from(1);
        }
    };
    let at = RackSlot {
        rack: args.rack,
        slot: args.slot,
    };
    let report = match probe_s7::probe(addr, config(&args.common), at) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("otprobe: {e}");
            return ExitCode::from(1);
        }
    };
    if args.common.json {
        print_json(&report);
        return ExitCode::SUCCESS;
    }
    let mut rows = vec![
        (
            "target".to_string(),
            format!(
                "{} (s7comm, rack {} slot {})",
                report.target, report.rack, report.slot
            ),
        ),
        (
            "connection".into(),
            format!(
                "TSAP {} -> {}{}",
                report.calling_tsap,
                report.called_tsap,
                report
                    .tpdu_size
                    .map(|n| format!(", TPDU size {n}"))
                    .unwrap_or_default()
            ),
        ),
    ];
    for r in &report.refused {
        rows.push(("refused".into(), r.clone()));
    }
    rows.push((
        "pdu size".into(),
        format!(
            "{} (max AmQ {}/{})",
            report.pdu_size, report.max_amq_calling, report.max_amq_called
        ),
    ));
    for (k, v) in &report.identity {
        rows.push((k.replace('_', " "), v.clone()));
    }
    if let Some(m) = &report.operating_mode {
        rows.push(("operating mode".into(), m.clone()));
    }
    for o in &report.szl {
        let name = format!("szl {} {}", o.id, o.name.unwrap_or(""));
        match &o.answer {
            Ok(l) => {
                let mut v = format!(
                    "{} record{} of {} bytes",
                    l.record_count,
                    if l.record_count == 1 { "" } else { "s" },
                    l.record_len
                );
                if l.data_units > 1 {
                    v.push_str(&format!(" in {} data units", l.data_units));
                }
                if !l.anomalies.is_empty() {
                    v.push_str(&format!(" ({})", l.anomalies.join(" ")));
                }
                rows.push((name.trim_end().to_string(), v));
                for r in &l.records {
                    let key = match (r.index, r.field) {
                        (Some(i), Some(f)) => format!("  {i:#06x} {f}"),
                        (Some(i), None) => format!("  {i:#06x}"),
                        (None, Some(f)) => format!("  {f}"),
                        (None, None) => "  record".into(),
                    };
                    rows.push((key, r.value.clone()));
                }
                if l.extra_bytes > 0 {
                    rows.push((
                        "  outside records".into(),
                        format!("{} bytes: {}", l.extra_bytes, l.extra_text.join(" | ")),
                    ));
                }
            }
            Err(e) => rows.push((name.trim_end().to_string(), e.to_string())),
        }
    }
    rows.push(("pdus sent".into(), report.requests.to_string()));
    print_rows(&rows);
    ExitCode::SUCCESS
}

fn iec104(args: &Iec104Args) -> ExitCode {
    let addr = match probe::resolve(&args.target, otwire_detect::protocol::iec104::PORT) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("otprobe: {e}");
            return ExitCode::from(1);
        }
    };
    let report = match probe_iec104::probe(addr, config(&args.common), args.ca) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("otprobe: {e}");
            return ExitCode::from(1);
        }
    };
    if args.common.json {
        print_json(&report);
    } else {
        let yes = |b: bool| if b { "confirmed" } else { "not confirmed" };
        let mut rows = vec![
            (
                "target".to_string(),
                format!(
                    "{} (iec104, common address {})",
                    report.target, report.interrogated
                ),
            ),
            ("startdt".into(), yes(report.startdt_confirmed).into()),
            (
                "interrogation".into(),
                format!(
                    "{}, {}",
                    yes(report.interrogation_confirmed),
                    if report.interrogation_terminated {
                        "terminated"
                    } else {
                        "not terminated"
                    }
                ),
            ),
        ];
        for (ca, points) in &report.stations {
            rows.push((format!("station {ca}"), format!("{} points", points.len())));
            for p in points {
                rows.push((
                    format!("  {ca}/{} {}", p.ioa, p.type_name),
                    match p.good {
                        Some(false) => format!("{} (quality not good)", p.value),
                        _ => p.value.clone(),
                    },
                ));
            }
        }
        rows.push(("stopdt".into(), yes(report.stopdt_confirmed).into()));
        rows.push(("apdus sent".into(), report.requests.to_string()));
        print_rows(&rows);
    }
    ExitCode::SUCCESS
}

fn config(c: &Common) -> ProbeConfig {
    ProbeConfig {
        timeout: Duration::from_millis(c.timeout_ms.max(1)),
        min_interval: Duration::from_millis(c.interval_ms),
        allow_write: c.allow_write,
    }
}

/// Prints JSON; a closed stdout (`| head`) is not an error worth a panic.
fn print_json<T: Serialize>(v: &T) {
    use std::io::Write;
    match serde_json::to_string_pretty(v) {
        Ok(s) => {
            let _ = writeln!(std::io::stdout(), "{s}");
        }
        Err(e) => eprintln!("otprobe: {e}"),
    }
}

fn print_rows(rows: &[(String, String)]) {
    use std::io::Write;
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for (k, v) in rows {
        if writeln!(out, "{k:<width$}  {v}").is_err() {
            return;
        }
    }
}

fn dnp3(args: &Dnp3Args) -> ExitCode {
    let addr = match probe::resolve(&args.target, otwire_detect::protocol::dnp3::PORT) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("otprobe: {e}");
            return ExitCode::from(1);
        }
    };
    let addrs = Dnp3Addresses {
        master: args.master,
        outstation: args.outstation,
    };
    let report = match probe_dnp3::probe(addr, config(&args.common), addrs) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("otprobe: {e}");
            return ExitCode::from(1);
        }
    };
    let useful =
        report.link_status.is_ok() || report.device_attributes.is_ok() || report.class0.is_ok();
    if args.common.json {
        print_json(&report);
    } else {
        let mut rows = vec![(
            "target".to_string(),
            format!(
                "{} (dnp3, master {} -> outstation {})",
                report.target, report.master_address, report.outstation_address
            ),
        )];
        rows.push((
            "link status".into(),
            match &report.link_status {
                Ok(a) => format!("answered from link address {a}"),
                Err(e) => e.to_string(),
            },
        ));
        for (name, read) in [
            ("device attributes", &report.device_attributes),
            ("class 0", &report.class0),
        ] {
            match read {
                Ok(r) => {
                    rows.push((
                        format!("{name} iin"),
                        format!("{:#06x} {}", r.iin, r.iin_names.join(" ")),
                    ));
                    for (k, v) in &r.attributes {
                        rows.push((k.clone(), v.clone()));
                    }
                    for p in &r.points {
                        rows.push((
                            format!("g{}v{} #{}", p.group, p.variation, p.index),
                            p.value.clone(),
                        ));
                    }
                }
                Err(e) => rows.push((name.to_string(), e.to_string())),
            }
        }
        rows.push(("frames sent".into(), report.requests.to_string()));
        print_rows(&rows);
    }
    if useful {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn modbus(args: &ModbusArgs) -> ExitCode {
    let config = ProbeConfig {
        timeout: Duration::from_millis(args.common.timeout_ms.max(1)),
        min_interval: Duration::from_millis(args.common.interval_ms),
        allow_write: args.common.allow_write,
    };
    let addr = match probe::resolve(&args.target, otwire_modbus::PORT) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("otprobe: {e}");
            return ExitCode::from(1);
        }
    };
    let mut client = match ModbusClient::connect(addr, config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("otprobe: {e}");
            return ExitCode::from(1);
        }
    };
    let unit = args.unit;
    let device_identification =
        (!args.no_device_id).then(|| probe_modbus::device_identification(&mut client, unit));
    let server_id = (!args.no_server_id).then(|| probe_modbus::report_server_id(&mut client, unit));
    let holding_registers = args.read_holding.map(|(address, count)| {
        probe_modbus::read_holding(&mut client, unit, address, count)
            .map(|values| HoldingRead { address, values })
    });
    let mut requests = client.requests;
    drop(client);
    let units = match &args.units {
        Some(UnitList(list)) => match probe_modbus::sweep_units(addr, config, list.iter().copied())
        {
            Ok((found, _silent)) => {
                requests += list.len() as u64;
                Some(found)
            }
            Err(e) => {
                eprintln!("otprobe: unit sweep: {e}");
                None
            }
        },
        None => None,
    };
    let report = ModbusReport {
        protocol: "modbus",
        target: addr.to_string(),
        unit,
        device_identification,
        server_id,
        holding_registers,
        units,
        requests,
    };
    let useful = report
        .device_identification
        .as_ref()
        .is_some_and(|d| !d.objects.is_empty())
        || matches!(report.server_id, Some(Ok(_)))
        || matches!(report.holding_registers, Some(Ok(_)))
        || report.units.as_ref().is_some_and(|u| !u.is_empty());
    if args.common.json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("otprobe: {e}"),
        }
    } else {
        print_table(&report);
    }
    if useful {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn print_table(r: &ModbusReport) {
    let mut rows: BTreeMap<usize, (String, String)> = BTreeMap::new();
    let mut push = |k: String, v: String| {
        let n = rows.len();
        rows.insert(n, (k, v));
    };
    push(
        "target".into(),
        format!("{} (modbus, unit {})", r.target, r.unit),
    );
    if let Some(d) = &r.device_identification {
        if let Some(level) = d.level {
            push(
                "device id level".into(),
                format!(
                    "{level} (conformity {:#04x})",
                    d.conformity_level.unwrap_or(0)
                ),
            );
        }
        for (k, v) in &d.objects {
            push(k.clone(), v.clone());
        }
        if let Some(s) = &d.stopped {
            push("device id".into(), format!("stopped: {s}"));
        }
    }
    match &r.server_id {
        Some(Ok(s)) => push("server id".into(), format!("{} ({})", s.hex, s.text)),
        Some(Err(e)) => push("server id".into(), e.to_string()),
        None => {}
    }
    match &r.holding_registers {
        Some(Ok(h)) => {
            for (i, v) in h.values.iter().enumerate() {
                push(
                    format!("holding {}", usize::from(h.address) + i),
                    format!("{v} ({v:#06x})"),
                );
            }
        }
        Some(Err(e)) => push("holding registers".into(), e.to_string()),
        None => {}
    }
    if let Some(units) = &r.units {
        let list: Vec<String> = units
            .iter()
            .map(|u| match u.exception {
                Some(c) => format!("{} (exception {c:#04x})", u.unit),
                None => u.unit.to_string(),
            })
            .collect();
        push(
            "units answering".into(),
            if list.is_empty() {
                "none".into()
            } else {
                list.join(", ")
            },
        );
    }
    push("requests sent".into(), r.requests.to_string());
    let width = rows.values().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows.values() {
        println!("{k:<width$}  {v}");
    }
}
