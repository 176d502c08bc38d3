//! The CIP messages of the EtherNet/IP captures in `$OTWIRE_CAPTURES/enip`, with just
//! enough encapsulation (Vol. 2 §2-3), CPF (§2-6), CIP header and EPATH (Vol. 1 §2-4,
//! App. C) decoding written here, so that these tests do not depend on the other layers'
//! types. [`cip_messages`] opens Multiple Service Packets (0x0A) and Unconnected Sends (0x52
//! on class 6) and matches replies to requests by sender context (SendRRData) or connection
//! sequence count (SendUnitData); [`segment_cip_messages`] is the simpler walk of one TCP
//! payload that `cip_captures.rs` compares with tshark.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One CIP request or reply found in a capture.
#[derive(Debug, Clone)]
pub struct CipMsg {
    /// Wireshark's frame number of the record that completed the encapsulation message.
    pub frame: u64,
    /// Request (true) or reply.
    pub request: bool,
    /// The service code as on the wire (with the reply bit in replies).
    pub service: u8,
    /// The class the request's path named (replies: the matched request's).
    pub class: Option<u16>,
    /// The request's path had an ANSI symbolic segment (0x91): a Logix tag.
    pub symbolic: bool,
    /// The general status (replies).
    pub status: u8,
    /// The service data.
    pub data: Vec<u8>,
    /// The request's service code (replies: the matched request's, when found).
    pub request_service: Option<u8>,
}

fn u16le(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

/// The class and whether a symbolic segment is present, from an EPATH (Vol. 1 App. C).
fn path_info(path: &[u8]) -> (Option<u16>, bool) {
    let (mut class, mut symbolic, mut i) = (None, false, 0);
    while i < path.len() {
        let seg = path[i];
        match seg {
            0x20 => {
                class = path.get(i + 1).map(|&c| u16::from(c));
                i += 2;
            }
            0x21 => {
                class = u16le(path, i + 2);
                i += 4;
            }
            0x24 | 0x28 | 0x30 => i += 2,
            0x25 | 0x29 | 0x31 => i += 4,
            0x91 => {
                symbolic = true;
                let n = usize::from(*path.get(i + 1).unwrap_or(&0));
                i += 2 + n + (n & 1);
            }
            _ => break,
        }
    }
    (class, symbolic)
}

/// Splits a Multiple Service Packet body (count, offsets from the count field).
fn msp_parts(data: &[u8]) -> Vec<&[u8]> {
    let Some(count) = u16le(data, 0) else {
        return vec![];
    };
    let offs: Vec<usize> = (0..usize::from(count))
        .filter_map(|k| u16le(data, 2 + 2 * k).map(usize::from))
        .collect();
    let mut out = vec![];
    for (k, &o) in offs.iter().enumerate() {
        let end = offs.get(k + 1).copied().unwrap_or(data.len());
        if let Some(p) = data.get(o..end.max(o)) {
            out.push(p);
        }
    }
    out
}

struct Req {
    service: u8,
    class: Option<u16>,
    symbolic: bool,
}

fn request(frame: u64, msg: &[u8], out: &mut Vec<CipMsg>, reqs: &mut Vec<Req>) {
    let (Some(&service), Some(&words)) = (msg.first(), msg.get(1)) else {
        return;
    };
    let plen = usize::from(words) * 2;
    let Some(path) = msg.get(2..2 + plen) else {
        return;
    };
    let data = &msg[2 + plen..];
    let (class, symbolic) = path_info(path);
    if service == 0x0A && class == Some(2) {
        for p in msp_parts(data) {
            request(frame, p, out, reqs);
        }
        return;
    }
    if service == 0x52 && class == Some(6) {
        if let Some(n) = u16le(data, 2) {
            if let Some(inner) = data.get(4..4 + usize::from(n)) {
                request(frame, inner, out, reqs);
                return;
            }
        }
    }
    reqs.push(Req {
        service,
        class,
        symbolic,
    });
    out.push(CipMsg {
        frame,
        request: true,
        service,
        class,
        symbolic,
        status: 0,
        data: data.to_vec(),
        request_service: Some(service),
    });
}

fn reply(frame: u64, msg: &[u8], out: &mut Vec<CipMsg>, reqs: &mut std::vec::IntoIter<Req>) {
    let (Some(&service), Some(&status), Some(&ext)) = (msg.first(), msg.get(2), msg.get(3)) else {
        return;
    };
    let Some(data) = msg.get(4 + 2 * usize::from(ext)..) else {
        return;
    };
    if service == 0x8A && (status == 0 || status == 0x1E) {
        let parts = msp_parts(data);
        if !parts.is_empty() {
            for p in parts {
                reply(frame, p, out, reqs);
            }
            return;
        }
    }
    let req = reqs.next();
    out.push(CipMsg {
        frame,
        request: false,
        service,
        class: req.as_ref().and_then(|r| r.class),
        symbolic: req.as_ref().is_some_and(|r| r.symbolic),
        status,
        data: data.to_vec(),
        request_service: req.map(|r| r.service),
    });
}

/// The CIP messages of one capture, in frame order.
pub fn cip_messages(file: &Path) -> Vec<CipMsg> {
    let bytes = super::read(file);
    let mut reasm = super::Reassembler::default();
    let mut bufs: HashMap<(super::Endpoint, super::Endpoint), Vec<u8>> = HashMap::new();
    let mut pending: HashMap<(super::Endpoint, super::Endpoint, u64), Vec<Req>> = HashMap::new();
    let mut out = vec![];
    for rec in super::records(&bytes) {
        let Some(seg) = super::tcp_segment(&rec) else {
            continue;
        };
        if seg.src.1 != 44818 && seg.dst.1 != 44818 {
            continue;
        }
        let Some(chunk) = reasm.push(&seg, rec.frame) else {
            continue;
        };
        let buf = bufs.entry((seg.src, seg.dst)).or_default();
        if chunk.gap {
            buf.clear();
        }
        buf.extend_from_slice(&chunk.bytes);
        while let Some(len) = u16le(buf, 2) {
            let total = 24 + usize::from(len);
            if buf.len() < total {
                break;
            }
            let enc: Vec<u8> = buf.drain(..total).collect();
            let cmd = u16le(&enc, 0).unwrap();
            if cmd != 0x6F && cmd != 0x70 {
                continue;
            }
            let ctx = u64::from_le_bytes(enc[12..20].try_into().unwrap());
            let body = &enc[24..];
            let Some(n) = u16le(body, 6) else { continue };
            let mut at = 8;
            let mut cip: Option<(&[u8], u64)> = None;
            for _ in 0..n {
                let (Some(ty), Some(len)) = (u16le(body, at), u16le(body, at + 2)) else {
                    break;
                };
                let Some(item) = body.get(at + 4..at + 4 + usize::from(len)) else {
                    break;
                };
                match ty {
                    0xB2 => cip = Some((item, ctx)),
                    0xB1 if item.len() >= 2 => {
                        cip = Some((&item[2..], u64::from(u16le(item, 0).unwrap())));
                    }
                    _ => {}
                }
                at += 4 + usize::from(len);
            }
            let Some((msg, key)) = cip else { continue };
            let Some(&sc) = msg.first() else { continue };
            let server_is_dst = seg.dst.1 == 44818;
            let (client, server) = if server_is_dst {
                (seg.src, seg.dst)
            } else {
                (seg.dst, seg.src)
            };
            if sc & 0x80 == 0 {
                let mut reqs = vec![];
                request(rec.frame, msg, &mut out, &mut reqs);
                pending.insert((client, server, key), reqs);
            } else {
                let reqs = pending.remove(&(client, server, key)).unwrap_or_default();
                reply(rec.frame, msg, &mut out, &mut reqs.into_iter());
            }
        }
    }
    out
}

/// The EtherNet/IP captures (`$OTWIRE_CAPTURES/enip/*.pcap*`), sorted; `None` when the
/// variable is unset.
pub fn enip_captures(test: &str) -> Option<Vec<PathBuf>> {
    let dir = super::captures_dir(test)?.join("enip");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    v.sort();
    Some(v)
}

/// Whether a request goes to the Logix tag services: a symbolic path, or the Symbol
/// (0x6B) class.
pub fn is_logix(m: &CipMsg) -> bool {
    m.symbolic || m.class == Some(0x6B)
}

/// Lower-case hex, for printing vectors.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Bytes from hex (anything but hex digits ignored: spaces, `|` between fields), leaked so that parsed values may borrow them.
pub fn unhex(s: &str) -> &'static [u8] {
    let s: String = s.chars().filter(char::is_ascii_hexdigit).collect();
    let v: Vec<u8> = (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    Box::leak(v.into_boxed_slice())
}

/// `tshark -r file -Y filter -T fields -e frame.number -e <fields>`: per frame, the
/// fields' texts (index 0 is the frame number). `None` (with a message) when tshark is
/// not on PATH.
pub fn tshark_fields(
    file: &Path,
    filter: &str,
    fields: &[&str],
) -> Option<HashMap<u64, Vec<String>>> {
    if std::process::Command::new("tshark")
        .arg("-v")
        .output()
        .is_err()
    {
        eprintln!("tshark not on PATH: comparison skipped");
        return None;
    }
    let mut cmd = std::process::Command::new("nice");
    cmd.args(["-n", "19", "tshark", "-r"]).arg(file).args([
        "-Y",
        filter,
        "-T",
        "fields",
        "-e",
        "frame.number",
    ]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    Some(
        text.lines()
            .map(|line| {
                let cols: Vec<String> = line.split('\t').map(str::to_owned).collect();
                (cols[0].parse::<u64>().unwrap(), cols)
            })
            .collect(),
    )
}

/// The CIP messages of the whole encapsulation messages at the front of one TCP payload
/// (a minimal walk: 24-byte header, interface handle, timeout, item count, items), each
/// with whether it came in a connected data item (its sequence count removed).
pub fn segment_cip_messages(mut b: &[u8]) -> Vec<(bool, &[u8])> {
    let mut out = Vec::new();
    while b.len() >= 24 {
        let cmd = u16::from_le_bytes([b[0], b[1]]);
        let len = usize::from(u16::from_le_bytes([b[2], b[3]]));
        let Some(body) = b.get(24..24 + len) else {
            break;
        };
        b = &b[24 + len..];
        if cmd != 0x6F && cmd != 0x70 || body.len() < 8 {
            continue;
        }
        let count = u16::from_le_bytes([body[6], body[7]]);
        let mut items = &body[8..];
        for _ in 0..count {
            if items.len() < 4 {
                break;
            }
            let t = u16::from_le_bytes([items[0], items[1]]);
            let l = usize::from(u16::from_le_bytes([items[2], items[3]]));
            let Some(d) = items.get(4..4 + l) else { break };
            items = &items[4 + l..];
            match t {
                0xB2 => out.push((false, d)),
                0xB1 if d.len() >= 2 => out.push((true, &d[2..])),
                _ => {}
            }
        }
    }
    out
}
