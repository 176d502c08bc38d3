"""Runs third-party EtherNet/IP clients against 127.0.0.1:PORT (the test's relay in front of
enip_server.py, cpppo's Logix simulator), for examples/tests/enip_clients.rs.

Usage: enip_clients.py PORT
cpppo's own client tools (cpppo.server.enip.client: List Identity, List Services, List
Interfaces, Read/Write Tag, Multiple Service Packets, fragmented reads and writes;
cpppo.server.enip.get_attribute: Get Attribute Single and Get Attributes All), then the
pycomm3 and pylogix sessions of enip_record.py. Every packet goes to 127.0.0.1 only.
Prints one line per client run; exits non-zero when a client tool fails.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from enip_record import pycomm3_clients, pylogix_clients  # noqa: E402

HOST = "127.0.0.1"


def cpppo(tool: str, port: int, *args: str) -> None:
    cmd = [sys.executable, "-m", f"cpppo.server.enip.{tool}", "-a", f"{HOST}:{port}", *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    print(tool, " ".join(args), "->", r.returncode, r.stdout.strip().replace("\n", " | ")[:300])
    if r.returncode != 0:
        print(r.stderr, file=sys.stderr)
        sys.exit(f"{tool} {args} failed")


def main() -> None:
    port = int(sys.argv[1])
    # List Identity, List Services, List Interfaces, then reads and writes of each type.
    cpppo("client", port, "-i", "-s", "-I", "Counter", "Speed", "SCADA[0-3]", "Text")
    cpppo("client", port, "Counter=(DINT)42", "Speed=(REAL)2.5", "SCADA[1-2]=(INT)7,8")
    # The same through Multiple Service Packets, and as fragmented requests.
    cpppo("client", port, "-m", "Counter", "Speed", "SCADA[0-9]", "Counter=(DINT)43")
    cpppo("client", port, "-f", "Big[0-99]", "Big[0-9]=(DINT)1,2,3,4,5,6,7,8,9,10")
    # Identity attributes: Get Attribute Single of the product name, Get Attributes All.
    cpppo("get_attribute", port, "@1/1/7", "@1/1")
    pycomm3_clients(port)
    pylogix_clients(port)


if __name__ == "__main__":
    main()
