//! Chunking independence: the same capture with its TCP segments re-split at random
//! boundaries (each piece a packet of its own, same timestamp) yields the same PDU records,
//! frame numbers aside.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

mod common;

use etherparse::{NetHeaders, PacketBuilder, PacketHeaders, TransportHeader};
use otwire_examples::capture::CaptureReader;
use otwire_examples::pcapw::{LINKTYPE_ETHERNET, PcapWriter};
use otwire_examples::sample::{Rng, SAMPLE_PCAP};

/// Rewrites an Ethernet / IPv4 capture with every TCP payload cut into 1 to 4 random pieces.
/// Other packets are copied unchanged.
fn resplit(capture: &[u8], seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut w = PcapWriter::new(Vec::new(), LINKTYPE_ETHERNET).unwrap();
    let mut reader = CaptureReader::new(capture).unwrap();
    while let Some(p) = reader.next_packet().unwrap() {
        assert_eq!(p.linktype, 1, "resplit handles Ethernet captures");
        let Ok(h) = PacketHeaders::from_ethernet_slice(p.data) else {
            w.packet(p.ts_us, p.data).unwrap();
            continue;
        };
        let (Some(eth), Some(NetHeaders::Ipv4(ip, _)), Some(TransportHeader::Tcp(tcp))) = (
            h.link.clone().and_then(|l| l.ethernet2()),
            h.net.clone(),
            h.transport.clone(),
        ) else {
            w.packet(p.ts_us, p.data).unwrap();
            continue;
        };
        let payload = h.payload.slice();
        if payload.len() < 2 || !h.link_exts.is_empty() || ip.is_fragmenting_payload() {
            w.packet(p.ts_us, p.data).unwrap();
            continue;
        }
        let mut cuts: Vec<usize> = (0..rng.below(4))
            .map(|_| 1 + rng.below(payload.len() as u64 - 1) as usize)
            .collect();
        cuts.push(0);
        cuts.push(payload.len());
        cuts.sort_unstable();
        cuts.dedup();
        for pair in cuts.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let mut t = tcp.clone();
            // SYN only on the first piece (its data starts after the SYN's sequence number),
            // FIN and RST only on the last.
            let syn_offset = u32::from(tcp.syn && a > 0);
            t.sequence_number = tcp.sequence_number.wrapping_add(a as u32 + syn_offset);
            t.syn = tcp.syn && a == 0;
            t.fin = tcp.fin && b == payload.len();
            t.rst = tcp.rst && b == payload.len();
            let frame = PacketBuilder::ethernet2(eth.source, eth.destination)
                .ipv4(ip.source, ip.destination, ip.time_to_live)
                .tcp_header(t);
            let mut out = Vec::new();
            frame.write(&mut out, &payload[a..b]).unwrap();
            w.packet(p.ts_us, &out).unwrap();
        }
    }
    w.into_inner()
}

fn assert_same(name: &str, capture: &[u8], seeds: std::ops::Range<u64>) -> usize {
    let whole = common::scan(capture);
    let expected = common::without_frames(&whole.report().pdus);
    assert!(!expected.is_empty(), "{name}: no PDUs");
    for seed in seeds {
        let split = resplit(capture, seed);
        let scanned = common::scan(&split);
        let got = common::without_frames(&scanned.report().pdus);
        assert_eq!(
            got.len(),
            expected.len(),
            "{name} seed {seed}: record count"
        );
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(g, e, "{name} seed {seed}: record {i}");
        }
    }
    expected.len()
}

#[test]
fn sample_resplit_gives_identical_records() {
    let n = assert_same("sample", SAMPLE_PCAP, 1..9);
    assert!(n > 900);
}

#[test]
fn real_captures_resplit_give_identical_records() {
    let Some(dir) = common::captures_dir() else {
        eprintln!("skipped: OTWIRE_CAPTURES is not set");
        return;
    };
    for file in [
        "modbus/plant1_ModbusTCP.pcap",
        "modbus/iti_modbus_test.pcap",
        "modbus/quickdraw_modbus_test_data_part1.pcap",
        "modbus/zeek_fuzz-72.pcap",
        "modbus/iti_modicon_umas_test.pcap",
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        assert_same(file, &bytes, 1..3);
    }
}

#[test]
fn dnp3_and_iec104_captures_resplit_give_identical_records() {
    let Some(dir) = common::captures_dir() else {
        eprintln!("skipped: OTWIRE_CAPTURES is not set");
        return;
    };
    for (file, proto) in [
        ("dnp3/suricata_dnp3-eve.pcap", "dnp3"),
        ("dnp3/iti_file_list_directory.pcap", "dnp3"),
        ("iec104/iti_JavaRMI_and_IEC_Misc.pcap", "iec104"),
        ("iec104/emre_104deneme.pcap", "iec104"),
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let whole = common::scan(&bytes);
        let n = whole
            .report()
            .pdus
            .iter()
            .filter(|r| r.proto.name() == proto && r.anomalies.is_empty())
            .count();
        assert!(n > 5, "{file}: only {n} clean {proto} records");
        assert_same(file, &bytes, 1..4);
    }
}
