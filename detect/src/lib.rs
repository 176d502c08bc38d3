//! otwire-detect (work in progress).
