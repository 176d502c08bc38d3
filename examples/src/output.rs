//! otscan's outputs: JSON lines (`--output pdus|alerts|assets|ecs|eve`) and the human summary.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::assets::Asset;
use crate::json::Memo;
use crate::record::{AlertRecord, PduRecord, rfc3339};
use crate::scanner::{Report, Scanner};
use crate::siem::AlertFormat;

/// Writes PDU records and / or alerts as JSON lines. After the first write error (a closed
/// pipe) it stops writing and keeps the error.
#[derive(Debug)]
pub struct JsonLines<W: Write> {
    out: W,
    buf: Vec<u8>,
    memo: Memo,
    pdus: bool,
    alerts: bool,
    format: AlertFormat,
    /// The first write error.
    pub error: Option<io::Error>,
}

impl<W: Write> JsonLines<W> {
    /// Prints PDUs (`pdus`), alerts (`alerts`), both or neither.
    pub fn new(out: W, pdus: bool, alerts: bool) -> Self {
        JsonLines {
            out,
            buf: Vec::with_capacity(512),
            memo: Memo::default(),
            pdus,
            alerts,
            format: AlertFormat::Otwire,
            error: None,
        }
    }

    /// Writes alerts in `format` (otwire's record, ECS or EVE) instead of otwire's record.
    pub fn with_alert_format(mut self, format: AlertFormat) -> Self {
        self.format = format;
        self
    }

    /// Flushes the writer.
    pub fn flush(&mut self) -> io::Result<()> {
        match self.error.take() {
            Some(e) => Err(e),
            None => self.out.flush(),
        }
    }

    /// The writer.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }
}

impl<W: Write> Report for JsonLines<W> {
    fn wants_pdus(&self) -> bool {
        self.pdus && self.error.is_none()
    }
    fn pdu(&mut self, record: &PduRecord) {
        if self.pdus && self.error.is_none() {
            self.buf.clear();
            record.write_json_with(&mut self.buf, &mut self.memo);
            self.buf.push(b'\n');
            if let Err(e) = self.out.write_all(&self.buf) {
                self.error = Some(e);
            }
        }
    }
    fn alert(&mut self, alert: &AlertRecord) {
        if self.alerts {
            if self.error.is_some() {
                return;
            }
            let r = self
                .format
                .write(&mut self.out, alert)
                .map_err(io::Error::from)
                .and_then(|()| self.out.write_all(b"\n"));
            if let Err(e) = r {
                self.error = Some(e);
            }
        }
    }
    fn failed(&self) -> bool {
        self.error.is_some()
    }
}

/// Writes the assets as JSON lines.
pub fn write_assets<W: Write, R: Report>(out: &mut W, scanner: &Scanner<R>) -> io::Result<()> {
    for rec in scanner.assets().records() {
        serde_json::to_writer(&mut *out, &rec)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// "1-3,7,9-10" from sorted numbers.
pub fn ranges<I: IntoIterator<Item = u32>>(values: I) -> String {
    let mut out = String::new();
    let mut run: Option<(u32, u32)> = None;
    let flush = |out: &mut String, r: (u32, u32)| {
        if !out.is_empty() {
            out.push(',');
        }
        if r.0 == r.1 {
            let _ = write!(out, "{}", r.0);
        } else {
            let _ = write!(out, "{}-{}", r.0, r.1);
        }
    };
    for v in values {
        run = match run {
            Some((a, b)) if b.checked_add(1) == Some(v) => Some((a, v)),
            Some(r) => {
                flush(&mut out, r);
                Some((v, v))
            }
            None => Some((v, v)),
        };
    }
    if let Some(r) = run {
        flush(&mut out, r);
    }
    out
}

fn identity_line(a: &Asset) -> String {
    let mut parts = Vec::new();
    for (unit, objs) in &a.identity {
        let get = |k: &str| objs.get(k).map(String::as_str).unwrap_or("");
        let mut s = String::new();
        for k in ["VendorName", "ProductName", "ModelName"] {
            let v = get(k);
            if !v.is_empty() && !s.contains(v) {
                if !s.is_empty() {
                    s.push(' ');
                }
                s.push_str(v);
            }
        }
        let code = get("ProductCode");
        if !code.is_empty() && !s.contains(code) {
            let _ = write!(s, " ({code})");
        }
        let rev = get("MajorMinorRevision");
        if !rev.is_empty() {
            let _ = write!(s, " {rev}");
        }
        let app = get("UserApplicationName");
        if !app.is_empty() {
            let _ = write!(s, " app={app}");
        }
        if s.is_empty() {
            if let Some(t) = objs.get("ServerIdText") {
                s = format!("server id {t}");
            } else if let Some(h) = objs.get("ServerId") {
                s = format!("server id {h}");
            }
        }
        if !s.is_empty() {
            parts.push(if a.identity.len() > 1 {
                format!("unit {unit}: {}", s.trim())
            } else {
                s.trim().to_string()
            });
        }
    }
    crate::protocols::summary(&a.facts, &mut parts);
    parts.join("; ")
}

/// What the summary says about the inputs.
#[derive(Debug, Default, Clone)]
pub struct InputsSummary {
    /// Files scanned.
    pub files: usize,
    /// Problems met (truncated or corrupt files), one line each.
    pub warnings: Vec<String>,
    /// First and last capture time.
    pub span: Option<(i64, i64)>,
    /// A live capture (`--interface`): the interface and the kernel's counts.
    pub live: Option<crate::live::LiveSummary>,
}

/// Writes the human summary.
pub fn write_summary<W: Write, R: Report>(
    out: &mut W,
    scanner: &Scanner<R>,
    inputs: &InputsSummary,
    top: usize,
) -> io::Result<()> {
    let s = scanner.stats();
    let mb = s.bytes as f64 / 1e6;
    match &inputs.live {
        Some(l) => write!(
            out,
            "otscan: live capture on {}, {} packets, {mb:.1} MB",
            l.interface, s.packets
        )?,
        None => write!(
            out,
            "otscan: {} capture file{}, {} packets, {mb:.1} MB",
            inputs.files,
            if inputs.files == 1 { "" } else { "s" },
            s.packets
        )?,
    }
    if let Some((a, b)) = inputs.span {
        let secs = (b - a) as f64 / 1e6;
        write!(
            out,
            ", {secs:.1} s of traffic ({} to {})",
            rfc3339(a),
            rfc3339(b)
        )?;
    }
    writeln!(out)?;
    if let Some(l) = &inputs.live {
        writeln!(
            out,
            "  kernel: {} packets received, {} dropped (buffer full), {} dropped by the interface",
            l.received, l.dropped, l.if_dropped
        )?;
    }
    writeln!(
        out,
        "  flows {} · TCP gaps {} · retransmissions {} · out of order {}",
        s.flows.flows, s.flows.gaps, s.flows.retransmissions, s.flows.out_of_order
    )?;
    if s.flows.overlap_conflicts > 0 {
        writeln!(
            out,
            "  TCP overlap conflicts {} (segments resending bytes with different content)",
            s.flows.overlap_conflicts
        )?;
    }
    let protocols: Vec<String> = crate::protocols::PROTOCOLS
        .iter()
        .filter_map(|p| {
            let st = s.protocols.get(p.name())?;
            Some(format!(
                "{} {} {} ({} with anomalies)",
                p.name(),
                crate::protocols::noun(*p),
                st.pdus,
                st.anomalous
            ))
        })
        .collect();
    if !protocols.is_empty() {
        writeln!(out, "  {}", protocols.join(" · "))?;
    }
    if !s.network.is_empty() {
        let kinds: Vec<String> = s.network.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(out, "  network events: {}", kinds.join(" · "))?;
    }
    if s.flows.evicted > 0 || s.flows.pressure_flushes > 0 || s.flows.expired > 0 {
        writeln!(
            out,
            "  limits: {} flows expired idle, {} evicted (table full), {} flushed under memory pressure",
            s.flows.expired, s.flows.evicted, s.flows.pressure_flushes
        )?;
    }
    for w in &inputs.warnings {
        writeln!(out, "  warning: {w}")?;
    }

    let assets = scanner.assets().sorted();
    writeln!(out)?;
    writeln!(out, "Assets ({})", assets.len())?;
    // The protocols column is as wide as its longest entry.
    let pw = assets
        .iter()
        .map(|(_, a)| a.protocols.iter().map(|p| p.len() + 1).sum::<usize>())
        .max()
        .unwrap_or(0)
        .saturating_sub(1)
        .max(9);
    if !assets.is_empty() {
        writeln!(
            out,
            "  {:<16} {:<14} {:<pw$} {:<11} {:<9} {:>8}  IDENTITY",
            "ADDRESS", "ROLE", "PROTOCOLS", "PORTS", "UNITS", "PDUS"
        )?;
    }
    for (ip, a) in assets {
        let protos: Vec<&str> = a.protocols.iter().copied().collect();
        let ports = ranges(a.server_ports.iter().map(|&p| u32::from(p)));
        let units = ranges(a.units.iter().map(|&u| u32::from(u)));
        writeln!(
            out,
            "  {:<16} {:<14} {:<pw$} {:<11} {:<9} {:>8}  {}",
            ip.to_string(),
            a.role(),
            protos.join(","),
            ports,
            units,
            a.pdus,
            identity_line(a)
        )?;
    }
    if scanner.assets().dropped > 0 {
        writeln!(
            out,
            "  ({} addresses not tracked: the asset table is full)",
            scanner.assets().dropped
        )?;
    }

    let alerts = scanner.alerts();
    writeln!(out)?;
    if s.findings == s.alerts {
        writeln!(out, "Alerts by technique ({} alerts)", s.alerts)?;
    } else {
        writeln!(
            out,
            "Alerts by technique ({} alerts, aggregates included, for {} occurrences)",
            s.alerts, s.findings
        )?;
    }
    let mut by: Vec<_> = alerts.by_technique.iter().collect();
    by.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for ((id, name), n) in by {
        writeln!(out, "  {id:<6} {name:<48} {n:>7}")?;
    }
    let top_alerts = alerts.top(top);
    if !top_alerts.is_empty() {
        writeln!(out)?;
        writeln!(out, "Top alerts")?;
        for (a, n) in top_alerts {
            let sev = format!("{:?}", a.severity).to_uppercase();
            writeln!(
                out,
                "  {sev:<8} {:<6} {}{}  (frame {})",
                a.technique_id,
                a.summary,
                if *n > 1 {
                    format!(" [x{n}]")
                } else {
                    String::new()
                },
                a.frame
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_compress() {
        assert_eq!(ranges([1, 2, 3, 7, 9, 10]), "1-3,7,9-10");
        assert_eq!(ranges([]), "");
        assert_eq!(ranges([502]), "502");
    }
}
