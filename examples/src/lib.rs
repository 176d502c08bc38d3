//! otwire-examples: the capture pipeline behind `otscan` and the active prober behind
//! `otprobe`, built on the otwire parser crates.
//!
//! The pipeline ([`scanner`]): [`capture`] reads pcap / pcapng records in constant memory,
//! [`net`] strips the link layer (keeping the MACs) and reads IP, ICMP and ARP headers,
//! [`defrag`] reassembles IP fragments,
//! [`flow`] tracks connections (sharded over threads) and hands in-order stream bytes
//! ([`tcp`]) to each flow's protocol sessions ([`conn`]: `otwire-detect`'s analyzers);
//! [`protocols`] lists the protocols' record fields and asset facts, one module each.

pub mod assets;
pub mod batch;
pub mod capture;
pub mod conn;
pub mod defrag;
pub mod detect_engine;
pub mod dnp3;
pub mod enip;
pub mod flood;
pub mod flow;
pub mod iec104;
pub mod json;
pub mod live;
pub mod modbus;
pub mod net;
pub mod output;
pub mod pcapw;
pub mod probe;
pub mod probe_dnp3;
pub mod probe_enip;
pub mod probe_iec104;
pub mod probe_modbus;
pub mod probe_s7;
pub mod protocols;
pub mod record;
pub mod report;
pub mod s7;
pub mod sample;
pub mod sample_enip;
pub mod sample_plant;
pub mod sample_s7;
pub mod sample_scada;
pub mod scanner;
mod shard;
pub mod siem;
mod sink;
pub mod tcp;
