//! Flow table tests: sweeps, expiry, eviction, client and server sides.

use super::*;

#[derive(Default)]
struct Log(Vec<String>);

struct Echo;

impl FlowApp for Echo {
    type Ctx<'b> = Log;
    fn new(info: &FlowInfo, ctx: &mut Log) -> Self {
        ctx.0.push(format!("new {}", info.id));
        Echo
    }
    fn data(
        &mut self,
        ctx: &mut Log,
        info: &FlowInfo,
        dir: Direction,
        meta: PacketMeta,
        data: &[u8],
    ) {
        self.queued(ctx, info, dir, meta, data);
    }
    fn queued(
        &mut self,
        ctx: &mut Log,
        info: &FlowInfo,
        dir: Direction,
        meta: PacketMeta,
        data: &[u8],
    ) {
        let dir = match dir {
            Direction::Request => "req",
            Direction::Response => "rsp",
        };
        ctx.0.push(format!(
            "{} {} {dir} {}",
            meta.frame,
            info.id,
            String::from_utf8_lossy(data)
        ));
    }
    fn gap(&mut self, ctx: &mut Log, info: &FlowInfo, dir: Direction, _: PacketMeta) {
        ctx.0.push(format!("gap {} {}", info.id, info.side(dir)));
    }
    fn close(&mut self, ctx: &mut Log, info: &FlowInfo, _: PacketMeta) {
        ctx.0.push(format!("close {}", info.id));
    }
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn seg<'a>(src: &str, dst: &str, seq: u32, flags: &str, payload: &'a [u8]) -> TcpSegment<'a> {
    TcpSegment {
        src: sa(src),
        dst: sa(dst),
        seq,
        ack: 0,
        syn: flags.contains('S'),
        ack_flag: flags.contains('A'),
        fin: flags.contains('F'),
        rst: flags.contains('R'),
        payload,
        declared: payload.len(),
    }
}

/// The meta of packet `frame` (its index too), at time 0.
fn at(frame: u64) -> PacketMeta {
    PacketMeta {
        frame,
        ts_us: 0,
        seq: frame,
    }
}

#[test]
fn handshake_decides_client_unless_one_side_is_well_known() {
    let mut t: FlowTable<Echo> = FlowTable::new(FlowLimits::default());
    let mut log = Log::default();
    let m = at;
    // The side on 502 opens the connection: it is still the Modbus server.
    t.tcp(
        &mut log,
        seg("10.0.0.2:502", "10.0.0.1:40000", 0, "S", b""),
        m(1),
    );
    t.tcp(
        &mut log,
        seg("10.0.0.1:40000", "10.0.0.2:502", 7, "SA", b""),
        m(2),
    );
    t.tcp(
        &mut log,
        seg("10.0.0.2:502", "10.0.0.1:40000", 1, "A", b"hi"),
        m(3),
    );
    // Two ephemeral ports: the SYN decides, even from the higher port.
    t.tcp(
        &mut log,
        seg("10.0.0.2:50000", "10.0.0.1:40000", 0, "S", b""),
        m(4),
    );
    t.tcp(
        &mut log,
        seg("10.0.0.2:50000", "10.0.0.1:40000", 1, "A", b"yo"),
        m(5),
    );
    t.finish(&mut log, m(6));
    assert_eq!(
        log.0,
        [
            "new 0",
            "3 0 rsp hi",
            "new 1",
            "5 1 req yo",
            "close 0",
            "close 1"
        ]
    );
}

#[test]
fn mid_stream_uses_well_known_port() {
    let mut t: FlowTable<Echo> = FlowTable::new(FlowLimits::default());
    let mut log = Log::default();
    let m = at;
    t.tcp(
        &mut log,
        seg("10.0.0.2:502", "10.0.0.1:40000", 100, "A", b"rsp"),
        m(1),
    );
    t.tcp(
        &mut log,
        seg("10.0.0.1:40000", "10.0.0.2:502", 500, "A", b"req"),
        m(2),
    );
    t.udp(
        &mut log,
        sa("10.0.0.1:1000"),
        sa("10.0.0.3:20000"),
        m(3),
        b"u",
    );
    t.finish(&mut log, m(4));
    assert_eq!(
        log.0,
        [
            "new 0",
            "1 0 rsp rsp",
            "2 0 req req",
            "new 1",
            "3 1 req u",
            "close 0",
            "close 1"
        ]
    );
}

#[test]
fn memory_budget_flushes_the_flow_that_grows() {
    let mut t: FlowTable<Echo> = FlowTable::new(FlowLimits {
        max_buffered: 100,
        ..FlowLimits::default()
    });
    let mut log = Log::default();
    let m = at;
    for (i, port) in [4000u16, 4001, 4002].into_iter().enumerate() {
        let src = format!("10.0.0.1:{port}");
        t.tcp(&mut log, seg(&src, "10.0.0.2:502", 0, "S", b""), m(1));
        // 60 bytes beyond a hole: queued, waiting.
        t.tcp(
            &mut log,
            seg(&src, "10.0.0.2:502", 11, "A", &[b'x'; 60]),
            m(2 + i as u64),
        );
    }
    // The second flow pushed the total past 100: it was flushed (gap, then its bytes).
    assert!(t.stats().pressure_flushes >= 1);
    assert!(t.stats().buffered <= 100, "{:?}", t.stats());
    assert!(log.0.iter().any(|l| l.starts_with("gap 1")), "{:?}", log.0);
}

#[test]
fn new_syn_after_close_is_a_new_flow_and_cap_evicts() {
    let mut t: FlowTable<Echo> = FlowTable::new(FlowLimits {
        max_flows: 2,
        ..FlowLimits::default()
    });
    let mut log = Log::default();
    let m = |frame, ts_us| PacketMeta {
        frame,
        ts_us,
        seq: frame,
    };
    t.tcp(
        &mut log,
        seg("10.0.0.1:4000", "10.0.0.2:502", 0, "S", b""),
        m(1, 0),
    );
    t.tcp(
        &mut log,
        seg("10.0.0.1:4000", "10.0.0.2:502", 1, "A", b"x"),
        m(2, 1),
    );
    t.tcp(
        &mut log,
        seg("10.0.0.1:4000", "10.0.0.2:502", 2, "R", b""),
        m(3, 2),
    );
    t.tcp(
        &mut log,
        seg("10.0.0.1:4000", "10.0.0.2:502", 900, "S", b""),
        m(4, 3),
    );
    t.tcp(
        &mut log,
        seg("10.0.0.1:4001", "10.0.0.2:502", 0, "S", b""),
        m(5, 4),
    );
    t.tcp(
        &mut log,
        seg("10.0.0.1:4002", "10.0.0.2:502", 0, "S", b""),
        m(6, 5),
    );
    assert!(t.len() <= 2);
    assert!(log.0.contains(&"close 0".to_string()));
    assert!(log.0.contains(&"new 3".to_string()));
    assert_eq!(t.stats().evicted, 1);
}

#[test]
fn finish_in_rounds_closes_the_oldest_first() {
    let mut t: FlowTable<Echo> = FlowTable::new(FlowLimits::default());
    let mut log = Log::default();
    let m = at;
    for port in 0..5u16 {
        let src = format!("10.0.0.1:{}", 4000 + port);
        t.tcp(
            &mut log,
            seg(&src, "10.0.0.2:502", 0, "S", b""),
            m(10 + u64::from(port)),
        );
    }
    let sorted = |mut v: Vec<u64>| {
        v.sort_unstable();
        v
    };
    assert_eq!(sorted(t.oldest_first_seqs(2)), [10, 11]);
    assert_eq!(
        sorted(t.oldest_first_seqs(99)),
        [10, 11, 12, 13, 14],
        "fewer flows: all"
    );
    log.0.clear();
    t.finish_upto(&mut log, m(20), 11);
    assert_eq!(log.0, ["close 0", "close 1"]);
    t.finish(&mut log, m(20));
    assert_eq!(
        log.0,
        ["close 0", "close 1", "close 2", "close 3", "close 4"]
    );
    assert!(t.oldest_first_seqs(1).is_empty());
}
