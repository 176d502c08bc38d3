"""An S7 CPU emulation (python-snap7's pure-Python snap7.server.Server, MIT) on
127.0.0.1:<port>, for examples/tests/otprobe_s7.rs. It listens on loopback only.
Usage: s7_server.py PORT"""

import sys
import time

import snap7
from snap7.type import SrvArea

port = int(sys.argv[1])
server = snap7.server.Server(log=False)
# One data block, so that the server is an ordinary one; otprobe reads no DB.
server.register_area(SrvArea.DB, 1, bytearray(16))
server.start_to("127.0.0.1", port)
while True:
    time.sleep(1)
