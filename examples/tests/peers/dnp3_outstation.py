"""A DNP3 outstation (dnp3py, pure Python) on 127.0.0.1:<port>, link address 10, with known
static points, for examples/tests/otprobe_dnp3.rs. Usage: dnp3_outstation.py PORT"""

import asyncio
import sys

from dnp3.database import AnalogInputConfig, BinaryInputConfig, CounterConfig, Database
from dnp3.outstation import Outstation, OutstationConfig, OutstationTcpRunner


async def main(port: int) -> None:
    db = Database()
    db.add_binary_input(0, BinaryInputConfig())
    db.add_binary_input(1, BinaryInputConfig())
    db.add_analog_input(0, AnalogInputConfig())
    db.add_analog_input(1, AnalogInputConfig())
    db.add_counter(0, CounterConfig())
    db.update_binary_input(0, value=True)
    db.update_binary_input(1, value=False)
    db.update_analog_input(0, value=42)
    db.update_analog_input(1, value=-7)
    db.update_counter(0, value=1234)
    outstation = Outstation(database=db, config=OutstationConfig(address=10))
    runner = OutstationTcpRunner(outstation=outstation, host="127.0.0.1", port=port)
    await runner.run()


asyncio.run(main(int(sys.argv[1])))
