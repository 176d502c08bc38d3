//! A bump arena over a caller's buffer: analyzers copy the bytes an event must borrow
//! (frames buffered across calls, reassembled fragments) into it, so events can outlive the
//! analyzer's own buffers without a heap allocation per message.

/// Carves copies out of a caller's buffer. Every copy lives as long as the buffer (`'b`);
/// when the buffer is full, [`Arena::copy`] says so and counts it.
#[derive(Debug, Default)]
pub struct Arena<'b> {
    rest: &'b mut [u8],
    used: usize,
    overflows: u64,
}

impl<'b> Arena<'b> {
    /// An arena over `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self {
            rest: buf,
            used: 0,
            overflows: 0,
        }
    }

    /// A copy of `bytes` that lives as long as the buffer, or `None` (counted) when the
    /// buffer has no room left.
    #[inline]
    pub fn copy(&mut self, bytes: &[u8]) -> Option<&'b [u8]> {
        if bytes.len() > self.rest.len() {
            self.overflows += 1;
            return None;
        }
        let rest = core::mem::take(&mut self.rest);
        let (head, tail) = rest.split_at_mut(bytes.len());
        head.copy_from_slice(bytes);
        self.rest = tail;
        self.used += bytes.len();
        Some(head)
    }

    /// Bytes copied so far.
    pub fn used(&self) -> usize {
        self.used
    }

    /// Bytes still free.
    pub fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Copies refused for lack of room (a caller sized the buffer below
    /// [`Analyzer::buffered`](super::Analyzer::buffered)'s bound).
    pub fn overflows(&self) -> u64 {
        self.overflows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_live_with_the_buffer_and_overflow_is_counted() {
        let mut buf = [0u8; 5];
        let mut a = Arena::new(&mut buf);
        let x = a.copy(b"abc").unwrap();
        let y = a.copy(b"de").unwrap();
        assert_eq!(a.copy(b"f"), None);
        assert_eq!((x, y), (&b"abc"[..], &b"de"[..]));
        assert_eq!((a.used(), a.remaining(), a.overflows()), (5, 0, 1));
    }
}
