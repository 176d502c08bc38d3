//! `Emit::to_vec` for builds without the crate's `alloc` feature (the test harness has std).

use otwire_dnp3::Emit;

/// What `Emit::to_vec` gives with `alloc`.
pub(crate) trait ToVec {
    fn to_vec(&self) -> Result<Vec<u8>, otwire_dnp3::EmitError>;
}

impl<T: Emit> ToVec for T {
    fn to_vec(&self) -> Result<Vec<u8>, otwire_dnp3::EmitError> {
        let mut buf = vec![0; self.buffer_len()];
        let n = self.emit(&mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }
}
