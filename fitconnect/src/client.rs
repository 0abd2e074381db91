//! The HTTP side of the sender: the OAuth 2.0 client-credentials token (cached, renewed before
//! it expires and after a 401), the calls to the Submission API, and the one classification of
//! failures into retryable (5xx, 408, 429, connection errors, timeouts) and not retryable (every
//! other 4xx, with the RFC 7807 problem's `type`, `title` and `detail` in the reason).
//!
//! Neither the client secret nor a token nor any content is ever part of a reason or a log line.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode, header};
use serde_json::Value;

/// Where and as whom the sender talks to FIT-Connect.
#[derive(Clone)]
pub struct Config {
    /// The OAuth token endpoint (client credentials).
    pub token_url: String,
    /// The Submission API's base URL, without a trailing slash (e.g. `.../submission-api`).
    pub api_url: String,
    /// The online service's client id (from the FIT-Connect self-service portal).
    pub client_id: String,
    /// The client secret. Never printed.
    pub client_secret: String,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("token_url", &self.token_url)
            .field("api_url", &self.api_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"(hidden)")
            .finish()
    }
}

/// Why a send (or a read of the event log) failed, and whether trying again later can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct SendError {
    /// A 5xx, 408, 429, a connection error or a timeout: the outbox should try again later.
    /// Everything else (another 4xx, a refused key, an invalid document) will fail again the
    /// same way and needs a person.
    pub retryable: bool,
    /// What failed, for the operator: the step, the HTTP status and the problem document's
    /// `type`, `title` and `detail`. No secret, token or content.
    pub reason: String,
}

impl SendError {
    pub(crate) fn permanent(reason: impl Into<String>) -> Self {
        SendError { retryable: false, reason: reason.into() }
    }

    pub(crate) fn transient(reason: impl Into<String>) -> Self {
        SendError { retryable: true, reason: reason.into() }
    }

    /// The same error with `context` put in front of the reason.
    pub(crate) fn context(self, context: impl fmt::Display) -> Self {
        SendError { retryable: self.retryable, reason: format!("{context}: {}", self.reason) }
    }
}

/// A request body.
pub(crate) enum Body {
    None,
    Json(Value),
    /// A JWE in compact serialisation (`Content-Type: application/jose`).
    Jose(String),
}

struct CachedToken {
    value: String,
    renew_at: Instant,
}

/// The authenticated connection to one Submission API.
pub(crate) struct Api {
    config: Config,
    http: reqwest::Client,
    token: Mutex<Option<CachedToken>>,
}

/// Longest a problem's `detail` may be in a reason (a Zustelldienst could send a long text).
const MAX_DETAIL: usize = 300;

impl Api {
    pub(crate) fn new(config: Config, http: reqwest::Client) -> Self {
        Api { config, http, token: Mutex::new(None) }
    }

    fn cached_token(&self) -> Option<String> {
        let guard = self.token.lock().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().filter(|t| Instant::now() < t.renew_at).map(|t| t.value.clone())
    }

    fn forget_token(&self) {
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// A valid bearer token: the cached one, or a new one from the token endpoint.
    async fn token(&self) -> Result<String, SendError> {
        if let Some(token) = self.cached_token() {
            return Ok(token);
        }
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("client_secret", &self.config.client_secret)
            .finish();
        let response = self
            .http
            .post(&self.config.token_url)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(form)
            .send()
            .await
            .map_err(|e| transport_error(e).context("token"))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| transport_error(e).context("token"))?;
        if !status.is_success() {
            let error = status_error(status, &body).context("token");
            // A refused client (400 invalid_client / 401) is a configuration error.
            return Err(error);
        }
        let parsed: Value = serde_json::from_slice(&body).map_err(|_| SendError::transient("token: the answer is not JSON"))?;
        let value = parsed["access_token"]
            .as_str()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| SendError::transient("token: the answer has no access_token"))?
            .to_owned();
        let lifetime = Duration::from_secs(parsed["expires_in"].as_u64().unwrap_or(60));
        // Renew a little before the end so that a call does not arrive with a token that expires
        // on the way: a tenth of the lifetime, at most 30 seconds.
        let margin = (lifetime / 10).min(Duration::from_secs(30));
        let renew_at = Instant::now() + lifetime.saturating_sub(margin);
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = Some(CachedToken { value: value.clone(), renew_at });
        tracing::debug!(lifetime_s = lifetime.as_secs(), "FIT-Connect token obtained");
        Ok(value)
    }

    /// One call to the Submission API (`path` below `api_url`). A 401 renews the token and
    /// repeats the call once. Returns the body of a 2xx answer.
    pub(crate) async fn call(&self, method: Method, path: &str, body: &Body) -> Result<Vec<u8>, SendError> {
        let step = format!("{method} {}", redact_path(path));
        let mut renewed = false;
        loop {
            let token = self.token().await.map_err(|e| e.context(&step))?;
            let url = format!("{}{path}", self.config.api_url);
            let mut request = self
                .http
                .request(method.clone(), url)
                .bearer_auth(token)
                .header(header::ACCEPT, "application/json, application/problem+json");
            request = match body {
                Body::None => request,
                Body::Json(value) => {
                    request.header(header::CONTENT_TYPE, "application/json").body(serde_json::to_vec(value).unwrap_or_default())
                }
                Body::Jose(jwe) => request.header(header::CONTENT_TYPE, "application/jose").body(jwe.clone()),
            };
            let response = request.send().await.map_err(|e| transport_error(e).context(&step))?;
            let status = response.status();
            let bytes = response.bytes().await.map_err(|e| transport_error(e).context(&step))?;
            if status == StatusCode::UNAUTHORIZED && !renewed {
                // The token expired early or was revoked: one fresh token, one more try.
                self.forget_token();
                renewed = true;
                continue;
            }
            if status.is_success() {
                return Ok(bytes.to_vec());
            }
            return Err(status_error(status, &bytes).context(&step));
        }
    }

    /// [`call`](Self::call) for an answer that is a JSON object.
    pub(crate) async fn call_json(&self, method: Method, path: &str, body: &Body) -> Result<Value, SendError> {
        let step = format!("{method} {}", redact_path(path));
        let bytes = self.call(method, path, body).await?;
        serde_json::from_slice(&bytes).map_err(|_| SendError::transient(format!("{step}: the answer is not JSON")))
    }
}

/// Paths name only ids (destination, submission, case, attachment, key); they stay in reasons
/// so that the operator can find the submission. Kept as a function so that a future path with
/// a query cannot leak one.
fn redact_path(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

/// A failure before an HTTP status: connection refused, reset, timeout. Always retryable. The
/// URL is left out of the text (it is in the step already).
fn transport_error(error: reqwest::Error) -> SendError {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the answer broke off"
    } else {
        "the request failed"
    };
    SendError::transient(format!("{kind} ({})", error.without_url()))
}

/// An HTTP error status with its RFC 7807 problem document, if the body is one.
pub(crate) fn status_error(status: StatusCode, body: &[u8]) -> SendError {
    let retryable = status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS;
    let mut reason = format!("HTTP {status}");
    if let Ok(problem) = serde_json::from_slice::<Value>(body) {
        let text = |name: &str| problem.get(name).and_then(Value::as_str).filter(|s| !s.is_empty());
        if let Some(title) = text("title") {
            reason.push_str(&format!(": {title}"));
        }
        if let Some(kind) = text("type") {
            reason.push_str(&format!(" ({kind})"));
        }
        if let Some(detail) = text("detail") {
            let detail: String = detail.chars().take(MAX_DETAIL).collect();
            reason.push_str(&format!(": {detail}"));
        }
        // OAuth errors (RFC 6749 5.2) have `error` instead.
        if let Some(error) = text("error") {
            reason.push_str(&format!(": {error}"));
        }
    }
    SendError { retryable, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let problem = br#"{"type":"https://schema.fitko.de/fit-connect/submission-api/problems/destination-not-found","title":"Destination not found","detail":"no such destination","status":404}"#;
        let e = status_error(StatusCode::NOT_FOUND, problem);
        assert!(!e.retryable);
        assert_eq!(
            e.reason,
            "HTTP 404 Not Found: Destination not found (https://schema.fitko.de/fit-connect/submission-api/problems/destination-not-found): no such destination"
        );
        for (code, retry) in [
            (400, false),
            (403, false),
            (409, false),
            (422, false),
            (408, true),
            (429, true),
            (500, true),
            (502, true),
            (503, true),
            (504, true),
        ] {
            assert_eq!(status_error(StatusCode::from_u16(code).unwrap(), b"").retryable, retry, "{code}");
        }
        let long = format!(r#"{{"title":"t","detail":"{}"}}"#, "x".repeat(1000));
        assert!(status_error(StatusCode::BAD_REQUEST, long.as_bytes()).reason.len() < 400);
    }

    #[test]
    fn config_debug_hides_the_secret() {
        let config = Config {
            token_url: "https://auth/token".into(),
            api_url: "https://api".into(),
            client_id: "client".into(),
            client_secret: "s3cr3t-value".into(),
        };
        assert!(!format!("{config:?}").contains("s3cr3t-value"));
    }
}
