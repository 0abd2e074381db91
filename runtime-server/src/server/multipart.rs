//! Cleans the part headers of a multipart post before the multipart parser reads them.
//!
//! A browser passes a file's name on as it is, and names may hold control characters (a
//! DEL, an escape). The parser (multer, through httparse and `HeaderValue`) refuses a part
//! header with such a byte, which refused the whole post: the citizen's answers of the
//! step were lost for a file name. Here every control character in a part's header section
//! (other than the tab, which headers may carry, and the CR LF that end its lines) becomes
//! `_`, so the post is read and the name cleaned (`pages::clean_file_name` does the rest).
//! The parts' contents pass unchanged: only the bytes between a boundary line and the
//! blank line after it are looked at.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, header};
use hyper::body::Frame;

/// The request with its body's part headers cleaned (unchanged without a boundary: then
/// the parser refuses it anyway).
pub fn clean_part_headers(req: Request) -> Request {
    let Some(boundary) = boundary(req.headers()) else { return req };
    req.map(|body| Body::new(Cleaned { body, scan: Scanner::new(&boundary) }))
}

/// The `boundary` parameter of a `multipart/form-data` content type.
fn boundary(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("boundary").then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Where the scanner is in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// In a part's content (or the preamble): looking for the next delimiter.
    Data,
    /// After a delimiter, up to the end of its line.
    BoundaryLine,
    /// In a part's headers; the length of the current line so far.
    Headers(usize),
}

/// A byte-by-byte scanner over the whole body (chunks may split anything).
struct Scanner {
    /// `CR LF -- boundary`.
    delimiter: Vec<u8>,
    /// How much of the delimiter the last bytes matched.
    matched: usize,
    at: At,
}

impl Scanner {
    fn new(boundary: &str) -> Scanner {
        let mut delimiter = b"\r\n--".to_vec();
        delimiter.extend_from_slice(boundary.as_bytes());
        // The first delimiter may open the body without a CR LF before it.
        Scanner { delimiter, matched: 2, at: At::Data }
    }

    /// The next byte of the body, cleaned.
    fn step(&mut self, b: u8) -> u8 {
        match self.at {
            At::Data => {
                if b == self.delimiter[self.matched] {
                    self.matched += 1;
                    if self.matched == self.delimiter.len() {
                        self.at = At::BoundaryLine;
                        self.matched = 0;
                    }
                } else {
                    // The delimiter's only CR is its first byte, so a mismatch restarts
                    // the match at this byte.
                    self.matched = usize::from(b == b'\r');
                }
                b
            }
            At::BoundaryLine => {
                if b == b'\n' {
                    self.at = At::Headers(0);
                }
                b
            }
            At::Headers(len) => match b {
                b'\n' if len == 0 => {
                    // The blank line: the part's content follows.
                    self.at = At::Data;
                    b
                }
                b'\n' => {
                    self.at = At::Headers(0);
                    b
                }
                b'\r' => b,
                b => {
                    self.at = At::Headers(len + 1);
                    if (b < 0x20 && b != b'\t') || b == 0x7f { b'_' } else { b }
                }
            },
        }
    }

    /// A chunk of the body, cleaned (copied only when something changed).
    fn clean(&mut self, chunk: Bytes) -> Bytes {
        let mut out: Option<Vec<u8>> = None;
        for (i, &b) in chunk.iter().enumerate() {
            let c = self.step(b);
            if c != b {
                out.get_or_insert_with(|| chunk.to_vec())[i] = c;
            }
        }
        out.map_or(chunk, Bytes::from)
    }
}

/// The body with its part headers cleaned.
struct Cleaned {
    body: Body,
    scan: Scanner,
}

impl hyper::body::Body for Cleaned {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        let scan = &mut this.scan;
        Pin::new(&mut this.body).poll_frame(cx).map(|f| f.map(|f| f.map(|f| f.map_data(|d| scan.clean(d)))))
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean_in_chunks(body: &[u8], chunk: usize) -> Vec<u8> {
        let mut s = Scanner::new("XyZ");
        body.chunks(chunk).flat_map(|c| s.clean(Bytes::copy_from_slice(c)).to_vec()).collect()
    }

    #[test]
    fn control_characters_in_part_headers_become_underscores_and_contents_stay() {
        let content = b"\x7f\x01binary\r\n--XyQ\x1b\r\n\r\n\x7f";
        let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\x7fb\x1bc\td.pdf\"\r\n\r\n".to_vec();
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n--XyZ\r\nContent-Disposition: form-data; name=\"g\x01\"\r\n\r\nv\x7f\r\n--XyZ--\r\n");
        for chunk in [1, 2, 3, 7, body.len()] {
            let out = clean_in_chunks(&body, chunk);
            let text = String::from_utf8_lossy(&out);
            assert!(text.contains("filename=\"a_b_c\td.pdf\""), "chunks of {chunk}: {text}");
            assert!(text.contains("name=\"g_\""), "chunks of {chunk}: {text}");
            assert!(out.windows(content.len()).any(|w| w == content), "the content is unchanged (chunks of {chunk})");
            assert!(text.contains("\r\n\r\nv\x7f\r\n--XyZ--"), "chunks of {chunk}");
            assert_eq!(out.len(), body.len());
        }
    }

    #[test]
    fn the_boundary_is_read_from_the_content_type() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "multipart/form-data; charset=utf-8; BOUNDARY=\"ab c\"".parse().unwrap());
        assert_eq!(boundary(&h).as_deref(), Some("ab c"));
        h.insert(header::CONTENT_TYPE, "multipart/form-data".parse().unwrap());
        assert_eq!(boundary(&h), None);
    }
}
