//! Pairing replies with requests (feature `alloc`): a CIP reply carries only its service
//! code, so what it answers (which class, which service meaning: Vol. 1 App. A) is known
//! from the request alone. The key is the caller's: a connection or session key, plus the
//! encapsulation sender context (unconnected messages, Vol. 2 §2-3) or the CIP sequence
//! count (connected class 3 messages, Vol. 1 §3-4.4.4).

use alloc::collections::{BTreeMap, VecDeque};

use super::body::ServiceKind;
use super::cm::UnconnectedSend;
use super::codes::{ConnectionManagerService, Service};
use super::message::{Request, Response};
use super::objects::Attributes;
use crate::Parsed;

/// The Unconnected Send service code.
const US: u8 = 0x52;

/// The default capacity of a [`PairingTable`].
pub const DEFAULT_PENDING: usize = 1024;

/// What is remembered of a request until its reply comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pending {
    /// The service code.
    pub service: u8,
    /// What it meant.
    pub kind: ServiceKind,
    /// The class addressed.
    pub class: Option<u32>,
    /// The instance addressed.
    pub instance: Option<u32>,
    /// The attribute addressed.
    pub attribute: Option<u32>,
    /// The fields above are those of the request embedded in an Unconnected Send, whose
    /// successful reply comes back unwrapped (Vol. 1 §3-5.5.2).
    pub routed: bool,
}

impl Pending {
    /// What to remember of `req`.
    pub fn of(req: &Request<'_>) -> Pending {
        let kind = req.kind();
        if kind == ServiceKind::ConnectionManager(ConnectionManagerService::UnconnectedSend) {
            let inner = UnconnectedSend::parse(req.data)
                .ok()
                .and_then(|us| us.pdu.request().ok());
            if let Some(inner) = inner {
                return Pending {
                    routed: true,
                    ..Pending::of_one(&inner.pdu)
                };
            }
        }
        Pending::of_one(req)
    }

    /// The reply's attribute data typed by the class (and attribute) this request read:
    /// `Some` for a successful Get Attributes All or Get Attribute Single reply.
    pub fn attributes<'a>(&self, resp: &Response<'a>) -> Option<Parsed<Attributes<'a>>> {
        let all = match self.kind {
            ServiceKind::Common(Service::GetAttributesAll) => true,
            ServiceKind::Common(Service::GetAttributeSingle) => false,
            _ => return None,
        };
        if !resp.is_success() {
            return None;
        }
        let attribute = if all { None } else { self.attribute };
        Some(Attributes::parse(self.class?, attribute, resp.data))
    }

    fn of_one(req: &Request<'_>) -> Pending {
        Pending {
            service: req.service,
            kind: req.kind(),
            class: req.path.class(),
            instance: req.path.instance(),
            attribute: req.path.attribute(),
            routed: false,
        }
    }
}

/// A capped table of pending requests: the oldest is dropped when full.
#[derive(Debug, Clone)]
pub struct PairingTable<K: Ord + Copy> {
    map: BTreeMap<(K, u64), (u64, Pending)>,
    order: VecDeque<((K, u64), u64)>,
    stamp: u64,
    cap: usize,
    evicted: u64,
}

impl<K: Ord + Copy> Default for PairingTable<K> {
    fn default() -> Self {
        Self::new(DEFAULT_PENDING)
    }
}

impl<K: Ord + Copy> PairingTable<K> {
    /// A table holding at most `cap` pending requests (at least 1).
    pub fn new(cap: usize) -> Self {
        PairingTable {
            map: BTreeMap::new(),
            order: VecDeque::new(),
            stamp: 0,
            cap: cap.max(1),
            evicted: 0,
        }
    }

    /// Remembers `req` sent on `key` with `context` (sender context or sequence count). A
    /// request already pending under the same key is replaced.
    pub fn request(&mut self, key: K, context: u64, req: &Request<'_>) {
        self.stamp += 1;
        self.map
            .insert((key, context), (self.stamp, Pending::of(req)));
        self.order.push_back(((key, context), self.stamp));
        while self.map.len() > self.cap {
            let Some((k, s)) = self.order.pop_front() else {
                break;
            };
            if self.map.get(&k).is_some_and(|(st, _)| *st == s) {
                self.map.remove(&k);
                self.evicted += 1;
            }
        }
        if self.order.len() > self.cap.saturating_mul(2) {
            let map = &self.map;
            self.order
                .retain(|(k, s)| map.get(k).is_some_and(|(st, _)| st == s));
        }
    }

    /// The request a reply on `key` with `context` answers, forgotten once taken.
    pub fn reply(&mut self, key: K, context: u64, resp: &Response<'_>) -> Option<Pending> {
        let (_, p) = self.map.remove(&(key, context))?;
        if p.routed && resp.service == US && p.service != US {
            // The Connection Manager's own failure to route.
            return Some(Pending {
                service: US,
                kind: ServiceKind::ConnectionManager(ConnectionManagerService::UnconnectedSend),
                ..p
            });
        }
        (p.service == resp.service).then_some(p)
    }

    /// Requests pending.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Requests dropped because the table was full.
    pub const fn evicted(&self) -> u64 {
        self.evicted
    }
}
