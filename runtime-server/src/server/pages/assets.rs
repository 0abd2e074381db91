//! The stylesheets, the browser module's files (embedded in the binary at build time) and the
//! compiled forms in their binary encoding for the module.

use super::*;

/// `GET /assets/wasm/{file}`: the browser module's files under their folder's name too.
pub async fn wasm_asset(state: State<AppState>, file: Path<String>) -> Response {
    asset(state, file).await
}

/// `GET /assets/{file}`: the stylesheet (an authority's `assets/` in `--templates DIR`
/// first), and the browser module's files built into the binary (`server/embedded.rs`; a 404
/// in a build without them: the pages work without them).
pub async fn asset(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    const BUILTIN: &[(&str, &str, &[u8])] = &[
        ("wegweiser.css", "text/css; charset=utf-8", include_bytes!("../../../assets/wegweiser.css")),
        ("theme.css", "text/css; charset=utf-8", include_bytes!("../../../assets/theme.css")),
    ];
    let mime = |f: &str| match f.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    };
    let ok_name = !file.contains('/') && !file.contains("..") && !file.starts_with('.');
    if ok_name
        && let Some(dir) = &state.config.templates
        && let Ok(bytes) = std::fs::read(dir.join("assets").join(&file))
    {
        return ([(header::CONTENT_TYPE, mime(&file)), (header::CACHE_CONTROL, "public, max-age=3600")], Body::from(bytes)).into_response();
    }
    if let Some(bytes) = super::super::embedded::file(&file) {
        return ([(header::CONTENT_TYPE, mime(&file)), (header::CACHE_CONTROL, "public, max-age=3600")], Body::from(bytes)).into_response();
    }
    match BUILTIN.iter().find(|(n, _, _)| *n == file) {
        Some((_, m, bytes)) => {
            ([(header::CONTENT_TYPE, *m), (header::CACHE_CONTROL, "public, max-age=3600")], Body::from(*bytes)).into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// `GET /assets/forms/{hash}.bin`: a served form's binary encoding (`Served::browser_bytes`),
/// which the browser module fetches (`wasm/js/wegweiser.js`). The name is the content's hash,
/// so the response is cacheable for good; an unknown name is a 404.
pub async fn form_asset(State(state): State<AppState>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let url = format!("{}{file}", super::super::FORM_ASSETS);
    let Some(served) = state.forms.values().find(|s| s.browser_url == url) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let etag = served.browser_etag();
    let cache = [(header::ETAG, etag.clone()), (header::CACHE_CONTROL, "public, max-age=31536000, immutable".to_string())];
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == etag));
    if fresh {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (cache, [(header::CONTENT_TYPE, "application/octet-stream")], Body::from(served.browser_bytes.clone())).into_response()
}
