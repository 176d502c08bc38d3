"""cpppo's EtherNet/IP Logix simulator (`python -m cpppo.server.enip`, GPL-3.0: only run,
never vendored) on 127.0.0.1:<port>, TCP and UDP, for examples/tests/enip_peers.rs and
enip_record.py. It listens on loopback only and exits when its parent does.

Usage: enip_server.py PORT
Tags: SCADA=INT[10] Speed=REAL Counter=DINT Text=SSTRING Big=DINT[400], all zero at start.
Identity (class 1 instance 1), from the config file given with `-c`: vendor 1, device type
14, product code 54, revision 20.11, serial 0x0012D687, product name "otwire cpppo peer".
The port is the one given; the caller knows it listens once a TCP connect succeeds (as for
the other peers). cpppo also prints "... running on ('127.0.0.1', PORT)" to stdout (-A).
"""

import os
import runpy
import sys
import tempfile
import threading
import time

TAGS = ["SCADA=INT[10]", "Speed=REAL", "Counter=DINT", "Text=SSTRING", "Big=DINT[400]"]

# cpppo's [Identity] section (configparser syntax; cpppo's own cpppo.cfg names the keys).
IDENTITY = """\
[Identity]
Vendor Number = 1
Device Type = 14
Product Code Number = 54
Product Revision = 2836
Serial Number = 1234567
Product Name = otwire cpppo peer
"""


def exit_with_parent() -> None:
    """Ends this process (and so cpppo's server threads) once the parent is gone."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main() -> None:
    port = int(sys.argv[1])
    threading.Thread(target=exit_with_parent, daemon=True).start()
    # One file for every run (the peer is killed, so it could not remove its own), written
    # whole under a private name and renamed, so that peers started together agree.
    cfg = os.path.join(tempfile.gettempdir(), f"otwire-enip-identity-{os.getuid()}.cfg")
    part = f"{cfg}.{os.getpid()}"
    with open(part, "w", encoding="ascii") as f:
        f.write(IDENTITY)
    os.replace(part, cfg)
    # `-c` adds the file above of highest priority; a ~/.cpppo.cfg cannot override it.
    sys.argv = ["cpppo.server.enip", "-c", cfg, "-a", f"127.0.0.1:{port}", "-A", *TAGS]
    runpy.run_module("cpppo.server.enip", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
