//! Helpers shared by the otwire benches: corpora built from captures.
