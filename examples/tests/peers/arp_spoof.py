"""ARP spoofing traffic crafted with scapy into a pcap, for otscan's network-event evidence.

Usage: python arp_spoof.py OUT.pcap
Writes, on the 10.99.0.0/24 link, at one packet per 10 ms from t = 1000 s:
  1. 10.99.0.1 (02:99:00:00:00:01) asks for 10.99.0.2; 10.99.0.2 (02:99:00:00:00:02) answers;
  2. the attacker (02:66:00:00:00:66) answers "10.99.0.2 is at" its own MAC: the IP rebound
     to a new MAC, three times;
  3. a burst of 20 gratuitous ARP requests from the attacker claiming 10.99.0.1;
  4. the attacker claiming 10.99.0.10 to 10.99.0.29 in 20 replies: one MAC, many IPs.
"""

import sys

from scapy.layers.l2 import ARP, Ether
from scapy.utils import wrpcap

HOST_A = ("10.99.0.1", "02:99:00:00:00:01")
HOST_B = ("10.99.0.2", "02:99:00:00:00:02")
ATTACKER = "02:66:00:00:00:66"
BROADCAST = "ff:ff:ff:ff:ff:ff"


def arp(src_mac, dst_mac, op, psrc, hwsrc, pdst, hwdst="00:00:00:00:00:00"):
    return Ether(src=src_mac, dst=dst_mac) / ARP(
        op=op, psrc=psrc, hwsrc=hwsrc, pdst=pdst, hwdst=hwdst
    )


def main() -> None:
    out = sys.argv[1]
    (ip_a, mac_a), (ip_b, mac_b) = HOST_A, HOST_B
    packets = [
        arp(mac_a, BROADCAST, 1, ip_a, mac_a, ip_b),
        arp(mac_b, mac_a, 2, ip_b, mac_b, ip_a, mac_a),
    ]
    packets += [arp(ATTACKER, mac_a, 2, ip_b, ATTACKER, ip_a, mac_a) for _ in range(3)]
    packets += [arp(ATTACKER, BROADCAST, 1, ip_a, ATTACKER, ip_a) for _ in range(20)]
    packets += [
        arp(ATTACKER, mac_a, 2, f"10.99.0.{n}", ATTACKER, ip_a, mac_a) for n in range(10, 30)
    ]
    for i, p in enumerate(packets):
        p.time = 1000 + i * 0.01
    wrpcap(out, packets)


if __name__ == "__main__":
    main()
