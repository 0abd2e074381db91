//! The authors' preview (`wegweiser preview FILE`): serves one form like the real server,
//! recompiles it whenever its file changes, and shows the diagnostics in the page while it
//! does not compile — so an author sees each edit by reloading the browser.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::Mutex;
use tower::ServiceExt;

use super::{AppState, Config, Store};
use engine::diag::render::render_text;

/// The preview: the watched file and the router built from its last version.
#[derive(Clone)]
pub struct Preview {
    file: PathBuf,
    store: Store,
    config: Config,
    current: Arc<Mutex<Option<Version>>>,
}

/// The file's modification time when it was last read, and what it gave.
type Version = (Option<SystemTime>, Current);

#[derive(Clone)]
enum Current {
    Serving(Router),
    Broken(String),
}

impl Preview {
    /// A preview of `file`, keeping drafts in `store` across reloads (a changed form keeps
    /// the answers that still fit).
    pub fn new(file: PathBuf, store: Store, config: Config) -> Preview {
        Preview { file, store, config, current: Arc::new(Mutex::new(None)) }
    }

    /// The router: every request first checks whether the file changed.
    pub fn router(self) -> Router {
        Router::new().fallback(move |req: Request<Body>| {
            let p = self.clone();
            async move { p.handle(req).await }
        })
    }

    async fn handle(&self, req: Request<Body>) -> Response {
        let current = self.current_version().await;
        match current {
            Current::Serving(router) => match router.oneshot(req).await {
                Ok(r) => r.into_response(),
                Err(never) => match never {},
            },
            Current::Broken(html) => {
                (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], html)
                    .into_response()
            }
        }
    }

    async fn current_version(&self) -> Current {
        let modified = std::fs::metadata(&self.file).and_then(|m| m.modified()).ok();
        let mut guard = self.current.lock().await;
        if let Some((seen, current)) = guard.as_ref()
            && *seen == modified
            && modified.is_some()
        {
            return current.clone();
        }
        let current = self.build();
        *guard = Some((modified, current.clone()));
        current
    }

    fn build(&self) -> Current {
        let name = self.file.display().to_string();
        let source = match std::fs::read_to_string(&self.file) {
            Ok(s) => s,
            Err(e) => return Current::Broken(page(&name, &format!("cannot read the file: {e}"))),
        };
        let compiled = engine::compile(&source);
        match compiled.form {
            Some(form) => {
                let state = AppState::new(vec![form], self.store.clone(), self.config.clone());
                Current::Serving(super::app(state))
            }
            None => {
                let text: String =
                    compiled.diagnostics.iter().filter(|d| d.is_error()).map(|d| render_text(d, &name, &source, false)).collect();
                Current::Broken(page(&name, &text))
            }
        }
    }
}

/// The page shown while the form does not compile. It reloads itself every two seconds
/// (a meta refresh: no script, so the server's CSP holds) until the file is fixed.
fn page(name: &str, diagnostics: &str) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"2\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Error: {name} does not compile</title>\
         <link rel=\"stylesheet\" href=\"/assets/wegweiser.css\"></head>\
         <body><main><h1>{name} does not compile</h1><p>Fix the file and save it; this page reloads by itself.</p>\
         <pre class=\"diagnostics\">{diag}</pre></main></body></html>\n",
        name = esc(name),
        diag = esc(diagnostics)
    )
}
