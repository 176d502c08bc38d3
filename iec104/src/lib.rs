//! otwire-iec104: IEC 60870-5-104 and the IEC 60870-5-101 ASDU (work in progress).
#![cfg_attr(not(feature = "std"), no_std)]
