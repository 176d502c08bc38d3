//! Data link layer (IEEE 1815-2012 §9.2): the FT3 frame with its `0x05 0x64` start octets,
//! LENGTH, CONTROL, DESTINATION, SOURCE, header CRC and user data in 16-octet blocks, each
//! followed by its CRC-16/DNP.

use crate::anomaly::Anomalies;
use crate::codes::{PrimaryFunction, SecondaryFunction};
use crate::emit::Sink;
use crate::error::{EmitError, Error, Layer, Needed};
use crate::transport::TransportHeader;

/// The two start octets of every link frame (§9.2.4.1.1).
pub const START: [u8; 2] = [0x05, 0x64];
/// Octets of the link header: start (2), length, control, destination (2), source (2),
/// CRC (2) (§9.2.4.1).
pub const HEADER_LEN: usize = 10;
/// Largest user data in one frame: LENGTH 255 minus the 5 octets of control and addresses
/// (§9.2.4.1.2).
pub const MAX_USER_DATA: usize = 250;
/// Smallest valid LENGTH (a frame without user data) (§9.2.4.1.2).
pub const MIN_LENGTH: u8 = 5;
/// Largest frame on the wire: header plus 250 octets of data in 16 blocks with their CRCs.
pub const MAX_FRAME_LEN: usize = HEADER_LEN + MAX_USER_DATA + 2 * 16;
/// User data octets per CRC block (§9.2.4.2).
pub const BLOCK_LEN: usize = 16;

/// CRC-16/DNP (§9.2.4.2), computed with a slice-by-16 table built at compile time.
static CRC: crc::Crc<u16, crc::Table<16>> = crc::Crc::<u16, crc::Table<16>>::new(&crc::CRC_16_DNP);

/// The CRC-16/DNP of `data`, as transmitted (low octet first) (§9.2.4.2).
///
/// CRC-16/DNP starts from a zero register, and zero octets fed to a zero register leave
/// it zero, so a short input (the 8-octet header, a partial last block) is left-padded
/// with zeros to 16 octets and goes through one slice-by-16 step instead of a chain of
/// dependent byte-at-a-time lookups (measured in benches/benches/dnp3.rs).
pub fn crc16(data: &[u8]) -> u16 {
    let n = data.len();
    if (7..BLOCK_LEN).contains(&n) {
        let mut padded = [0u8; BLOCK_LEN];
        if let Some(dst) = padded.get_mut(BLOCK_LEN - n..) {
            dst.copy_from_slice(data);
        }
        return CRC.checksum(&padded);
    }
    CRC.checksum(data)
}

/// Frame length on the wire for a LENGTH octet of `length` (≥ 5): header plus user data
/// plus one CRC per started block.
pub fn frame_len(length: u8) -> usize {
    let n = usize::from(length.saturating_sub(MIN_LENGTH));
    HEADER_LEN + n + 2 * n.div_ceil(BLOCK_LEN)
}

/// A link address (§9.2.5.2). 0xFFFD-0xFFFF are broadcast; 0xFFF0-0xFFFC are reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Address(pub u16);

impl Address {
    /// Broadcast, outstations must confirm if requested (0xFFFD).
    pub const BROADCAST_CONFIRM_OPTIONAL: Address = Address(0xFFFD);
    /// Broadcast, no confirmation (0xFFFE).
    pub const BROADCAST_NO_CONFIRM: Address = Address(0xFFFE);
    /// Broadcast, confirmation required (0xFFFF).
    pub const BROADCAST_CONFIRM: Address = Address(0xFFFF);

    /// One of the three broadcast addresses 0xFFFD-0xFFFF (§9.2.5.2).
    pub fn is_broadcast(self) -> bool {
        self.0 >= 0xFFFD
    }

    /// In the reserved block 0xFFF0-0xFFFC (§9.2.5.2; 0xFFFC is the self address).
    pub fn is_reserved(self) -> bool {
        (0xFFF0..0xFFFD).contains(&self.0)
    }
}

impl core::fmt::Display for Address {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A link function: the 4-bit code read according to PRM (§9.2.4.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum LinkFunction {
    /// From the primary (initiating) station, PRM = 1.
    Primary(PrimaryFunction),
    /// From the secondary (responding) station, PRM = 0.
    Secondary(SecondaryFunction),
}

impl LinkFunction {
    /// Whether this function code is defined for its PRM and not obsolete.
    pub fn is_known(self) -> bool {
        match self {
            LinkFunction::Primary(f) => f.is_known() && f != PrimaryFunction::ResetUserProcess,
            LinkFunction::Secondary(f) => f.is_known() && f != SecondaryFunction::NotFunctioning,
        }
    }

    /// Whether frames of this function carry user data (User Data and Unconfirmed User Data).
    pub fn carries_user_data(self) -> bool {
        matches!(
            self,
            LinkFunction::Primary(
                PrimaryFunction::ConfirmedUserData | PrimaryFunction::UnconfirmedUserData
            )
        )
    }
}

impl core::fmt::Display for LinkFunction {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LinkFunction::Primary(p) => p.fmt(f),
            LinkFunction::Secondary(s) => s.fmt(f),
        }
    }
}

/// The link CONTROL octet (§9.2.4.1.3): DIR, PRM, FCB, FCV/DFC and the function code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LinkControl {
    /// DIR (bit 7): set on frames from the master (§9.2.4.1.3.1).
    pub dir: bool,
    /// PRM (bit 6): set on primary (initiating) frames (§9.2.4.1.3.2).
    pub prm: bool,
    /// FCB (bit 5) on primary frames; reserved (should be 0) on secondary frames.
    pub fcb: bool,
    /// Bit 4: FCV on primary frames, DFC on secondary frames (§9.2.4.1.3.4-5).
    pub fcv_dfc: bool,
    /// Function code (bits 3-0), read through [`LinkControl::function`].
    pub code: u8,
}

impl LinkControl {
    /// Decodes the control octet.
    pub fn from_u8(b: u8) -> Self {
        LinkControl {
            dir: b & 0x80 != 0,
            prm: b & 0x40 != 0,
            fcb: b & 0x20 != 0,
            fcv_dfc: b & 0x10 != 0,
            code: b & 0x0F,
        }
    }

    /// Encodes the control octet (the function code is masked to 4 bits).
    pub fn to_u8(self) -> u8 {
        (u8::from(self.dir) << 7)
            | (u8::from(self.prm) << 6)
            | (u8::from(self.fcb) << 5)
            | (u8::from(self.fcv_dfc) << 4)
            | (self.code & 0x0F)
    }

    /// A primary control octet for `function`, with FCV set as §9.2.4.1.3.4 requires.
    pub fn primary(dir: bool, function: PrimaryFunction, fcb: bool) -> Self {
        let fcv = matches!(
            function,
            PrimaryFunction::TestLinkStates | PrimaryFunction::ConfirmedUserData
        );
        LinkControl {
            dir,
            prm: true,
            fcb: fcb && fcv,
            fcv_dfc: fcv,
            code: function.value() & 0x0F,
        }
    }

    /// A secondary control octet for `function`.
    pub fn secondary(dir: bool, function: SecondaryFunction, dfc: bool) -> Self {
        LinkControl {
            dir,
            prm: false,
            fcb: false,
            fcv_dfc: dfc,
            code: function.value() & 0x0F,
        }
    }

    /// The function, read according to PRM.
    pub fn function(self) -> LinkFunction {
        if self.prm {
            LinkFunction::Primary(PrimaryFunction::from(self.code))
        } else {
            LinkFunction::Secondary(SecondaryFunction::from(self.code))
        }
    }

    /// FCV: only meaningful on primary frames.
    pub fn fcv(self) -> bool {
        self.prm && self.fcv_dfc
    }

    /// DFC: only meaningful on secondary frames.
    pub fn dfc(self) -> bool {
        !self.prm && self.fcv_dfc
    }

    /// Anomalies of the control octet alone: unknown function, FCV disagreeing with the
    /// function, reserved bit set.
    fn anomalies(self) -> Anomalies {
        let mut a = Anomalies::empty();
        let function = self.function();
        if !function.is_known() {
            a |= Anomalies::UNKNOWN_LINK_FUNCTION;
        }
        match function {
            LinkFunction::Primary(p) if p.is_known() => {
                let needs_fcv = matches!(
                    p,
                    PrimaryFunction::TestLinkStates | PrimaryFunction::ConfirmedUserData
                );
                if needs_fcv != self.fcv_dfc {
                    a |= Anomalies::LINK_CONTROL_BITS;
                }
            }
            LinkFunction::Secondary(_) if self.fcb => a |= Anomalies::LINK_CONTROL_BITS,
            _ => {}
        }
        a
    }
}

/// The addressed part of a link header (§9.2.4.1): control, destination and source. LENGTH
/// and the CRC are derived from the user data when emitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LinkHeader {
    /// CONTROL octet.
    pub control: LinkControl,
    /// DESTINATION address (little-endian on the wire).
    pub destination: Address,
    /// SOURCE address (little-endian on the wire).
    pub source: Address,
}

/// How strictly [`split_frame_with`] checks a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LinkConfig {
    /// Compute and compare the CRCs (§9.2.4.2). Off, CRCs are neither checked nor flagged
    /// (fuzzing, or traffic already checked by a NIC).
    pub verify_crc: bool,
    /// A bad CRC is an [`Error::BadCrc`] instead of an anomaly flag (what a real link
    /// layer does: it discards the frame).
    pub strict: bool,
}

impl LinkConfig {
    /// Check CRCs, flag mismatches as anomalies and keep decoding (the default).
    pub const LAX: LinkConfig = LinkConfig {
        verify_crc: true,
        strict: false,
    };
    /// Check CRCs and reject a frame with any bad one.
    pub const STRICT: LinkConfig = LinkConfig {
        verify_crc: true,
        strict: true,
    };
    /// Do not compute CRCs at all.
    pub const NO_CRC: LinkConfig = LinkConfig {
        verify_crc: false,
        strict: false,
    };
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig::LAX
    }
}

/// A link frame borrowed from the input (§9.2.4): the decoded header, and the raw frame
/// whose user data is read de-blocked through [`Frame::blocks`], [`Frame::copy_user_data`]
/// or [`Frame::user_data`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Frame<'a> {
    /// Control and addresses.
    pub header: LinkHeader,
    /// LENGTH octet: control, addresses and user data, without CRCs (5-255).
    pub length: u8,
    /// What was off (CRCs, control bits, length for the function).
    pub anomalies: Anomalies,
    /// The whole frame as received, start octets through the last CRC.
    pub raw: &'a [u8],
}

impl<'a> Frame<'a> {
    /// Number of user data octets (LENGTH − 5).
    pub fn user_data_len(&self) -> usize {
        usize::from(self.length.saturating_sub(MIN_LENGTH))
    }

    /// The user data blocks, CRCs removed, each up to 16 octets (§9.2.4.2).
    pub fn blocks(&self) -> DataBlocks<'a> {
        DataBlocks {
            rest: self.raw.get(HEADER_LEN..).unwrap_or_default(),
            remaining: self.user_data_len(),
        }
    }

    /// Copies the de-blocked user data into `out`; returns the number of octets written.
    pub fn copy_user_data(&self, out: &mut [u8]) -> Result<usize, EmitError> {
        let n = self.user_data_len();
        if out.len() < n {
            return Err(EmitError::BufferTooShort {
                needed: n,
                available: out.len(),
            });
        }
        let mut pos = 0;
        for block in self.blocks() {
            let end = pos + block.len();
            if let Some(dst) = out.get_mut(pos..end) {
                dst.copy_from_slice(block);
            }
            pos = end;
        }
        Ok(pos)
    }

    /// The de-blocked user data in a fixed 250-octet buffer on the stack (no allocation).
    pub fn user_data(&self) -> UserData {
        let mut buf = UserData {
            buf: [0; MAX_USER_DATA],
            len: 0,
        };
        let n = self.copy_user_data(&mut buf.buf).unwrap_or(0);
        buf.len = u8::try_from(n).unwrap_or(0);
        buf
    }

    /// The transport header: the first user data octet (§8.2.1), if there is user data.
    pub fn transport_header(&self) -> Option<TransportHeader> {
        self.blocks()
            .next()
            .and_then(|b| b.first())
            .map(|&b| TransportHeader::from_u8(b))
    }
}

/// User data of one frame, de-blocked into an inline buffer (at most 250 octets).
#[derive(Clone, Copy)]
pub struct UserData {
    buf: [u8; MAX_USER_DATA],
    len: u8,
}

impl UserData {
    /// The octets.
    pub fn as_slice(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl core::ops::Deref for UserData {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl core::fmt::Debug for UserData {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("UserData").field(&self.as_slice()).finish()
    }
}

impl PartialEq for UserData {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}
impl Eq for UserData {}

#[cfg(feature = "serde")]
impl serde::Serialize for UserData {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.as_slice())
    }
}

/// Iterator over the user data blocks of a frame, CRCs removed (§9.2.4.2). `Copy`, no
/// allocation: each item borrows up to 16 octets from the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataBlocks<'a> {
    rest: &'a [u8],
    remaining: usize,
}

impl<'a> Iterator for DataBlocks<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.remaining == 0 {
            return None;
        }
        let n = self.remaining.min(BLOCK_LEN);
        let data = self.rest.get(..n)?;
        self.rest = self.rest.get(n + 2..).unwrap_or_default();
        self.remaining -= n;
        Some(data)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.remaining.div_ceil(BLOCK_LEN);
        (n, Some(n))
    }
}

impl ExactSizeIterator for DataBlocks<'_> {}

#[cfg(feature = "serde")]
impl serde::Serialize for DataBlocks<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(*self)
    }
}
impl core::iter::FusedIterator for DataBlocks<'_> {}

/// Identifies DNP3 from the first bytes of a stream: the start octets, a LENGTH of at
/// least 5, and a header CRC that matches (1 chance in 65536 by accident).
pub fn probe(input: &[u8]) -> otwire_core::Probe {
    plausible_header(input, true)
}

/// The header checks of [`probe`], with or without the CRC (the stream decoder's, as its
/// [`LinkConfig`] says).
pub(crate) fn plausible_header(input: &[u8], verify_crc: bool) -> otwire_core::Probe {
    use otwire_core::Probe;
    for (i, &b) in input.iter().take(2).enumerate() {
        if START.get(i) != Some(&b) {
            return Probe::Unrecognized;
        }
    }
    let Some(header) = input.first_chunk::<HEADER_LEN>() else {
        if input.get(2).is_some_and(|&l| l < MIN_LENGTH) {
            return Probe::Unrecognized;
        }
        return Probe::NeedMore;
    };
    if header.get(2).is_none_or(|&l| l < MIN_LENGTH) || (verify_crc && !header_crc_ok(header)) {
        return Probe::Unrecognized;
    }
    Probe::Recognized
}

fn header_crc_ok(header: &[u8; HEADER_LEN]) -> bool {
    let (body, crc) = header.split_at(8);
    crc16(body).to_le_bytes() == crc
}

/// The next whole link frame at the front of `input`, checked in the default lax mode
/// ([`LinkConfig::LAX`]): bad CRCs are anomaly flags. Streaming: `Error::Incomplete`
/// when the frame is not all there.
pub fn split_frame(input: &[u8]) -> Result<(Frame<'_>, &[u8]), Error> {
    split_frame_with(input, LinkConfig::LAX)
}

/// [`split_frame`] that rejects bad CRCs with [`Error::BadCrc`] ([`LinkConfig::STRICT`]).
pub fn split_frame_strict(input: &[u8]) -> Result<(Frame<'_>, &[u8]), Error> {
    split_frame_with(input, LinkConfig::STRICT)
}

/// [`split_frame`] with an explicit [`LinkConfig`].
pub fn split_frame_with(input: &[u8], config: LinkConfig) -> Result<(Frame<'_>, &[u8]), Error> {
    for (i, &b) in input.iter().take(2).enumerate() {
        if START.get(i) != Some(&b) {
            return Err(Error::Malformed {
                layer: Layer::Link,
                offset: i,
            });
        }
    }
    let Some(header) = input.first_chunk::<HEADER_LEN>() else {
        if input.get(2).is_some_and(|&l| l < MIN_LENGTH) {
            return Err(Error::Malformed {
                layer: Layer::Link,
                offset: 2,
            });
        }
        return Err(Error::Incomplete(Needed::new(HEADER_LEN - input.len())));
    };
    let [_, _, length, control, d0, d1, s0, s1, _, _] = *header;
    if length < MIN_LENGTH {
        return Err(Error::Malformed {
            layer: Layer::Link,
            offset: 2,
        });
    }
    let mut anomalies = Anomalies::empty();
    if config.verify_crc && !header_crc_ok(header) {
        if config.strict {
            return Err(Error::BadCrc { offset: 8 });
        }
        anomalies |= Anomalies::BAD_HEADER_CRC;
    }
    let total = frame_len(length);
    let Some((raw, rest)) = input.split_at_checked(total) else {
        return Err(Error::Incomplete(Needed::new(total - input.len())));
    };
    if config.verify_crc {
        let mut offset = HEADER_LEN;
        let mut chunks = raw
            .get(HEADER_LEN..)
            .unwrap_or_default()
            .chunks(BLOCK_LEN + 2);
        for chunk in &mut chunks {
            if let Some((data, crc)) = chunk.split_last_chunk::<2>() {
                if crc16(data).to_le_bytes() != *crc {
                    if config.strict {
                        return Err(Error::BadCrc {
                            offset: offset + data.len(),
                        });
                    }
                    anomalies |= Anomalies::BAD_DATA_CRC;
                }
            }
            offset += chunk.len();
        }
    }
    let control = LinkControl::from_u8(control);
    anomalies |= control.anomalies();
    let function = control.function();
    if function.is_known() && function.carries_user_data() != (length > MIN_LENGTH) {
        anomalies |= Anomalies::LINK_LENGTH_MISMATCH;
    }
    let source = Address(u16::from_le_bytes([s0, s1]));
    if source.0 >= 0xFFF0 {
        anomalies |= Anomalies::RESERVED_SOURCE_ADDRESS;
    }
    let frame = Frame {
        header: LinkHeader {
            control,
            destination: Address(u16::from_le_bytes([d0, d1])),
            source,
        },
        length,
        anomalies,
        raw,
    };
    Ok((frame, rest))
}

/// A link frame to encode (§9.2.4): header plus up to 250 octets of user data. `emit`
/// writes LENGTH, the header CRC and one CRC per 16-octet block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LinkFrame<'a> {
    /// Control and addresses.
    pub header: LinkHeader,
    /// User data (transport segment), at most 250 octets.
    pub user_data: &'a [u8],
}

otwire_core::emit_via_encode!(LinkFrame<'_>);

impl LinkFrame<'_> {
    /// Header with its CRC, then the user data in blocks of 16 octets, each with its CRC
    /// (§9.2.4). LENGTH counts control, addresses and user data: at most 255, so at most
    /// 250 octets of user data.
    fn encode<S: Sink + ?Sized>(&self, w: &mut S) -> Result<(), EmitError> {
        let d = self.header.destination.0.to_le_bytes();
        let s = self.header.source.0.to_le_bytes();
        if self.user_data.len() > MAX_USER_DATA {
            return Err(EmitError::ValueOutOfRange { field: "user data" });
        }
        // At most 255.
        let length = (self.user_data.len() + 5) as u8;
        let head = [
            START[0],
            START[1],
            length,
            self.header.control.to_u8(),
            d[0],
            d[1],
            s[0],
            s[1],
        ];
        w.bytes(&head)?;
        w.u16_le(crc16(&head))?;
        for block in self.user_data.chunks(BLOCK_LEN) {
            w.bytes(block)?;
            w.u16_le(crc16(block))?;
        }
        Ok(())
    }
}

impl<'a> Frame<'a> {
    /// The frame as a [`LinkFrame`] over `user_data` (from [`Frame::user_data`]), for
    /// re-encoding with fresh CRCs.
    pub fn to_link_frame<'u>(&self, user_data: &'u [u8]) -> LinkFrame<'u> {
        LinkFrame {
            header: self.header,
            user_data,
        }
    }
}
