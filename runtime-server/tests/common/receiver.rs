//! A local webhook receiver for the outbox tests (`attacks.rs`, `outbox.rs`): records
//! every request it gets (any method, any path) and answers with a status (and a
//! `Location`) the test sets; plus submissions stored straight through the store, so a
//! test can fill the outbox without walking a form.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use wegweiser::server::AppState;
use wegweiser::server::store::{NewDelivery, NewSubmission, SubmitOutcome};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Got {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Got {
    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    }
}

#[derive(Default)]
struct Shared {
    got: Mutex<Vec<Got>>,
    status: AtomicU16,
    location: Mutex<Option<String>>,
}

/// A receiver on 127.0.0.1 that answers 200 until told otherwise.
#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let shared = Arc::new(Shared { status: AtomicU16::new(200), ..Shared::default() });
        let s = shared.clone();
        let app = Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let s = s.clone();
            async move {
                s.got.lock().unwrap().push(Got { method, path: uri.path().to_string(), headers, body: body.to_vec() });
                let status = StatusCode::from_u16(s.status.load(Ordering::SeqCst)).unwrap();
                let location = s.location.lock().unwrap().clone();
                let mut res: Response = status.into_response();
                if let Some(l) = location {
                    res.headers_mut().insert(header::LOCATION, l.parse().unwrap());
                }
                res
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { addr, shared }
    }

    /// From now on, answer every request with `status` (and this `Location`).
    pub fn answer(&self, status: u16, location: Option<&str>) {
        self.shared.status.store(status, Ordering::SeqCst);
        *self.shared.location.lock().unwrap() = location.map(str::to_string);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Everything received so far.
    pub fn got(&self) -> Vec<Got> {
        self.shared.got.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.shared.got.lock().unwrap().len()
    }
}

/// Stores `n` submissions of the form `probe` with a webhook to `url` straight through
/// the store (as the submit handler does, without walking the form); their references.
pub async fn store_submissions(state: &AppState, n: usize, url: &str, secret_env: Option<&str>) -> Vec<String> {
    let mut references = Vec::with_capacity(n);
    for _ in 0..n {
        let mut b = [0u8; 16];
        getrandom::fill(&mut b).unwrap();
        let draft = hex::encode(b);
        let reference = |seq: i64| format!("PRB-2026-{seq:06}");
        let document = |r: &str| serde_json::json!({ "form": "probe", "reference": r, "data": { "name": "Erika" } }).to_string();
        let outcome = state
            .store
            .submit(NewSubmission {
                draft_id: &draft,
                authority: "",
                form: "probe",
                year: 2026,
                reference: &reference,
                document: &document,
                deliveries: &[NewDelivery::webhook(url, secret_env)],
                files: &[],
                account_email: None,
                now: state.now_ms(),
            })
            .await
            .expect("stored");
        let SubmitOutcome::Stored(r) = outcome else { panic!("a new draft is stored") };
        references.push(r);
    }
    references
}
