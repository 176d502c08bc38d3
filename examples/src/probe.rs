//! What every active probe behind `otprobe` shares: how politely to probe
//! ([`ProbeConfig`]), why a step failed ([`ProbeError`]), and target resolution. The
//! protocol clients are in `probe_modbus`, `probe_dnp3`, `probe_iec104`, `probe_s7` and
//! `probe_enip`.

use std::io::Read;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use serde::Serialize;

/// How politely to probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeConfig {
    /// Connect and per-response timeout.
    pub timeout: Duration,
    /// Least time between two requests.
    pub min_interval: Duration,
    /// Allow requests that change the device (none of otprobe's built-in probes do).
    pub allow_write: bool,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(2),
            min_interval: Duration::from_millis(100),
            allow_write: false,
        }
    }
}

/// Why a probe step failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProbeError {
    /// The host name did not resolve.
    Resolve(String),
    /// Connecting failed.
    Connect(String),
    /// No (complete) answer within the timeout.
    Timeout,
    /// The connection failed or closed.
    Io(String),
    /// The answer was not a Modbus/TCP response to the request.
    BadResponse(String),
    /// The device answered with an exception code.
    Exception(u8),
    /// The request would change the device and writes were not allowed.
    WriteRefused(u8),
    /// The device refused the connection (S7: a COTP disconnect request or error TPDU, or
    /// a close, in answer to every connection request).
    Refused(String),
    /// The peer answered, but not in the protocol probed (S7: not TPKT, not COTP, or COTP
    /// carrying something other than S7comm).
    NotProtocol(String),
    /// The device answered the request with an error (S7: an error class and code, an
    /// SZL error code or a return code other than success).
    Negative(String),
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Resolve(e) => write!(f, "cannot resolve: {e}"),
            Self::Connect(e) => write!(f, "cannot connect: {e}"),
            Self::Timeout => write!(f, "timeout"),
            Self::Io(e) => write!(f, "connection error: {e}"),
            Self::BadResponse(e) => write!(f, "bad response: {e}"),
            Self::Exception(c) => write!(
                f,
                "exception {c:#04x} ({})",
                otwire_modbus::ExceptionCode::from(*c)
                    .name()
                    .unwrap_or("Unknown")
            ),
            Self::WriteRefused(fc) => write!(f, "function {fc} would write; pass --allow-write"),
            Self::Refused(e) => write!(f, "connection refused: {e}"),
            Self::NotProtocol(e) => write!(f, "not the protocol probed: {e}"),
            Self::Negative(e) => write!(f, "refused by the device: {e}"),
        }
    }
}

impl std::error::Error for ProbeError {}

/// A socket error as a probe error: a read or write that timed out is [`ProbeError::Timeout`].
pub fn io_error(e: std::io::Error) -> ProbeError {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => ProbeError::Timeout,
        _ => ProbeError::Io(e.to_string()),
    }
}

/// The rate limit: sleeps until `min_interval` has passed since `last`, then sets `last` to
/// now. Every probe calls it before each request it sends.
pub fn pace(last: &mut Option<Instant>, min_interval: Duration) {
    if let Some(at) = *last {
        let wait = min_interval.saturating_sub(at.elapsed());
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }
    *last = Some(Instant::now());
}

/// Connects to `addr` within the timeout: writes time out too, Nagle off.
pub fn connect(addr: SocketAddr, config: &ProbeConfig) -> Result<TcpStream, ProbeError> {
    let stream = TcpStream::connect_timeout(&addr, config.timeout)
        .map_err(|e| ProbeError::Connect(e.to_string()))?;
    stream
        .set_write_timeout(Some(config.timeout))
        .map_err(io_error)?;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// Reads what has arrived into `buf`, waiting until `deadline` at most: the byte count
/// (never 0), [`ProbeError::Timeout`] past the deadline, [`ProbeError::Io`] when the peer
/// closed the connection.
pub fn read_before(
    stream: &mut TcpStream,
    deadline: Instant,
    buf: &mut [u8],
) -> Result<usize, ProbeError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(ProbeError::Timeout);
    }
    stream.set_read_timeout(Some(left)).map_err(io_error)?;
    match stream.read(buf).map_err(io_error)? {
        0 => Err(ProbeError::Io("connection closed".into())),
        n => Ok(n),
    }
}

/// Parses `host`, `host:port`, `[v6]:port`; the port defaults to `default_port`.
pub fn resolve(target: &str, default_port: u16) -> Result<SocketAddr, ProbeError> {
    let with_port = if target.parse::<SocketAddr>().is_ok() {
        target.to_string()
    } else if target.parse::<std::net::Ipv6Addr>().is_ok() {
        format!("[{target}]:{default_port}")
    } else if target
        .rsplit_once(':')
        .is_some_and(|(h, p)| !h.contains(':') && p.parse::<u16>().is_ok())
    {
        target.to_string()
    } else {
        format!("{target}:{default_port}")
    };
    with_port
        .to_socket_addrs()
        .map_err(|e| ProbeError::Resolve(format!("{target}: {e}")))?
        .next()
        .ok_or_else(|| ProbeError::Resolve(target.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_forms() {
        assert_eq!(
            resolve("127.0.0.1", 502).unwrap(),
            "127.0.0.1:502".parse().unwrap()
        );
        assert_eq!(
            resolve("127.0.0.1:1502", 502).unwrap(),
            "127.0.0.1:1502".parse().unwrap()
        );
        assert_eq!(resolve("::1", 502).unwrap(), "[::1]:502".parse().unwrap());
        assert_eq!(
            resolve("[::1]:5020", 502).unwrap(),
            "[::1]:5020".parse().unwrap()
        );
    }
}
