//! `otscan --report FILE.html`: one self-contained HTML page (styles, script and data
//! inline; a Content-Security-Policy forbids loading anything) with the asset inventory,
//! the communication map ([`map`]: inline SVG laid out here), the alert timeline and the
//! table by ATT&CK for ICS technique and tactic with the evidence ([`alerts`]), and the
//! per-protocol statistics.
//!
//! What the inventory and counters do not hold (edges, alerts with their evidence) is
//! collected during the scan ([`collect`]), only when [`Scanner::collect_for_report`] asked
//! for it. Every string that comes from a capture is escaped ([`esc`]); the page stays a few
//! MB at most whatever the capture (every list is capped, and past
//! [`map::MAX_NODES`] hosts the map draws subnet groups).

pub mod alerts;
pub mod collect;
pub mod inventory;
pub mod map;

use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::IpAddr;

use crate::assets::Asset;
use crate::output::InputsSummary;
use crate::record::rfc3339;
use crate::scanner::{Report, ScanStats, Scanner};

pub use collect::Collected;
use map::{Column, MapNode, MapSummary};

/// The page's style sheet.
const STYLE: &str = include_str!("style.css");
/// The page's script: sortable tables, highlighting a host's edges, and the `data-ready`
/// / `data-error` markers on `<body>` that the browser test reads.
const SCRIPT: &str = include_str!("script.js");

/// Most map edges listed in the connections table.
const MAX_EDGE_ROWS: usize = 2_000;

/// HTML-escapes text for an element's content or a quoted attribute (`& < > " ' /`).
pub fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_safe(s)
}

/// A table cell with a capture time: seconds shown, the full RFC 3339 time (µs) in its
/// tooltip and sort key.
pub fn time_cell(us: i64) -> String {
    let full = rfc3339(us);
    let short = full.get(..19).unwrap_or(&full).replace('T', " ");
    format!(
        "<td class=\"mono nowrap\" title=\"{}\" data-sort=\"{}\">{}</td>",
        esc(&full),
        esc(&full),
        esc(&short)
    )
}

/// What one page shows.
#[derive(Debug)]
pub struct Page<'a> {
    /// The inputs' names (shown in the title).
    pub source: &'a str,
    /// Files, warnings and time span.
    pub inputs: &'a InputsSummary,
    /// The counters.
    pub stats: &'a ScanStats,
    /// The assets, sorted by address.
    pub assets: Vec<(IpAddr, &'a Asset)>,
    /// Addresses the inventory could not track.
    pub assets_dropped: u64,
    /// Edges and alerts.
    pub collected: &'a Collected,
    /// Whether detection ran.
    pub detection: bool,
}

/// Writes the report of a finished scan. `source` names the inputs.
pub fn write_html<W: Write, R: Report>(
    out: &mut W,
    scanner: &Scanner<R>,
    inputs: &InputsSummary,
    source: &str,
) -> io::Result<()> {
    let empty = Collected::default();
    let stats = scanner.stats();
    let page = Page {
        source,
        inputs,
        stats: &stats,
        assets: scanner
            .assets()
            .sorted()
            .into_iter()
            .map(|(ip, a)| (*ip, a))
            .collect(),
        assets_dropped: scanner.assets().dropped,
        collected: scanner.collected().unwrap_or(&empty),
        detection: scanner.detection().is_some(),
    };
    out.write_all(render(&page).as_bytes())
}

/// The page's HTML.
pub fn render(p: &Page<'_>) -> String {
    let mut out = String::with_capacity(64 << 10);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>otscan report: {}</title><style>{STYLE}</style></head>\
         <body><script>window.onerror=function(m){{document.body.dataset.error=String(m);}};</script>\
         <header><h1>otscan report</h1><p class=\"muted\">{}</p>",
        esc(p.source),
        esc(p.source),
    );
    write_overview(p, &mut out);
    out.push_str(
        "</header><nav><a href=\"#map\">Communication map</a><a href=\"#inventory\">Assets</a>\
         <a href=\"#alerts\">Alerts</a><a href=\"#stats\">Statistics</a></nav><main>",
    );

    out.push_str("<section id=\"map\"><h2>Communication map</h2>");
    let nodes: Vec<MapNode> = p
        .assets
        .iter()
        .map(|(ip, a)| MapNode {
            ip: *ip,
            column: Column::of_role(a.role()),
            label: inventory::short_label(a),
        })
        .collect();
    let edges = p.collected.comms.sorted();
    let mut svg = String::new();
    let summary = map::write_svg(&nodes, &edges, &mut svg);
    write_map_note(&summary, p.collected.comms.dropped, &mut out);
    out.push_str("<div class=\"scroll\">");
    out.push_str(&svg);
    out.push_str("</div>");
    write_edge_table(&edges, &mut out);
    out.push_str("</section>");

    let _ = write!(
        out,
        "<section id=\"inventory\"><h2>Assets ({})</h2>\
         <p><input id=\"filter\" type=\"search\" placeholder=\"Filter assets…\" aria-label=\"filter assets\"></p>",
        p.assets.len()
    );
    out.push_str("<div class=\"tablebox\">");
    inventory::write_table(&p.assets, p.assets_dropped, &mut out);
    out.push_str("</div></section>");

    out.push_str("<section id=\"alerts\"><h2>Alerts</h2>");
    if p.detection {
        let _ = write!(
            out,
            "<p>{} alerts (aggregates included) for {} occurrences.</p><h3>Timeline</h3><div class=\"scroll\">",
            p.stats.alerts, p.stats.findings
        );
        alerts::write_timeline(&p.collected.alerts, &mut out);
        out.push_str("</div><h3>By ATT&amp;CK for ICS technique and tactic</h3>");
        alerts::write_techniques(&p.collected.alerts, &mut out);
        out.push_str("<h3>Evidence</h3>");
        alerts::write_evidence(&p.collected.alerts, &mut out);
    } else {
        out.push_str("<p class=\"note\">Detection was off (<code>--no-detect</code>).</p>");
    }
    out.push_str("</section>");

    out.push_str("<section id=\"stats\"><h2>Statistics</h2>");
    write_stats(p.stats, &mut out);
    out.push_str("</section></main>");
    let _ = writeln!(out, "<script>{SCRIPT}</script></body></html>");
    out
}

/// The header's key figures and the inputs' warnings.
fn write_overview(p: &Page<'_>, out: &mut String) {
    let s = p.stats;
    let span = p.inputs.span.map_or(String::new(), |(a, b)| {
        format!(
            "{} to {} ({:.1} s)",
            rfc3339(a),
            rfc3339(b),
            (b - a) as f64 / 1e6
        )
    });
    let _ = write!(
        out,
        "<div class=\"cards\"><div><b>{}</b><span>assets</span></div>\
         <div><b>{}</b><span>connections</span></div><div><b>{}</b><span>alerts</span></div>\
         <div><b>{}</b><span>packets</span></div><div><b>{}</b><span>flows</span></div></div>\
         <p class=\"muted\">{} · {:.1} MB · {}</p>",
        p.assets.len(),
        p.collected.comms.len(),
        s.alerts,
        s.packets,
        s.flows.flows,
        esc(&inputs_line(p.inputs)),
        s.bytes as f64 / 1e6,
        esc(&span),
    );
    for w in &p.inputs.warnings {
        let _ = write!(out, "<p class=\"warn\">warning: {}</p>", esc(w));
    }
}

/// "2 capture files", or "live capture on eth1 (kernel: 10 received, 0 dropped)".
fn inputs_line(inputs: &InputsSummary) -> String {
    match &inputs.live {
        Some(l) => format!(
            "live capture on {} (kernel: {} received, {} dropped)",
            l.interface,
            l.received,
            l.dropped.saturating_add(l.if_dropped)
        ),
        None => format!(
            "{} capture file{}",
            inputs.files,
            if inputs.files == 1 { "" } else { "s" }
        ),
    }
}

fn write_map_note(s: &MapSummary, dropped: u64, out: &mut String) {
    out.push_str("<p class=\"note\">Columns by role, bands by subnet; arrows go from client to server, labelled with the protocol and the operations seen (red: program, mode change, restart or file transfer; orange: writes, commands, configuration). Hover a host to highlight its connections.");
    if s.grouped {
        let _ = write!(
            out,
            " <b>{} hosts are drawn as {} groups</b> (by /{} subnet and role), and the connections between hosts as connections between groups.",
            s.hosts, s.boxes, s.prefix
        );
    }
    if s.hidden_edges > 0 {
        let _ = write!(
            out,
            " {} more connections are not drawn (the {} most dangerous and busiest are).",
            s.hidden_edges, s.edges
        );
    }
    if dropped > 0 {
        let _ = write!(
            out,
            " {dropped} PDUs were on connections past the map's table size and are not counted."
        );
    }
    out.push_str("</p>");
}

fn write_edge_table(edges: &[(collect::EdgeKey, &collect::Edge)], out: &mut String) {
    if edges.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<details><summary>Connections ({})</summary><table class=\"sortable\" id=\"edges\"><thead><tr>\
         <th>Client</th><th>Server</th><th>Protocol</th><th>Operations</th><th>PDUs</th>\
         <th>First</th><th>Last</th></tr></thead><tbody>",
        edges.len()
    );
    for ((c, s, proto), e) in edges.iter().take(MAX_EDGE_ROWS) {
        let _ = write!(
            out,
            "<tr><td class=\"mono\" data-sort=\"{}\">{c}</td><td class=\"mono\" data-sort=\"{}\">{s}</td>\
             <td>{}</td><td>{}</td><td class=\"num\">{}</td>{}{}</tr>",
            inventory::sort_key(*c),
            inventory::sort_key(*s),
            esc(proto),
            esc(&e.actions.join()),
            e.pdus,
            time_cell(e.first_us),
            time_cell(e.last_us),
        );
    }
    out.push_str("</tbody></table>");
    if edges.len() > MAX_EDGE_ROWS {
        let _ = write!(
            out,
            "<p class=\"note\">{} more connections not listed.</p>",
            edges.len() - MAX_EDGE_ROWS
        );
    }
    out.push_str("</details>");
}

fn write_stats(s: &ScanStats, out: &mut String) {
    out.push_str(
        "<table id=\"protocols\"><thead><tr><th>Protocol</th><th>Records</th>\
         <th>With anomalies</th></tr></thead><tbody>",
    );
    for p in crate::protocols::PROTOCOLS {
        if let Some(st) = s.protocols.get(p.name()) {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"num\">{} {}</td><td class=\"num\">{}</td></tr>",
                esc(p.name()),
                st.pdus,
                esc(crate::protocols::noun(*p)),
                st.anomalous
            );
        }
    }
    out.push_str("</tbody></table>");
    let f = &s.flows;
    let rows: [(&str, u64); 14] = [
        ("capture records", s.packets),
        ("bytes", s.bytes),
        ("not IP", s.not_ip),
        ("other transport", s.other_transport),
        ("cut short by the capture", s.truncated),
        ("flows", f.flows),
        ("flows expired idle", f.expired),
        ("flows evicted (table full)", f.evicted),
        ("TCP gaps", f.gaps),
        ("TCP retransmissions", f.retransmissions),
        ("TCP out of order", f.out_of_order),
        ("TCP overlap conflicts", f.overlap_conflicts),
        ("alerts", s.alerts),
        ("occurrences they stand for", s.findings),
    ];
    out.push_str("<table id=\"counters\"><tbody>");
    for (name, v) in rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{v}</td></tr>",
            esc(name)
        );
    }
    out.push_str("</tbody></table>");
}
