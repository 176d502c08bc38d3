"""Records the EtherNet/IP vectors in enip/tests/vectors/ (see the README.md there).

Usage: enip_record.py OUTDIR [NAME.pcap ...]   (default: every vector)
Starts enip_server.py (cpppo) on a free 127.0.0.1 port, then for each vector starts dumpcap
on `lo` (filtered on that port, classic pcap format), runs one client script against the
server and stops dumpcap. Every packet goes to 127.0.0.1 only. Needs dumpcap (root or the
capture capability) and the venv of .ci/requirements.txt.
"""

import os
import signal
import socket
import struct
import subprocess
import sys
import time

from pycomm3 import CIPDriver, ClassCode, LogixDriver, Services
from pycomm3.cip.data_types import DataTypes
from pycomm3.const import BASE_TAG_BIT
from pylogix import PLC

HOST = "127.0.0.1"
HERE = os.path.dirname(os.path.abspath(__file__))

# The server's tags (enip_server.py): name, pycomm3 DataTypes attribute, array length (0: scalar).
TAGS = [
    ("SCADA", "int", 10),
    ("Speed", "real", 0),
    ("Counter", "dint", 0),
    ("Text", "short_string", 0),
    ("Big", "dint", 400),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_listening(port: int) -> None:
    deadline = time.time() + 20
    while True:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


class Capture:
    """dumpcap on lo for one vector; stopped (SIGINT) when the block ends."""

    def __init__(self, path: str, port: int):
        self.args = ["dumpcap", "-q", "-P", "-i", "lo", "-w", path,
                     "-f", f"tcp port {port} or udp port {port}"]

    def __enter__(self):
        self.proc = subprocess.Popen(self.args, stderr=subprocess.PIPE, text=True)
        # dumpcap says "Capturing on ..." once the filter is set.
        for line in self.proc.stderr:
            if "Capturing on" in line:
                break
        time.sleep(0.3)
        return self

    def __exit__(self, *exc):
        time.sleep(0.5)
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=10)


def encap(command: int, data: bytes = b"", session: int = 0) -> bytes:
    """An encapsulation header (command, length, session, status 0, sender context, options 0)."""
    return struct.pack("<HHII8sI", command, len(data), session, 0, b"otwire\0\0", 0) + data


def recv_encap(s: socket.socket) -> bytes:
    head = b""
    while len(head) < 24:
        head += s.recv(24 - len(head))
    (length,) = struct.unpack_from("<H", head, 2)
    body = b""
    while len(body) < length:
        body += s.recv(length - len(body))
    return head + body


def send_rr(cip: bytes) -> bytes:
    """SendRRData's CPF: interface handle 0, timeout 0, a Null address and an Unconnected item."""
    return struct.pack("<IHHHHHH", 0, 0, 2, 0x0000, 0, 0x00B2, len(cip)) + cip


def raw_encapsulation(port: int) -> None:
    """ListIdentity (UDP and TCP), ListServices, ListInterfaces, RegisterSession, Get
    Attributes All on Identity 1/1 directly and through Unconnected Send, UnRegisterSession."""
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(3)
    u.sendto(encap(0x63), (HOST, port))
    print("udp ListIdentity", u.recvfrom(4096)[0].hex())
    u.close()
    s = socket.create_connection((HOST, port), timeout=3)
    for cmd, name in ((0x63, "ListIdentity"), (0x04, "ListServices"), (0x64, "ListInterfaces")):
        s.sendall(encap(cmd))
        print(name, recv_encap(s).hex())
    s.sendall(encap(0x65, struct.pack("<HH", 1, 0)))
    reply = recv_encap(s)
    (session,) = struct.unpack_from("<I", reply, 4)
    print("RegisterSession", reply.hex())
    gaa = bytes([0x01, 0x02, 0x20, 0x01, 0x24, 0x01])  # Get Attributes All, class 1 instance 1
    s.sendall(encap(0x6F, send_rr(gaa), session))
    print("GAA direct", recv_encap(s).hex())
    # Unconnected Send to the Connection Manager (6/1): tick 10, 240 ticks, the embedded
    # request, route path backplane (port 1) slot 0.
    ucs = bytes([0x52, 0x02, 0x20, 0x06, 0x24, 0x01, 0x0A, 0xF0])
    ucs += struct.pack("<H", len(gaa)) + gaa + bytes([0x01, 0x00, 0x01, 0x00])
    s.sendall(encap(0x6F, send_rr(ucs), session))
    print("GAA via Unconnected Send", recv_encap(s).hex())
    s.sendall(encap(0x66, b"", session))  # UnRegisterSession: no reply; the server closes
    time.sleep(0.3)
    s.close()


def define_tags(plc: LogixDriver) -> None:
    """cpppo has no Get Instance Attribute List (tag upload), so LogixDriver opens with
    init_tags=False and is told the tags' types here (pycomm3's own tag-list entries)."""
    for iid, (name, typ, n) in enumerate(TAGS, 1):
        raw = {
            "symbol_type": getattr(DataTypes, typ).code | ((1 << 13) if n else 0),
            "instance_id": iid,
            "symbol_address": 0,
            "symbol_object_address": 0,
            "software_control": BASE_TAG_BIT,
            "external_access": "Read/Write",
            "dimensions": [n, 0, 0],
        }
        plc._tags[name] = plc._create_tag(name, raw)


def pycomm3_clients(port: int) -> None:
    """pycomm3: Large Forward Open, Read/Write Tag of INT, INT[], REAL, DINT, SSTRING,
    Multiple Service Packets, Get Attributes All on Identity (connected and unconnected),
    Forward Close; then a standard Forward Open (500 bytes) and a fragmented read of DINT[400]."""
    addr = f"{HOST}:{port}"
    print("list_identity", CIPDriver.list_identity(addr))
    with LogixDriver(addr, init_tags=False) as plc:
        define_tags(plc)
        # A single-tag write: pycomm3 (1.2.14 to 1.2.16) builds the request twice into one
        # connected item (logix_driver resets `_msg_setup` after sizing it); cpppo answers
        # 0xFF with extended status 0x2105. Kept: a real CIP error reply.
        print(plc.write("SCADA[2]", 1234))
        print(plc.read("SCADA[2]"))
        print(plc.read("SCADA{10}"))
        print(plc.read("Speed"))
        print(plc.read("Counter"))
        print(plc.read("Text"))
        # Writes of two or more tags go in a Multiple Service Packet, built once: accepted.
        print(plc.write(("Counter", -123456), ("Speed", 1.5), ("SCADA[3]", 7), ("Text", "hello")))
        print(plc.read("Speed", "Counter", "SCADA[3]", "Text"))  # Multiple Service Packet
        print(plc.generic_message(service=Services.get_attributes_all,
                                  class_code=ClassCode.identity_object, instance=1,
                                  connected=True, name="identity connected"))
        print(plc.generic_message(service=Services.get_attributes_all,
                                  class_code=ClassCode.identity_object, instance=1,
                                  connected=False, unconnected_send=True, route_path=True,
                                  name="identity unconnected send"))
    plc = LogixDriver(addr, init_tags=False)
    plc._cfg["extended forward open"] = False
    plc._cfg["connection_size"] = 500
    with plc:
        define_tags(plc)
        r = plc.read("Big{400}")  # Read Tag Fragmented: 1600 bytes in 500-byte replies
        print(r.tag, r.type, r.error, r.value[:4] if r.value else None)


def pylogix_clients(port: int) -> None:
    """pylogix: ListIdentity (GetDeviceProperties), Read/Write Tag of each type, an array
    read, a multi-tag read (Multiple Service Packet), and its Forward Open/Close."""
    with PLC() as c:
        c.IPAddress = HOST
        c.Port = port
        r = c.GetDeviceProperties()
        print("properties", r.Value, r.Status)
        for tag, value in (("Counter", 99), ("Speed", 0.25), ("SCADA[4]", -2), ("Text", "abc")):
            print("write", tag, c.Write(tag, value).Status)
            r = c.Read(tag)
            print("read", tag, r.Value, r.Status)
        r = c.Read("SCADA[0]", 10)
        print("read array", r.Value, r.Status)
        for r in c.Read(["Counter", "Speed", "SCADA[4]"]):
            print("multi", r.TagName, r.Value, r.Status)


def pylogix_large(port: int) -> None:
    """pylogix over its 4000-byte Large Forward Open: a Write Tag of DINT[400] in one
    request, a read of it (Read Tag answered with partial transfer, then Read Tag
    Fragmented), and GetPLCTime (Get Attribute List on the wall clock class 0x8B, which
    cpppo has not: a per-attribute error)."""
    with PLC() as c:
        c.IPAddress = HOST
        c.Port = port
        print("write Big", c.Write("Big[0]", list(range(1000, 1400))).Status)
        r = c.Read("Big[0]", 400)
        print("read Big", r.Status, r.Value[:3] if r.Value else None, r.Value[-3:] if r.Value else None)
        try:
            r = c.GetPLCTime()
            print("time", r.Value, r.Status)
        except Exception as err:  # pylogix 1.1.6 fails to unpack the short error reply
            print("time:", type(err).__name__, err)


def unsupported_requests(port: int) -> None:
    """What cpppo does not serve: pycomm3's tag upload (Get Instance Attribute List, 0x55, on
    the Symbol class 0x6B) and its Write Tag Fragmented (0x53) of DINT[400] over a 500-byte
    connection. cpppo answers each with an empty SendUnitData whose encapsulation status is
    0x0008, then drops the connection."""
    addr = f"{HOST}:{port}"
    try:
        with LogixDriver(addr):
            print("tag upload: opened")
    except Exception as err:  # pycomm3 raises ResponseError
        print("tag upload:", type(err).__name__, err)
    plc = LogixDriver(addr, init_tags=False)
    plc._cfg["extended forward open"] = False
    plc._cfg["connection_size"] = 500
    try:
        with plc:
            define_tags(plc)
            print(plc.write("Big{400}", list(range(400))))
    except Exception as err:  # pycomm3 raises CommError when the connection drops
        print("fragmented write:", type(err).__name__, err)


VECTORS = (
    ("enip_encapsulation.pcap", raw_encapsulation),
    ("enip_pycomm3.pcap", pycomm3_clients),
    ("enip_pylogix.pcap", pylogix_clients),
    ("enip_unsupported.pcap", unsupported_requests),
    ("enip_pylogix_large.pcap", pylogix_large),
)


def main() -> None:
    out = os.path.abspath(sys.argv[1])
    os.makedirs(out, exist_ok=True)
    # The well-known port (so that tshark and otscan decode without a port hint), else any.
    try:
        with socket.socket() as s:
            # As a server binds (connections of a past run may linger in TIME_WAIT).
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((HOST, 44818))
        port = 44818
    except OSError:
        port = free_port()
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "enip_server.py"), str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port)
        time.sleep(0.5)
        wanted = sys.argv[2:]
        for name, run in VECTORS:
            if wanted and name not in wanted:
                continue
            print(f"== {name} (port {port})")
            with Capture(os.path.join(out, name), port):
                run(port)
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    main()
