//! The S7comm-plus rules of [`S7State`]: an Explore by a client never seen exploring
//! (T0861), a session or sequence number continued from another connection (T0830), and
//! which requests set the CPU's operating state (T0858, marked by the analyzer).

#[allow(clippy::wildcard_imports)]
use super::*;

/// An S7comm-plus request that sets the CPU's operating state: a SetVariable of
/// `operatingStateREQ` of the CPU execution unit, or an Invoke on that object. The body
/// of a SetVariable starts with the object id (32 bits), the address count and the
/// attribute ids (variable-length quantities); an Invoke's with the object id.
pub(crate) fn sets_operating_state(pdu: &PlusPdu<'_>) -> bool {
    if pdu.opcode != Opcode::Request {
        return false;
    }
    let Some((obj, rest)) = pdu.body.split_first_chunk::<4>() else {
        return false;
    };
    if u32::from_be_bytes(*obj) != PLUS_CPU_EXEC_UNIT {
        return false;
    }
    match pdu.function {
        Some(PlusFunction::Invoke) => true,
        Some(PlusFunction::SetVariable | PlusFunction::SetMultiVariables) => {
            let Some((count, rest)) = otwire_s7::plus::vlq32(rest) else {
                return false;
            };
            let mut rest = rest;
            for _ in 0..count.min(16) {
                let Some((attr, r)) = otwire_s7::plus::vlq32(rest) else {
                    return false;
                };
                if attr == PLUS_OPERATING_STATE_REQ {
                    return true;
                }
                rest = r;
            }
            false
        }
        _ => false,
    }
}

impl S7State {
    /// S7comm-plus Explore from a client never seen exploring that server (T0861: the
    /// object tree names the program's blocks and tags).
    pub(super) fn explore(&mut self, ev: &Event<'_>, pdu: &PlusPdu<'_>, sink: &mut Sink) {
        if pdu.function != Some(PlusFunction::Explore) || pdu.opcode != Opcode::Request {
            return;
        }
        let p = pair(ev);
        if !self.learned(Known::Explorer(p.client, p.server), sink) {
            report(
                sink,
                ev,
                &catalog::T0861,
                Severity::Medium,
                "plus_explore",
                format!("{} explores the objects of {}", ev.src(), ev.dst()),
            );
        }
    }

    /// S7comm-plus session continuity: a request carrying a session id that was created
    /// on another connection, or a new connection whose first sequence number continues
    /// another connection's (T0830 session hijack).
    pub(super) fn plus_session(&mut self, ev: &Event<'_>, pdu: &PlusPdu<'_>, sink: &mut Sink) {
        let client = ev.flow.client;
        let server = ev.flow.server;
        if let Some(id) = pdu.created_session() {
            let owner = Owner {
                client,
                sequence: pdu.sequence.unwrap_or(0),
            };
            if let Some((o, _)) = self.sessions.get_or_insert_with((server, id), || owner) {
                *o = owner;
            }
            return;
        }
        if pdu.opcode != Opcode::Request {
            return;
        }
        let seq = pdu.sequence.unwrap_or(0);
        let Some((st, _)) = self
            .servers
            .get_or_insert_with(server, ServerState::default)
        else {
            return;
        };
        let new_flow = st.new_plus_client(client);
        let last = st.last_request.replace(Owner {
            client,
            sequence: seq,
        });
        let mut hijack: Option<(&'static str, Endpoint)> = None;
        if let Some(o) = pdu
            .session
            .and_then(|id| self.sessions.get_mut(&(server, id)))
        {
            if o.client != client {
                hijack = Some(("session_from_another_connection", o.client));
            }
            *o = Owner {
                client,
                sequence: seq,
            };
        }
        if new_flow && hijack.is_none() {
            if let Some(l) = last.filter(|l| l.client != client) {
                if seq > 1 && seq == l.sequence.wrapping_add(1) {
                    hijack = Some(("sequence_from_another_connection", l.client));
                }
            }
        }
        let Some((reason, other)) = hijack.filter(|_| !sink.is_learning()) else {
            return;
        };
        let f = Finding::new(
            ev,
            &catalog::T0830,
            Severity::High,
            0.8,
            format!(
                "{client} continues the S7comm-plus session of {other} with {server} (sequence {seq})"
            ),
        )
        .because(reason)
        .with("session", pdu.session.unwrap_or(0))
        .with("sequence", seq)
        .with("other_client", other.to_string());
        sink.report(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(function: PlusFunction, body: &[u8]) -> PlusPdu<'_> {
        PlusPdu {
            opcode: Opcode::Request,
            function: Some(function),
            sequence: Some(5),
            session: Some(0x380),
            transport_flags: Some(0x34),
            body,
        }
    }

    #[test]
    fn operating_state_requests() {
        // Object 52, two addresses: 1053 (VLQ 88 1D), then 2167 (VLQ 90 77).
        let two = [
            0, 0, 0, 0x34, 0x02, 0x88, 0x1D, 0x90, 0x77, 0x01, 0x00, 0x04, 0x01,
        ];
        assert!(sets_operating_state(&request(
            PlusFunction::SetVariable,
            &two
        )));
        assert!(sets_operating_state(&request(
            PlusFunction::SetMultiVariables,
            &two
        )));
        // Another attribute of object 52 only.
        let other = [0, 0, 0, 0x34, 0x01, 0x88, 0x1D, 0x01, 0x00, 0x04, 0x01];
        assert!(!sets_operating_state(&request(
            PlusFunction::SetVariable,
            &other
        )));
        // Attribute 2167 of another object.
        let elsewhere = [0, 0, 0x0E, 0x51, 0x01, 0x90, 0x77];
        assert!(!sets_operating_state(&request(
            PlusFunction::SetVariable,
            &elsewhere
        )));
        // Invoke on object 52; a read of it; cut short; a response.
        assert!(sets_operating_state(&request(
            PlusFunction::Invoke,
            &two[..4]
        )));
        assert!(!sets_operating_state(&request(
            PlusFunction::GetVariable,
            &two
        )));
        assert!(!sets_operating_state(&request(
            PlusFunction::SetVariable,
            &two[..6]
        )));
        let mut rsp = request(PlusFunction::SetVariable, &two);
        rsp.opcode = Opcode::Response;
        assert!(!sets_operating_state(&rsp));
    }

    #[test]
    fn plus_client_ring() {
        let mut s = ServerState::default();
        let ep = |port| Endpoint { ip: [0; 16], port };
        assert!(s.new_plus_client(ep(1)));
        assert!(!s.new_plus_client(ep(1)));
        for p in 2..=(PLUS_CLIENTS as u16 + 1) {
            assert!(s.new_plus_client(ep(p)));
        }
        // The first one was pushed out of the ring.
        assert!(s.new_plus_client(ep(1)));
    }
}
