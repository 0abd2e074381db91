//! The stylesheets and the browser module's files (embedded in the binary at build time).

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
