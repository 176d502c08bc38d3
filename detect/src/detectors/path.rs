//! The path family, talkers: T0830 Adversary-in-the-Middle from the link metadata
//! ([`Event::link`]) of application messages.
//!
//! While learning, every (sender, receiver) pair of addresses that exchanges application
//! messages learns the Ethernet source addresses (up to four; more and the pair's MAC is
//! not judged) and the IP TTLs (all 256 values, exactly) its packets came with: normal
//! variation (a master on two interfaces, two routes of different lengths) is learned, not
//! guessed. Afterwards a learned pair's message with a source MAC its sender never used
//! while learning, with any receiver (`new_mac`: a device replaced while learning is no
//! finding), or a TTL the pair never had (`new_ttl`) is a finding: a machine in the middle forwards with its own MAC,
//! and a routing one decrements the TTL. Pairs first seen after learning, and events
//! without link metadata, are never judged (the new-talker family covers new pairs).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Bits256, MacSet, load, save};
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog;
use crate::config::Config;
use crate::detector::{Detector, Family, Sink};
use crate::event::{Direction, Event, Ip};
use crate::net::Mac;
use crate::table::{BoundedMap, HintCache, TableStats};

use super::arp::mac_str;

/// What one pair's packets came with while learning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct Seen {
    macs: MacSet,
    ttls: Bits256,
}

impl Seen {
    fn learn(&mut self, mac: Option<Mac>, ttl: Option<u8>) {
        if let Some(t) = ttl {
            self.ttls.set(t);
        }
        if let Some(m) = mac {
            self.macs.learn(m);
        }
    }
}

/// Learned source MACs and TTLs per talker pair; a new one afterwards is T0830.
#[derive(Debug, Clone)]
pub struct PathWatch {
    pairs: BoundedMap<(Ip, Ip), Seen>,
    /// The source MACs each sender used with any receiver while learning.
    hosts: BoundedMap<Ip, MacSet>,
    hints: HintCache<4096>,
}

impl PathWatch {
    /// A detector with `config.caps.assets` pairs.
    pub fn new(config: &Config) -> Self {
        Self {
            pairs: BoundedMap::new(config.caps.assets),
            hosts: BoundedMap::new(config.caps.assets),
            hints: HintCache::new(),
        }
    }
}

impl Detector for PathWatch {
    fn name(&self) -> &'static str {
        "path"
    }

    fn family(&self) -> Family {
        Family::Path
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        let link = ev.link;
        if (link.src_mac.is_none() && link.ttl.is_none()) || ev.is_network() {
            return;
        }
        let key = (ev.src().ip, ev.dst().ip);
        let hint = self
            .hints
            .at(crate::table::flow_hint(ev) ^ ev.direction as u64);
        if sink.is_learning() {
            if let Some((s, _)) = self.pairs.get_or_insert_with_hint(hint, key, Seen::default) {
                s.learn(link.src_mac, link.ttl);
            }
            if let Some(m) = link.src_mac {
                if let Some((h, _)) = self.hosts.get_or_insert_with(key.0, MacSet::default) {
                    h.learn(m);
                }
            }
            return;
        }
        let Some(s) = self.pairs.get_mut_with_hint(hint, &key) else {
            return;
        };
        let role = if ev.direction == Direction::Request {
            "client"
        } else {
            "server"
        };
        if let Some(mac) = link.src_mac {
            // The sender's other pairs are asked only when this pair does not know the MAC.
            let new = !s.macs.is_empty() && !s.macs.full && !s.macs.knows(&mac);
            if new
                && !self
                    .hosts
                    .get(&key.0)
                    .is_some_and(|h| h.full || h.knows(&mac))
            {
                let known = s.macs.names();
                let f = Finding::new(
                    ev,
                    &catalog::T0830,
                    Severity::High,
                    0.7,
                    format!(
                        "{role} {} to {} sent from MAC {}, learned {} (a machine in the middle?)",
                        ev.src(),
                        ev.dst(),
                        mac_str(&mac),
                        known.join(", ")
                    ),
                )
                .because("new_mac")
                .with("mac", mac_str(&mac))
                .with("learned_macs", known);
                sink.report(Finding { unit: None, ..f });
            }
        }
        if let Some(ttl) = link.ttl {
            if !s.ttls.is_empty() && !s.ttls.has(ttl) {
                let learned = s.ttls.members();
                let f = Finding::new(
                    ev,
                    &catalog::T0830,
                    Severity::High,
                    0.6,
                    format!(
                        "{role} {} to {} arrived with TTL {ttl}, learned {learned:?} (a routed path change?)",
                        ev.src(),
                        ev.dst()
                    ),
                )
                .because("new_ttl")
                .with("ttl", ttl)
                .with("learned_ttls", learned);
                sink.report(Finding { unit: None, ..f });
            }
        }
    }

    fn stats(&self) -> TableStats {
        self.pairs.stats().merge(self.hosts.stats())
    }

    fn save(&self) -> Result<Value, Error> {
        save(&(&self.pairs, &self.hosts))
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        (self.pairs, self.hosts) = load(state)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_learns_ttls_exactly_and_macs_up_to_the_cap() {
        let mut s = Seen::default();
        s.learn(None, Some(64));
        s.learn(Some([2, 0, 0, 0, 0, 1]), Some(63));
        assert_eq!(s.ttls.members(), vec![63, 64]);
        assert!(s.macs.knows(&[2, 0, 0, 0, 0, 1]) && !s.macs.full);
        for i in 2..=5u8 {
            s.learn(Some([2, 0, 0, 0, 0, i]), None);
        }
        assert!(s.macs.full, "a fifth MAC makes the pair's MAC unjudged");
    }
}
