//! Encoding: the [`Emit`] trait and its implementations for requests and responses
//! (DESIGN.md §2 "Encoding"; field layouts of Modbus Application Protocol §6).
//!
//! Each message is written once, by an `encode` function generic over a [`Sink`]: a
//! counting sink gives `buffer_len`, a checked writer gives `emit`, so the two cannot
//! disagree.

use crate::request::Request;
use crate::response::{DeviceIdentification, Response};
use otwire_core::{EmitError, Sink, emit_via_encode};

emit_via_encode!(Request<'_>, Response<'_>);

impl Request<'_> {
    fn encode<S: Sink + ?Sized>(&self, w: &mut S) -> Result<(), EmitError> {
        w.u8(self.function_code().value())?;
        match *self {
            Request::ReadCoils { address, quantity }
            | Request::ReadDiscreteInputs { address, quantity }
            | Request::ReadHoldingRegisters { address, quantity }
            | Request::ReadInputRegisters { address, quantity } => {
                w.u16_be(address.0)?;
                w.u16_be(quantity)
            }
            Request::WriteSingleCoil { address, value }
            | Request::WriteSingleRegister { address, value } => {
                w.u16_be(address.0)?;
                w.u16_be(value)
            }
            Request::ReadExceptionStatus
            | Request::GetCommEventCounter
            | Request::GetCommEventLog
            | Request::ReportServerId => Ok(()),
            Request::Diagnostics { sub_function, data } => {
                w.u16_be(sub_function.value())?;
                w.bytes(data)
            }
            Request::WriteMultipleCoils {
                address,
                quantity,
                values,
            } => {
                w.u16_be(address.0)?;
                w.u16_be(quantity)?;
                w.count8(values.as_bytes().len(), "byte count")?;
                w.bytes(values.as_bytes())
            }
            Request::WriteMultipleRegisters {
                address,
                quantity,
                values,
            } => {
                w.u16_be(address.0)?;
                w.u16_be(quantity)?;
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
                w.u16_be(address.0)?;
                w.u16_be(and_mask)?;
                w.u16_be(or_mask)
            }
            Request::ReadWriteMultipleRegisters {
                read_address,
                read_quantity,
                write_address,
                write_quantity,
                values,
            } => {
                w.u16_be(read_address.0)?;
                w.u16_be(read_quantity)?;
                w.u16_be(write_address.0)?;
                w.u16_be(write_quantity)?;
                w.count8(values.as_bytes().len(), "byte count")?;
                w.bytes(values.as_bytes())
            }
            Request::ReadFifoQueue { address } => w.u16_be(address.0),
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
    fn encode<S: Sink + ?Sized>(&self, w: &mut S) -> Result<(), EmitError> {
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
                w.u16_be(address.0)?;
                w.u16_be(value)
            }
            Response::ReadExceptionStatus { status } => w.u8(status),
            Response::Diagnostics { sub_function, data } => {
                w.u16_be(sub_function.value())?;
                w.bytes(data)
            }
            Response::GetCommEventCounter {
                status,
                event_count,
            } => {
                w.u16_be(status)?;
                w.u16_be(event_count)
            }
            Response::GetCommEventLog {
                status,
                event_count,
                message_count,
                events,
            } => {
                w.count8(events.len() + 6, "byte count")?;
                w.u16_be(status)?;
                w.u16_be(event_count)?;
                w.u16_be(message_count)?;
                w.bytes(events)
            }
            Response::WriteMultipleCoils { address, quantity }
            | Response::WriteMultipleRegisters { address, quantity } => {
                w.u16_be(address.0)?;
                w.u16_be(quantity)
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
                w.u16_be(address.0)?;
                w.u16_be(and_mask)?;
                w.u16_be(or_mask)
            }
            Response::ReadFifoQueue { fifo_count, values } => {
                let n = values.as_bytes().len() + 2;
                w.u16_be(u16::try_from(n).map_err(|_| EmitError::ValueOutOfRange {
                    field: "byte count",
                })?)?;
                w.u16_be(fifo_count)?;
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
    w: &mut (impl Sink + ?Sized),
) -> Result<(), EmitError> {
    w.u8(crate::codes::MeiType::ReadDeviceIdentification.value())?;
    w.u8(d.code.value())?;
    w.u8(d.conformity_level)?;
    w.u8(d.more_follows)?;
    w.u8(d.next_object_id)?;
    w.u8(d.object_count)?;
    w.bytes(d.objects.as_bytes())
}
