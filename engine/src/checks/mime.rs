//! File types (docs/form-language.md#accept-max-size, `file`): matching a type against the author's `accept` list, and
//! telling the type from the file's content, never from its name, which anyone can
//! change.

/// True when `mime` is allowed by one of the `accept` entries.
///
/// Entries may be exact (`application/pdf`), a wildcard subtype (`image/*`) or `*/*`;
/// comparison ignores case and parameters (`text/plain; charset=utf-8`).
pub fn mime_matches(accept: &[String], mime: &str) -> bool {
    let Some((ty, sub)) = essence(mime) else {
        return false;
    };
    accept.iter().filter_map(|a| essence(a)).any(|(aty, asub)| (aty == "*" && asub == "*") || (aty == ty && (asub == "*" || asub == sub)))
}

/// `type/subtype` in lower case, without parameters.
fn essence(mime: &str) -> Option<(String, String)> {
    let base = mime.split(';').next()?.trim().to_ascii_lowercase();
    let (ty, sub) = base.split_once('/')?;
    (!ty.is_empty() && !sub.is_empty()).then(|| (ty.to_string(), sub.to_string()))
}

/// How much of a file the text and SVG tests look at.
const TEXT_PROBE: usize = 8 * 1024;

/// The MIME type of a file told by its content (magic numbers), or `None` when it is
/// none of the kinds known here (or empty).
///
/// Known: PDF, PNG, JPEG, GIF, WebP, TIFF, HEIC/HEIF, AVIF, OpenDocument (from its
/// `mimetype` entry), Word/Excel/PowerPoint OOXML (from their part names), other ZIP,
/// SVG (`image/svg+xml`, so a server can refuse it: it may carry scripts) and plain
/// text (valid UTF-8 without NUL in the first 8 KiB).
pub fn sniff_mime(bytes: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"%PDF-") {
        return Some("application/pdf");
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if starts(b"\xff\xd8\xff") {
        return Some("image/jpeg");
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some("image/gif");
    }
    if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return Some("image/webp");
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Some("image/tiff");
    }
    if bytes.get(4..8) == Some(b"ftyp")
        && let Some(t) = bytes.get(8..12).and_then(iso_media)
    {
        return Some(t);
    }
    if starts(b"PK\x03\x04") {
        return Some(zip_kind(bytes));
    }
    if starts(b"PK\x05\x06") {
        // An empty archive.
        return Some("application/zip");
    }
    text_kind(bytes)
}

/// HEIF-family images by the major brand of the `ftyp` box.
fn iso_media(brand: &[u8]) -> Option<&'static str> {
    match brand {
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" => Some("image/heic"),
        b"mif1" | b"msf1" | b"heif" => Some("image/heif"),
        b"avif" | b"avis" => Some("image/avif"),
        _ => None,
    }
}

/// Tells ODF and OOXML documents from other ZIP archives.
fn zip_kind(bytes: &[u8]) -> &'static str {
    // ODF puts an uncompressed entry `mimetype` first (ODF 1.2 part 3, section 3.3), so the
    // type is plain text right after the first local file header.
    const ODF: &[&str] = &[
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.oasis.opendocument.graphics",
    ];
    let le16 = |at: usize| bytes.get(at..at + 2).map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])));
    if let (Some(name_len), Some(extra_len)) = (le16(26), le16(28))
        && bytes.get(30..30 + name_len) == Some(b"mimetype")
    {
        let start = 30 + name_len + extra_len;
        for t in ODF {
            if bytes.get(start..start + t.len()) == Some(t.as_bytes()) {
                return t;
            }
        }
    }
    // OOXML part names are stored uncompressed in the local headers and the central
    // directory; their order is not fixed, so look for them anywhere.
    if contains(bytes, b"[Content_Types].xml") {
        if contains(bytes, b"word/document.xml") {
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        }
        if contains(bytes, b"xl/workbook.xml") {
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        }
        if contains(bytes, b"ppt/presentation.xml") {
            return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
        }
    }
    "application/zip"
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Plain text or SVG, judged on the first 8 KiB.
fn text_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.is_empty() {
        return None;
    }
    let probe = &bytes[..bytes.len().min(TEXT_PROBE)];
    let text = match std::str::from_utf8(probe) {
        Ok(t) => t,
        // The probe may cut a multi-byte character at its end; that is no encoding error.
        Err(e) if e.error_len().is_none() && bytes.len() > TEXT_PROBE => std::str::from_utf8(&probe[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    if text.contains('\0') {
        return None;
    }
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    // Generous on purpose: any XML-like text mentioning `<svg` counts as SVG, since
    // passing an SVG off as text is what a server refusing SVG must not miss.
    if trimmed.starts_with('<') && text.to_ascii_lowercase().contains("<svg") {
        return Some("image/svg+xml");
    }
    Some("text/plain")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn matching_accept_lists() {
        let accept = list(&["application/pdf", "image/*"]);
        assert!(mime_matches(&accept, "application/pdf"));
        assert!(mime_matches(&accept, "Application/PDF"));
        // Without regard to case on both sides (RFC 2045, docs/form-language.md#accept-max-size, `accept`).
        assert!(mime_matches(&list(&["Application/PDF", "IMAGE/*"]), "application/pdf"));
        assert!(mime_matches(&list(&["Application/PDF", "IMAGE/*"]), "image/PNG"));
        assert!(mime_matches(&accept, "image/png"));
        assert!(mime_matches(&accept, "image/jpeg; foo=bar"));
        assert!(!mime_matches(&accept, "text/plain"));
        assert!(!mime_matches(&accept, "application/zip"));
        assert!(!mime_matches(&accept, "image"));
        assert!(!mime_matches(&accept, ""));
        assert!(mime_matches(&list(&["text/plain; charset=utf-8"]), "TEXT/PLAIN"));
        assert!(mime_matches(&list(&["*/*"]), "application/zip"));
        assert!(!mime_matches(&[], "application/pdf"));
        assert!(!mime_matches(&list(&["image/*"]), "application/image"));
    }

    fn zip_with_first_entry(name: &str, content: &str) -> Vec<u8> {
        let mut z = b"PK\x03\x04".to_vec();
        z.extend([0u8; 22]);
        z.extend((name.len() as u16).to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z.extend(name.as_bytes());
        z.extend(content.as_bytes());
        z
    }

    #[test]
    fn sniffing_by_content() {
        assert_eq!(sniff_mime(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3"), Some("application/pdf"));
        assert_eq!(sniff_mime(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff_mime(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some("image/jpeg"));
        assert_eq!(sniff_mime(b"GIF89a\x01\0\x01\0"), Some("image/gif"));
        assert_eq!(sniff_mime(b"GIF87a\x01\0\x01\0"), Some("image/gif"));
        assert_eq!(sniff_mime(b"RIFF\x24\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_mime(b"II*\0\x08\0\0\0"), Some("image/tiff"));
        assert_eq!(sniff_mime(b"MM\0*\0\0\0\x08"), Some("image/tiff"));
        assert_eq!(sniff_mime(b"\0\0\0\x18ftypheic\0\0\0\0"), Some("image/heic"));
        assert_eq!(sniff_mime(b"\0\0\0\x18ftypmif1\0\0\0\0"), Some("image/heif"));
        assert_eq!(sniff_mime(b"\0\0\0\x1cftypavif\0\0\0\0"), Some("image/avif"));
        assert_eq!(sniff_mime(b"\0\0\0\x18ftypisom\0\0\0\0"), None, "MP4 video is none of ours");
        assert_eq!(sniff_mime(b"RIFF\x24\0\0\0WAVEfmt "), None);
    }

    #[test]
    fn sniffing_archives() {
        let odt = zip_with_first_entry("mimetype", "application/vnd.oasis.opendocument.text");
        assert_eq!(sniff_mime(&odt), Some("application/vnd.oasis.opendocument.text"));
        let ods = zip_with_first_entry("mimetype", "application/vnd.oasis.opendocument.spreadsheet");
        assert_eq!(sniff_mime(&ods), Some("application/vnd.oasis.opendocument.spreadsheet"));
        let mut docx = zip_with_first_entry("[Content_Types].xml", "<Types/>");
        docx.extend(b"PK\x03\x04....word/document.xml");
        assert_eq!(sniff_mime(&docx), Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"));
        let mut xlsx = zip_with_first_entry("[Content_Types].xml", "<Types/>");
        xlsx.extend(b"xl/workbook.xml");
        assert_eq!(sniff_mime(&xlsx), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        let mut pptx = zip_with_first_entry("[Content_Types].xml", "<Types/>");
        pptx.extend(b"ppt/presentation.xml");
        assert_eq!(sniff_mime(&pptx), Some("application/vnd.openxmlformats-officedocument.presentationml.presentation"));
        assert_eq!(sniff_mime(&zip_with_first_entry("foto.jpg", "\u{1}")), Some("application/zip"));
        assert_eq!(sniff_mime(b"PK\x05\x06\0\0\0\0"), Some("application/zip"));
        assert_eq!(sniff_mime(b"PK\x03\x04"), Some("application/zip"), "truncated header");
    }

    #[test]
    fn sniffing_text_and_svg() {
        assert_eq!(sniff_mime("Grüße aus Coesfeld\n".as_bytes()), Some("text/plain"));
        assert_eq!(sniff_mime(b"\xef\xbb\xbfmit BOM"), Some("text/plain"));
        assert_eq!(sniff_mime(b"a\0b"), None, "NUL is binary");
        assert_eq!(sniff_mime(b"\xc3\x28 invalid"), None);
        assert_eq!(sniff_mime(b""), None);
        assert_eq!(
            sniff_mime(b"<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some("image/svg+xml")
        );
        assert_eq!(sniff_mime(b"  <SVG onload=\"alert(1)\">"), Some("image/svg+xml"));
        assert_eq!(sniff_mime(b"Notiz: <svg> ist ein Format"), Some("text/plain"));
        // A multi-byte character cut at the 8 KiB boundary is still text.
        let mut long = "a".repeat(TEXT_PROBE - 1).into_bytes();
        long.extend("ü und mehr".as_bytes());
        assert_eq!(sniff_mime(&long), Some("text/plain"));
        // The file name plays no part: a PDF is a PDF whatever it is called.
        assert_eq!(sniff_mime(b"%PDF-1.4 foto.jpg"), Some("application/pdf"));
    }
}
