"""A pymodbus Modbus/TCP server with a known identity and registers, for otprobe's tests.

Usage: python modbus_server.py PORT [ADDRESS]
Serves on ADDRESS:PORT (127.0.0.1 by default) until killed. Units 1 and 5 exist; unit 1's holding registers
100..104 hold 1001, 1002, 1003, 1004, 1005.
"""

import sys

from pymodbus.datastore import (
    ModbusDeviceContext,
    ModbusSequentialDataBlock,
    ModbusServerContext,
)
from pymodbus.pdu.device import ModbusDeviceIdentification
from pymodbus.server import StartTcpServer

IDENTITY = {
    "VendorName": "otwire test vendor",
    "ProductCode": "OTW-PLC-1",
    "MajorMinorRevision": "4.2",
    "VendorUrl": "https://example.invalid/otwire",
    "ProductName": "otwire pymodbus peer",
    "ModelName": "peer-model-7",
    "UserApplicationName": "otprobe-test",
}

# pymodbus addresses data blocks from 1: protocol address A is block address A + 1.
HOLDING_START = 100
HOLDING_VALUES = [1001, 1002, 1003, 1004, 1005]


def main() -> None:
    port = int(sys.argv[1])
    address = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    hr = ModbusSequentialDataBlock(HOLDING_START + 1, HOLDING_VALUES)
    devices = {
        1: ModbusDeviceContext(hr=hr),
        5: ModbusDeviceContext(),
    }
    context = ModbusServerContext(devices=devices, single=False)
    identity = ModbusDeviceIdentification(info_name=IDENTITY)
    StartTcpServer(context=context, identity=identity, address=(address, port))


if __name__ == "__main__":
    main()
