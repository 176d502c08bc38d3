//! Encapsulation messages typed by command (CIP Vol. 2 §2-4): ListIdentity, ListServices,
//! ListInterfaces, RegisterSession, UnRegisterSession, SendRRData, SendUnitData, NOP.

use crate::anomaly::{Anomalies, Parsed};
use crate::codes::{Command, EncapStatus, ItemType};
use crate::cpf::{
    CONNECTED_ADDRESS, CONNECTED_DATA, NULL_ADDRESS, SEQUENCED_ADDRESS, UNCONNECTED_DATA, next_raw,
};
use crate::cpf::{Cpf, ITEM_HEADER_LEN, Item};
use crate::error::{EmitError, Error};
use crate::frame::{Frame, HEADER_LEN, Header, MAX_DATA_LEN, le16, le32};
use otwire_core::{Emit, Sink, emit_via_encode};

/// The encapsulation protocol version this crate speaks (Vol. 2 §2-4.4.1).
pub const PROTOCOL_VERSION: u16 = 1;

/// Which side sent a message: the encapsulation has the same command both ways, and a
/// List* request (empty) differs from its reply (a CPF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Direction {
    /// From the originator (the client, or the UDP ListIdentity sender).
    Request,
    /// From the target (TCP or UDP port 44818).
    Reply,
}

/// The data of SendRRData and SendUnitData (Vol. 2 §2-4.7, §2-4.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SendData<C> {
    /// Interface handle: 0 for CIP.
    pub interface_handle: u32,
    /// Timeout in seconds (SendRRData); 0 in SendUnitData.
    pub timeout: u16,
    /// The Common Packet Format ([`Cpf`] parsed, [`CpfItems`](crate::CpfItems) to build).
    pub cpf: C,
}

impl<C: Emit> SendData<C> {
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u32_le(self.interface_handle)?;
        s.u16_le(self.timeout)?;
        s.nested(&self.cpf)
    }
}

impl<C: Emit> Emit for SendData<C> {
    fn buffer_len(&self) -> usize {
        6 + self.cpf.buffer_len()
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let mut w = otwire_core::Writer::new(buf, self.buffer_len())?;
        self.encode(&mut w)?;
        Ok(w.written())
    }
}

/// The command-specific data of an encapsulation message (Vol. 2 §2-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Body<'a> {
    /// NOP: any data, no reply (§2-4.1).
    Nop(&'a [u8]),
    /// ListIdentity request: no data (§2-4.2.1).
    ListIdentityRequest,
    /// ListIdentity reply: a CPF of identity items (§2-4.2.3).
    ListIdentityReply(Cpf<'a>),
    /// ListServices request: no data (§2-4.6.1).
    ListServicesRequest,
    /// ListServices reply: a CPF of service items (§2-4.6.3).
    ListServicesReply(Cpf<'a>),
    /// ListInterfaces request: no data (§2-4.3.1).
    ListInterfacesRequest,
    /// ListInterfaces reply: a CPF (usually of no items) (§2-4.3.2).
    ListInterfacesReply(Cpf<'a>),
    /// RegisterSession request or reply (§2-4.4).
    RegisterSession {
        /// Protocol version (1).
        protocol_version: u16,
        /// Options flags (0).
        options: u16,
    },
    /// UnRegisterSession: no data (§2-4.5).
    UnRegisterSession,
    /// SendRRData (§2-4.7).
    SendRrData(SendData<Cpf<'a>>),
    /// SendUnitData (§2-4.8).
    SendUnitData(SendData<Cpf<'a>>),
    /// Data kept as it was: IndicateStatus, Cancel, StartDTLS and unknown commands, an
    /// error reply without data, and any data that does not fit its command
    /// ([`Anomalies::COMMAND_DATA`]).
    Raw(&'a [u8]),
}

impl<'a> Body<'a> {
    /// Types `data` as the data of `command` sent in `dir`.
    #[inline]
    pub fn parse(command: Command, dir: Direction, data: &'a [u8]) -> Parsed<Self> {
        let request = dir == Direction::Request;
        let list = |req: Body<'a>, rep: fn(Cpf<'a>) -> Body<'a>| -> Parsed<Body<'a>> {
            if request {
                return if data.is_empty() {
                    Parsed::new(req, Anomalies::empty())
                } else {
                    Parsed::new(Body::Raw(data), Anomalies::COMMAND_DATA)
                };
            }
            match Cpf::parse(data) {
                Ok(Parsed { pdu, anomalies }) => {
                    let layout = !pdu.items().all(|i| reply_item(command, i.type_id()));
                    Parsed::new(
                        rep(pdu),
                        anomalies | Anomalies::when(layout, Anomalies::CPF_LAYOUT),
                    )
                }
                Err(_) => Parsed::new(Body::Raw(data), Anomalies::COMMAND_DATA),
            }
        };
        let raw = Parsed::new(Body::Raw(data), Anomalies::COMMAND_DATA);
        match command {
            Command::Nop => Parsed::new(Body::Nop(data), Anomalies::empty()),
            Command::ListIdentity => list(Body::ListIdentityRequest, Body::ListIdentityReply),
            Command::ListServices => list(Body::ListServicesRequest, Body::ListServicesReply),
            Command::ListInterfaces => list(Body::ListInterfacesRequest, Body::ListInterfacesReply),
            Command::RegisterSession => match (data.len(), le16(data, 0), le16(data, 2)) {
                (4, Some(protocol_version), Some(options)) => Parsed::new(
                    Body::RegisterSession {
                        protocol_version,
                        options,
                    },
                    Anomalies::when(
                        protocol_version != PROTOCOL_VERSION || options != 0,
                        Anomalies::REGISTER_SESSION,
                    ),
                ),
                _ => Parsed::new(Body::Raw(data), Anomalies::COMMAND_DATA),
            },
            Command::UnRegisterSession => {
                if data.is_empty() {
                    Parsed::new(Body::UnRegisterSession, Anomalies::empty())
                } else {
                    Parsed::new(Body::Raw(data), Anomalies::COMMAND_DATA)
                }
            }
            Command::SendRrData => send_data(data, false).map_or(raw, |p| p.map(Body::SendRrData)),
            Command::SendUnitData => {
                send_data(data, true).map_or(raw, |p| p.map(Body::SendUnitData))
            }
            Command::IndicateStatus | Command::Cancel | Command::StartDtls => {
                Parsed::new(Body::Raw(data), Anomalies::empty())
            }
            Command::Unknown(_) => Parsed::new(Body::Raw(data), Anomalies::empty()),
        }
    }

    /// The CPF of a reply or a SendRRData/SendUnitData.
    pub fn cpf(&self) -> Option<&Cpf<'a>> {
        match self {
            Body::ListIdentityReply(c)
            | Body::ListServicesReply(c)
            | Body::ListInterfacesReply(c) => Some(c),
            Body::SendRrData(s) | Body::SendUnitData(s) => Some(&s.cpf),
            _ => None,
        }
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        match self {
            Body::Nop(d) | Body::Raw(d) => s.bytes(d),
            Body::ListIdentityRequest
            | Body::ListServicesRequest
            | Body::ListInterfacesRequest
            | Body::UnRegisterSession => Ok(()),
            Body::ListIdentityReply(c)
            | Body::ListServicesReply(c)
            | Body::ListInterfacesReply(c) => s.nested(c),
            Body::RegisterSession {
                protocol_version,
                options,
            } => {
                s.u16_le(*protocol_version)?;
                s.u16_le(*options)
            }
            Body::SendRrData(d) | Body::SendUnitData(d) => d.encode(s),
        }
    }
}

/// Whether a List* reply may carry an item of this type: ListIdentity replies carry
/// identity items and the CIP Security, capability and usage items that may follow them
/// (Vol. 2 §2-4.2.3), ListServices replies service items (§2-4.6.3); ListInterfaces
/// replies, items of any type (§2-4.3.2).
fn reply_item(command: Command, t: ItemType) -> bool {
    match command {
        Command::ListIdentity => matches!(
            t,
            ItemType::ListIdentity
                | ItemType::SecurityInformation
                | ItemType::Capability
                | ItemType::Usage
        ),
        Command::ListServices => t == ItemType::ListServices,
        _ => true,
    }
}

/// The common shape of SendRRData/SendUnitData data, recognised without walking the
/// items: interface handle 0, two items, a null address and unconnected data (SendRRData)
/// or a connected address and connected data (SendUnitData, `CONNECTED`), the data item
/// ending the message. Such data has no anomaly (neither [`Cpf::anomalies`] nor the layout
/// check of [`send_data_general`] finds one); gives the timeout and the CPF's bytes after
/// the count.
#[inline(always)]
fn send_data_fast<const CONNECTED: bool>(data: &[u8]) -> Option<(u16, &[u8])> {
    // Interface handle (4), then timeout, item count, address type and length (2 each):
    // all but the timeout compared at once; then the null address's data item header, or
    // the connected address's id.
    let (head, rest) = data.split_first_chunk::<16>()?;
    let [
        h0,
        h1,
        h2,
        h3,
        t0,
        t1,
        f0,
        f1,
        f2,
        f3,
        f4,
        f5,
        n0,
        n1,
        n2,
        n3,
    ] = *head;
    let fields = u64::from_le_bytes([t0, t1, f0, f1, f2, f3, f4, f5]);
    let next = u32::from_le_bytes([n0, n1, n2, n3]);
    let (addr, addr_len, item) = if CONNECTED {
        (CONNECTED_ADDRESS, 4, CONNECTED_DATA)
    } else {
        (NULL_ADDRESS, 0, UNCONNECTED_DATA)
    };
    let want = (2 << 16) | (u64::from(addr) << 32) | ((addr_len as u64) << 48);
    // The data item's header (type and length), the length being what follows it.
    let (d, body_len) = if CONNECTED {
        let (d, body) = rest.split_first_chunk::<ITEM_HEADER_LEN>()?;
        (u32::from_le_bytes(*d), body.len())
    } else {
        (next, rest.len())
    };
    let fits = (u32::from_le_bytes([h0, h1, h2, h3]) == 0)
        & (fields & !0xFFFF == want)
        & (u64::from(d) == u64::from(item) | ((body_len as u64) << 16));
    if !fits {
        return None;
    }
    Some((u16::from_le_bytes([t0, t1]), data.get(8..)?))
}

/// [`send_data_fast`] of either command.
#[inline(always)]
fn send_data_fast_of(data: &[u8], connected: bool) -> Option<(u16, &[u8])> {
    if connected {
        send_data_fast::<true>(data)
    } else {
        send_data_fast::<false>(data)
    }
}

/// SendRRData/SendUnitData data: interface handle, timeout, CPF, and the item layout
/// (an address item, then a data item of the command's kind).
#[inline]
fn send_data(data: &[u8], connected: bool) -> Option<Parsed<SendData<Cpf<'_>>>> {
    match send_data_fast_of(data, connected) {
        Some((timeout, bytes)) => Some(Parsed::new(
            SendData {
                interface_handle: 0,
                timeout,
                cpf: Cpf { count: 2, bytes },
            },
            Anomalies::empty(),
        )),
        None => send_data_general(data, connected),
    }
}

/// [`send_data`] of any shape.
#[inline(never)]
fn send_data_general(data: &[u8], connected: bool) -> Option<Parsed<SendData<Cpf<'_>>>> {
    let (Some(interface_handle), Some(timeout), Some(cpf_bytes)) =
        (le32(data, 0), le16(data, 4), data.get(6..))
    else {
        return None;
    };
    let Parsed {
        pdu: cpf,
        anomalies,
    } = Cpf::parse(cpf_bytes).ok()?;
    // The first two items' type ids and lengths, as `Item::parse` types them: a null
    // address (empty) and unconnected data, or a connected (4 bytes) or sequenced (8 bytes)
    // address and connected data.
    let mut rest = cpf.bytes;
    let first = next_raw(&mut rest).map(|(t, d)| (t, d.len()));
    let second = next_raw(&mut rest).map(|(t, _)| t);
    let layout_ok = match (first, second) {
        (Some((NULL_ADDRESS, 0)), Some(UNCONNECTED_DATA)) => !connected,
        (Some((CONNECTED_ADDRESS, 4) | (SEQUENCED_ADDRESS, 8)), Some(CONNECTED_DATA)) => connected,
        _ => false,
    };
    // SendUnitData's timeout "shall be 0", but Rockwell clients send their SendRRData
    // timeout there too (plant1_EthernetIP-CIP.pcap): not flagged.
    let fields = interface_handle != 0;
    Some(Parsed::new(
        SendData {
            interface_handle,
            timeout,
            cpf,
        },
        anomalies
            | Anomalies::when(!layout_ok, Anomalies::CPF_LAYOUT)
            | Anomalies::when(fields, Anomalies::INTERFACE_HANDLE),
    ))
}

/// The CIP message bytes of a SendRRData or SendUnitData ([`Pdu::cip`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CipData<'a> {
    /// The connection id of a connected (SendUnitData) message.
    pub conn_id: Option<u32>,
    /// The CIP sequence count of a connected message (Vol. 2 §3-2.2: class 3 transports
    /// repeat it on retries).
    pub sequence: Option<u16>,
    /// The CIP request or reply.
    pub bytes: &'a [u8],
}

/// An encapsulation message typed by command (Vol. 2 §2-3, §2-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Pdu<'a> {
    /// The header as it was on the wire (its `length` is recomputed when emitted).
    pub header: Header,
    /// The command-specific data.
    pub body: Body<'a>,
}

impl<'a> Pdu<'a> {
    /// Types a frame's data by its command and `dir`. Never `Err` today (every header
    /// decodes to something); kept a `Result` for the crate's one API shape.
    #[inline]
    pub fn parse(frame: &Frame<'a>, dir: Direction) -> Result<Parsed<Self>, Error> {
        // The common shape (explicit messaging, [`send_data_fast`]) is built in place: its
        // body has no anomaly, so only the header's are computed, as selects. Every other
        // message takes `parse_general`, out of line (given a copy of the frame, so that
        // the common path keeps it in registers).
        let h = frame.header;
        let send = |(timeout, bytes)| SendData {
            interface_handle: 0,
            timeout,
            cpf: Cpf { count: 2, bytes },
        };
        let body = match h.command {
            Command::SendRrData => send_data_fast::<false>(frame.data)
                .map(send)
                .map(Body::SendRrData),
            Command::SendUnitData => send_data_fast::<true>(frame.data)
                .map(send)
                .map(Body::SendUnitData),
            _ => None,
        };
        let Some(body) = body else {
            return Self::parse_general(*frame, dir);
        };
        let request = dir == Direction::Request;
        let ok = h.status == EncapStatus::Success;
        let length = usize::from(h.length);
        let a = Anomalies::when(h.options != 0, Anomalies::ENCAP_OPTIONS)
            | Anomalies::when(
                (length > MAX_DATA_LEN) | (frame.data.len() != length),
                Anomalies::ENCAP_LENGTH,
            )
            | Anomalies::when(request & !ok, Anomalies::STATUS_ON_REQUEST)
            | Anomalies::when((h.session == 0) & (request | ok), Anomalies::SESSION_HANDLE);
        Ok(Parsed::new(Pdu { header: h, body }, a))
    }

    /// [`Pdu::parse`] of any message.
    #[inline(never)]
    fn parse_general(frame: Frame<'a>, dir: Direction) -> Result<Parsed<Self>, Error> {
        let h = frame.header;
        let Parsed {
            pdu: body,
            anomalies,
        } = Body::parse(h.command, dir, frame.data);
        // An error reply may come without the data its command has.
        let (body, anomalies) =
            if dir == Direction::Reply && h.status != EncapStatus::Success && frame.data.is_empty()
            {
                (Body::Raw(frame.data), Anomalies::empty())
            } else {
                (body, anomalies)
            };
        let request = dir == Direction::Request;
        let session = (h.command.needs_session()
            && h.session == 0
            && (request || h.status == EncapStatus::Success))
            || (request && h.command == Command::RegisterSession && h.session != 0);
        let a = anomalies
            | frame.anomalies()
            | Anomalies::when(
                request && h.status != EncapStatus::Success,
                Anomalies::STATUS_ON_REQUEST,
            )
            | Anomalies::when(session, Anomalies::SESSION_HANDLE);
        Ok(Parsed::new(Pdu { header: h, body }, a))
    }

    /// The CIP message this PDU carries: a SendRRData's unconnected data item, or a
    /// SendUnitData's connected data item after its 16-bit sequence count (Vol. 2 §2-6.3,
    /// §3-2.2). `None` for other commands and for a CPF without a data item. Parse the bytes
    /// with [`cip::Message::parse`](crate::cip::Message::parse).
    #[inline]
    pub fn cip(&self) -> Option<CipData<'a>> {
        let cpf = match &self.body {
            Body::SendRrData(d) | Body::SendUnitData(d) => d.cpf,
            _ => return None,
        };
        match cpf.data_item()? {
            Item::UnconnectedData(bytes) => Some(CipData {
                conn_id: None,
                sequence: None,
                bytes,
            }),
            item @ Item::ConnectedData { data } => Some(CipData {
                conn_id: cpf.conn_id(),
                sequence: item.sequence_count(),
                bytes: data.get(2..).unwrap_or(&[]),
            }),
            _ => None,
        }
    }

    /// Splits one message off a TCP stream and types it ([`split_frame`](crate::split_frame)
    /// then [`Pdu::parse`]).
    pub fn split(input: &'a [u8], dir: Direction) -> Result<(Parsed<Self>, &'a [u8]), Error> {
        let (frame, rest) = crate::frame::split_frame(input)?;
        Ok((Pdu::parse(&frame, dir)?, rest))
    }

    /// Types a whole UDP 44818 datagram ([`Frame::from_datagram`] then [`Pdu::parse`]).
    pub fn from_datagram(datagram: &'a [u8], dir: Direction) -> Result<Parsed<Self>, Error> {
        let Parsed {
            pdu: frame,
            anomalies,
        } = Frame::from_datagram(datagram)?;
        let mut p = Pdu::parse(&frame, dir)?;
        p.anomalies |= anomalies;
        Ok(p)
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        Encap {
            header: self.header,
            body: &self.body,
        }
        .encode(s)
    }
}

/// An encapsulation message to encode around any encodable data: `emit` writes the header
/// with the data's length (the header's own `length` is ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Encap<B> {
    /// The header (command, session, status, context, options).
    pub header: Header,
    /// The command-specific data.
    pub body: B,
}

impl<B: Emit> Encap<B> {
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let length =
            u16::try_from(self.body.buffer_len()).map_err(|_| EmitError::ValueOutOfRange {
                field: "encapsulation length",
            })?;
        Header {
            length,
            ..self.header
        }
        .encode(s)?;
        s.nested(&self.body)
    }
}

impl<B: Emit> Emit for Encap<B> {
    fn buffer_len(&self) -> usize {
        HEADER_LEN + self.body.buffer_len()
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let mut w = otwire_core::Writer::new(buf, self.buffer_len())?;
        self.encode(&mut w)?;
        Ok(w.written())
    }
}

emit_via_encode!(Body<'_>, Pdu<'_>);

/// A ListIdentity request (Vol. 2 §2-4.2.1): no data, session 0.
///
/// ```
/// use otwire_enip::{Emit, list_identity};
/// let bytes = list_identity().to_vec()?;
/// assert_eq!(bytes.len(), 24);
/// assert_eq!(bytes[..4], [0x63, 0, 0, 0]);
/// # Ok::<(), otwire_enip::EmitError>(())
/// ```
pub const fn list_identity() -> Pdu<'static> {
    Pdu {
        header: Header::new(Command::ListIdentity, 0, 0),
        body: Body::ListIdentityRequest,
    }
}

/// A ListServices request (Vol. 2 §2-4.6.1).
pub const fn list_services() -> Pdu<'static> {
    Pdu {
        header: Header::new(Command::ListServices, 0, 0),
        body: Body::ListServicesRequest,
    }
}

/// A RegisterSession request (Vol. 2 §2-4.4.1): protocol version 1, options 0, session 0.
pub const fn register_session() -> Pdu<'static> {
    Pdu {
        header: Header::new(Command::RegisterSession, 4, 0),
        body: Body::RegisterSession {
            protocol_version: PROTOCOL_VERSION,
            options: 0,
        },
    }
}

/// An UnRegisterSession for `session` (Vol. 2 §2-4.5).
pub const fn unregister_session(session: u32) -> Pdu<'static> {
    Pdu {
        header: Header::new(Command::UnRegisterSession, 0, session),
        body: Body::UnRegisterSession,
    }
}

/// A message built by [`send_rr_data`] or [`send_unit_data`] (Vol. 2 §2-4.7, §2-4.8):
/// interface handle 0, a timeout, an address item, and a data item of `seq` (when given,
/// the 16-bit sequence count of connected data) then `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SendMessage<'a> {
    /// The header (its length is computed when emitted).
    pub header: Header,
    /// Timeout (seconds; 0 for SendUnitData).
    pub timeout: u16,
    /// The address item.
    pub address: Item<'a>,
    /// The data item's type (unconnected or connected data).
    pub data_type: ItemType,
    /// The sequence count in front of the data, for connected data.
    pub seq: Option<u16>,
    /// The CIP message.
    pub data: &'a [u8],
}

impl SendMessage<'_> {
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let seq_len = if self.seq.is_some() { 2 } else { 0 };
        let data_len =
            u16::try_from(seq_len + self.data.len()).map_err(|_| EmitError::ValueOutOfRange {
                field: "CPF item length",
            })?;
        let length = 6 + 2 + self.address.buffer_len() + ITEM_HEADER_LEN + usize::from(data_len);
        let length = u16::try_from(length).map_err(|_| EmitError::ValueOutOfRange {
            field: "encapsulation length",
        })?;
        Header {
            length,
            ..self.header
        }
        .encode(s)?;
        s.u32_le(0)?;
        s.u16_le(self.timeout)?;
        s.u16_le(2)?;
        s.nested(&self.address)?;
        s.u16_le(self.data_type.value())?;
        s.u16_le(data_len)?;
        if let Some(seq) = self.seq {
            s.u16_le(seq)?;
        }
        s.bytes(self.data)
    }
}

emit_via_encode!(SendMessage<'_>);

/// A SendRRData carrying an unconnected CIP message (Vol. 2 §2-4.7): a null address item
/// and an unconnected data item, interface handle 0, timeout 0.
///
/// ```
/// use otwire_enip::{Direction, Emit, Pdu, send_rr_data};
/// let cip = [0x01, 0x02, 0x20, 0x01, 0x24, 0x01]; // Get Attributes All, Identity 1
/// let bytes = send_rr_data(0x1234, [0; 8], &cip).to_vec()?;
/// let pdu = Pdu::from_datagram(&bytes, Direction::Request).unwrap();
/// assert!(pdu.anomalies.is_empty());
/// assert_eq!(pdu.pdu.body.cpf().unwrap().unconnected_data(), Some(&cip[..]));
/// # Ok::<(), otwire_enip::EmitError>(())
/// ```
pub const fn send_rr_data<'a>(session: u32, context: [u8; 8], cip: &'a [u8]) -> SendMessage<'a> {
    let mut header = Header::new(Command::SendRrData, 0, session);
    header.context = context;
    SendMessage {
        header,
        timeout: 0,
        address: Item::NullAddress,
        data_type: ItemType::UnconnectedData,
        seq: None,
        data: cip,
    }
}

/// A SendUnitData carrying a connected (class 3) CIP message (Vol. 2 §2-4.8): a connected
/// address item of `conn_id` and a connected data item of the sequence count `seq` and
/// `cip`.
pub const fn send_unit_data<'a>(
    session: u32,
    conn_id: u32,
    seq: u16,
    cip: &'a [u8],
) -> SendMessage<'a> {
    SendMessage {
        header: Header::new(Command::SendUnitData, 0, session),
        timeout: 0,
        address: Item::ConnectedAddress { conn_id },
        data_type: ItemType::ConnectedData,
        seq: Some(seq),
        data: cip,
    }
}
