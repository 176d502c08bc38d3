//! otwire-examples: the pipeline behind otscan and otprobe (work in progress).
