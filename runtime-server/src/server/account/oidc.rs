//! The OpenID Connect relying party (the `openidconnect` crate): discovery at start-up,
//! `GET /login?next=…`, `GET /login/callback`, `POST /logout`.
//!
//! The authorization code flow with PKCE (S256). `state` (only its hash is stored) and
//! `nonce` belong to the browser session that started the login and are used once: the
//! callback deletes the attempt before anything else, so a replayed callback finds none.
//! The ID token is checked by the crate: its signature against the provider's JWKS (only
//! asymmetric algorithms: never `none`, never a MAC keyed with the client secret), issuer,
//! audience, expiry and nonce. Only then are its claims read, and only the attributes some
//! served form prefills are kept. Every refusal is a page and creates no session; the log
//! names the reason, never a token or a claim.

use std::time::Duration;

use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use engine::account::{AccountValues, TrustLevel, attribute};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;

use super::super::pages::{Sid, account_message};
use super::super::{AppState, security};
use super::store::{ATTEMPT_TTL_MS, Attempt};
use super::{ACCOUNT_COOKIE, OidcSettings, local_next};

/// The relying party: the settings and what discovery found.
#[derive(Debug)]
pub struct Oidc {
    /// The configuration.
    pub settings: OidcSettings,
    /// The provider's metadata and keys (JWKS), from discovery.
    metadata: CoreProviderMetadata,
    /// The HTTP client towards the provider: no redirects, a timeout.
    http: reqwest::Client,
    /// The attributes kept from an ID token (those some served form prefills).
    wanted: Vec<String>,
}

/// Why the relying party cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A configured address is not a URL.
    #[error("{0}")]
    Url(String),
    /// Discovery failed (the provider is away, or its answer is not a provider configuration).
    #[error("OpenID Connect discovery at `{issuer}` failed: {reason}")]
    Discovery {
        /// The issuer.
        issuer: String,
        /// What went wrong.
        reason: String,
    },
}

/// The signature algorithms an ID token may use: asymmetric only.
const ALGORITHMS: [CoreJwsSigningAlgorithm; 7] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

impl Oidc {
    /// Discovers the provider (`{issuer}/.well-known/openid-configuration` and its JWKS).
    pub async fn discover(settings: OidcSettings, wanted: Vec<String>) -> Result<Oidc, SetupError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| SetupError::Url(e.to_string()))?;
        let issuer = IssuerUrl::new(settings.issuer.clone()).map_err(|e| SetupError::Url(format!("--oidc-issuer: {e}")))?;
        RedirectUrl::new(settings.redirect_url.clone()).map_err(|e| SetupError::Url(format!("--oidc-redirect-url: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .map_err(|e| SetupError::Discovery { issuer: settings.issuer.clone(), reason: error_chain(&e) })?;
        Ok(Oidc { settings, metadata, http, wanted })
    }

    fn client(
        &self,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        String,
    > {
        let redirect = RedirectUrl::new(self.settings.redirect_url.clone()).map_err(|e| e.to_string())?;
        Ok(CoreClient::from_provider_metadata(
            self.metadata.clone(),
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    fn trust_of(&self, claims: &serde_json::Value) -> Option<TrustLevel> {
        let value = claims.get(&self.settings.trust_claim)?;
        // `acr` is a string; a broker may send a list (the first that maps counts).
        let values: Vec<&str> = match value {
            serde_json::Value::String(s) => vec![s.as_str()],
            serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
            _ => Vec::new(),
        };
        values.iter().find_map(|v| self.settings.trust_map.iter().find(|(k, _)| k == v).map(|(_, l)| *l))
    }

    /// The kept attributes from the (verified) ID token's claims.
    fn attributes(&self, claims: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
        let mut out = std::collections::BTreeMap::new();
        for name in &self.wanted {
            let Some(attr) = attribute(name) else { continue };
            let mut v = claims;
            for part in attr.claim.split('.') {
                match v.get(part) {
                    Some(next) => v = next,
                    None => {
                        v = &serde_json::Value::Null;
                        break;
                    }
                }
            }
            let text = match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Array(a) => a.first().and_then(|x| x.as_str()).map(str::to_string),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            // A value longer than any answer would be is not an attribute but garbage.
            if let Some(t) = text.filter(|t| !t.trim().is_empty() && t.chars().count() <= 500) {
                out.insert(name.clone(), t);
            }
        }
        out
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

/// `?next=`.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// `GET /login?next=/f/…`: starts a login at the provider (303 to its authorization
/// endpoint). `next` must be a local path.
pub async fn login(State(state): State<AppState>, axum::Extension(sid): axum::Extension<Sid>, Query(q): Query<LoginQuery>) -> Response {
    let Some(oidc) = state.oidc.as_ref() else {
        return super::super::pages::message_page(&state, StatusCode::NOT_FOUND, "not_found", "not_found_text");
    };
    let client = match oidc.client() {
        Ok(c) => c,
        Err(e) => return refused(&state, &sid, "client", &e),
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random);
    for s in &oidc.settings.scopes {
        req = req.add_scope(Scope::new(s.clone()));
    }
    let (url, csrf, nonce) = req.set_pkce_challenge(challenge).url();
    let attempt = Attempt {
        session_hash: sid.hash(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        next_url: local_next(q.next.as_deref()),
        created_at: state.now_ms(),
    };
    if let Err(e) = state.store.put_login_attempt(&security::sha256_hex(csrf.secret()), &attempt).await {
        tracing::error!(error = %e, "storage error storing a login attempt");
        return super::super::pages::message_page(&state, StatusCode::SERVICE_UNAVAILABLE, "unavailable", "unavailable_text");
    }
    Redirect::to(url.as_str()).into_response()
}

/// The provider's redirect back.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /login/callback?code=…&state=…`: takes the login attempt of `state` (once, and only
/// for the browser session that started it), exchanges the code with the PKCE verifier,
/// verifies the ID token and creates the account session.
pub async fn callback(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let Some(oidc) = state.oidc.as_ref() else {
        return super::super::pages::message_page(&state, StatusCode::NOT_FOUND, "not_found", "not_found_text");
    };
    if let Some(e) = &q.error {
        // The citizen cancelled, or the provider refused: no attempt is spent on guessing.
        let reason = if e.len() <= 64 && e.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') { e.as_str() } else { "other" };
        return refused(&state, &sid, "provider_error", reason);
    }
    let (Some(code), Some(st)) = (q.code, q.state) else { return refused(&state, &sid, "no_code", "") };
    let attempt = match state.store.take_login_attempt(&security::sha256_hex(&st)).await {
        Ok(Some(a)) => a,
        Ok(None) => return refused(&state, &sid, "unknown_state", ""),
        Err(e) => {
            tracing::error!(error = %e, "storage error reading a login attempt");
            return super::super::pages::message_page(&state, StatusCode::SERVICE_UNAVAILABLE, "unavailable", "unavailable_text");
        }
    };
    if !security::ct_eq(&attempt.session_hash, &sid.hash()) {
        return refused(&state, &sid, "other_browser", "");
    }
    if state.now_ms() - attempt.created_at > ATTEMPT_TTL_MS {
        return refused(&state, &sid, "attempt_expired", "");
    }
    let client = match oidc.client() {
        Ok(c) => c,
        Err(e) => return refused(&state, &sid, "client", &e),
    };
    let request = match client.exchange_code(AuthorizationCode::new(code)) {
        Ok(r) => r,
        Err(e) => return refused(&state, &sid, "no_token_endpoint", &e.to_string()),
    };
    let token = match request.set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier.clone())).request_async(&oidc.http).await {
        Ok(t) => t,
        Err(e) => return refused(&state, &sid, "token_request", &error_chain(&e)),
    };
    let _ = token.access_token();
    let Some(id_token) = token.id_token() else { return refused(&state, &sid, "no_id_token", "") };
    let verifier = client.id_token_verifier().set_allowed_algs(ALGORITHMS);
    let nonce = Nonce::new(attempt.nonce.clone());
    let claims = match id_token.claims(&verifier, &nonce) {
        Ok(c) => c,
        Err(e) => return refused(&state, &sid, "id_token", &error_chain(&e)),
    };
    let issuer = claims.issuer().as_str().to_string();
    let subject = claims.subject().as_str().to_string();
    // The claims the crate verified, as JSON, for the trust claim and the attributes it
    // has no type for (the token is the string just verified).
    let payload = id_token.to_string().split('.').nth(1).and_then(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok());
    let Some(json) = payload.and_then(|p| serde_json::from_slice::<serde_json::Value>(&p).ok()) else {
        return refused(&state, &sid, "claims", "");
    };
    let values = AccountValues { trust: oidc.trust_of(&json), values: oidc.attributes(&json) };
    // Claim names only (never their values), to set up the trust claim and the mappers.
    tracing::debug!(claims = ?json.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()), "ID token claims");
    let id = security::random_hex(16);
    let now = state.now_ms();
    let expires = now + oidc.settings.absolute.as_millis() as i64;
    let claims_json = serde_json::to_string(&values.values).unwrap_or_else(|_| "{}".into());
    if let Err(e) = state
        .store
        .put_account_session(
            &security::sha256_hex(&id),
            &issuer,
            &subject,
            values.trust.map(TrustLevel::as_str),
            &claims_json,
            now,
            expires,
        )
        .await
    {
        tracing::error!(error = %e, "storage error creating an account session");
        return super::super::pages::message_page(&state, StatusCode::SERVICE_UNAVAILABLE, "unavailable", "unavailable_text");
    }
    tracing::info!(trust = values.trust.map(TrustLevel::as_str).unwrap_or("none"), "login");
    let mut res = Redirect::to(&attempt.next_url).into_response();
    let max_age = oidc.settings.absolute.as_secs() as i64;
    let c = security::set_cookie(ACCOUNT_COOKIE, &id, max_age, state.config.secure_cookies);
    if let Ok(v) = HeaderValue::from_str(&c) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// A refused login: a page, no session. The log says why (never a token or a claim value:
/// the crate's messages name claims, not their values, and the reason codes are ours).
fn refused(state: &AppState, sid: &Sid, why: &str, detail: &str) -> Response {
    tracing::warn!(reason = why, detail = %detail.chars().take(300).collect::<String>(), "login refused");
    account_message(state, sid, StatusCode::FORBIDDEN, "login_failed", "login_failed_text")
}

/// `POST /logout` (CSRF): ends the account session and clears its cookie.
pub async fn logout(State(state): State<AppState>, axum::Extension(sid): axum::Extension<Sid>, req: Request) -> Response {
    let headers: HeaderMap = req.headers().clone();
    let body = match axum::body::to_bytes(req.into_body(), 16 * 1024).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response(),
    };
    let token = form_urlencoded::parse(&body).find(|(k, _)| k == "_csrf").map(|(_, v)| v.into_owned());
    let expected = security::csrf_token(&sid.0);
    if !security::same_origin(&headers) || !token.is_some_and(|t| security::ct_eq(&t, &expected)) {
        return account_message(&state, &sid, StatusCode::FORBIDDEN, "forbidden", "forbidden_text");
    }
    if let Some(id) = security::cookie(&headers, ACCOUNT_COOKIE)
        && let Err(e) = state.store.delete_account_session(&security::sha256_hex(&id)).await
    {
        tracing::error!(error = %e, "storage error ending an account session");
        return super::super::pages::message_page(&state, StatusCode::SERVICE_UNAVAILABLE, "unavailable", "unavailable_text");
    }
    let mut res = account_message(&state, &sid, StatusCode::OK, "logged_out", "logged_out_text");
    let c = security::set_cookie(ACCOUNT_COOKIE, "", 0, state.config.secure_cookies);
    if let Ok(v) = HeaderValue::from_str(&c) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}
