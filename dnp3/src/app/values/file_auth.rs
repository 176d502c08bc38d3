//! File-control objects (g70, IEEE 1815-2012 §11.25) and secure authentication objects
//! (g120, §7 and §11.35): their types and decoders.

#[allow(clippy::wildcard_imports)]
use super::*;

/// File-control objects, g70 (§11.25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum FileObject<'a> {
    /// g70v2 authentication: user name and password, answered with an authentication key.
    Authentication {
        /// Authentication key.
        auth_key: u32,
        /// User name.
        user_name: &'a [u8],
        /// Password.
        password: &'a [u8],
    },
    /// g70v3 file command (open, delete).
    Command {
        /// Time of creation.
        created: Timestamp,
        /// Permissions (UNIX-style bits).
        permissions: u16,
        /// Authentication key.
        auth_key: u32,
        /// File size.
        file_size: u32,
        /// Operational mode: 0 null, 1 read, 2 write, 3 append.
        mode: u16,
        /// Maximum block size.
        max_block_size: u16,
        /// Request identifier.
        request_id: u16,
        /// File name.
        file_name: &'a [u8],
    },
    /// g70v4 file command status.
    CommandStatus {
        /// File handle.
        handle: u32,
        /// File size.
        file_size: u32,
        /// Maximum block size.
        max_block_size: u16,
        /// Request identifier.
        request_id: u16,
        /// Status code.
        status: u8,
        /// Optional text.
        text: &'a [u8],
    },
    /// g70v5 file transport (a data block).
    Transport {
        /// File handle.
        handle: u32,
        /// Block number (bits 30-0).
        block: u32,
        /// Last block (bit 31).
        last: bool,
        /// File data.
        data: &'a [u8],
    },
    /// g70v6 file transport status.
    TransportStatus {
        /// File handle.
        handle: u32,
        /// Block number (bits 30-0).
        block: u32,
        /// Last block (bit 31).
        last: bool,
        /// Status code.
        status: u8,
        /// Optional text.
        text: &'a [u8],
    },
    /// g70v7 file descriptor (directory entry, file information).
    Descriptor {
        /// File type: 0 directory, 1 simple file.
        file_type: u16,
        /// File size.
        file_size: u32,
        /// Time of creation.
        created: Timestamp,
        /// Permissions.
        permissions: u16,
        /// Request identifier.
        request_id: u16,
        /// File name.
        file_name: &'a [u8],
    },
    /// g70v8 file specification string.
    Specification(&'a [u8]),
    /// g70v1 (obsolete) or an object too short for its variation.
    Other(&'a [u8]),
}

/// Secure authentication objects, g120 (IEEE 1815-2012 §7, §11.35): the fixed headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum AuthObject<'a> {
    /// g120v1 authentication challenge.
    Challenge {
        /// Challenge sequence number (CSQ).
        csq: u32,
        /// User number.
        user: u16,
        /// MAC algorithm.
        mac_algorithm: u8,
        /// Reason for challenge.
        reason: u8,
        /// Challenge data.
        data: &'a [u8],
    },
    /// g120v2 authentication reply.
    Reply {
        /// Challenge sequence number.
        csq: u32,
        /// User number.
        user: u16,
        /// MAC value.
        mac: &'a [u8],
    },
    /// g120v3 aggressive mode request.
    AggressiveMode {
        /// Challenge sequence number.
        csq: u32,
        /// User number.
        user: u16,
    },
    /// g120v4 session key status request.
    SessionKeyStatusRequest {
        /// User number.
        user: u16,
    },
    /// g120v5 session key status.
    SessionKeyStatus {
        /// Key change sequence number (KSQ).
        ksq: u32,
        /// User number.
        user: u16,
        /// Key wrap algorithm.
        key_wrap_algorithm: u8,
        /// Key status.
        key_status: u8,
        /// MAC algorithm.
        mac_algorithm: u8,
        /// Challenge data.
        challenge: &'a [u8],
        /// MAC value (the rest).
        mac: &'a [u8],
    },
    /// g120v6 session key change.
    SessionKeyChange {
        /// Key change sequence number.
        ksq: u32,
        /// User number.
        user: u16,
        /// Wrapped key data.
        wrapped_key: &'a [u8],
    },
    /// g120v7 error.
    Error {
        /// Challenge sequence number.
        csq: u32,
        /// User number.
        user: u16,
        /// Association identifier.
        association: u16,
        /// Error code.
        code: u8,
        /// Time of error.
        time: Timestamp,
        /// Error text.
        text: &'a [u8],
    },
    /// g120v9 HMAC.
    Mac(&'a [u8]),
    /// Another variation (certificates, update keys…), or an object too short.
    Other {
        /// The variation.
        variation: u8,
        /// The object octets.
        data: &'a [u8],
    },
}

/// A name at `offset`/`size` measured from the start of the object (g70v2/v3/v7), or
/// the octets after the fixed part when the offset disagrees.
fn named<'a>(obj: &'a [u8], offset: u16, size: u16, after: &'a [u8]) -> &'a [u8] {
    let start = usize::from(offset);
    obj.get(start..start + usize::from(size)).unwrap_or(after)
}

pub(super) fn decode_file<'a>(variation: u8, r: &mut Rd<'a>) -> Option<FileObject<'a>> {
    let obj = r.0;
    let mut out = *r;
    let f = match variation {
        2 => {
            let (uo, us, po, ps) = (out.u16()?, out.u16()?, out.u16()?, out.u16()?);
            let auth_key = out.u32()?;
            let rest = out.rest();
            FileObject::Authentication {
                auth_key,
                user_name: named(obj, uo, us, rest),
                password: named(obj, po, ps, &[]),
            }
        }
        3 => {
            let (no, ns) = (out.u16()?, out.u16()?);
            let created = out.time()?;
            let permissions = out.u16()?;
            let auth_key = out.u32()?;
            let file_size = out.u32()?;
            let mode = out.u16()?;
            let max_block_size = out.u16()?;
            let request_id = out.u16()?;
            let rest = out.rest();
            FileObject::Command {
                created,
                permissions,
                auth_key,
                file_size,
                mode,
                max_block_size,
                request_id,
                file_name: named(obj, no, ns, rest),
            }
        }
        4 => FileObject::CommandStatus {
            handle: out.u32()?,
            file_size: out.u32()?,
            max_block_size: out.u16()?,
            request_id: out.u16()?,
            status: out.u8()?,
            text: out.rest(),
        },
        5 => {
            let handle = out.u32()?;
            let b = out.u32()?;
            FileObject::Transport {
                handle,
                block: b & 0x7FFF_FFFF,
                last: b >> 31 != 0,
                data: out.rest(),
            }
        }
        6 => {
            let handle = out.u32()?;
            let b = out.u32()?;
            FileObject::TransportStatus {
                handle,
                block: b & 0x7FFF_FFFF,
                last: b >> 31 != 0,
                status: out.u8()?,
                text: out.rest(),
            }
        }
        7 => {
            let (no, ns) = (out.u16()?, out.u16()?);
            let file_type = out.u16()?;
            let file_size = out.u32()?;
            let created = out.time()?;
            let permissions = out.u16()?;
            let request_id = out.u16()?;
            let rest = out.rest();
            FileObject::Descriptor {
                file_type,
                file_size,
                created,
                permissions,
                request_id,
                file_name: named(obj, no, ns, rest),
            }
        }
        8 => FileObject::Specification(out.rest()),
        _ => FileObject::Other(out.rest()),
    };
    out.rest();
    *r = out;
    Some(f)
}

pub(super) fn decode_auth<'a>(variation: u8, r: &mut Rd<'a>) -> Option<AuthObject<'a>> {
    let whole = r.0;
    let mut o = *r;
    let parsed = (|| {
        Some(match variation {
            1 => AuthObject::Challenge {
                csq: o.u32()?,
                user: o.u16()?,
                mac_algorithm: o.u8()?,
                reason: o.u8()?,
                data: o.rest(),
            },
            2 => AuthObject::Reply {
                csq: o.u32()?,
                user: o.u16()?,
                mac: o.rest(),
            },
            3 => AuthObject::AggressiveMode {
                csq: o.u32()?,
                user: o.u16()?,
            },
            4 => AuthObject::SessionKeyStatusRequest { user: o.u16()? },
            5 => {
                let ksq = o.u32()?;
                let user = o.u16()?;
                let key_wrap_algorithm = o.u8()?;
                let key_status = o.u8()?;
                let mac_algorithm = o.u8()?;
                let n = usize::from(o.u16()?);
                let challenge = o.take(n)?;
                AuthObject::SessionKeyStatus {
                    ksq,
                    user,
                    key_wrap_algorithm,
                    key_status,
                    mac_algorithm,
                    challenge,
                    mac: o.rest(),
                }
            }
            6 => AuthObject::SessionKeyChange {
                ksq: o.u32()?,
                user: o.u16()?,
                wrapped_key: o.rest(),
            },
            7 => AuthObject::Error {
                csq: o.u32()?,
                user: o.u16()?,
                association: o.u16()?,
                code: o.u8()?,
                time: o.time()?,
                text: o.rest(),
            },
            9 => AuthObject::Mac(o.rest()),
            _ => return None,
        })
    })();
    r.rest();
    Some(parsed.unwrap_or(AuthObject::Other {
        variation,
        data: whole,
    }))
}
