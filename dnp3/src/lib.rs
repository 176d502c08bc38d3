//! otwire-dnp3: DNP3 (IEEE 1815-2012) (work in progress).
#![cfg_attr(not(feature = "std"), no_std)]
