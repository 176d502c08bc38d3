//! EtherNet/IP and CIP messages to event fields: function codes, actions from
//! `otwire_enip::cip::classify`, class / instance / attribute, tag and PCCC file targets,
//! tag values, outcomes, and the conformance findings of the crate's anomaly bits.

use otwire_enip::cip::logix::{LogixRequest, ReplyBody, Value, Values as TagValues};
use otwire_enip::cip::pccc::PcccRequest;
use otwire_enip::cip::{
    Classification, Operation, Request, RequestBody, Response, ResponseBody, ServiceKind, classify,
};
use otwire_enip::{Anomalies, Command, EncapStatus};

use crate::event::{Action, Conformance, Marks, Outcome, Space, Target, Targets, Values};

/// `function` of an encapsulation PDU that carries no CIP message: this bit or'ed with the
/// command's low byte (Vol. 2 §2-3.2: 0x163 ListIdentity, 0x104 ListServices, 0x164
/// ListInterfaces, 0x165 RegisterSession, 0x166 UnRegisterSession, 0x100 NOP, 0x16F /
/// 0x170 SendRRData / SendUnitData without a CIP message); a command above 0xFF is 0x1FF.
pub const ENCAP: u16 = 0x100;
/// `function` of a class 0/1 I/O packet (UDP 2222, Vol. 2 §3-3).
pub const IO: u16 = 0x200;
/// `Outcome::Exception` of an encapsulation reply with a status: this value or'ed with the
/// status' low byte (Vol. 2 §2-3.3). A CIP reply's is `general << 8 | extended status's
/// low byte` (Vol. 1 App. B; the Connection Manager's extended statuses 0x01xx come out
/// whole, e.g. 0x0113 "out of connections").
pub const ENCAP_STATUS: u16 = 0xFF00;
/// `Space::Other` of a Logix tag target: `start` is the FNV-1a hash of the tag's name as
/// `Path::write_tag` renders it, `count` the elements (1756-PM020).
pub const TAG_SPACE: u16 = 0xF000;
/// `Space::Other` of a PCCC data-table file: this value or'ed with the file type;
/// `start` is `file << 16 | element`, `count` the bytes (1770-6.5.16 ch. 7).
pub const PCCC_SPACE: u16 = 0xF100;
/// The Symbol object class (1756-PM020): its instances are the controller's tags.
pub const SYMBOL_CLASS: u32 = 0x6B;
/// The Template object class (1756-PM020): structure definitions.
pub const TEMPLATE_CLASS: u32 = 0x6C;

/// The Identity object's Status attribute (Vol. 1 §5-2.2.1.5): the device's state.
pub const IDENTITY_STATUS: u32 = 5;

/// The neutral conformance findings of EtherNet/IP anomaly bits.
pub(crate) fn conformance(bits: u64) -> Conformance {
    const A: fn(Anomalies) -> u64 = |a| a.bits();
    let table = [
        (
            A(Anomalies::ENCAP_LENGTH
                | Anomalies::COMMAND_DATA
                | Anomalies::CPF_COUNT
                | Anomalies::CPF_TRUNCATED
                | Anomalies::CPF_ITEM_LENGTH
                | Anomalies::PATH_TRUNCATED
                | Anomalies::STATUS_TRUNCATED
                | Anomalies::SERVICE_DATA_SHORT
                | Anomalies::SERVICE_DATA_TRAILING
                | Anomalies::ATTRIBUTE_TRUNCATED
                | Anomalies::LOGIX_TRAILING_DATA
                | Anomalies::LOGIX_DATA_LENGTH
                | Anomalies::PCCC_TRAILING_DATA
                | Anomalies::PCCC_REQUESTOR_ID
                | Anomalies::PCCC_BYTE_SIZE),
            Conformance::LENGTH,
        ),
        (
            A(Anomalies::UNKNOWN_COMMAND
                | Anomalies::CPF_UNKNOWN_ITEM
                | Anomalies::LOGIX_UNKNOWN_TYPE
                | Anomalies::PCCC_UNKNOWN_FUNCTION
                | Anomalies::PCCC_UNKNOWN_MODE),
            Conformance::UNKNOWN_FUNCTION,
        ),
        (
            A(Anomalies::ENCAP_OPTIONS
                | Anomalies::CIP_RESERVED
                | Anomalies::PATH_PAD
                | Anomalies::CM_RESERVED
                | Anomalies::UNCONNECTED_SEND_PAD
                | Anomalies::PATH_SEGMENT
                | Anomalies::PCCC_ADDRESS_FORM),
            Conformance::RESERVED,
        ),
        (
            A(Anomalies::STATUS_ON_REQUEST
                | Anomalies::SESSION_HANDLE
                | Anomalies::REGISTER_SESSION
                | Anomalies::INTERFACE_HANDLE
                | Anomalies::CPF_LAYOUT
                | Anomalies::SOCKADDR
                | Anomalies::MSP_OFFSET
                | Anomalies::LOGIX_MASK_SIZE
                | Anomalies::LOGIX_ZERO_ELEMENTS
                | Anomalies::PCCC_REPLY_BIT
                | Anomalies::PCCC_STATUS
                | Anomalies::PATH_TOO_DEEP),
            Conformance::OUT_OF_SPEC,
        ),
        (
            A(Anomalies::EMBEDDED_MALFORMED) | !A(Anomalies::all()),
            Conformance::OTHER,
        ),
    ];
    super::super::conformance(bits, &table)
}

/// The `function` of an encapsulation command that carries no CIP message ([`ENCAP`]).
pub fn encap_function(command: Command) -> u16 {
    let c = command.value();
    ENCAP | if c > 0xFF { 0xFF } else { c }
}

/// The action and marks of an encapsulation command alone (List*, sessions, NOP).
pub fn encap_action(command: Command) -> (Action, Marks) {
    match command {
        Command::ListIdentity | Command::ListServices | Command::ListInterfaces => {
            (Action::Discovery, Marks::BASELINED)
        }
        Command::RegisterSession
        | Command::UnRegisterSession
        | Command::Nop
        | Command::SendRrData
        | Command::SendUnitData
        | Command::IndicateStatus
        | Command::Cancel
        | Command::StartDtls => (Action::Other, Marks::SESSION),
        _ => (Action::Other, Marks::NONE),
    }
}

/// The outcome of an encapsulation status ([`ENCAP_STATUS`]).
pub fn encap_outcome(status: EncapStatus) -> Outcome {
    if status == EncapStatus::Success {
        Outcome::Ok
    } else {
        Outcome::Exception(ENCAP_STATUS | (status.value() & 0xFF) as u16)
    }
}

/// The outcome of a CIP reply: `Exception(general << 8 | extended status low byte)` when
/// the general status is not success (0) or partial transfer (6, a fragmented read).
pub fn cip_outcome(resp: &Response<'_>) -> Outcome {
    match resp.general_status {
        0 | 6 => Outcome::Ok,
        g => {
            let ext = resp.extended_status().unwrap_or(0) & 0xFF;
            Outcome::Exception(u16::from(g) << 8 | ext)
        }
    }
}

/// How much an action can hurt: a Multiple Service Packet's event takes its most
/// dangerous embedded operation (a write must not hide behind reads).
pub const fn danger(a: Action) -> u8 {
    match a {
        Action::ModeChange | Action::Restart | Action::ProgramDownload => 7,
        Action::Write | Action::Command => 6,
        Action::Config => 5,
        Action::ProgramUpload | Action::FileTransfer => 4,
        Action::Discovery => 3,
        Action::Diagnostic | Action::TimeSync => 2,
        Action::Read => 1,
        _ => 0,
    }
}

/// Whether a request browses the controller's tags or structure definitions (Symbol and
/// Template objects, 1756-PM020; what pycomm3's `get_tag_list` does).
pub fn is_browsing(c: &Classification<'_>) -> bool {
    c.tag.is_none()
        && matches!(c.class, Some(SYMBOL_CLASS | TEMPLATE_CLASS))
        && matches!(c.operation, Operation::Read(_))
}

/// The action and marks of a classified request.
///
/// Reads and writes map to `Read` / `Write` (browsing the Symbol and Template objects is
/// `Discovery`), program transfers to `ProgramDownload` / `ProgramUpload` (direction
/// unknown: `FileTransfer`), Start / Stop and PCCC change mode to `ModeChange`, Reset to
/// `Restart`, reads of the Identity object to `Discovery`, Execute PCCC diagnostics to
/// `Diagnostic`; Connection Manager services are `Other` marked `SESSION`. Execute PCCC is
/// marked `VENDOR`.
pub fn action(c: &Classification<'_>) -> (Action, Marks) {
    let action = match c.operation {
        _ if is_browsing(c) => Action::Discovery,
        Operation::Read(_) => Action::Read,
        Operation::Write(_) => Action::Write,
        Operation::ProgramDownload => Action::ProgramDownload,
        Operation::ProgramUpload => Action::ProgramUpload,
        Operation::ProgramTransfer => Action::FileTransfer,
        Operation::ModeChange => Action::ModeChange,
        Operation::Reset => Action::Restart,
        Operation::Identification => Action::Discovery,
        Operation::Pccc => Action::Diagnostic,
        _ => Action::Other,
    };
    let mut marks = Marks::NONE;
    if action == Action::Discovery {
        // Identification and tag browsing are routine for HMIs and engineering stations:
        // judged against the clients seen doing them (EnipState).
        marks |= Marks::BASELINED;
    }
    if c.operation == Operation::Identification && c.attribute == Some(IDENTITY_STATUS) {
        marks |= Marks::READS_DEVICE_STATE;
    }
    if c.operation == Operation::ConnectionManagement {
        marks |= Marks::SESSION;
    }
    if c.kind == ServiceKind::Pccc {
        marks |= Marks::VENDOR;
    }
    (action, marks)
}

/// FNV-1a over what is written into it: hashes a tag name without allocating.
struct Fnv(u32);

impl core::fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for b in s.bytes() {
            self.0 = (self.0 ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        Ok(())
    }
}

/// The FNV-1a hash of a tag path as `Path::write_tag` renders it (`Program:Main.Speed[3]`),
/// the `start` of its [`TAG_SPACE`] target.
pub fn tag_hash(path: &otwire_enip::cip::Path<'_>) -> u32 {
    let mut h = Fnv(0x811C_9DC5);
    let _ = path.write_tag(&mut h);
    h.0
}

/// The elements a Logix request reads or writes (1 when it does not say).
fn elements(body: &RequestBody<'_>) -> u32 {
    match body {
        RequestBody::Logix(
            LogixRequest::ReadTag { elements }
            | LogixRequest::WriteTag { elements, .. }
            | LogixRequest::ReadTagFragmented { elements, .. }
            | LogixRequest::WriteTagFragmented { elements, .. },
        ) => u32::from(*elements).max(1),
        _ => 1,
    }
}

/// The target of a classified request: a tag ([`TAG_SPACE`]), a PCCC file
/// ([`PCCC_SPACE`]), or `Other(class)` with `start = instance << 16 | attribute` (each
/// truncated to 16 bits).
pub fn target(c: &Classification<'_>, body: &RequestBody<'_>) -> Targets {
    if let Some(tag) = &c.tag {
        return Targets::one(Target::new(
            Space::Other(TAG_SPACE),
            tag_hash(tag),
            elements(body),
        ));
    }
    if let RequestBody::Pccc(p) = body {
        return pccc_target(p);
    }
    match c.class {
        Some(class) => {
            let start =
                (c.instance.unwrap_or(0) & 0xFFFF) << 16 | (c.attribute.unwrap_or(0) & 0xFFFF);
            Targets::one(Target::new(Space::Other(class as u16), start, 1))
        }
        None => Targets::NONE,
    }
}

/// The data-table file a PCCC request addresses.
fn pccc_target(p: &PcccRequest<'_>) -> Targets {
    match p.address() {
        Some(a) => Targets::one(Target::new(
            Space::Other(PCCC_SPACE | u16::from(a.file_type.value())),
            u32::from(a.file_number) << 16 | u32::from(a.element),
            u32::from(a.byte_size).max(1),
        )),
        None => Targets::NONE,
    }
}

/// A tag value as an integer (reals truncated toward zero, saturating).
fn int(v: Value<'_>) -> Option<i64> {
    Some(match v {
        Value::Bool(b) => i64::from(b),
        Value::Sint(x) => i64::from(x),
        Value::Int(x) => i64::from(x),
        Value::Dint(x) => i64::from(x),
        Value::Lint(x) => x,
        Value::Usint(x) | Value::Byte(x) => i64::from(x),
        Value::Uint(x) | Value::Word(x) => i64::from(x),
        Value::Udint(x) | Value::Dword(x) => i64::from(x),
        Value::Ulint(x) | Value::Lword(x) => i64::try_from(x).unwrap_or(i64::MAX),
        Value::Real(x) => x as i64,
        Value::Lreal(x) => x as i64,
        Value::Raw(_) => return None,
    })
}

/// `Values::Single` of tag data holding exactly one atomic value.
pub(crate) fn single(values: TagValues<'_>) -> Values<'static> {
    let mut it = values;
    match (it.next(), it.next()) {
        (Some(v), None) => int(v).map_or(Values::None, Values::Single),
        _ => Values::None,
    }
}

/// The values a request writes: a one-element Logix Write Tag, a Set Attribute Single of
/// 1, 2 or 4 bytes (little-endian, unsigned).
pub(crate) fn request_values(body: &RequestBody<'_>) -> Values<'static> {
    match body {
        RequestBody::Logix(
            LogixRequest::WriteTag { values, .. } | LogixRequest::WriteTagFragmented { values, .. },
        ) => single(*values),
        RequestBody::SetAttributeSingle(d) => match d.len() {
            1 | 2 | 4 => {
                let mut w = [0u8; 4];
                for (o, b) in w.iter_mut().zip(d.iter()) {
                    *o = *b;
                }
                Values::Single(i64::from(u32::from_le_bytes(w)))
            }
            _ => Values::None,
        },
        _ => Values::None,
    }
}

/// The values a reply carries: a one-element Logix Read Tag reply.
pub(crate) fn response_values(body: &ResponseBody<'_>) -> Values<'static> {
    match body {
        ResponseBody::Logix(r) => match r.body {
            ReplyBody::Data(v) => single(v),
            _ => Values::None,
        },
        _ => Values::None,
    }
}

/// What a request decided for its event: the request that decided (itself, the request an
/// Unconnected Send carries, or a Multiple Service Packet's most dangerous), its
/// classification, typed body and event fields.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    /// The request that decided.
    pub request: Request<'a>,
    /// Its classification.
    pub classification: Classification<'a>,
    /// Its typed body.
    pub body: RequestBody<'a>,
    /// The backplane slot an Unconnected Send routes to (port 1), 0 when not routed: the
    /// event's `unit`.
    pub slot: u16,
    /// The event's action.
    pub action: Action,
    /// The event's marks.
    pub marks: Marks,
    /// The event's targets.
    pub targets: Targets,
    /// The event's values.
    pub values: Values<'static>,
    /// The anomalies of the embedded requests.
    pub anomalies: Anomalies,
    /// Embedded requests looked at.
    pub embedded: u16,
    /// The position of the deciding request in its Multiple Service Packet (whose reply
    /// answers it at the same position).
    pub index: Option<u16>,
}

impl<'a> Decision<'a> {
    fn of(req: Request<'a>) -> Self {
        let c = classify(&req);
        let body = req.body();
        let (action, marks) = action(&c);
        Decision {
            request: req,
            classification: c,
            targets: target(&c, &body.pdu),
            values: request_values(&body.pdu),
            body: body.pdu,
            action,
            marks,
            anomalies: body.anomalies,
            embedded: 0,
            index: None,
            slot: 0,
        }
    }
}

/// The slot of the first backplane port segment (port 1) of a route path.
pub fn backplane_slot(route: &otwire_enip::cip::Path<'_>) -> u16 {
    route
        .segments()
        .find_map(|s| match s {
            otwire_enip::cip::Segment::Port { port: 1, link, .. } => {
                link.first().map(|&b| u16::from(b))
            }
            _ => None,
        })
        .unwrap_or(0)
}

/// Embedded requests examined in one Multiple Service Packet.
pub const MSP_SCAN: usize = 64;

/// The request that decides the event of `req`: an Unconnected Send's embedded request
/// (and, in turn, its Multiple Service Packet's), a Multiple Service Packet's most
/// dangerous embedded request (the first of equal danger). `outer` is the request itself.
pub fn decide<'a>(req: Request<'a>) -> (Decision<'a>, Decision<'a>) {
    let outer = Decision::of(req);
    let mut d = outer;
    if let RequestBody::UnconnectedSend(us) = d.body {
        match us.request() {
            Ok(inner) => {
                let mut i = Decision::of(inner.pdu);
                i.anomalies |= inner.anomalies | d.anomalies;
                i.embedded = 1;
                i.slot = backplane_slot(&us.route);
                d = i;
            }
            Err(_) => d.anomalies |= Anomalies::EMBEDDED_MALFORMED,
        }
    }
    if let RequestBody::MultipleServicePacket(msp) = d.body {
        let mut worst: Option<Decision<'a>> = None;
        let mut anomalies = d.anomalies | msp.embedded_anomalies(true);
        let mut n = 0u16;
        for r in msp.requests().take(MSP_SCAN) {
            n += 1;
            let Ok(r) = r else {
                anomalies |= Anomalies::EMBEDDED_MALFORMED;
                continue;
            };
            let mut e = Decision::of(r.pdu);
            e.index = Some(n - 1);
            anomalies |= r.anomalies | e.anomalies;
            if worst.is_none_or(|w| danger(e.action) > danger(w.action)) {
                worst = Some(e);
            }
        }
        if let Some(mut w) = worst {
            w.anomalies = anomalies;
            w.embedded = d.embedded.saturating_add(n);
            w.slot = d.slot;
            d = w;
        } else {
            d.anomalies = anomalies;
        }
    }
    (outer, d)
}
