//! DNP3 link frames for the tests: an application fragment as unconfirmed user data
//! (IEEE 1815-2012 §9.2.4.1.3), one link frame per transport segment (§8.2).

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use otwire_detect::Direction;
use otwire_dnp3::{Address, Emit, LinkControl, LinkHeader, PrimaryFunction, TransportFrames};

/// `fragment` from link address `src` to `dst` (primary, DIR set for requests), its
/// transport segments numbered from `seq`.
pub fn frames(dir: Direction, src: u16, dst: u16, seq: u8, fragment: &[u8]) -> Vec<u8> {
    TransportFrames {
        header: LinkHeader {
            control: LinkControl::primary(
                dir == Direction::Request,
                PrimaryFunction::UnconfirmedUserData,
                false,
            ),
            destination: Address(dst),
            source: Address(src),
        },
        first_seq: seq,
        fragment,
    }
    .to_vec()
    .unwrap()
}

/// A solicited response fragment (IEEE 1815-2012 §4.2.2.4): one fragment (FIR, FIN),
/// unconfirmed, application sequence `seq`, no IIN bits, then `objects` as they are.
pub fn response(seq: u8, objects: &[u8]) -> Vec<u8> {
    use otwire_dnp3::{AppControl, FragmentWriter, FunctionCode, Iin};
    let mut buf = vec![0u8; 4 + objects.len()];
    let control = AppControl {
        fir: true,
        fin: true,
        con: false,
        uns: false,
        seq,
    };
    let mut f =
        FragmentWriter::response(&mut buf, control, FunctionCode::Response, Iin::empty()).unwrap();
    f.bytes(objects).unwrap();
    let n = f.finish();
    buf.truncate(n);
    buf
}
