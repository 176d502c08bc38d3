//! Streaming reader for pcap (libpcap) and pcapng capture files, on top of `pcap-parser`.
//!
//! The reader keeps one bounded buffer (it grows only to hold one record, up to
//! [`MAX_RECORD_BUFFER`]), so a 10 GB capture is read in constant memory. Records are numbered
//! from 1 in file order, as Wireshark numbers frames.

use std::io::Read;

use legacy::{Legacy, Opened};
use pcap_parser::pcapng::Block;
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{PcapBlockOwned, PcapError};

/// Initial size of the read buffer.
pub const INITIAL_BUFFER: usize = 1 << 20;
/// The largest record the reader accepts (the buffer never grows past this).
pub const MAX_RECORD_BUFFER: usize = 16 << 20;

/// One captured packet, borrowed from the reader's buffer.
#[derive(Debug, Clone, Copy)]
pub struct Packet<'a> {
    /// 1-based number of the record in its file (Wireshark's frame number).
    pub frame: u64,
    /// Capture time, microseconds since the Unix epoch.
    pub ts_us: i64,
    /// Link-layer header type of the interface that captured it.
    pub linktype: i32,
    /// The captured bytes, starting with the link-layer header.
    pub data: &'a [u8],
}

/// Why a capture file could not be read (further).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CaptureError {
    /// The input is neither pcap nor pcapng.
    NotACapture,
    /// The input ended before its first header was complete.
    Empty,
    /// An I/O error while reading.
    Io(String),
    /// A record header or block is corrupt at this byte offset of the file.
    Corrupt {
        /// Offset of the record in the file.
        offset: u64,
    },
    /// A record is larger than [`MAX_RECORD_BUFFER`].
    RecordTooLarge {
        /// Offset of the record in the file.
        offset: u64,
    },
    /// The file ends in the middle of a record (a capture cut short); the records before it
    /// were read.
    Truncated {
        /// Offset of the incomplete record.
        offset: u64,
    },
}

impl std::fmt::Display for CaptureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotACapture => write!(f, "not a pcap or pcapng file"),
            Self::Empty => write!(f, "empty or too short to be a capture file"),
            Self::Io(e) => write!(f, "read error: {e}"),
            Self::Corrupt { offset } => write!(f, "corrupt record at byte {offset}"),
            Self::RecordTooLarge { offset } => {
                write!(
                    f,
                    "record at byte {offset} is larger than {MAX_RECORD_BUFFER} bytes"
                )
            }
            Self::Truncated { offset } => {
                write!(f, "file cut short inside the record at byte {offset}")
            }
        }
    }
}

impl std::error::Error for CaptureError {}

/// What the reader knows about one pcapng interface (or the single pcap "interface").
#[derive(Debug, Clone, Copy)]
struct Interface {
    linktype: i32,
    /// Timestamp units per second.
    units_per_sec: u64,
    /// Seconds added to every timestamp (pcapng `if_tsoffset`).
    offset_sec: i64,
}

/// Largest number of pcapng interfaces remembered per section.
const MAX_INTERFACES: usize = 4096;

mod legacy;

/// A streaming capture reader over any `Read` (a file, stdin, a byte slice).
pub struct CaptureReader<'r> {
    reader: Source<'r>,
    interfaces: Vec<Interface>,
    /// Bytes of the last returned block, consumed on the next call.
    pending: usize,
    frame: u64,
    last_ts: i64,
    done: bool,
    capacity: usize,
}

impl std::fmt::Debug for CaptureReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureReader")
            .field("frame", &self.frame)
            .field("offset", &self.reader.consumed())
            .finish_non_exhaustive()
    }
}

impl<'r> CaptureReader<'r> {
    /// Opens a capture (pcap or pcapng, detected from the first bytes).
    pub fn new<R: Read + Send + 'r>(input: R) -> Result<Self, CaptureError> {
        let read_failed = || CaptureError::Io("read failed".into());
        let (reader, interfaces) = match Legacy::open(Box::new(input), INITIAL_BUFFER) {
            Err(_) => return Err(read_failed()),
            Ok(Opened::Legacy(r, iface)) => (Source::Legacy(r), vec![iface]),
            Ok(Opened::Other(head, rest)) => {
                let input = std::io::Cursor::new(head).chain(rest);
                let r = pcap_parser::create_reader(INITIAL_BUFFER, input).map_err(|e| match e {
                    PcapError::Eof | PcapError::Incomplete(_) | PcapError::UnexpectedEof => {
                        CaptureError::Empty
                    }
                    PcapError::ReadError => read_failed(),
                    _ => CaptureError::NotACapture,
                })?;
                (Source::Parser(r), Vec::new())
            }
        };
        Ok(Self {
            reader,
            interfaces,
            pending: 0,
            frame: 0,
            last_ts: 0,
            done: false,
            capacity: INITIAL_BUFFER,
        })
    }

    /// A reader that always goes through `pcap-parser` (what the legacy pcap path is checked
    /// against).
    #[cfg(test)]
    fn with_parser<R: Read + Send + 'r>(input: R) -> Result<Self, CaptureError> {
        let r = pcap_parser::create_reader(INITIAL_BUFFER, input).map_err(|e| match e {
            PcapError::Eof | PcapError::Incomplete(_) | PcapError::UnexpectedEof => {
                CaptureError::Empty
            }
            PcapError::ReadError => CaptureError::Io("read failed".into()),
            _ => CaptureError::NotACapture,
        })?;
        Ok(Self {
            reader: Source::Parser(r),
            interfaces: Vec::new(),
            pending: 0,
            frame: 0,
            last_ts: 0,
            done: false,
            capacity: INITIAL_BUFFER,
        })
    }

    /// Bytes of the file consumed so far.
    pub fn offset(&self) -> u64 {
        self.reader.consumed() as u64
    }

    /// Frames returned so far.
    pub fn frames(&self) -> u64 {
        self.frame
    }

    /// The next packet, `Ok(None)` at the end of the file. After an error the reader is done.
    pub fn next_packet(&mut self) -> Result<Option<Packet<'_>>, CaptureError> {
        if self.done {
            return Ok(None);
        }
        if self.pending > 0 {
            self.reader.consume(self.pending);
            self.pending = 0;
        }
        loop {
            let offset = self.reader.consumed() as u64;
            let step = self.reader.step(&mut self.interfaces, offset);
            match step {
                Step::Packet {
                    len,
                    if_id,
                    ts,
                    start,
                    size,
                } => {
                    self.frame += 1;
                    let iface = self.interfaces.get(if_id).copied();
                    let (linktype, ts_us) = match (iface, ts) {
                        (Some(i), Some(raw)) => (i.linktype, to_micros(raw, i)),
                        (Some(i), None) => (i.linktype, self.last_ts),
                        (None, _) => (-1, self.last_ts),
                    };
                    self.last_ts = ts_us;
                    self.pending = len;
                    let end = start.saturating_add(size);
                    let Some(data) = self.reader.data().get(start..end) else {
                        self.done = true;
                        return Err(CaptureError::Corrupt { offset });
                    };
                    return Ok(Some(Packet {
                        frame: self.frame,
                        ts_us,
                        linktype,
                        data,
                    }));
                }
                Step::Skip(len) => self.reader.consume(len),
                Step::End => {
                    self.done = true;
                    return Ok(None);
                }
                Step::Refill => {
                    if self.reader.refill().is_err() {
                        self.done = true;
                        return Err(CaptureError::Io("refill failed".into()));
                    }
                }
                Step::Grow => {
                    let next = self.capacity.saturating_mul(2);
                    if next > MAX_RECORD_BUFFER || !self.reader.grow(next) {
                        self.done = true;
                        return Err(CaptureError::RecordTooLarge { offset });
                    }
                    self.capacity = next;
                    if self.reader.refill().is_err() {
                        self.done = true;
                        return Err(CaptureError::Io("refill failed".into()));
                    }
                }
                Step::Fail(e) => {
                    self.done = true;
                    return Err(e);
                }
            }
        }
    }
}

/// Where records come from: legacy pcap read here, everything else by `pcap-parser`.
enum Source<'r> {
    Legacy(Legacy<'r>),
    Parser(Box<dyn PcapReaderIterator + Send + 'r>),
}

impl Source<'_> {
    /// The next record, or what to do to get one (`offset`: where it starts in the file).
    fn step(&mut self, interfaces: &mut Vec<Interface>, offset: u64) -> Step {
        let reader = match self {
            Source::Legacy(r) => return r.step(offset),
            Source::Parser(r) => r,
        };
        // The block borrows the reader's buffer; remember where its bytes are and take them
        // again after the borrow ends (the buffer does not move until `consume`).
        let base = reader.data().as_ptr() as usize;
        match reader.next() {
            Ok((len, block)) => match classify(block, interfaces) {
                Some(p) => {
                    let start = (p.data.as_ptr() as usize).wrapping_sub(base);
                    Step::Packet {
                        len,
                        if_id: p.if_id,
                        ts: p.ts,
                        start,
                        size: p.data.len(),
                    }
                }
                None => Step::Skip(len),
            },
            Err(PcapError::Eof) => Step::End,
            Err(PcapError::Incomplete(_)) => Step::Refill,
            Err(PcapError::BufferTooSmall) => Step::Grow,
            Err(PcapError::UnexpectedEof) => Step::Fail(CaptureError::Truncated { offset }),
            Err(PcapError::ReadError) => Step::Fail(CaptureError::Io("read failed".into())),
            Err(_) => Step::Fail(CaptureError::Corrupt { offset }),
        }
    }

    fn consumed(&self) -> usize {
        match self {
            Source::Legacy(r) => r.consumed(),
            Source::Parser(r) => r.consumed(),
        }
    }

    fn consume(&mut self, n: usize) {
        match self {
            Source::Legacy(r) => r.consume(n),
            Source::Parser(r) => r.consume(n),
        }
    }

    fn data(&self) -> &[u8] {
        match self {
            Source::Legacy(r) => r.data(),
            Source::Parser(r) => r.data(),
        }
    }

    fn refill(&mut self) -> Result<(), ()> {
        match self {
            Source::Legacy(r) => r.refill().map_err(drop),
            Source::Parser(r) => r.refill().map_err(drop),
        }
    }

    fn grow(&mut self, size: usize) -> bool {
        match self {
            Source::Legacy(r) => r.grow(size),
            Source::Parser(r) => r.grow(size),
        }
    }
}

enum Step {
    Packet {
        len: usize,
        if_id: usize,
        ts: Option<RawTs>,
        start: usize,
        size: usize,
    },
    Skip(usize),
    End,
    Refill,
    Grow,
    Fail(CaptureError),
}

/// Raw timestamp of a packet: (ticks) where the interface says how long a tick is.
struct RawPacket<'a> {
    if_id: usize,
    ts: Option<RawTs>,
    data: &'a [u8],
}

#[derive(Clone, Copy)]
enum RawTs {
    /// Legacy pcap: seconds and fraction (in the interface's units).
    Split(u32, u32),
    /// pcapng: a 64-bit tick count.
    Ticks(u64),
}

fn classify<'a>(
    block: PcapBlockOwned<'a>,
    interfaces: &mut Vec<Interface>,
) -> Option<RawPacket<'a>> {
    match block {
        PcapBlockOwned::LegacyHeader(h) => {
            interfaces.clear();
            let units_per_sec = if h.is_nanosecond_precision() {
                1_000_000_000
            } else {
                1_000_000
            };
            interfaces.push(Interface {
                linktype: h.network.0,
                units_per_sec,
                offset_sec: 0,
            });
            None
        }
        PcapBlockOwned::Legacy(b) => Some(RawPacket {
            if_id: 0,
            ts: Some(RawTs::Split(b.ts_sec, b.ts_usec)),
            data: b.data,
        }),
        PcapBlockOwned::NG(Block::SectionHeader(_)) => {
            interfaces.clear();
            None
        }
        PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
            if interfaces.len() < MAX_INTERFACES {
                interfaces.push(Interface {
                    linktype: idb.linktype.0,
                    units_per_sec: idb.ts_resolution().unwrap_or(1_000_000).max(1),
                    offset_sec: idb.ts_offset(),
                });
            }
            None
        }
        PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
            let ticks = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
            let caplen = (epb.caplen as usize).min(epb.data.len());
            Some(RawPacket {
                if_id: epb.if_id as usize,
                ts: Some(RawTs::Ticks(ticks)),
                data: epb.data.get(..caplen).unwrap_or(epb.data),
            })
        }
        PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
            let caplen = (spb.origlen as usize).min(spb.data.len());
            Some(RawPacket {
                if_id: 0,
                ts: None,
                data: spb.data.get(..caplen).unwrap_or(spb.data),
            })
        }
        PcapBlockOwned::NG(_) => None,
    }
}

fn to_micros(ts: RawTs, i: Interface) -> i64 {
    let per = i.units_per_sec.max(1);
    let (sec, frac) = match ts {
        RawTs::Split(s, f) => (i64::from(s), u64::from(f)),
        RawTs::Ticks(t) => (i64::try_from(t / per).unwrap_or(i64::MAX), t % per),
    };
    // frac < per, so frac * 1e6 / per < 1e6; u128 keeps the product exact.
    let micros = (u128::from(frac) * 1_000_000 / u128::from(per)) as i64;
    sec.saturating_add(i.offset_sec)
        .saturating_mul(1_000_000)
        .saturating_add(micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcap_header(linktype: u32, nano: bool) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(
            &(if nano {
                0xa1b2_3c4d_u32
            } else {
                0xa1b2_c3d4_u32
            })
            .to_le_bytes(),
        );
        v.extend_from_slice(&2u16.to_le_bytes());
        v.extend_from_slice(&4u16.to_le_bytes());
        v.extend_from_slice(&0i32.to_le_bytes());
        v.extend_from_slice(&0u32.to_le_bytes());
        v.extend_from_slice(&65535u32.to_le_bytes());
        v.extend_from_slice(&linktype.to_le_bytes());
        v
    }

    fn record(v: &mut Vec<u8>, sec: u32, frac: u32, data: &[u8]) {
        v.extend_from_slice(&sec.to_le_bytes());
        v.extend_from_slice(&frac.to_le_bytes());
        v.extend_from_slice(&(data.len() as u32).to_le_bytes());
        v.extend_from_slice(&(data.len() as u32).to_le_bytes());
        v.extend_from_slice(data);
    }

    #[test]
    fn reads_legacy_records_with_numbers_and_times() {
        let mut f = pcap_header(1, false);
        record(&mut f, 10, 5, b"abc");
        record(&mut f, 11, 999_999, b"de");
        let mut r = CaptureReader::new(&f[..]).unwrap();
        let p = r.next_packet().unwrap().unwrap();
        assert_eq!(
            (p.frame, p.ts_us, p.linktype, p.data),
            (1, 10_000_005, 1, &b"abc"[..])
        );
        let p = r.next_packet().unwrap().unwrap();
        assert_eq!((p.frame, p.ts_us, p.data), (2, 11_999_999, &b"de"[..]));
        assert!(r.next_packet().unwrap().is_none());
    }

    #[test]
    fn nanosecond_pcap_is_converted() {
        let mut f = pcap_header(101, true);
        record(&mut f, 1, 123_456_789, b"x");
        let mut r = CaptureReader::new(&f[..]).unwrap();
        let p = r.next_packet().unwrap().unwrap();
        assert_eq!((p.ts_us, p.linktype), (1_123_456, 101));
    }

    #[test]
    fn truncated_file_reports_after_the_good_records() {
        let mut f = pcap_header(1, false);
        record(&mut f, 1, 0, b"abcd");
        record(&mut f, 2, 0, b"efgh");
        f.truncate(f.len() - 2);
        let mut r = CaptureReader::new(&f[..]).unwrap();
        assert!(r.next_packet().unwrap().is_some());
        assert!(matches!(
            r.next_packet(),
            Err(CaptureError::Truncated { .. })
        ));
        assert!(r.next_packet().unwrap().is_none());
    }

    #[test]
    fn garbage_is_not_a_capture() {
        assert!(matches!(
            CaptureReader::new(&b"hello world, not a pcap"[..]),
            Err(CaptureError::NotACapture)
        ));
        assert!(matches!(
            CaptureReader::new(&b""[..]),
            Err(CaptureError::Empty)
        ));
    }

    #[test]
    fn huge_record_length_is_refused_not_allocated() {
        let mut f = pcap_header(1, false);
        f.extend_from_slice(&[0; 8]);
        f.extend_from_slice(&u32::MAX.to_le_bytes());
        f.extend_from_slice(&u32::MAX.to_le_bytes());
        f.extend_from_slice(&[0; 100]);
        let mut r = CaptureReader::new(&f[..]).unwrap();
        assert!(r.next_packet().is_err());
    }

    /// A reader that hands out at most `n` bytes per read (a pipe).
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// Everything a reader returns, error and offsets included.
    fn transcript(r: Result<CaptureReader<'_>, CaptureError>) -> Vec<String> {
        let mut r = match r {
            Ok(r) => r,
            Err(e) => return vec![format!("open: {e:?}")],
        };
        let mut out = Vec::new();
        loop {
            let offset = r.offset();
            match r.next_packet() {
                Ok(Some(p)) => out.push(format!(
                    "{} {} {} {:?} @{offset}",
                    p.frame, p.ts_us, p.linktype, p.data
                )),
                Ok(None) => break,
                Err(e) => out.push(format!("error {e:?} @{offset}")),
            }
        }
        out.push(format!("end @{}", r.offset()));
        out
    }

    #[test]
    fn legacy_pcap_path_reads_what_pcap_parser_reads() {
        let be_header = |nano: bool| {
            let mut v = Vec::new();
            v.extend_from_slice(&(if nano { 0xa1b2_3c4d_u32 } else { 0xa1b2_c3d4 }).to_be_bytes());
            v.extend_from_slice(&2u16.to_be_bytes());
            v.extend_from_slice(&4u16.to_be_bytes());
            v.extend_from_slice(&[0; 8]);
            v.extend_from_slice(&65535u32.to_be_bytes());
            v.extend_from_slice(&1u32.to_be_bytes());
            v
        };
        let be_record = |v: &mut Vec<u8>, sec: u32, frac: u32, data: &[u8]| {
            v.extend_from_slice(&sec.to_be_bytes());
            v.extend_from_slice(&frac.to_be_bytes());
            v.extend_from_slice(&(data.len() as u32).to_be_bytes());
            v.extend_from_slice(&(data.len() as u32).to_be_bytes());
            v.extend_from_slice(data);
        };
        let mut files = Vec::new();
        for nano in [false, true] {
            let mut le = pcap_header(1, nano);
            let mut be = be_header(nano);
            for i in 0..40u32 {
                let data: Vec<u8> = (0..(i * 7 % 61) as u8).collect();
                record(&mut le, 1_600_000_000 + i, i * 12_345, &data);
                be_record(&mut be, 1_600_000_000 + i, i * 54_321, &data);
            }
            files.push(le);
            files.push(be);
        }
        let mut huge = pcap_header(1, false);
        record(&mut huge, 1, 2, b"ok");
        huge.extend_from_slice(&[0; 8]);
        huge.extend_from_slice(&(3u32 << 20).to_le_bytes());
        huge.extend_from_slice(&(3u32 << 20).to_le_bytes());
        huge.extend(std::iter::repeat_n(7u8, 3 << 20));
        files.push(huge.clone());
        huge.truncate(huge.len() - 100);
        files.push(huge);
        for f in &files {
            // Cuts inside the file header, the first records, then every 97th byte; a few of
            // the large files. Reads of one byte only where they stay cheap.
            let small = f.len() < 10_000;
            let cuts: Vec<usize> = if small {
                (0..=80)
                    .chain((81..=f.len()).step_by(37))
                    .chain([f.len()])
                    .collect()
            } else {
                vec![0, 23, 24, 40, 58, f.len() / 2, f.len() - 1, f.len()]
            };
            let chunks: &[usize] = if small {
                &[usize::MAX, 1, 7]
            } else {
                &[usize::MAX, 4096]
            };
            for cut in cuts {
                let case = &f[..cut];
                for &chunk in chunks {
                    let fast = transcript(CaptureReader::new(Trickle(case, chunk)));
                    let general = transcript(CaptureReader::with_parser(Trickle(case, chunk)));
                    assert_eq!(fast, general, "{cut} bytes in reads of {chunk}");
                }
            }
        }
    }
}
