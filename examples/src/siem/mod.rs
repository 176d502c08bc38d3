//! Alerts for SIEMs and pipelines: `otscan --output ecs` ([`ecs`], Elastic Common Schema
//! 9.4 documents) and `--output eve` ([`eve`], Suricata EVE `alert` records). Both are
//! built from the same [`AlertRecord`]; what they share (the
//! ATT&CK for ICS tactics, the transport, the observer) is here.

pub mod ecs;
pub mod eve;

use otwire_detect::Protocol;
use otwire_detect::protocol::{Transport, describe};

use crate::record::AlertRecord;

/// How alerts are written as JSON lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertFormat {
    /// otwire's own alert record (DESIGN.md §4, `--output alerts`).
    #[default]
    Otwire,
    /// An Elastic Common Schema document ([`ecs::document`]).
    Ecs,
    /// A Suricata EVE `alert` record ([`eve::eve`]).
    Eve,
}

impl AlertFormat {
    /// Writes one alert in this format as JSON (no newline).
    pub fn write<W: std::io::Write>(self, out: W, a: &AlertRecord) -> serde_json::Result<()> {
        match self {
            AlertFormat::Otwire => serde_json::to_writer(out, a),
            AlertFormat::Ecs => serde_json::to_writer(out, &ecs::document(a)),
            AlertFormat::Eve => serde_json::to_writer(out, &eve::eve(a)),
        }
    }
}

/// The vendor, product and version observers name (ECS `observer.*`).
pub const VENDOR: &str = "otwire";
/// The product that raised the alerts.
pub const PRODUCT: &str = "otscan";
/// The framework alerts are classified in (ECS `threat.framework`).
pub const FRAMEWORK: &str = "MITRE ATT&CK for ICS";

/// One ATT&CK for ICS tactic: its id and its name (attack.mitre.org/tactics/ics/).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tactic {
    /// `"TA0106"`.
    pub id: &'static str,
    /// `"Impair Process Control"`.
    pub name: &'static str,
}

impl Tactic {
    /// `https://attack.mitre.org/tactics/TA0106/`.
    pub fn reference(self) -> String {
        format!("https://attack.mitre.org/tactics/{}/", self.id)
    }
}

/// The ICS matrix's tactics by their ATT&CK short name (the form otwire-detect's catalog
/// keeps, `"impair-process-control"`).
const TACTICS: [(&str, Tactic); 12] = [
    (
        "collection",
        Tactic {
            id: "TA0100",
            name: "Collection",
        },
    ),
    (
        "command-and-control",
        Tactic {
            id: "TA0101",
            name: "Command and Control",
        },
    ),
    (
        "discovery",
        Tactic {
            id: "TA0102",
            name: "Discovery",
        },
    ),
    (
        "evasion",
        Tactic {
            id: "TA0103",
            name: "Evasion",
        },
    ),
    (
        "execution",
        Tactic {
            id: "TA0104",
            name: "Execution",
        },
    ),
    (
        "impact",
        Tactic {
            id: "TA0105",
            name: "Impact",
        },
    ),
    (
        "impair-process-control",
        Tactic {
            id: "TA0106",
            name: "Impair Process Control",
        },
    ),
    (
        "inhibit-response-function",
        Tactic {
            id: "TA0107",
            name: "Inhibit Response Function",
        },
    ),
    (
        "initial-access",
        Tactic {
            id: "TA0108",
            name: "Initial Access",
        },
    ),
    (
        "lateral-movement",
        Tactic {
            id: "TA0109",
            name: "Lateral Movement",
        },
    ),
    (
        "persistence",
        Tactic {
            id: "TA0110",
            name: "Persistence",
        },
    ),
    (
        "privilege-escalation",
        Tactic {
            id: "TA0111",
            name: "Privilege Escalation",
        },
    ),
];

/// The tactic of a short name (`"impair-process-control"`), `None` when not in the matrix.
pub fn tactic(short: &str) -> Option<Tactic> {
    TACTICS.iter().find(|(s, _)| *s == short).map(|&(_, t)| t)
}

/// The tactics of an alert, in its order; a short name not in the matrix is kept as its
/// own name with no id.
pub fn tactics(a: &AlertRecord) -> Vec<(Option<Tactic>, String)> {
    a.tactics
        .iter()
        .map(|s| match tactic(s) {
            Some(t) => (Some(t), t.name.to_string()),
            None => (None, s.to_string()),
        })
        .collect()
}

/// `https://attack.mitre.org/techniques/T0855/`.
pub fn technique_reference(id: &str) -> String {
    format!("https://attack.mitre.org/techniques/{id}/")
}

/// The transport of an alert's traffic, lower case (`"tcp"`, `"udp"`, `"icmp"`), `None`
/// for ARP: the IP protocol number of the event that raised it ([`AlertRecord::ip_proto`]).
/// An alert built without one (by hand, or read back from JSON) falls back on its protocol:
/// a network event's protocol is its transport, and an OT protocol is taken to be on UDP
/// when one end is on a port the protocol uses on UDP and not on TCP (EtherNet/IP I/O on
/// 2222), else on TCP.
pub fn transport(a: &AlertRecord) -> Option<&'static str> {
    match a.ip_proto {
        Some(6) => return Some("tcp"),
        Some(17) => return Some("udp"),
        Some(1 | 58) => return Some("icmp"),
        _ => {}
    }
    match a.proto {
        Protocol::Tcp => return Some("tcp"),
        Protocol::Udp => return Some("udp"),
        Protocol::Icmp => return Some("icmp"),
        Protocol::Arp => return None,
        _ => {}
    }
    let Some(d) = describe(a.proto) else {
        return Some("tcp");
    };
    let udp_only =
        |p: u16| d.ports(Transport::Udp).contains(&p) && !d.ports(Transport::Tcp).contains(&p);
    Some(if udp_only(a.dst.port) || udp_only(a.src.port) {
        "udp"
    } else {
        "tcp"
    })
}

/// The IANA protocol number of a transport (`"6"`), as ECS `network.iana_number` keeps it.
pub fn iana_number(transport: &str, ipv6: bool) -> Option<&'static str> {
    match (transport, ipv6) {
        ("tcp", _) => Some("6"),
        ("udp", _) => Some("17"),
        ("icmp", false) => Some("1"),
        ("icmp", true) => Some("58"),
        _ => None,
    }
}

/// The application protocol of an alert as SIEMs label it (`network.protocol`, EVE
/// `app_proto`): the OT protocol's name; `None` for network events (TCP, UDP, ICMP, ARP)
/// and for bytes that are not the protocol of their port.
pub fn app_proto(p: Protocol) -> Option<&'static str> {
    match p {
        Protocol::Modbus | Protocol::Dnp3 | Protocol::Iec104 | Protocol::S7 | Protocol::Enip => {
            Some(p.name())
        }
        _ => None,
    }
}
