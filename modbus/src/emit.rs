//! Encoding: the [`Emit`] trait and its implementations for requests and responses
//! (DESIGN.md §2 "Encoding"; field layouts of Modbus Application Protocol §6).
//!
//! Each message is written once, by an `encode` function generic over a [`Sink`]: a
//! counting sink gives `buffer_len`, a checked writer gives `emit`, so the two cannot
//! disagree.

use crate::error::EmitError;
use crate::request::Request;
use crate::response::{DeviceIdentification, Response};

/// A message that can be written back to the wire.
///
/// `emit` writes exactly `buffer_len()` bytes, including every length field and checksum
/// it owns, and returns that count.
pub trait Emit {
    /// Number of bytes [`emit`](Emit::emit) writes.
    fn buffer_len(&self) -> usize;

    /// Writes the encoding at the start of `buf`; returns the number of bytes written.
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError>;

    /// The encoding in a new vector.
    #[cfg(feature = "alloc")]
    fn to_vec(&self) -> Result<alloc::vec::Vec<u8>, EmitError> {
        let mut v = alloc::vec![0; self.buffer_len()];
        let n = self.emit(&mut v)?;
        v.truncate(n);
        Ok(v)
    }
}

impl<T: Emit + ?Sized> Emit for &T {
    fn buffer_len(&self) -> usize {
        (**self).buffer_len()
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        (**self).emit(buf)
    }
}

/// Where an encoder writes: a counter or a buffer.
pub(crate) trait Sink {
    fn bytes(&mut self, data: &[u8]) -> Result<(), EmitError>;
    fn u8(&mut self, v: u8) -> Result<(), EmitError> {
        self.bytes(&[v])
    }
    fn u16(&mut self, v: u16) -> Result<(), EmitError> {
        self.bytes(&v.to_be_bytes())
    }
    /// A one-byte count field, checked to fit.
    fn count8(&mut self, n: usize, field: &'static str) -> Result<(), EmitError> {
        self.u8(u8::try_from(n).map_err(|_| EmitError::ValueOutOfRange { field })?)
    }
}

/// Counts bytes instead of writing them.
#[derive(Default)]
pub(crate) struct Counter(pub(crate) usize);

impl Sink for Counter {
    fn bytes(&mut self, data: &[u8]) -> Result<(), EmitError> {
        self.0 += data.len();
        Ok(())
    }
    fn count8(&mut self, _: usize, _: &'static str) -> Result<(), EmitError> {
        self.0 += 1;
        Ok(())
    }
}

/// A cursor over an output buffer whose every write is checked.
pub(crate) struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Writer<'b> {
    /// Checks up front that `needed` bytes fit, so a failed emit writes nothing.
    pub(crate) fn new(buf: &'b mut [u8], needed: usize) -> Result<Self, EmitError> {
        if buf.len() < needed {
            return Err(EmitError::BufferTooShort {
                needed,
                available: buf.len(),
            });
        }
        Ok(Writer { buf, pos: 0 })
    }

    pub(crate) fn written(&self) -> usize {
        self.pos
    }
}

impl Sink for Writer<'_> {
    fn bytes(&mut self, data: &[u8]) -> Result<(), EmitError> {
        let end = self.pos + data.len();
        let available = self.buf.len();
        let dst = self
            .buf
            .get_mut(self.pos..end)
            .ok_or(EmitError::BufferTooShort {
                needed: end,
                available,
            })?;
        dst.copy_from_slice(data);
        self.pos = end;
        Ok(())
    }
}

/// Implements `Emit` through an `encode(&self, &mut impl Sink)` method.
macro_rules! emit_via_encode {
    ($($t:ty),*) => {$(
        impl Emit for $t {
            fn buffer_len(&self) -> usize {
                let mut c = Counter::default();
                // A counter only fails on nothing; a count that does not fit fails in emit.
                let _ = self.encode(&mut c);
                c.0
            }
            fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
                let mut w = Writer::new(buf, self.buffer_len())?;
                self.encode(&mut w)?;
                Ok(w.written())
            }
        }
    )*};
}

emit_via_encode!(Request<'_>, Response<'_>);

impl Request<'_> {
    fn encode(&self, w: &mut impl Sink) -> Result<(), EmitError> {
        w.u8(self.function_code().value())?;
        match *self {
            Request::ReadCoils { address, quantity }
            | Request::ReadDiscreteInputs { address, quantity }
            | Request::ReadHoldingRegisters { address, quantity }
            | Request::ReadInputRegisters { address, quantity } => {
                w.u16(address.0)?;
                w.u16(quantity)
            }
            Request::WriteSingleCoil { address, value }
            | Request::WriteSingleRegister { address, value } => {
                w.u16(address.0)?;
                w.u16(value)
            }
            Request::ReadExceptionStatus
            | Request::GetCommEventCounter
            | Request::GetCommEventLog
            | Request::ReportServerId => Ok(()),
            Request::Diagnostics { sub_function, data } => {
                w.u16(sub_function.value())?;
                w.bytes(data)
            }
            Request::WriteMultipleCoils {
                address,
                quantity,
                values,
            } => {
                w.u16(address.0)?;
                w.u16(quantity)?;
                w.count8(values.as_bytes().len(), "byte count")?;
                w.bytes(values.as_bytes())
            }
            Request::WriteMultipleRegisters {
                address,
                quantity,
                values,
            } => {
                w.u16(address.0)?;
                w.u16(quantity)?;
                w.count8(values.as_bytes().len(), "byte count")?;
                w.bytes(values.as_bytes())
            }
            Request::ReadFileRecord { requests } => {
                w.count8(requests.as_bytes().len(), "byte count")?;
                w.bytes(requests.as_bytes())
            }
            Request::WriteFileRecord { records } => {
                w.count8(records.as_bytes().len(), "byte count")?;
                w.bytes(records.as_bytes())
            }
            Request::MaskWriteRegister {
                address,
                and_mask,
                or_mask,
            } => {
                w.u16(address.0)?;
                w.u16(and_mask)?;
                w.u16(or_mask)
            }
            Request::ReadWriteMultipleRegisters {
                read_address,
                read_quantity,
                write_address,
                write_quantity,
                values,
            } => {
                w.u16(read_address.0)?;
                w.u16(read_quantity)?;
                w.u16(write_address.0)?;
                w.u16(write_quantity)?;
                w.count8(values.as_bytes().len(), "byte count")?;
                w.bytes(values.as_bytes())
            }
            Request::ReadFifoQueue { address } => w.u16(address.0),
            Request::ReadDeviceIdentification { code, object_id } => {
                w.u8(crate::codes::MeiType::ReadDeviceIdentification.value())?;
                w.u8(code.value())?;
                w.u8(object_id)
            }
            Request::Mei { mei_type, data } => {
                w.u8(mei_type.value())?;
                w.bytes(data)
            }
            Request::Umas(u) => {
                w.u8(u.session)?;
                w.u8(u.function.value())?;
                w.bytes(u.payload)
            }
            Request::Other { data, .. } => w.bytes(data),
        }
    }
}

impl Response<'_> {
    fn encode(&self, w: &mut impl Sink) -> Result<(), EmitError> {
        if let Response::Exception { function, code } = *self {
            w.u8(function.value() | 0x80)?;
            return w.u8(code.value());
        }
        w.u8(self.function_code().value())?;
        match *self {
            Response::ReadCoils { values } | Response::ReadDiscreteInputs { values } => {
                w.count8(values.as_bytes().len(), "byte count")?;
                w.bytes(values.as_bytes())
            }
            Response::ReadHoldingRegisters { values }
            | Response::ReadInputRegisters { values }
            | Response::ReadWriteMultipleRegisters { values } => {
                w.count8(values.as_bytes().len(), "byte count")?;
                w.bytes(values.as_bytes())
            }
            Response::WriteSingleCoil { address, value }
            | Response::WriteSingleRegister { address, value } => {
                w.u16(address.0)?;
                w.u16(value)
            }
            Response::ReadExceptionStatus { status } => w.u8(status),
            Response::Diagnostics { sub_function, data } => {
                w.u16(sub_function.value())?;
                w.bytes(data)
            }
            Response::GetCommEventCounter {
                status,
                event_count,
            } => {
                w.u16(status)?;
                w.u16(event_count)
            }
            Response::GetCommEventLog {
                status,
                event_count,
                message_count,
                events,
            } => {
                w.count8(events.len() + 6, "byte count")?;
                w.u16(status)?;
                w.u16(event_count)?;
                w.u16(message_count)?;
                w.bytes(events)
            }
            Response::WriteMultipleCoils { address, quantity }
            | Response::WriteMultipleRegisters { address, quantity } => {
                w.u16(address.0)?;
                w.u16(quantity)
            }
            Response::ReportServerId { data } => {
                w.count8(data.len(), "byte count")?;
                w.bytes(data)
            }
            Response::ReadFileRecord { responses } => {
                w.count8(responses.as_bytes().len(), "response data length")?;
                w.bytes(responses.as_bytes())
            }
            Response::WriteFileRecord { records } => {
                w.count8(records.as_bytes().len(), "byte count")?;
                w.bytes(records.as_bytes())
            }
            Response::MaskWriteRegister {
                address,
                and_mask,
                or_mask,
            } => {
                w.u16(address.0)?;
                w.u16(and_mask)?;
                w.u16(or_mask)
            }
            Response::ReadFifoQueue { fifo_count, values } => {
                let n = values.as_bytes().len() + 2;
                w.u16(u16::try_from(n).map_err(|_| EmitError::ValueOutOfRange {
                    field: "byte count",
                })?)?;
                w.u16(fifo_count)?;
                w.bytes(values.as_bytes())
            }
            Response::ReadDeviceIdentification(ref d) => encode_device_identification(d, w),
            Response::Mei { mei_type, data } => {
                w.u8(mei_type.value())?;
                w.bytes(data)
            }
            Response::Umas(u) => {
                w.u8(u.session)?;
                w.u8(u.status.value())?;
                w.bytes(u.payload)
            }
            Response::Other { data, .. } => w.bytes(data),
            Response::Exception { .. } => Ok(()),
        }
    }
}

fn encode_device_identification(
    d: &DeviceIdentification<'_>,
    w: &mut impl Sink,
) -> Result<(), EmitError> {
    w.u8(crate::codes::MeiType::ReadDeviceIdentification.value())?;
    w.u8(d.code.value())?;
    w.u8(d.conformity_level)?;
    w.u8(d.more_follows)?;
    w.u8(d.next_object_id)?;
    w.u8(d.object_count)?;
    w.bytes(d.objects.as_bytes())
}
