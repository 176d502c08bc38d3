//! Family 1: new asset / new talker (T0848 rogue master; T0846 new servers, units, pairs).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{load, save, trusted};
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog;
use crate::config::Config;
use crate::detector::{Detector, Family, Sink};
use crate::event::{Direction, Event, Ip, Protocol};
use crate::table::{BoundedMap, HintCache, TableStats};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Asset {
    /// A host that sent requests of a protocol.
    Client(Ip, Protocol),
    /// A host and port answering a protocol.
    Server(Ip, u16, Protocol),
    /// A unit behind a server.
    Unit(Ip, u16, Protocol),
    /// A client talking to a server.
    Pair(Ip, Ip, Protocol),
    /// A client host's own protocol address (a DNP3 master link address).
    Station(Ip, u16, Protocol),
}

/// Learns which clients, servers, units, client-server pairs and client station addresses
/// exist; afterwards reports a new client sending requests, or a known client speaking as a
/// new master address (DNP3 link address) (T0848 Rogue Master), and a known client reaching
/// a new server, unit or pair (T0846 Remote System Discovery). Each new asset is reported once,
/// then remembered.
#[derive(Debug, Clone)]
pub struct NewAsset {
    known: BoundedMap<Asset, ()>,
    trusted: Vec<Ip>,
    /// Where each flow's assets were last found.
    hints: HintCache<4096>,
}

impl NewAsset {
    /// A detector with `config.caps.assets` entries.
    pub fn new(config: &Config) -> Self {
        Self {
            known: BoundedMap::new(config.caps.assets),
            trusted: config.trusted(),
            hints: HintCache::new(),
        }
    }

    /// Remembers `a`; true if it was new. `hint` names where the event's flow last found
    /// this kind of asset.
    #[inline(always)]
    fn learn(&mut self, a: Asset, hint: u64) -> bool {
        let hint = self.hints.at(hint);
        if self.known.get_mut_with_hint(hint, &a).is_some() {
            return false;
        }
        self.known.get_or_insert_with_hint(hint, a, || ()).is_some()
    }
}

impl Detector for NewAsset {
    fn name(&self) -> &'static str {
        "new_asset"
    }

    fn family(&self) -> Family {
        Family::NewAsset
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        if !ev.is_parsed() {
            return;
        }
        let p = ev.protocol;
        let c = ev.flow.client;
        let s = ev.flow.server;
        let h = crate::table::flow_hint(ev) << 2;
        let new_server = self.learn(Asset::Server(s.ip, s.port, p), h);
        let new_unit = self.learn(
            Asset::Unit(s.ip, ev.unit, p),
            h ^ 1 ^ u64::from(ev.unit) << 48,
        );
        if ev.direction == Direction::Response {
            return;
        }
        let new_client = self.learn(Asset::Client(c.ip, p), h ^ 2);
        let new_pair = self.learn(Asset::Pair(c.ip, s.ip, p), h ^ 3);
        let new_station = ev
            .station
            .is_some_and(|st| self.learn(Asset::Station(c.ip, st, p), h ^ 4 ^ u64::from(st) << 48));
        if sink.is_learning() || trusted(&self.trusted, &c.ip) {
            return;
        }
        if new_client {
            let f = Finding::new(
                ev,
                &catalog::T0848,
                Severity::High,
                0.8,
                format!("new {p} master {} sends {} to {}", c, ev.action.name(), s),
            )
            .because("new_client")
            .with("function", ev.function);
            sink.report(f);
            return;
        }
        if let (true, Some(st)) = (new_station, ev.station) {
            let f = Finding::new(
                ev,
                &catalog::T0848,
                Severity::High,
                0.7,
                format!("{c} sends {p} requests to {s} as a new master address {st}"),
            )
            .because("new_master_address")
            .with("station", st);
            sink.report(f);
            return;
        }
        let (reason, sev, what) = if new_server {
            ("new_server", Severity::Medium, "a new server")
        } else if new_pair {
            ("new_pair", Severity::Low, "a server it never talked to")
        } else if new_unit {
            ("new_unit", Severity::Low, "a new unit")
        } else {
            return;
        };
        let f = Finding::new(
            ev,
            &catalog::T0846,
            sev,
            0.5,
            format!("{p} client {} reaches {what}: {} unit {}", c, s, ev.unit),
        )
        .because(reason);
        sink.report(f);
    }

    fn stats(&self) -> TableStats {
        self.known.stats()
    }

    fn save(&self) -> Result<Value, Error> {
        save(&self.known)
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        self.known = load(state)?;
        Ok(())
    }
}
