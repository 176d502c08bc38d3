//! The communication map: hosts laid out in columns by role (masters and HMIs, hosts that
//! are both, PLCs and outstations, others) and in bands by subnet, edges from client to
//! server labelled with protocol and the kinds of operation seen, emitted as inline SVG.
//!
//! The layout is computed here (no layout engine): a grid is all a role-and-subnet picture
//! needs, and it is deterministic, so the same scan draws the same map. Past [`MAX_NODES`]
//! hosts the map draws groups instead (one box per subnet and role, the subnet widened from
//! /24 to /16 to /8 until at most [`MAX_GROUPS`] remain), and the edges between hosts
//! collapse into edges between groups. At most [`MAX_DRAWN_EDGES`] edges are drawn, the
//! most dangerous and busiest first; the rest are counted.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::IpAddr;

use super::collect::{Actions, Edge, EdgeKey};
use super::esc;

/// Most hosts drawn one by one; past it the map draws groups.
pub const MAX_NODES: usize = 60;
/// Most groups the grouping aims for (it widens subnets until it gets there).
pub const MAX_GROUPS: usize = 60;
/// Most edges drawn.
pub const MAX_DRAWN_EDGES: usize = 400;
/// Edges drawn with a visible label (above it, labels are tooltips only).
const MAX_LABELLED_EDGES: usize = 80;

const BOX_W: i64 = 200;
const BOX_H: i64 = 40;
const ROW_GAP: i64 = 14;
const COL_GAP: i64 = 220;
const MARGIN: i64 = 20;
const HEADER_H: i64 = 36;
const BAND_PAD: i64 = 26;
/// Longest text in a box, in characters.
const BOX_CHARS: usize = 30;

/// A host's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    /// Sent requests only: masters, HMIs, engineering stations, scanners.
    Clients,
    /// Sent both requests and responses: gateways, data concentrators.
    Both,
    /// Answered only: PLCs, RTUs, outstations.
    Servers,
    /// Neither seen (addressed, never heard).
    Other,
}

impl Column {
    /// The column of an asset role ("client", "server", "client+server", other).
    pub fn of_role(role: &str) -> Self {
        match role {
            "client" => Column::Clients,
            "server" => Column::Servers,
            "client+server" => Column::Both,
            _ => Column::Other,
        }
    }

    /// The column's heading.
    pub fn title(self) -> &'static str {
        match self {
            Column::Clients => "Masters / HMIs (clients)",
            Column::Both => "Clients and servers",
            Column::Servers => "PLCs / outstations (servers)",
            Column::Other => "Other",
        }
    }

    /// CSS class and `data-role` value.
    pub fn class(self) -> &'static str {
        match self {
            Column::Clients => "clients",
            Column::Both => "both",
            Column::Servers => "servers",
            Column::Other => "other",
        }
    }
}

/// One host of the map.
#[derive(Debug, Clone)]
pub struct MapNode {
    /// Address.
    pub ip: IpAddr,
    /// Column.
    pub column: Column,
    /// Second line: what the device said it is, or its protocols.
    pub label: String,
}

/// What was drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MapSummary {
    /// Hosts on the map.
    pub hosts: usize,
    /// Whether hosts were drawn as groups.
    pub grouped: bool,
    /// The subnet prefix length of the bands (IPv4; IPv6 bands are /64 and wider).
    pub prefix: u8,
    /// Boxes drawn (hosts, or groups).
    pub boxes: usize,
    /// Edges drawn.
    pub edges: usize,
    /// Edges not drawn (past [`MAX_DRAWN_EDGES`]).
    pub hidden_edges: usize,
}

/// Subnet prefixes tried in turn: (IPv4, IPv6).
const LEVELS: [(u8, u8); 8] = [
    (24, 64),
    (22, 60),
    (20, 56),
    (18, 52),
    (16, 48),
    (12, 40),
    (8, 32),
    (0, 0),
];

/// The network of `ip` at `level` of [`LEVELS`]: (network address, prefix length).
fn network(ip: IpAddr, level: usize) -> (IpAddr, u8) {
    let (l4, l6) = LEVELS.get(level).copied().unwrap_or((0, 0));
    match ip {
        IpAddr::V4(a) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(l4)).unwrap_or(0);
            (IpAddr::from((u32::from(a) & mask).to_be_bytes()), l4)
        }
        IpAddr::V6(a) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(l6)).unwrap_or(0);
            (IpAddr::from((u128::from(a) & mask).to_be_bytes()), l6)
        }
    }
}

/// One box: a host or a group.
struct Box_ {
    band: (IpAddr, u8),
    column: Column,
    /// Sort key inside its cell.
    order: IpAddr,
    x: i64,
    y: i64,
    /// What edges name it by (`data-key`, `data-src`, `data-dst`): the address, or the
    /// subnet and role of a group.
    key: String,
    /// `<g>` opening attributes (escaped).
    attrs: String,
    line1: String,
    line2: String,
    title: String,
}

/// One drawn edge: between two boxes, its protocols' actions.
#[derive(Default)]
struct Link {
    protocols: BTreeMap<&'static str, Actions>,
    pdus: u64,
    pairs: u64,
}

impl Link {
    /// The actions of every protocol.
    fn all(&self) -> Actions {
        self.protocols
            .values()
            .fold(Actions::default(), |a, b| a.union(*b))
    }
}

/// How dangerous an edge's operations are: 2 changes the program or the controller's
/// state, 1 writes process data, 0 reads or watches.
fn danger(actions: Actions) -> u8 {
    let high = [
        "program_download",
        "mode_change",
        "restart",
        "file_transfer",
    ];
    let medium = ["write", "command", "config", "time_sync", "program_upload"];
    if high.iter().any(|a| actions.contains(a)) {
        2
    } else if medium.iter().any(|a| actions.contains(a)) {
        1
    } else {
        0
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Writes the map of `nodes` and `edges` as an `<svg>` element into `out`.
pub fn write_svg(nodes: &[MapNode], edges: &[(EdgeKey, &Edge)], out: &mut String) -> MapSummary {
    let grouped = nodes.len() > MAX_NODES;
    // The level: /24 for hosts; for groups, widened until few enough.
    let level = if grouped {
        (0..LEVELS.len())
            .find(|&l| {
                let cells: BTreeSet<_> =
                    nodes.iter().map(|n| (network(n.ip, l), n.column)).collect();
                cells.len() <= MAX_GROUPS
            })
            .unwrap_or(LEVELS.len() - 1)
    } else {
        0
    };
    let mut boxes: Vec<Box_> = Vec::new();
    // Which box each host is in.
    let mut box_of: BTreeMap<IpAddr, usize> = BTreeMap::new();
    if grouped {
        let mut groups: BTreeMap<((IpAddr, u8), Column), Vec<&MapNode>> = BTreeMap::new();
        for n in nodes {
            groups
                .entry((network(n.ip, level), n.column))
                .or_default()
                .push(n);
        }
        for ((band, column), members) in groups {
            let subnet = format!("{}/{}", band.0, band.1);
            let mut title = format!("{subnet} · {} · {} hosts:", column.title(), members.len());
            for m in members.iter().take(40) {
                let _ = write!(title, "\n{} {}", m.ip, m.label);
            }
            if members.len() > 40 {
                let _ = write!(title, "\n… and {} more", members.len() - 40);
            }
            for m in &members {
                box_of.insert(m.ip, boxes.len());
            }
            boxes.push(Box_ {
                band,
                column,
                order: band.0,
                key: format!("{subnet} {}", column.class()),
                x: 0,
                y: 0,
                attrs: format!(
                    "class=\"group {}\" data-subnet=\"{}\" data-role=\"{}\" data-hosts=\"{}\"",
                    column.class(),
                    esc(&subnet),
                    column.class(),
                    members.len()
                ),
                // A group of one shows its host.
                line1: match members.as_slice() {
                    [one] => one.ip.to_string(),
                    _ => format!("{subnet} ({})", members.len()),
                },
                line2: match members.as_slice() {
                    [one] => one.label.clone(),
                    _ => column.title().to_string(),
                },
                title,
            });
        }
    } else {
        for n in nodes {
            box_of.insert(n.ip, boxes.len());
            boxes.push(Box_ {
                band: network(n.ip, 0),
                column: n.column,
                order: n.ip,
                key: n.ip.to_string(),
                x: 0,
                y: 0,
                attrs: format!(
                    "class=\"node {}\" data-ip=\"{}\" data-role=\"{}\"",
                    n.column.class(),
                    esc(&n.ip.to_string()),
                    n.column.class()
                ),
                line1: n.ip.to_string(),
                line2: n.label.clone(),
                title: format!("{} · {}\n{}", n.ip, n.column.title(), n.label),
            });
        }
    }
    let (width, height) = place(&mut boxes);

    // Edges between boxes.
    let mut links: BTreeMap<(usize, usize), Link> = BTreeMap::new();
    for ((client, server, proto), e) in edges {
        let (Some(&a), Some(&b)) = (box_of.get(client), box_of.get(server)) else {
            continue;
        };
        let l = links.entry((a, b)).or_default();
        let acts = l.protocols.entry(proto).or_default();
        *acts = acts.union(e.actions);
        l.pdus += e.pdus;
        l.pairs += 1;
    }
    let mut order: Vec<(&(usize, usize), &Link)> = links.iter().collect();
    order.sort_by_key(|(k, l)| {
        (
            std::cmp::Reverse(danger(l.all())),
            std::cmp::Reverse(l.pdus),
            **k,
        )
    });
    let hidden = order.len().saturating_sub(MAX_DRAWN_EDGES);
    order.truncate(MAX_DRAWN_EDGES);
    // Labels placed so far (when edges are few enough to label), to keep them apart.
    // The boxes are in the way too (as three lines of text each).
    let mut placed: Vec<Label> = boxes
        .iter()
        .flat_map(|b| [4, 17, 30, 43].map(|dy| (b.x + BOX_W / 2, b.y + dy, BOX_W / 2)))
        .collect();
    let labelled = order.len() <= MAX_LABELLED_EDGES;

    let _ = write!(
        out,
        "<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"communication map\">"
    );
    out.push_str(
        "<defs>\
         <marker id=\"arrow0\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"10\" markerHeight=\"10\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" class=\"ah0\"/></marker>\
         <marker id=\"arrow1\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"10\" markerHeight=\"10\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" class=\"ah1\"/></marker>\
         <marker id=\"arrow2\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"10\" markerHeight=\"10\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" class=\"ah2\"/></marker>\
         </defs>",
    );
    write_bands(&boxes, width, out);
    out.push_str("<g class=\"edges\">");
    for ((a, b), l) in &order {
        let (Some(pa), Some(pb)) = (boxes.get(*a), boxes.get(*b)) else {
            continue;
        };
        write_edge(pa, pb, l, grouped, labelled.then_some(&mut placed), out);
    }
    out.push_str("</g><g class=\"boxes\">");
    for b in &boxes {
        let _ = write!(
            out,
            "<g {} data-key=\"{}\" transform=\"translate({},{})\"><title>{}</title>\
             <rect width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"6\"/>\
             <text x=\"8\" y=\"16\" class=\"l1\">{}</text><text x=\"8\" y=\"32\" class=\"l2\">{}</text></g>",
            b.attrs,
            esc(&b.key),
            b.x,
            b.y,
            esc(&b.title),
            esc(&clip(&b.line1, BOX_CHARS)),
            esc(&clip(&b.line2, BOX_CHARS + 4)),
        );
    }
    out.push_str("</g></svg>");
    MapSummary {
        hosts: nodes.len(),
        grouped,
        prefix: LEVELS.get(level).map_or(0, |l| l.0),
        boxes: boxes.len(),
        edges: order.len(),
        hidden_edges: hidden,
    }
}

/// Places the boxes: columns by role, bands by subnet, each cell's boxes stacked. Returns
/// the picture's width and height.
fn place(boxes: &mut [Box_]) -> (i64, i64) {
    let columns: BTreeSet<Column> = boxes.iter().map(|b| b.column).collect();
    let col_x = |c: Column| {
        let i = columns.iter().position(|&x| x == c).unwrap_or(0) as i64;
        MARGIN + 90 + i * (BOX_W + COL_GAP)
    };
    let mut cells: BTreeMap<((IpAddr, u8), Column), Vec<usize>> = BTreeMap::new();
    for (i, b) in boxes.iter().enumerate() {
        cells.entry((b.band, b.column)).or_default().push(i);
    }
    for v in cells.values_mut() {
        v.sort_by_key(|&i| boxes.get(i).map(|b| b.order));
    }
    let bands: BTreeSet<(IpAddr, u8)> = boxes.iter().map(|b| b.band).collect();
    let mut y = MARGIN + HEADER_H;
    for band in bands {
        let tallest = columns
            .iter()
            .map(|&c| cells.get(&(band, c)).map_or(0, Vec::len))
            .max()
            .unwrap_or(0) as i64;
        for &c in &columns {
            for (row, &i) in cells.get(&(band, c)).into_iter().flatten().enumerate() {
                if let Some(b) = boxes.get_mut(i) {
                    b.x = col_x(c);
                    b.y = y + BAND_PAD + row as i64 * (BOX_H + ROW_GAP);
                }
            }
        }
        y += BAND_PAD * 2 + tallest * (BOX_H + ROW_GAP) - ROW_GAP;
    }
    let width = columns
        .iter()
        .next_back()
        .map_or(MARGIN * 2 + 90 + BOX_W, |&c| col_x(c) + BOX_W + MARGIN + 90);
    (width, y + MARGIN)
}

/// The column headings and a shaded band per subnet, named at its left.
fn write_bands(boxes: &[Box_], width: i64, out: &mut String) {
    let mut heads: BTreeMap<Column, i64> = BTreeMap::new();
    let mut bands: BTreeMap<(IpAddr, u8), (i64, i64)> = BTreeMap::new();
    for b in boxes {
        heads.insert(b.column, b.x);
        let e = bands.entry(b.band).or_insert((b.y, b.y + BOX_H));
        e.0 = e.0.min(b.y);
        e.1 = e.1.max(b.y + BOX_H);
    }
    out.push_str("<g class=\"bands\">");
    for (i, ((net, len), (top, bottom))) in bands.iter().enumerate() {
        let _ = write!(
            out,
            "<rect class=\"band{}\" x=\"{MARGIN}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\"/>\
             <text class=\"bandname\" x=\"{}\" y=\"{}\">{}/{len}</text>",
            i % 2,
            top - BAND_PAD + 6,
            width - 2 * MARGIN,
            bottom - top + 2 * BAND_PAD - 12,
            MARGIN + 8,
            top - 6,
            esc(&net.to_string()),
        );
    }
    for (c, x) in heads {
        let _ = write!(
            out,
            "<text class=\"colhead\" x=\"{}\" y=\"{}\">{}</text>",
            x + BOX_W / 2,
            MARGIN + 16,
            esc(c.title())
        );
    }
    out.push_str("</g>");
}

/// One edge: a curve from the client's box to the server's, an arrow at the server, its
/// label at the middle of the curve.
/// A placed label: centre x, baseline y, half width.
type Label = (i64, i64, i64);

/// Where a label of `chars` characters centred at (`x`, `y`) goes: there, or up to three
/// lines above or below, the first place that overlaps no label placed before.
fn place_label(x: i64, y: i64, chars: usize, placed: &mut Vec<Label>) -> (i64, i64) {
    const LINE: i64 = 13;
    let half = (chars as i64 * 6) / 2 + 2;
    let free = |y: i64, placed: &[Label]| {
        placed
            .iter()
            .all(|&(px, py, ph)| (px - x).abs() >= ph + half || (py - y).abs() >= LINE)
    };
    let y = [0, 1, -1, 2, -2, 3, -3]
        .into_iter()
        .map(|k| y + k * LINE)
        .find(|&y| free(y, placed))
        .unwrap_or(y);
    placed.push((x, y, half));
    (x, y)
}

fn write_edge(
    a: &Box_,
    b: &Box_,
    l: &Link,
    grouped: bool,
    labels: Option<&mut Vec<Label>>,
    out: &mut String,
) {
    let mid_y = |x: &Box_| x.y + BOX_H / 2;
    let (x0, y0, x3, y3, c1, c2);
    if a.x < b.x {
        (x0, y0, x3, y3) = (a.x + BOX_W, mid_y(a), b.x, mid_y(b));
        let d = (x3 - x0) / 2;
        (c1, c2) = ((x0 + d, y0), (x3 - d, y3));
    } else if a.x > b.x {
        (x0, y0, x3, y3) = (a.x, mid_y(a), b.x + BOX_W, mid_y(b));
        let d = (x0 - x3) / 2;
        (c1, c2) = ((x0 - d, y0), (x3 + d, y3));
    } else {
        // Same column: a bulge to the right (a loop when it is the same box).
        let same = std::ptr::eq(a, b);
        (x0, y0, x3) = (
            a.x + BOX_W,
            mid_y(a) - if same { 8 } else { 0 },
            b.x + BOX_W,
        );
        y3 = mid_y(b) + if same { 8 } else { 0 };
        let bulge = 60 + (y3 - y0).abs() / 6;
        (c1, c2) = ((x0 + bulge, y0), (x3 + bulge, y3));
    }
    let level = danger(l.all());
    let mut text = String::new();
    for (p, actions) in &l.protocols {
        if !text.is_empty() {
            text.push_str(" · ");
        }
        let _ = write!(text, "{p}: {}", actions.join());
    }
    let width = 1.0 + (l.pdus.max(1) as f64).log10().min(4.0);
    let (src, dst) = (&a.key, &b.key);
    let _ = write!(
        out,
        "<g class=\"edge e{level}\" data-src=\"{}\" data-dst=\"{}\"><title>{} → {}\n{}\n{} PDUs{}</title>\
         <path d=\"M{x0},{y0} C{},{} {},{} {x3},{y3}\" stroke-width=\"{width:.1}\" marker-end=\"url(#arrow{level})\"/>",
        esc(src),
        esc(dst),
        esc(src),
        esc(dst),
        esc(&text),
        l.pdus,
        if grouped {
            format!(", {} host pairs", l.pairs)
        } else {
            String::new()
        },
        c1.0,
        c1.1,
        c2.0,
        c2.1,
    );
    if let Some(placed) = labels {
        // Two thirds along the curve, where edges from one host have fanned out:
        // B(t) = (1-t)^3 P0 + 3 (1-t)^2 t P1 + 3 (1-t) t^2 P2 + t^3 P3, t = 2/3, times 27.
        let mx = (x0 + 6 * c1.0 + 12 * c2.0 + 8 * x3) / 27;
        let my = (y0 + 6 * c1.1 + 12 * c2.1 + 8 * y3) / 27;
        let label = clip(&text, 48);
        let (lx, ly) = place_label(mx, my - 3, label.chars().count(), placed);
        let _ = write!(
            out,
            "<text class=\"elabel\" x=\"{lx}\" y=\"{ly}\">{}</text>",
            esc(&label)
        );
    }
    out.push_str("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(ip: [u8; 4], column: Column) -> MapNode {
        MapNode {
            ip: IpAddr::from(ip),
            column,
            label: "modbus".into(),
        }
    }

    #[test]
    fn network_masks_by_level() {
        let ip = IpAddr::from([10, 20, 30, 40]);
        assert_eq!(network(ip, 0), (IpAddr::from([10, 20, 30, 0]), 24));
        assert_eq!(network(ip, 2), (IpAddr::from([10, 20, 16, 0]), 20));
        assert_eq!(network(ip, 4), (IpAddr::from([10, 20, 0, 0]), 16));
        assert_eq!(network(ip, 7), (IpAddr::from([0, 0, 0, 0]), 0));
        let v6: IpAddr = "2001:db8:1:2:3::4".parse().unwrap();
        assert_eq!(
            network(v6, 0).0,
            "2001:db8:1:2::".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn few_hosts_are_drawn_one_by_one_in_their_columns() {
        let nodes = [
            node([10, 0, 0, 1], Column::Clients),
            node([10, 0, 0, 2], Column::Servers),
            node([10, 0, 1, 3], Column::Servers),
        ];
        let edge = Edge {
            actions: ["read", "write"].into_iter().collect(),
            pdus: 10,
            ..Edge::default()
        };
        let key = (nodes[0].ip, nodes[1].ip, "modbus");
        let mut svg = String::new();
        let s = write_svg(&nodes, &[(key, &edge)], &mut svg);
        assert!(!s.grouped);
        assert_eq!((s.boxes, s.edges), (3, 1));
        for n in &nodes {
            assert!(svg.contains(&format!("data-ip=\"{}\"", n.ip)), "{svg}");
        }
        assert!(svg.contains("modbus: read, write"));
        // A write makes it an orange edge.
        assert!(svg.contains("class=\"edge e1\""));
        // The two /24s are two bands.
        assert!(svg.contains(">10.0.0.0/24<") && svg.contains(">10.0.1.0/24<"));
    }

    #[test]
    fn many_hosts_collapse_into_groups_and_their_edges_too() {
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        let e = Edge {
            actions: ["read"].into_iter().collect(),
            pdus: 1,
            ..Edge::default()
        };
        for site in 0..5u8 {
            nodes.push(node([10, 1, site, 1], Column::Clients));
            for p in 0..30u8 {
                nodes.push(node([10, 1, site, 100 + p], Column::Servers));
                edges.push((
                    (
                        IpAddr::from([10, 1, site, 1]),
                        IpAddr::from([10, 1, site, 100 + p]),
                        "modbus",
                    ),
                    &e,
                ));
            }
        }
        let mut svg = String::new();
        let s = write_svg(&nodes, &edges, &mut svg);
        assert!(s.grouped);
        assert_eq!(s.prefix, 24);
        // Five sites, two roles each; one edge per site.
        assert_eq!((s.boxes, s.edges), (10, 5));
        assert!(
            svg.contains(
                "data-subnet=\"10.1.3.0&#x2F;24\" data-role=\"servers\" data-hosts=\"30\""
            )
        );
        assert!(!svg.contains("class=\"node"));
    }

    #[test]
    fn labels_that_would_overlap_move_a_line_apart() {
        let mut placed = Vec::new();
        assert_eq!(place_label(100, 50, 20, &mut placed), (100, 50));
        // Same place: one line below; then above.
        assert_eq!(place_label(110, 52, 20, &mut placed), (110, 65));
        assert_eq!(place_label(90, 50, 20, &mut placed), (90, 37));
        // Far enough to the side: where asked.
        assert_eq!(place_label(300, 50, 20, &mut placed), (300, 50));
    }

    #[test]
    fn too_many_subnets_widen_the_groups() {
        // 200 servers, each in a /24 of its own, in two /16s: 100 /22s, then 26 /20s.
        let nodes: Vec<MapNode> = (0..200u8)
            .map(|i| node([10, i % 2, i, 1], Column::Servers))
            .collect();
        let mut svg = String::new();
        let s = write_svg(&nodes, &[], &mut svg);
        assert!(s.grouped);
        assert_eq!((s.prefix, s.boxes), (20, 26));
    }
}
