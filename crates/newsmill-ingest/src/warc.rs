//! WARC and WARC.gz archives (CC-NEWS style) to raw documents, with `fastwarc`.
//!
//! Only `response`, `resource` and `conversion` records carry documents; the others (`warcinfo`,
//! `request`, `metadata`, `revisit`) are skipped and counted. A record whose block is shorter than
//! its `Content-Length` (a clipped file) is an error naming the record; so is a header that does
//! not parse. After a parse error the stream cannot be resynchronised (a gzip member or a header
//! boundary is lost), so the reader stops there: every record before it is kept.
//!
//! Origins are `FILE#OFFSET` with OFFSET the record's start in the *uncompressed* stream: a
//! gzipped WARC is decompressed here (all members, `MultiGzDecoder`) before fastwarc parses it,
//! so records inside one gzip member (a WARC gzipped as a whole, not per record) still get
//! distinct offsets (fastwarc reports the member's position for each of them). zstd and lz4
//! are left to fastwarc's own detection.

use std::io::{self, Read};

use fastwarc::warc::iter::{ArchiveIterator, ArchiveIteratorOptions};
use fastwarc::warc::record::{WarcRecord, WarcRecordType};
use newsmill_core::{InputHint, Origin, RawDoc};

use crate::IngestError;

/// What one step of a WARC reader yields.
#[derive(Debug)]
pub enum WarcItem {
    /// A document record (`response`, `resource`, `conversion`).
    Doc(RawDoc),
    /// A record that carries no document (`warcinfo`, `request`, `metadata`, ...), or a response
    /// whose HTTP status is not 2xx.
    Skipped {
        /// Where the record is.
        origin: Origin,
        /// Why it was skipped.
        reason: String,
    },
}

/// A reader that can only go forward, made seekable for fastwarc: it reports its position
/// and seeks forward by reading (a decompressed stream cannot go back).
struct Forward<R> {
    inner: R,
    pos: u64,
}

impl<R> Forward<R> {
    fn new(inner: R) -> Forward<R> {
        Forward { inner, pos: 0 }
    }
}

impl<R: Read> Read for Forward<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read> io::Seek for Forward<R> {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        let target = match to {
            io::SeekFrom::Start(p) => Some(p),
            io::SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            io::SeekFrom::End(_) => None,
        };
        match target {
            Some(t) if t >= self.pos => {
                let skip = t - self.pos;
                let copied = io::copy(&mut (&mut self.inner).take(skip), &mut io::sink())?;
                self.pos += copied;
                Ok(self.pos)
            }
            _ => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "a decompressed WARC stream cannot seek backwards",
            )),
        }
    }
}

/// Reads the records of one WARC stream, in order.
pub struct WarcReader {
    file: String,
    iter: Option<ArchiveIterator>,
    max_bytes: u64,
    records: u64,
    /// Bytes of the file (as stored: compressed when it is) read so far, for progress.
    consumed: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Keeps its position in the file (bytes read, or where a seek went) in a shared counter.
struct Counting<R> {
    inner: R,
    count: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: io::Seek> io::Seek for Counting<R> {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        let pos = self.inner.seek(to)?;
        self.count.store(pos, std::sync::atomic::Ordering::Relaxed);
        Ok(pos)
    }
}

impl std::fmt::Debug for WarcReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarcReader")
            .field("file", &self.file)
            .field("records", &self.records)
            .finish_non_exhaustive()
    }
}

fn options() -> ArchiveIteratorOptions {
    ArchiveIteratorOptions {
        // Lenient parsing: LF-only line ends and odd headers, as real crawls have them.
        quirks_mode: true,
        ..ArchiveIteratorOptions::default()
    }
}

impl WarcReader {
    /// Opens a WARC file (plain, gzip, zstd or lz4, detected from the magic bytes).
    pub fn open(path: &str, max_bytes: u64) -> Result<WarcReader, IngestError> {
        use std::io::BufRead;
        let file = fs_err::File::open(path).map_err(|e| IngestError::io(path, e))?;
        let consumed = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut buffered = io::BufReader::new(Counting {
            inner: file.into_parts().0,
            count: consumed.clone(),
        });
        let gzip = buffered
            .fill_buf()
            .map_err(|e| IngestError::io(path, e))?
            .starts_with(&[0x1f, 0x8b]);
        let iter = if gzip {
            ArchiveIterator::with_options(
                io::BufReader::with_capacity(
                    1 << 16,
                    Forward::new(flate2::read::MultiGzDecoder::new(buffered)),
                ),
                options(),
            )
        } else {
            ArchiveIterator::with_options(
                buffered,
                ArchiveIteratorOptions {
                    stream_detect: true,
                    ..options()
                },
            )
        };
        Ok(WarcReader {
            file: path.to_string(),
            iter: Some(iter),
            max_bytes,
            records: 0,
            consumed,
        })
    }

    /// Bytes of the file read so far (compressed bytes for a compressed file; read ahead of
    /// the records by a buffer), for a progress bar. Zero for a WARC read from memory.
    pub fn bytes_read(&self) -> u64 {
        self.consumed.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Reads a WARC held in memory (stdin, fuzzing, the Python wheel's `read_warc(bytes)`).
    /// `name` is what origins are called. A gzipped WARC is decompressed as [`WarcReader::open`]
    /// does, so offsets are the same as when read from a file.
    pub fn from_bytes(name: &str, bytes: Vec<u8>, max_bytes: u64) -> WarcReader {
        let iter = if bytes.starts_with(&[0x1f, 0x8b]) {
            ArchiveIterator::with_options(
                io::BufReader::with_capacity(
                    1 << 16,
                    Forward::new(flate2::read::MultiGzDecoder::new(io::Cursor::new(bytes))),
                ),
                options(),
            )
        } else {
            ArchiveIterator::with_options(io::Cursor::new(bytes), options())
        };
        WarcReader {
            file: name.to_string(),
            iter: Some(iter),
            max_bytes,
            records: 0,
            consumed: Default::default(),
        }
    }

    fn convert(&self, record: &mut WarcRecord) -> Result<WarcItem, IngestError> {
        let origin = Origin::Warc {
            file: self.file.clone(),
            offset: record.stream_pos(),
        };
        let kind = record.record_type();
        let hint = match kind {
            WarcRecordType::Response | WarcRecordType::Resource => InputHint::Auto,
            WarcRecordType::Conversion => InputHint::Text,
            other => {
                return Ok(WarcItem::Skipped {
                    origin,
                    reason: format!("{} record", other.as_str()),
                });
            }
        };
        let url = record
            .headers()
            .get("WARC-Target-URI")
            .map(|u| u.trim().trim_matches(['<', '>']).to_string())
            .filter(|u| !u.is_empty());
        let fetched_at = record.headers().get("WARC-Date").map(|d| d.to_string());
        let mut content_type = None;
        let mut encoding = None;
        if record.is_http() {
            if let Some(h) = record.http_headers() {
                if let Some(code) = h.status_code()
                    && !(200..300).contains(&code)
                {
                    return Ok(WarcItem::Skipped {
                        origin,
                        reason: format!("HTTP status {code}"),
                    });
                }
                content_type = h.get("Content-Type").map(|c| c.to_string());
                encoding = h
                    .get("Content-Encoding")
                    .map(|c| c.trim().to_ascii_lowercase());
            }
        } else {
            content_type = record.headers().get("Content-Type").map(|c| c.to_string());
        }
        let expected = record.content_length();
        if expected > self.max_bytes {
            return Err(IngestError::TooLarge {
                input: origin.to_string(),
                limit: self.max_bytes,
            });
        }
        let mut bytes = Vec::with_capacity(expected.min(1 << 24) as usize);
        let Some(reader) = record.reader_mut() else {
            return Err(IngestError::Warc {
                input: origin.to_string(),
                message: "record has no body reader".into(),
            });
        };
        if let Err(e) = reader.read_to_end(&mut bytes) {
            // A decompression error (a clipped gzip stream) while reading the body: the record
            // is cut short, and the stream after it is lost (`next` stops on this error).
            return Err(IngestError::Warc {
                input: origin.to_string(),
                message: format!(
                    "truncated record: {} of {expected} body bytes ({e})",
                    bytes.len()
                ),
            });
        }
        if (bytes.len() as u64) < expected {
            return Err(IngestError::Warc {
                input: origin.to_string(),
                message: format!("truncated record: {} of {expected} body bytes", bytes.len()),
            });
        }
        if let Some(enc) = encoding.as_deref()
            && matches!(enc, "gzip" | "x-gzip" | "deflate")
        {
            bytes = match decode_body(enc, &bytes, self.max_bytes) {
                Ok(Some(decoded)) => decoded,
                // A gzip bomb: a few KB that inflate past the cap.
                Ok(None) => {
                    return Err(IngestError::TooLarge {
                        input: origin.to_string(),
                        limit: self.max_bytes,
                    });
                }
                Err(e) => {
                    return Err(IngestError::Warc {
                        input: origin.to_string(),
                        message: format!("bad {enc} body: {e}"),
                    });
                }
            };
        }
        Ok(WarcItem::Doc(RawDoc {
            origin,
            url,
            fetched_at,
            content_type,
            hint,
            bytes,
            provenance: Default::default(),
        }))
    }
}

/// Inflates an HTTP body; `None` when it inflates past `cap` bytes (it is not inflated further).
fn decode_body(encoding: &str, bytes: &[u8], cap: u64) -> io::Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    if encoding == "deflate" {
        flate2::read::ZlibDecoder::new(bytes)
            .take(cap + 1)
            .read_to_end(&mut out)?;
    } else {
        flate2::read::MultiGzDecoder::new(bytes)
            .take(cap + 1)
            .read_to_end(&mut out)?;
    }
    Ok((out.len() as u64 <= cap).then_some(out))
}

impl Iterator for WarcReader {
    type Item = Result<WarcItem, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        let iter = self.iter.as_mut()?;
        match iter.next() {
            None => {
                self.iter = None;
                if self.records == 0 {
                    return Some(Err(IngestError::Warc {
                        input: self.file.clone(),
                        message: "no WARC records found".into(),
                    }));
                }
                None
            }
            Some(Err(e)) => {
                // The stream cannot be resynchronised after a parse error: stop here.
                self.iter = None;
                Some(Err(IngestError::Warc {
                    input: format!("{}#{}", self.file, self.records),
                    message: format!("unreadable record after {} records: {e}", self.records),
                }))
            }
            Some(Ok(shared)) => {
                self.records += 1;
                let mut record = shared.borrow_mut();
                let item = self.convert(&mut record);
                drop(record);
                if matches!(&item, Err(IngestError::Warc { message, .. }) if message.starts_with("truncated record"))
                {
                    // The stream cannot be resynchronised after a cut record: stop here.
                    self.iter = None;
                }
                Some(item)
            }
        }
    }
}

/// True when `bytes` start like a WARC file: `WARC/` plain, or a gzip/zstd stream.
pub(crate) fn looks_like_warc(name: &str, head: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".warc")
        || lower.ends_with(".warc.gz")
        || lower.ends_with(".warc.zst")
        || lower.ends_with(".warc.lz4")
    {
        return true;
    }
    head.starts_with(b"WARC/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, uri: &str, body: &[u8], declared: Option<usize>) -> Vec<u8> {
        let http = [
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n".as_slice(),
            body,
        ]
        .concat();
        let len = declared.unwrap_or(http.len());
        let mut out = format!(
            "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-06-19T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:1>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {len}\r\n\r\n"
        )
        .into_bytes();
        out.extend_from_slice(&http);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    fn read_all(bytes: Vec<u8>) -> Vec<Result<WarcItem, IngestError>> {
        WarcReader::from_bytes("t.warc", bytes, 1 << 20).collect()
    }

    #[test]
    fn gzipped_bytes_read_as_the_gzipped_file_does() {
        use std::io::Write;
        let mut w = record("response", "https://a.example/1", b"<p>one</p>", None);
        w.extend(record(
            "response",
            "https://a.example/2",
            b"<p>two</p>",
            None,
        ));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&w).unwrap();
        let gz = gz.finish().unwrap();
        let origins = |items: Vec<Result<WarcItem, IngestError>>| -> Vec<String> {
            items
                .into_iter()
                .map(|i| match i {
                    Ok(WarcItem::Doc(d)) => d.origin.to_string(),
                    other => panic!("{other:?}"),
                })
                .collect()
        };
        let plain = origins(read_all(w));
        assert_eq!(plain.len(), 2);
        assert_eq!(origins(read_all(gz)), plain);
    }

    #[test]
    fn reads_responses_and_skips_the_rest() {
        let mut w = record("response", "https://a.example/1", b"<p>one</p>", None);
        w.extend(record("request", "https://a.example/1", b"", None));
        w.extend(record(
            "response",
            "https://a.example/2",
            b"<p>two</p>",
            None,
        ));
        let items = read_all(w);
        assert_eq!(items.len(), 3);
        let Ok(WarcItem::Doc(d)) = &items[0] else {
            panic!("{:?}", items[0])
        };
        assert_eq!(d.url.as_deref(), Some("https://a.example/1"));
        assert_eq!(d.bytes, b"<p>one</p>");
        assert_eq!(d.fetched_at.as_deref(), Some("2024-06-19T10:00:00Z"));
        assert!(d.content_type.as_deref().unwrap().starts_with("text/html"));
        assert!(matches!(items[1], Ok(WarcItem::Skipped { .. })));
        let Ok(WarcItem::Doc(d)) = &items[2] else {
            panic!()
        };
        assert_eq!(d.bytes, b"<p>two</p>");
        match &d.origin {
            Origin::Warc { file, offset } => {
                assert_eq!(file, "t.warc");
                assert!(*offset > 0);
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn truncated_record_is_an_error_and_earlier_records_are_kept() {
        let mut w = record("response", "https://a.example/1", b"<p>one</p>", None);
        let mut clipped = record("response", "https://a.example/2", b"<p>two</p>", Some(5000));
        clipped.truncate(clipped.len() - 4);
        w.extend(clipped);
        let items = read_all(w);
        assert!(matches!(items[0], Ok(WarcItem::Doc(_))), "{items:?}");
        let errors: Vec<String> = items
            .iter()
            .filter_map(|i| i.as_ref().err().map(|e| e.to_string()))
            .collect();
        assert_eq!(errors.len(), 1, "{items:?}");
        assert!(errors[0].contains("truncated"), "{errors:?}");
    }

    fn offsets(path: &std::path::Path) -> Vec<u64> {
        WarcReader::open(&path.to_string_lossy(), 1 << 20)
            .unwrap()
            .map(|i| match i.unwrap() {
                WarcItem::Doc(d) => match d.origin {
                    Origin::Warc { offset, .. } => offset,
                    o => panic!("{o:?}"),
                },
                WarcItem::Skipped { .. } => panic!("skipped"),
            })
            .collect()
    }

    #[test]
    fn offsets_are_distinct_whether_gzipped_whole_or_per_record() {
        use std::io::Write;
        let recs: Vec<Vec<u8>> = (0..3)
            .map(|i| {
                record(
                    "response",
                    &format!("https://a.example/{i}"),
                    b"<p>x</p>",
                    None,
                )
            })
            .collect();
        let plain = recs.concat();
        let dir = std::env::temp_dir().join(format!("nm-warc-offsets-{}", std::process::id()));
        fs_err::create_dir_all(&dir).unwrap();
        let gz = |parts: &[&[u8]]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            for p in parts {
                e.write_all(p).unwrap();
            }
            e.finish().unwrap()
        };
        let whole = gz(&[&plain]);
        let per_record: Vec<u8> = recs.iter().flat_map(|r| gz(&[r])).collect();
        let expected = vec![
            0,
            recs[0].len() as u64,
            (recs[0].len() + recs[1].len()) as u64,
        ];
        for (name, bytes) in [
            ("plain.warc", plain.clone()),
            ("whole.warc.gz", whole),
            ("per-record.warc.gz", per_record),
        ] {
            let p = dir.join(name);
            fs_err::write(&p, bytes).unwrap();
            assert_eq!(offsets(&p), expected, "{name}");
        }
        fs_err::remove_dir_all(&dir).unwrap();
    }

    /// A response record whose HTTP body is gzipped (`Content-Encoding: gzip`).
    fn gzipped_record(uri: &str, plain: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(plain).unwrap();
        let gz = e.finish().unwrap();
        let http = [
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
                .as_slice(),
            &gz,
        ]
        .concat();
        let mut out = format!(
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-06-19T10:00:00Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
            http.len()
        )
        .into_bytes();
        out.extend_from_slice(&http);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    // See: issue 24 (a 52 KB gzip bomb in a record's body took 5.2 GB).
    #[test]
    fn regression_24_a_gzip_bomb_in_a_body_is_capped_and_the_next_record_read() {
        let bomb = vec![0u8; 3 << 20];
        let mut w = gzipped_record("https://a.example/bomb", &bomb);
        assert!(w.len() < 20_000, "a small file: {} bytes", w.len());
        w.extend(gzipped_record("https://a.example/ok", b"<p>fine</p>"));
        let items = read_all(w);
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(
            matches!(&items[0], Err(IngestError::TooLarge { limit, .. }) if *limit == 1 << 20),
            "{:?}",
            items[0]
        );
        let Ok(WarcItem::Doc(d)) = &items[1] else {
            panic!("{:?}", items[1])
        };
        assert_eq!(d.bytes, b"<p>fine</p>");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let items = read_all(b"this is not a warc file at all\n".to_vec());
        assert!(items.iter().all(|i| i.is_err()), "{items:?}");
        assert!(!items.is_empty());
    }
}
