//! The path family, ARP (RFC 826): T0830 Adversary-in-the-Middle from the IP↔MAC bindings
//! claimed on the link.
//!
//! Every ARP request and reply claims its sender's binding (RFC 826 "merge"); a probe
//! (sender 0.0.0.0, RFC 5227 §2.1.1) claims nothing. While learning, the bindings of each IP
//! are learned (up to four MACs: a device replaced or a DHCP lease moved while learning
//! is a second learned MAC; more marks the IP unstable and it is not judged). Afterwards:
//! - `binding_changed`: a known IP claimed by a MAC it was never bound to (an ARP spoof, with
//!   or without forwarding); every such claim is a finding, grouped by the IP claimed.
//! - `many_ips`: one MAC claiming at least `net.ips_per_mac` distinct IPs in one window, more
//!   than it ever did while learning (the MITM claims the gateway and the victims).
//! - `gratuitous_storm`: at least `net.gratuitous_per_window` gratuitous ARPs (RFC 5227 §3)
//!   from one MAC in one window.
//!
//! IPs first seen after learning are recorded (not reported) and judged from then on.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{MacSet, load, save};
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog;
use crate::config::Config;
use crate::detector::{Detector, Family, Sink};
use crate::event::{Endpoint, Event, Ip, ip_from_bytes};
use crate::net::{Arp, Mac, NetEvent};
use crate::table::{BoundedMap, TableStats};

/// Distinct IPs counted per MAC and window (a MAC claiming more is counted as claiming
/// this many).
const CLAIMED: usize = 8;

/// One MAC's claims in the current window, and what it claimed at most while learning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct Claimer {
    start: u64,
    /// The distinct IPs claimed, exactly up to [`CLAIMED`] (counting stops there).
    ips: [Ip; CLAIMED],
    distinct: u32,
    gratuitous: u32,
    /// The most distinct IPs claimed in one learning window.
    learned_ips: u32,
    /// Reported in this window: bit 0 many IPs, bit 1 storm.
    fired: u8,
}

/// ARP bindings: changed bindings, one MAC claiming many IPs, gratuitous ARP storms (T0830).
#[derive(Debug, Clone)]
pub struct ArpWatch {
    bindings: BoundedMap<Ip, MacSet>,
    claimers: BoundedMap<Mac, Claimer>,
    cfg: crate::config::Net,
}

/// What a baseline keeps.
#[derive(Serialize, Deserialize)]
struct Saved {
    bindings: BoundedMap<Ip, MacSet>,
    claimers: BoundedMap<Mac, Claimer>,
}

impl ArpWatch {
    /// A detector with `config.caps.assets` bindings and `config.caps.sources` MACs.
    pub fn new(config: &Config) -> Self {
        Self {
            bindings: BoundedMap::new(config.caps.assets),
            claimers: BoundedMap::new(config.caps.sources),
            cfg: config.net.clone(),
        }
    }
}

/// `aa:bb:cc:dd:ee:ff`.
pub(crate) fn mac_str(m: &Mac) -> String {
    let [a, b, c, d, e, f] = *m;
    format!("{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{f:02x}")
}

/// A finding about a claim of `ip` (grouped by the IP claimed; its sources are the hosts
/// the claim was made to).
fn finding(
    ev: &Event<'_>,
    a: &Arp,
    severity: Severity,
    reason: &'static str,
    s: String,
) -> Finding {
    let f = Finding::new(ev, &catalog::T0830, severity, 0.8, s)
        .because(reason)
        .with("sender_mac", mac_str(&a.sender_mac))
        .with("sender_ip", ip_from_bytes(a.sender_ip).to_string())
        .with("target_ip", ip_from_bytes(a.target_ip).to_string())
        .with("op", a.op);
    Finding {
        src: Endpoint {
            ip: a.target_ip,
            port: 0,
        },
        dst: Endpoint {
            ip: a.sender_ip,
            port: 0,
        },
        unit: None,
        ..f
    }
}

impl Detector for ArpWatch {
    fn name(&self) -> &'static str {
        "arp"
    }

    fn family(&self) -> Family {
        Family::Path
    }

    fn network(&self) -> bool {
        true
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        let Some(NetEvent::Arp(a)) = ev.net() else {
            return;
        };
        if a.is_probe() {
            return;
        }
        let learning = sink.is_learning();
        let ip = ip_from_bytes(a.sender_ip);
        let mac = || mac_str(&a.sender_mac);
        // The binding.
        if let Some((b, inserted)) = self
            .bindings
            .get_or_insert_with(a.sender_ip, MacSet::default)
        {
            if learning || inserted {
                b.learn(a.sender_mac);
            } else if !b.full && !b.knows(&a.sender_mac) {
                let known = b.names();
                let s = format!(
                    "{ip} claimed by {}, bound to {} while learning (ARP spoofing?)",
                    mac(),
                    known.join(", ")
                );
                sink.report(
                    finding(ev, a, Severity::High, "binding_changed", s)
                        .with("learned_macs", known),
                );
            }
        }
        // The claimer's window.
        let window = self.cfg.arp_window_secs.max(1).saturating_mul(1_000_000);
        let Some((c, _)) = self
            .claimers
            .get_or_insert_with(a.sender_mac, Claimer::default)
        else {
            return;
        };
        if ev.ts.saturating_sub(c.start) >= window || c.start == 0 {
            if learning {
                c.learned_ips = c.learned_ips.max(c.distinct);
            }
            *c = Claimer {
                start: ev.ts,
                learned_ips: c.learned_ips,
                ..Claimer::default()
            };
        }
        let n = (c.distinct as usize).min(CLAIMED);
        if !c.ips.get(..n).unwrap_or(&[]).contains(&a.sender_ip) {
            if let Some(slot) = c.ips.get_mut(n) {
                *slot = a.sender_ip;
                c.distinct += 1;
            }
        }
        if a.is_gratuitous() {
            c.gratuitous = c.gratuitous.saturating_add(1);
        }
        if learning {
            c.learned_ips = c.learned_ips.max(c.distinct);
            return;
        }
        let limit = self.cfg.ips_per_mac.max(c.learned_ips.saturating_add(1));
        if c.fired & 1 == 0 && c.distinct >= limit {
            c.fired |= 1;
            let s = format!(
                "{} claimed {} IPs in {} s (learned at most {}), the latest {ip}",
                mac(),
                c.distinct,
                self.cfg.arp_window_secs,
                c.learned_ips
            );
            sink.report(
                finding(ev, a, Severity::High, "many_ips", s)
                    .with("distinct_ips", c.distinct)
                    .with("learned_max", c.learned_ips),
            );
        }
        let storm = self.cfg.gratuitous_per_window.max(1);
        if c.fired & 2 == 0 && c.gratuitous >= storm {
            c.fired |= 2;
            let s = format!(
                "{} sent {} gratuitous ARPs in {} s (threshold {storm}), the latest for {ip}",
                mac(),
                c.gratuitous,
                self.cfg.arp_window_secs
            );
            sink.report(
                finding(ev, a, Severity::Medium, "gratuitous_storm", s)
                    .with("gratuitous", c.gratuitous),
            );
        }
    }

    fn stats(&self) -> TableStats {
        self.bindings.stats().merge(self.claimers.stats())
    }

    fn save(&self) -> Result<Value, Error> {
        save(&Saved {
            bindings: self.bindings.clone(),
            claimers: self.claimers.clone(),
        })
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        let s: Saved = load(state)?;
        self.bindings = s.bindings;
        self.claimers = s.claimers;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binding_learns_up_to_four_macs_then_is_unstable() {
        let mut b = MacSet::default();
        for i in 0..4u8 {
            b.learn([2, 0, 0, 0, 0, i]);
            b.learn([2, 0, 0, 0, 0, i]);
        }
        assert_eq!((b.list().len(), b.full), (4, false));
        assert!(b.knows(&[2, 0, 0, 0, 0, 3]) && !b.knows(&[2, 0, 0, 0, 0, 9]));
        b.learn([2, 0, 0, 0, 0, 9]);
        assert!(b.full);
        assert_eq!(mac_str(&[0xaa, 0, 1, 2, 3, 0xff]), "aa:00:01:02:03:ff");
    }
}

#[cfg(test)]
mod claims {
    use super::*;
    use crate::detector::Mode;
    use crate::event::Meta;

    #[test]
    fn one_mac_claiming_three_ips_is_many_ips() {
        let mut d = ArpWatch::new(&Config::default());
        let mut sink = Sink::new(Mode::Detecting);
        for (i, last) in [2u8, 10, 1].into_iter().enumerate() {
            let a = Arp {
                op: Arp::REPLY,
                sender_mac: [2, 0, 0, 0, 0, 66],
                sender_ip: Endpoint::v4([10, 0, 0, last], 0).ip,
                target_mac: [0; 6],
                target_ip: Endpoint::v4([10, 0, 0, 9], 0).ip,
            };
            let m = Meta {
                ts: 1_000_000 + i as u64,
                ..Meta::default()
            };
            d.observe(&Event::network(m, NetEvent::Arp(a)), &mut sink);
        }
        let reasons: Vec<_> = sink.findings().iter().map(|f| f.reason).collect();
        assert_eq!(
            reasons,
            ["many_ips"],
            "new bindings are recorded, not reported"
        );
    }
}
