//! Legacy pcap (libpcap's format, microsecond or nanosecond, either byte order) read
//! without `pcap-parser`'s trait object and block enum per record: the records of a large
//! capture cost a few dozen instructions each instead of a few hundred.
//!
//! The reader keeps `pcap-parser`'s buffer discipline exactly (its `LegacyPcapReader` over a
//! `circular::Buffer`: the same reads into the same free space, the same shifts, the same
//! tests for a record that needs a larger buffer or that the file cuts short), so records,
//! offsets and errors are the ones the general path gives. Files it does not recognise from
//! their first read (pcapng, the "modified" pcap format, a first read shorter than a header)
//! go to `pcap-parser` with the bytes already read put back in front.

use std::io::Read;

use super::{Interface, RawTs, Step};

/// Size of a legacy pcap file header.
const HEADER: usize = 24;
/// Size of a legacy pcap record header.
const RECORD: usize = 16;

/// A legacy pcap file being read.
pub(super) struct Legacy<'r> {
    input: Box<dyn Read + Send + 'r>,
    /// The buffer: `mem[position..end]` is read and not yet consumed.
    mem: Vec<u8>,
    position: usize,
    end: usize,
    /// Bytes of the file consumed.
    consumed: usize,
    /// A read returned nothing.
    exhausted: bool,
    big_endian: bool,
}

/// What the first read of a file showed.
pub(super) enum Opened<'r> {
    /// A legacy pcap file, with its one interface.
    Legacy(Legacy<'r>, Interface),
    /// Something else: its first bytes and the rest, for `pcap-parser`.
    Other(Vec<u8>, Box<dyn Read + Send + 'r>),
}

impl<'r> Legacy<'r> {
    /// Reads the start of `input` as `pcap_parser::create_reader` does (one read of up to
    /// `capacity` bytes, then, for legacy pcap, a second one), and keeps it when it is a
    /// legacy pcap file this reader handles.
    pub(super) fn open(
        mut input: Box<dyn Read + Send + 'r>,
        capacity: usize,
    ) -> std::io::Result<Opened<'r>> {
        let mut mem = vec![0u8; capacity];
        let n = input.read(&mut mem)?;
        let magic = mem
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, u32::from_le_bytes);
        let (big_endian, nano) = match magic {
            0xa1b2_c3d4 => (false, false),
            0xa1b2_3c4d => (false, true),
            0xd4c3_b2a1 => (true, false),
            0x4d3c_b2a1 => (true, true),
            _ => (false, false),
        };
        if n < HEADER || !matches!(magic, 0xa1b2_c3d4 | 0xa1b2_3c4d | 0xd4c3_b2a1 | 0x4d3c_b2a1) {
            mem.truncate(n);
            mem.shrink_to_fit();
            return Ok(Opened::Other(mem, input));
        }
        let mut r = Legacy {
            input,
            mem,
            position: 0,
            end: 0,
            consumed: 0,
            exhausted: false,
            big_endian,
        };
        r.fill(n);
        // `LegacyPcapReader::from_buffer` reads once more before parsing the header.
        let more = r.input.read(r.mem.get_mut(r.end..).unwrap_or_default())?;
        r.fill(more);
        let linktype = r.u32_at(20).map_or(0, |v| v as i32);
        let iface = Interface {
            linktype,
            units_per_sec: if nano { 1_000_000_000 } else { 1_000_000 },
            offset_sec: 0,
        };
        Ok(Opened::Legacy(r, iface))
    }

    fn u32_at(&self, i: usize) -> Option<u32> {
        let b = self.data().get(i..i + 4)?;
        let b = <[u8; 4]>::try_from(b).ok()?;
        Some(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    /// The next record, or what to do to get one (`offset`: where it starts in the file).
    pub(super) fn step(&self, offset: u64) -> Step {
        if self.consumed == 0 {
            // The file header is the first block, consumed by the first call.
            return Step::Skip(HEADER);
        }
        let available = self.end - self.position;
        if available == 0 && self.position == 0 && self.exhausted {
            return Step::End;
        }
        let needed = match self.u32_at(8) {
            Some(caplen) if available >= RECORD => {
                let (caplen, have) = (caplen as usize, available - RECORD);
                if have >= caplen {
                    let ts = match (self.u32_at(0), self.u32_at(4)) {
                        (Some(s), Some(f)) => Some(RawTs::Split(s, f)),
                        _ => None,
                    };
                    return Step::Packet {
                        len: RECORD + caplen,
                        if_id: 0,
                        ts,
                        start: RECORD,
                        size: caplen,
                    };
                }
                caplen - have
            }
            _ => RECORD.saturating_sub(available),
        };
        if self.exhausted {
            Step::Fail(super::CaptureError::Truncated { offset })
        } else if available.saturating_add(needed) >= self.mem.len() {
            Step::Grow
        } else {
            Step::Refill
        }
    }

    /// The bytes read and not consumed.
    pub(super) fn data(&self) -> &[u8] {
        self.mem.get(self.position..self.end).unwrap_or_default()
    }

    /// Bytes of the file consumed.
    pub(super) fn consumed(&self) -> usize {
        self.consumed
    }

    /// Consumes `n` bytes (shifting the rest to the front past half the buffer).
    pub(super) fn consume(&mut self, n: usize) {
        self.consumed += n;
        self.position += n.min(self.end - self.position);
        if self.position > self.mem.len() / 2 {
            self.shift();
        }
    }

    fn fill(&mut self, n: usize) {
        let n = n.min(self.mem.len() - self.end);
        self.end += n;
        if self.mem.len() - self.end < self.end - self.position + n {
            self.shift();
        }
    }

    fn shift(&mut self) {
        if self.position > 0 {
            self.mem.copy_within(self.position..self.end, 0);
            self.end -= self.position;
            self.position = 0;
        }
    }

    /// Reads more into the free space (after moving what is left to the front).
    pub(super) fn refill(&mut self) -> std::io::Result<()> {
        self.shift();
        let Some(space) = self.mem.get_mut(self.end..) else {
            return Ok(());
        };
        if space.is_empty() {
            return Ok(());
        }
        let n = self.input.read(space)?;
        self.exhausted = n == 0;
        self.fill(n);
        Ok(())
    }

    /// Grows the buffer to `size` bytes; `false` when it is not larger.
    pub(super) fn grow(&mut self, size: usize) -> bool {
        if self.mem.len() >= size {
            return false;
        }
        self.mem.resize(size, 0);
        true
    }
}
