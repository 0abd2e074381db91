//! A stand-in Zustelldienst for tests (feature `standin`): an HTTP server on `127.0.0.1:0`
//! written after the published Submission API v1 (token, destinations, keys, submissions,
//! attachments, case events, JWKS). Unlike the real Zustelldienst, which only ever sees
//! ciphertext, it holds the destination's private key: it decrypts everything and checks what a
//! subscriber would check (the official metadata schema, the Fachdaten against the JSON Schema
//! configured for their `schemaUri`, every hash, every announced attachment present), and
//! answers 422 with a problem document naming what failed.
//!
//! Its keys are fixed **test-only** keys committed with the crate (`src/standin/*.pem`, public
//! on purpose): generating RSA-4096 keys at every start takes seconds in a debug build.
//!
//! Idempotency: FIT-Connect has no idempotency key, so a sender that retries after a failure
//! part-way creates a second submission. The application's reference number
//! (`additionalReferenceInfo.senderReference`) is the same in every try; [`StandIn::received`]
//! counts repeats by it (`Received::repeat`), as a subscriber would to spot a duplicate.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use rsa::RsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use serde_json::{Value, json};

use crate::events::{self, EventKind, Problem};
use crate::{jwe, key, metadata};

const ENCRYPTION_PEM: &str = include_str!("standin/standin-test-key.pem");
const SIGNING_PEM: &str = include_str!("standin/standin-test-signing-key.pem");

/// The kid of the stand-in's encryption key.
pub const ENCRYPTION_KID: &str = "standin-encryption-1";
/// The kid of the stand-in's event signing key.
pub const SIGNING_KID: &str = "standin-signing-1";

fn parse_pem(pem: &str) -> RsaPrivateKey {
    // The files start with a comment line saying they are test-only keys.
    let start = pem.find("-----BEGIN").unwrap_or(0);
    RsaPrivateKey::from_pkcs8_pem(&pem[start..]).expect("the committed stand-in test key parses")
}

static KEYS: LazyLock<(RsaPrivateKey, RsaPrivateKey)> = LazyLock::new(|| (parse_pem(ENCRYPTION_PEM), parse_pem(SIGNING_PEM)));

/// What the stand-in serves.
#[derive(Debug, Clone)]
pub struct StandInConfig {
    /// The client id the token endpoint accepts.
    pub client_id: String,
    /// The client secret the token endpoint accepts.
    pub client_secret: String,
    /// The one destination's id.
    pub destination_id: String,
    /// The service type it accepts (`urn:de:fim:leika:leistung:<key>`).
    pub service_identifier: String,
    /// The Fachdaten schemas it accepts: `schemaUri` and the JSON Schema checked for it.
    pub data_schemas: Vec<(String, Value)>,
    /// How long a token lives (short in the renewal test).
    pub token_lifetime: Duration,
}

impl StandInConfig {
    /// One destination for one service with one Fachdaten schema; client `standin-client` with
    /// secret `standin-secret`; tokens live five minutes.
    pub fn new(destination_id: &str, leika_key: &str, schema_uri: &str, schema: Value) -> Self {
        StandInConfig {
            client_id: "standin-client".into(),
            client_secret: "standin-secret".into(),
            destination_id: destination_id.into(),
            service_identifier: format!("{}{leika_key}", metadata::LEIKA_URN_PREFIX),
            data_schemas: vec![(schema_uri.into(), schema)],
            token_lifetime: Duration::from_secs(300),
        }
    }
}

/// An attachment as the stand-in received and decrypted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedAttachment {
    /// The announced id.
    pub attachment_id: String,
    /// The metadata's `filename`.
    pub filename: Option<String>,
    /// The metadata's `purpose` (`form`, `attachment`).
    pub purpose: String,
    /// The metadata's `mimeType`.
    pub mime_type: String,
    /// The plain bytes.
    pub bytes: Vec<u8>,
}

/// A submission the stand-in accepted, decrypted.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    /// Its submission id.
    pub submission_id: String,
    /// Its case id.
    pub case_id: String,
    /// The decrypted metadata document.
    pub metadata: Value,
    /// The decrypted Fachdaten.
    pub data: Value,
    /// The attachments in the metadata's order.
    pub attachments: Vec<ReceivedAttachment>,
    /// How many earlier accepted submissions carry the same `senderReference` (0: the first).
    pub repeat: usize,
}

enum Fault {
    Status(StatusCode),
    Problem(StatusCode, Value),
    Hang,
}

struct Knob {
    route: String,
    remaining: usize,
    fault: Fault,
}

struct Submission {
    case_id: String,
    announced: Vec<String>,
    attachments: HashMap<String, Vec<u8>>,
    submitted: bool,
}

#[derive(Default)]
struct Mutable {
    tokens: HashMap<String, Instant>,
    token_requests: usize,
    served_key: Option<Value>,
    knobs: Vec<Knob>,
    requests: Vec<String>,
    submissions: HashMap<String, Submission>,
    events: HashMap<String, Vec<String>>,
    received: Vec<Received>,
}

struct Shared {
    config: StandInConfig,
    validators: HashMap<String, jsonschema::Validator>,
    state: Mutex<Mutable>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Mutable> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running stand-in Zustelldienst; stops when dropped.
pub struct StandIn {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).expect("random source");
    hex::encode(b)
}

fn uuid() -> String {
    crate::sender::uuid_v4().expect("random source")
}

/// An RFC 7807 problem response (`type` under FIT-Connect's problem namespace).
fn problem(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Response {
    let body = json!({
        "type": format!("https://schema.fitko.de/fit-connect/submission-api/problems/{kind}"),
        "title": title,
        "status": status.as_u16(),
        "detail": detail.into(),
    });
    (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

impl StandIn {
    /// Starts the stand-in on `127.0.0.1:0`. Fails if a Fachdaten schema does not compile.
    pub async fn start(config: StandInConfig) -> std::io::Result<StandIn> {
        let mut validators = HashMap::new();
        for (uri, schema) in &config.data_schemas {
            let validator = jsonschema::validator_for(schema)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("schema {uri}: {e}")))?;
            validators.insert(uri.clone(), validator);
        }
        LazyLock::force(&KEYS);
        let shared = Arc::new(Shared { config, validators, state: Mutex::new(Mutable::default()) });
        let app = Router::new()
            .route("/token", post(token))
            .route("/.well-known/jwks.json", get(jwks))
            .route("/destinations/{id}", get(destination))
            .route("/destinations/{id}/keys/{kid}", get(destination_key))
            .route("/submissions", post(create_submission))
            .route("/submissions/{id}", put(submit))
            .route("/submissions/{id}/attachments/{aid}", put(upload))
            .route("/cases/{id}/events", get(case_events))
            .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
            .layer(middleware::from_fn_with_state(shared.clone(), faults))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(StandIn { addr, shared, task })
    }

    /// The Submission API's base URL (no trailing slash).
    pub fn api_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    /// A sender configuration with the stand-in's URLs and client credentials.
    pub fn sender_config(&self) -> crate::Config {
        crate::Config {
            token_url: self.token_url(),
            api_url: self.api_url(),
            client_id: self.shared.config.client_id.clone(),
            client_secret: self.shared.config.client_secret.clone(),
        }
    }

    /// The destination's private key (to decrypt by hand in a test).
    pub fn encryption_private_key(&self) -> &'static RsaPrivateKey {
        &KEYS.0
    }

    /// The public JWK the stand-in serves for its encryption key.
    pub fn encryption_jwk(&self) -> Value {
        key::public_jwk(&KEYS.0.to_public_key(), ENCRYPTION_KID, jwe::ALG, &["wrapKey"])
    }

    /// Serves `jwk` as the destination's encryption key instead of its own (a 2048-bit key, a
    /// key without `wrapKey`, …). Give it the kid [`ENCRYPTION_KID`].
    pub fn serve_encryption_key(&self, jwk: Value) {
        self.shared.lock().served_key = Some(jwk);
    }

    /// The next `n` requests whose `METHOD /path` starts with `route` ("" for any) fail with 503.
    pub fn fail_next(&self, route: &str, n: usize) {
        self.add_knob(route, n, Fault::Status(StatusCode::SERVICE_UNAVAILABLE));
    }

    /// The next request matching `route` is answered with `status` and a problem document.
    pub fn problem_next(&self, route: &str, status: u16, kind: &str, title: &str, detail: &str) {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = json!({
            "type": format!("https://schema.fitko.de/fit-connect/submission-api/problems/{kind}"),
            "title": title,
            "status": status.as_u16(),
            "detail": detail,
        });
        self.add_knob(route, 1, Fault::Problem(status, body));
    }

    /// The next request matching `route` is never answered (the client's timeout must fire).
    pub fn hang_next(&self, route: &str) {
        self.add_knob(route, 1, Fault::Hang);
    }

    fn add_knob(&self, route: &str, n: usize, fault: Fault) {
        self.shared.lock().knobs.push(Knob { route: route.into(), remaining: n, fault });
    }

    /// Every request so far as `METHOD /path`, in order.
    pub fn requests(&self) -> Vec<String> {
        self.shared.lock().requests.clone()
    }

    /// How many tokens were issued.
    pub fn token_requests(&self) -> usize {
        self.shared.lock().token_requests
    }

    /// Revokes every token issued so far (their next use is answered 401).
    pub fn revoke_tokens(&self) {
        self.shared.lock().tokens.clear();
    }

    /// Every submission accepted so far, decrypted, in order.
    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().received.clone()
    }

    /// How many accepted submissions carry `reference` as `senderReference`.
    pub fn count_by_reference(&self, reference: &str) -> usize {
        self.shared.lock().received.iter().filter(|r| r.metadata["additionalReferenceInfo"]["senderReference"] == reference).count()
    }

    fn push_event(&self, case_id: &str, kind: EventKind, problems: &[Problem]) {
        let mut state = self.shared.lock();
        let submission_id = state.submissions.iter().find(|(_, s)| s.case_id == case_id).map(|(id, _)| id.clone()).unwrap_or_default();
        let token = events::sign(&KEYS.1, SIGNING_KID, case_id, &submission_id, &kind, problems, now_secs());
        state.events.entry(case_id.into()).or_default().push(token);
    }

    /// The authority accepts the case's submission (an accept-submission event).
    pub fn accept(&self, case_id: &str) {
        self.push_event(case_id, EventKind::Accept, &[]);
    }

    /// The authority rejects the case's submission with these problems.
    pub fn reject(&self, case_id: &str, problems: &[Problem]) {
        self.push_event(case_id, EventKind::Reject, problems);
    }

    /// Appends a token as it is to the case's log (a forged one, in a test).
    pub fn push_raw_event(&self, case_id: &str, token: String) {
        self.shared.lock().events.entry(case_id.into()).or_default().push(token);
    }
}

/// Records every request and applies the test knobs before the routes see it.
async fn faults(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let line = format!("{} {}", request.method(), request.uri().path());
    let fault = {
        let mut state = shared.lock();
        state.requests.push(line.clone());
        let mut fired = None;
        if let Some(knob) = state.knobs.iter_mut().find(|k| k.remaining > 0 && line.starts_with(&k.route)) {
            knob.remaining -= 1;
            fired = Some(match &knob.fault {
                Fault::Status(s) => Fault::Status(*s),
                Fault::Problem(s, b) => Fault::Problem(*s, b.clone()),
                Fault::Hang => Fault::Hang,
            });
        }
        state.knobs.retain(|k| k.remaining > 0);
        fired
    };
    match fault {
        None => next.run(request).await,
        Some(Fault::Status(status)) => problem(status, "service-unavailable", "Service unavailable", "stand-in fault"),
        Some(Fault::Problem(status, body)) => {
            (status, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
        }
        Some(Fault::Hang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

async fn token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |n: &str| form.get(n).map(String::as_str);
    if field("grant_type") != Some("client_credentials") {
        return json_response(StatusCode::BAD_REQUEST, json!({"error": "unsupported_grant_type"}));
    }
    let config = &shared.config;
    if field("client_id") != Some(config.client_id.as_str()) || field("client_secret") != Some(config.client_secret.as_str()) {
        return json_response(StatusCode::UNAUTHORIZED, json!({"error": "invalid_client"}));
    }
    let token = random_hex(32);
    let mut state = shared.lock();
    state.token_requests += 1;
    state.tokens.insert(token.clone(), Instant::now() + config.token_lifetime);
    json_response(
        StatusCode::OK,
        json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": config.token_lifetime.as_secs(),
            "scope": format!("send:region:DE"),
        }),
    )
}

/// Some(response) when the bearer token is missing, unknown or expired.
fn unauthorised(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let valid = token.is_some_and(|t| shared.lock().tokens.get(t).is_some_and(|expiry| Instant::now() < *expiry));
    (!valid).then(|| problem(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized", "no valid bearer token"))
}

async fn jwks() -> Response {
    let jwk = key::public_jwk(&KEYS.1.to_public_key(), SIGNING_KID, "PS512", &["verify"]);
    json_response(StatusCode::OK, json!({"keys": [jwk]}))
}

fn destination_not_found() -> Response {
    problem(StatusCode::NOT_FOUND, "destination-not-found", "Destination not found", "no such destination")
}

async fn destination(State(shared): State<Arc<Shared>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = unauthorised(&shared, &headers) {
        return r;
    }
    let config = &shared.config;
    if id != config.destination_id {
        return destination_not_found();
    }
    let schemas: Vec<Value> =
        config.data_schemas.iter().map(|(uri, _)| json!({"schemaUri": uri, "mimeType": metadata::DATA_MIME})).collect();
    json_response(
        StatusCode::OK,
        json!({
            "destinationId": id,
            "status": "active",
            "encryptionKid": ENCRYPTION_KID,
            "metadataVersions": ["1.0.0"],
            "services": [{"identifier": config.service_identifier, "submissionSchemas": schemas, "regions": ["DE"]}],
        }),
    )
}

async fn destination_key(State(shared): State<Arc<Shared>>, headers: HeaderMap, Path((id, kid)): Path<(String, String)>) -> Response {
    if let Some(r) = unauthorised(&shared, &headers) {
        return r;
    }
    if id != shared.config.destination_id {
        return destination_not_found();
    }
    if kid != ENCRYPTION_KID {
        return problem(StatusCode::NOT_FOUND, "key-not-found", "Key not found", "no such key");
    }
    let served = shared.lock().served_key.clone();
    let jwk = served.unwrap_or_else(|| key::public_jwk(&KEYS.0.to_public_key(), ENCRYPTION_KID, jwe::ALG, &["wrapKey"]));
    json_response(StatusCode::OK, jwk)
}

fn invalid_request(detail: impl Into<String>) -> Response {
    problem(StatusCode::BAD_REQUEST, "request-invalid", "Invalid request", detail)
}

async fn create_submission(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = unauthorised(&shared, &headers) {
        return r;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return invalid_request("the body is not JSON");
    };
    if body["destinationId"] != shared.config.destination_id.as_str() {
        return destination_not_found();
    }
    if body["serviceType"]["identifier"] != shared.config.service_identifier.as_str() {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "service-type-not-accepted",
            "Service type not accepted",
            "the destination does not accept this service type",
        );
    }
    let Some(announced) = body["announcedAttachments"]
        .as_array()
        .and_then(|ids| ids.iter().map(|id| id.as_str().map(str::to_owned)).collect::<Option<Vec<_>>>())
    else {
        return invalid_request("announcedAttachments must be a list of ids");
    };
    let mut unique = announced.clone();
    unique.sort();
    unique.dedup();
    if unique.len() != announced.len() || announced.iter().any(|id| id.len() != 36) {
        return invalid_request("announcedAttachments must be distinct UUIDs");
    }
    let submission_id = uuid();
    let case_id = uuid();
    shared
        .lock()
        .submissions
        .insert(submission_id.clone(), Submission { case_id: case_id.clone(), announced, attachments: HashMap::new(), submitted: false });
    json_response(
        StatusCode::CREATED,
        json!({"destinationId": shared.config.destination_id, "submissionId": submission_id, "caseId": case_id}),
    )
}

async fn upload(State(shared): State<Arc<Shared>>, headers: HeaderMap, Path((id, aid)): Path<(String, String)>, body: Bytes) -> Response {
    if let Some(r) = unauthorised(&shared, &headers) {
        return r;
    }
    if headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) != Some("application/jose") {
        return problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "expected application/jose",
        );
    }
    let opened = match std::str::from_utf8(&body).map_err(|_| jwe::JweError::Format).and_then(|t| jwe::decrypt(&KEYS.0, t)) {
        Ok(opened) => opened,
        Err(e) => return invalid_request(format!("the attachment is not a JWE for this destination: {e}")),
    };
    if opened.kid.as_deref() != Some(ENCRYPTION_KID) {
        return invalid_request("the attachment's kid is not the destination's encryption key");
    }
    let mut state = shared.lock();
    let Some(submission) = state.submissions.get_mut(&id) else {
        return problem(StatusCode::NOT_FOUND, "submission-not-found", "Submission not found", "no such submission");
    };
    if submission.submitted {
        return problem(StatusCode::CONFLICT, "submission-state-invalid", "Submission already submitted", "already submitted");
    }
    if !submission.announced.contains(&aid) {
        return problem(
            StatusCode::NOT_FOUND,
            "attachment-not-announced",
            "Attachment not announced",
            "this attachment id was not announced",
        );
    }
    submission.attachments.insert(aid, opened.plaintext);
    StatusCode::NO_CONTENT.into_response()
}

/// Decrypts and checks a submission as a subscriber would; every failure is named.
fn check_submission(
    shared: &Shared,
    submission: &Submission,
    body: &Value,
) -> Result<(Value, Value, Vec<ReceivedAttachment>), Vec<String>> {
    let mut failures = Vec::new();
    let open = |name: &str| -> Result<Vec<u8>, String> {
        let text = body[name].as_str().ok_or(format!("{name} is missing"))?;
        let opened = jwe::decrypt(&KEYS.0, text).map_err(|e| format!("{name}: {e}"))?;
        if opened.kid.as_deref() != Some(ENCRYPTION_KID) {
            return Err(format!("{name}: kid is not the destination's encryption key"));
        }
        Ok(opened.plaintext)
    };
    let metadata_bytes = open("encryptedMetadata").map_err(|e| vec![e])?;
    let data_bytes = open("encryptedData").map_err(|e| vec![e])?;
    let metadata: Value = serde_json::from_slice(&metadata_bytes).map_err(|_| vec!["the metadata is not JSON".to_owned()])?;
    if let Err(errors) = metadata::validate(&metadata) {
        failures.extend(errors.into_iter().map(|e| format!("metadata: {e}")));
    }
    let data: Value = serde_json::from_slice(&data_bytes).map_err(|_| vec!["the Fachdaten are not JSON".to_owned()])?;
    let structure = &metadata["contentStructure"];
    let schema_uri = structure["data"]["submissionSchema"]["schemaUri"].as_str().unwrap_or_default();
    match shared.validators.get(schema_uri) {
        None => failures.push(format!("Fachdaten schema {schema_uri:?} is not accepted by the destination")),
        Some(validator) => failures.extend(
            validator
                .iter_errors(&data)
                .map(|e| format!("Fachdaten: {} violates {}", e.instance_path().as_str(), e.schema_path().as_str())),
        ),
    }
    if structure["data"]["hash"]["content"] != metadata::sha512_hex(&data_bytes).as_str() {
        failures.push("Fachdaten: the hash does not match".into());
    }
    let entries = structure["attachments"].as_array().cloned().unwrap_or_default();
    let mut attachments = Vec::new();
    for id in &submission.announced {
        if !submission.attachments.contains_key(id) {
            failures.push(format!("attachment {id} was announced but not uploaded"));
        }
        if !entries.iter().any(|e| e["attachmentId"] == id.as_str()) {
            failures.push(format!("attachment {id} is not described in the metadata"));
        }
    }
    for entry in &entries {
        let id = entry["attachmentId"].as_str().unwrap_or_default();
        let Some(bytes) = submission.attachments.get(id) else {
            failures.push(format!("the metadata describes attachment {id}, which was not uploaded"));
            continue;
        };
        if entry["hash"]["content"] != metadata::sha512_hex(bytes).as_str() {
            failures.push(format!("attachment {id}: the hash does not match"));
        }
        let text = |n: &str| entry[n].as_str().map(str::to_owned);
        attachments.push(ReceivedAttachment {
            attachment_id: id.into(),
            filename: text("filename"),
            purpose: text("purpose").unwrap_or_default(),
            mime_type: text("mimeType").unwrap_or_default(),
            bytes: bytes.clone(),
        });
    }
    if failures.is_empty() { Ok((metadata, data, attachments)) } else { Err(failures) }
}

async fn submit(State(shared): State<Arc<Shared>>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Response {
    if let Some(r) = unauthorised(&shared, &headers) {
        return r;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return invalid_request("the body is not JSON");
    };
    let mut state = shared.lock();
    let Some(submission) = state.submissions.get(&id) else {
        return problem(StatusCode::NOT_FOUND, "submission-not-found", "Submission not found", "no such submission");
    };
    if submission.submitted {
        return problem(StatusCode::CONFLICT, "submission-state-invalid", "Submission already submitted", "already submitted");
    }
    let (metadata, data, attachments) = match check_submission(&shared, submission, &body) {
        Ok(checked) => checked,
        Err(failures) => {
            return problem(StatusCode::UNPROCESSABLE_ENTITY, "submission-invalid", "Submission invalid", failures.join("; "));
        }
    };
    let case_id = submission.case_id.clone();
    if let Some(s) = state.submissions.get_mut(&id) {
        s.submitted = true;
    }
    let reference = metadata["additionalReferenceInfo"]["senderReference"].clone();
    let repeat = state
        .received
        .iter()
        .filter(|r| !reference.is_null() && r.metadata["additionalReferenceInfo"]["senderReference"] == reference)
        .count();
    state.received.push(Received { submission_id: id.clone(), case_id: case_id.clone(), metadata, data, attachments, repeat });
    let token = events::sign(&KEYS.1, SIGNING_KID, &case_id, &id, &EventKind::Submit, &[], now_secs());
    state.events.entry(case_id.clone()).or_default().push(token);
    json_response(StatusCode::ACCEPTED, json!({"destinationId": shared.config.destination_id, "submissionId": id, "caseId": case_id}))
}

async fn case_events(State(shared): State<Arc<Shared>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = unauthorised(&shared, &headers) {
        return r;
    }
    let state = shared.lock();
    let Some(log) = state.events.get(&id) else {
        return problem(StatusCode::NOT_FOUND, "case-not-found", "Case not found", "no such case");
    };
    json_response(StatusCode::OK, json!({"count": log.len(), "offset": 0, "totalCount": log.len(), "eventLog": log}))
}
