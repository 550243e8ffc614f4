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

/// `compress=zstd-stream`: one zstd frame per connection, never ended; each payload is
/// followed by a block flush so that it can be decoded on arrival (one payload per message).
pub struct ZstdStream {
    enc: zstd::stream::raw::Encoder<'static>,
}

impl std::fmt::Debug for ZstdStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ZstdStream")
    }
}

impl ZstdStream {
    /// A compressor at a fast level (the gateway favours latency over ratio).
    pub fn new() -> std::io::Result<Self> {
        Ok(ZstdStream {
            enc: zstd::stream::raw::Encoder::new(1)?,
        })
    }

    /// Compresses one payload, continuing the connection's frame.
    pub fn compress(&mut self, input: &[u8]) -> std::io::Result<Vec<u8>> {
        use zstd::stream::raw::{Operation, OutBuffer};
        let mut out = vec![0u8; input.len() / 2 + 256];
        let (mut read, mut written) = (0, 0);
        while read < input.len() {
            if written == out.len() {
                out.resize(out.len() * 2, 0);
            }
            let status = self
                .enc
                .run_on_buffers(&input[read..], &mut out[written..])?;
            read += status.bytes_read;
            written += status.bytes_written;
        }
        loop {
            if written == out.len() {
                out.resize(out.len() * 2, 0);
            }
            let mut buf = OutBuffer::around(&mut out[written..]);
            let left = self.enc.flush(&mut buf)?;
            written += buf.pos();
            if left == 0 {
                break;
            }
        }
        out.truncate(written);
        Ok(out)
    }
}

#[cfg(test)]
mod zstd_tests {
    use super::ZstdStream;
    use zstd::stream::raw::{Decoder, Operation};

    #[test]
    fn each_payload_decodes_on_arrival_with_one_context() {
        let mut z = ZstdStream::new().unwrap();
        let mut d = Decoder::new().unwrap();
        for i in 0..40 {
            let p = format!("{{\"op\":0,\"s\":{i},\"d\":\"{}\"}}", "y".repeat(i * 211));
            let frame = z.compress(p.as_bytes()).unwrap();
            let mut out = vec![0u8; p.len() + 1024];
            let (mut read, mut written) = (0, 0);
            while read < frame.len() {
                let st = d
                    .run_on_buffers(&frame[read..], &mut out[written..])
                    .unwrap();
                read += st.bytes_read;
                written += st.bytes_written;
            }
            assert_eq!(&out[..written], p.as_bytes());
        }
    }
}
