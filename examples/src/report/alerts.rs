//! The report's alerts: a timeline (one row per ATT&CK for ICS technique, a dot per alert,
//! a bar over an aggregate's span), the table by technique and tactic, and each kept
//! alert with its evidence.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::record::{AlertRecord, Severity, rfc3339};

use super::collect::AlertLog;
use super::{esc, time_cell};

/// Width of the timeline's plot area.
const PLOT_W: f64 = 1000.0;
/// Left margin (technique ids).
const LEFT: f64 = 70.0;
/// One technique's row.
const ROW_H: f64 = 22.0;
/// Longest evidence shown per alert (characters of its JSON).
const MAX_EVIDENCE_CHARS: usize = 800;

/// The lowercase severity name (CSS class and text).
pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

fn us(t: u64) -> i64 {
    i64::try_from(t).unwrap_or(i64::MAX)
}

fn ts(t: u64) -> String {
    rfc3339(us(t))
}

/// Writes the timeline of the kept alerts as an `<svg>`.
pub fn write_timeline(log: &AlertLog, out: &mut String) {
    let alerts = &log.alerts;
    let (Some(t0), Some(t1)) = (
        alerts.iter().map(|a| a.first_seen.0.min(a.ts.0)).min(),
        alerts.iter().map(|a| a.last_seen.0.max(a.ts.0)).max(),
    ) else {
        out.push_str("<p class=\"note\">No alerts.</p>");
        return;
    };
    let span = (t1.saturating_sub(t0)).max(1) as f64;
    let x = |t: u64| LEFT + (t.saturating_sub(t0)) as f64 / span * PLOT_W;
    // Rows in order of first appearance.
    let mut rows: BTreeMap<&str, usize> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for a in alerts {
        if !rows.contains_key(a.technique_id.as_ref()) {
            rows.insert(a.technique_id.as_ref(), order.len());
            order.push(a.technique_id.as_ref());
        }
    }
    let height = 30.0 + ROW_H * order.len() as f64 + 24.0;
    let width = LEFT + PLOT_W + 20.0;
    let _ = write!(
        out,
        "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"alert timeline\">"
    );
    for (i, id) in order.iter().enumerate() {
        let y = 30.0 + ROW_H * i as f64;
        let name = log
            .techniques
            .get(*id)
            .map(|r| r.name.as_str())
            .unwrap_or("");
        let _ = write!(
            out,
            "<g class=\"trow\"><rect class=\"row{}\" x=\"0\" y=\"{y}\" width=\"{width}\" height=\"{ROW_H}\"/>\
             <text x=\"6\" y=\"{}\"><title>{}</title>{}</text></g>",
            i % 2,
            y + 15.0,
            esc(name),
            esc(id)
        );
    }
    // The axis: start, middle and end times.
    let axis_y = 30.0 + ROW_H * order.len() as f64 + 16.0;
    for (frac, anchor) in [(0.0, "start"), (0.5, "middle"), (1.0, "end")] {
        let t = t0 + (span * frac) as u64;
        let _ = write!(
            out,
            "<text class=\"axis\" x=\"{}\" y=\"{axis_y}\" text-anchor=\"{anchor}\">{}</text>",
            LEFT + PLOT_W * frac,
            esc(&ts(t))
        );
    }
    for a in alerts {
        let row = rows.get(a.technique_id.as_ref()).copied().unwrap_or(0);
        let y = 30.0 + ROW_H * row as f64 + ROW_H / 2.0;
        let sev = severity_name(a.severity);
        let title = format!(
            "{} {} · {} · {} → {}\n{}",
            ts(a.ts.0),
            a.technique_id,
            sev,
            a.src,
            a.dst,
            a.summary
        );
        if a.aggregate && a.last_seen.0 > a.first_seen.0 {
            let _ = write!(
                out,
                "<g class=\"alert {sev}\"><title>{} (×{})</title><line x1=\"{:.1}\" y1=\"{y}\" x2=\"{:.1}\" y2=\"{y}\"/></g>",
                esc(&title),
                a.count,
                x(a.first_seen.0),
                x(a.last_seen.0)
            );
        } else {
            let _ = write!(
                out,
                "<g class=\"alert {sev}\"><title>{}</title><circle cx=\"{:.1}\" cy=\"{y}\" r=\"5\"/></g>",
                esc(&title),
                x(a.ts.0)
            );
        }
    }
    out.push_str("</svg>");
    if log.dropped > 0 {
        let _ = write!(
            out,
            "<p class=\"note\">{} more alerts not drawn (the report keeps the first {} of each \
             technique); the table below counts them all.</p>",
            log.dropped,
            super::collect::MAX_ALERTS_PER_TECHNIQUE
        );
    }
}

/// Writes the table by technique and tactic.
pub fn write_techniques(log: &AlertLog, out: &mut String) {
    if log.techniques.is_empty() {
        return;
    }
    out.push_str(
        "<table class=\"sortable\" id=\"techniques\"><thead><tr><th>Technique</th><th>Name</th>\
         <th>Tactics</th><th>Highest severity</th><th>Alerts</th><th>Occurrences</th>\
         <th>First</th><th>Last</th><th>Detectors</th></tr></thead><tbody>",
    );
    let mut rows: Vec<_> = log.techniques.iter().collect();
    rows.sort_by(|a, b| b.1.severity.cmp(&a.1.severity).then(a.0.cmp(b.0)));
    for (id, r) in rows {
        let sev = r.severity.map_or("", severity_name);
        let tactics: Vec<&str> = r.tactics.iter().map(String::as_str).collect();
        let detectors: Vec<&str> = r.detectors.iter().map(String::as_str).collect();
        let _ = write!(
            out,
            "<tr><td class=\"mono\"><a href=\"#t-{id}\">{id}</a></td><td>{}</td><td>{}</td>\
             <td data-sort=\"{}\"><span class=\"sev {sev}\">{sev}</span></td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td>{}{}<td>{}</td></tr>",
            esc(&r.name),
            esc(&tactics.join(", ")),
            r.severity.map_or(0, |s| s as u8 + 1),
            r.alerts,
            r.findings,
            time_cell(us(r.first_us)),
            time_cell(us(r.last_us)),
            esc(&detectors.join(", ")),
            id = esc(id),
        );
    }
    out.push_str("</tbody></table>");
}

/// Writes the kept alerts with their evidence, one collapsible section per technique.
pub fn write_evidence(log: &AlertLog, out: &mut String) {
    let mut by: BTreeMap<&str, Vec<&AlertRecord>> = BTreeMap::new();
    for a in &log.alerts {
        by.entry(a.technique_id.as_ref()).or_default().push(a);
    }
    for (id, alerts) in by {
        let row = log.techniques.get(id);
        let _ = write!(
            out,
            "<details id=\"t-{}\"><summary><b>{}</b> {} <span class=\"muted\">({} shown of {})</span></summary>\
             <table class=\"evidence\"><thead><tr><th>Time</th><th>Severity</th><th>Source</th>\
             <th>Destination</th><th>Protocol</th><th>Count</th><th>Summary and evidence</th></tr></thead><tbody>",
            esc(id),
            esc(id),
            esc(row.map_or("", |r| r.name.as_str())),
            alerts.len(),
            row.map_or(0, |r| r.alerts),
        );
        for a in alerts {
            let sev = severity_name(a.severity);
            let mut evidence = serde_json::to_string(&a.evidence).unwrap_or_default();
            if evidence.chars().count() > MAX_EVIDENCE_CHARS {
                evidence = evidence.chars().take(MAX_EVIDENCE_CHARS).collect();
                evidence.push('…');
            }
            let _ = write!(
                out,
                "<tr>{}<td><span class=\"sev {sev}\">{sev}</span></td>\
                 <td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td><td class=\"num\">{}</td>\
                 <td>{}<br><code>{}</code></td></tr>",
                time_cell(us(a.ts.0)),
                esc(&a.src.to_string()),
                esc(&a.dst.to_string()),
                esc(a.proto.name()),
                a.count,
                esc(&a.summary),
                esc(&evidence),
            );
        }
        out.push_str("</tbody></table></details>");
    }
}
