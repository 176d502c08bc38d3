"""An IEC 60870-5-104 controlled station (c104, wrapping lib60870-C) on 127.0.0.1:<port>,
common address 47, with known points, for examples/tests/otprobe_iec104.rs.
Usage: iec104_server.py PORT"""

import sys
import time

import c104

port = int(sys.argv[1])
server = c104.Server(ip="127.0.0.1", port=port)
station = server.add_station(common_address=47)
sp = station.add_point(io_address=100, type=c104.Type.M_SP_NA_1)
sp.value = True
dp = station.add_point(io_address=101, type=c104.Type.M_DP_NA_1)
dp.value = c104.Double.ON
me = station.add_point(io_address=200, type=c104.Type.M_ME_NC_1)
me.value = 21.5
nb = station.add_point(io_address=201, type=c104.Type.M_ME_NB_1)
nb.value = c104.Int16(-123)
it = station.add_point(io_address=300, type=c104.Type.M_IT_NA_1)
it.value = 9876
server.start()
while True:
    time.sleep(1)
