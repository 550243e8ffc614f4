//! `compress=zlib-stream`: one zlib stream per connection, flushed (Z_SYNC_FLUSH) after each
//! payload so that every message ends in `00 00 FF FF` and can be inflated on arrival.

use flate2::{Compress, Compression, FlushCompress};

/// The compressor of one connection.
#[derive(Debug)]
pub struct ZlibStream {
    c: Compress,
}

impl Default for ZlibStream {
    fn default() -> Self {
        ZlibStream {
            c: Compress::new(Compression::fast(), true),
        }
    }
}

impl ZlibStream {
    /// Compresses one payload, continuing the connection's stream.
    pub fn compress(&mut self, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len() / 2 + 64);
        let start = self.c.total_in();
        loop {
            if out.capacity() - out.len() < 64 {
                out.reserve(out.capacity().max(256));
            }
            let done = (self.c.total_in() - start) as usize;
            if self
                .c
                .compress_vec(&input[done..], &mut out, FlushCompress::Sync)
                .is_err()
            {
                // Compression of in-memory bytes cannot fail short of a bug in the codec.
                return out;
            }
            let consumed = (self.c.total_in() - start) as usize == input.len();
            // The flush is complete when the compressor stopped before filling the buffer.
            if consumed && out.capacity() > out.len() && out.ends_with(&[0, 0, 0xff, 0xff]) {
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Decompress, FlushDecompress};

    #[test]
    fn each_payload_ends_with_the_sync_marker_and_inflates_with_one_context() {
        let mut z = ZlibStream::default();
        let mut d = Decompress::new(true);
        let payloads: Vec<String> = (0..50)
            .map(|i| {
                format!(
                    "{{\"op\":0,\"s\":{i},\"d\":{{\"content\":\"{}\"}}}}",
                    "x".repeat(i * 97)
                )
            })
            .collect();
        for p in &payloads {
            let frame = z.compress(p.as_bytes());
            assert!(frame.ends_with(&[0, 0, 0xff, 0xff]));
            let mut out = Vec::with_capacity(p.len() + 64);
            let before = d.total_out();
            d.decompress_vec(&frame, &mut out, FlushDecompress::Sync)
                .unwrap();
            assert_eq!((d.total_out() - before) as usize, p.len());
            assert_eq!(String::from_utf8(out).unwrap(), *p);
        }
    }
}
