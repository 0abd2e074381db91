//! The event log of a case: Security Event Tokens (RFC 8417), JWTs signed by the Zustelldienst
//! (or, for accept and reject, by the subscriber through it) with PS512. Each token is verified
//! against the published signature keys before its event is believed; the stand-in uses
//! [`sign`] to issue them.
//!
//! A token's claims: `iss`, `iat`, `jti`, `sub` (`submission:<id>`), `txn` (`case:<id>`) and
//! `events` with exactly one event URI of `https://schema.fitko.de/fit-connect/events/`;
//! reject-submission carries `problems` (RFC 7807 objects).

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rsa::pss::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use sha2::Sha512;

/// The namespace of FIT-Connect's event URIs.
pub const EVENT_PREFIX: &str = "https://schema.fitko.de/fit-connect/events/";

/// What happened to the submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// `create-submission`: the submission was created.
    Create,
    /// `submit-submission`: the sender submitted it; the Zustelldienst holds it.
    Submit,
    /// `notify-submission`: the sender added to it.
    Notify,
    /// `forward-submission`: forwarded to another destination.
    Forward,
    /// `accept-submission`: the authority accepted it.
    Accept,
    /// `reject-submission`: the authority (or the Zustelldienst) rejected it; see `problems`.
    Reject,
    /// `delete-submission`: deleted at the Zustelldienst.
    Delete,
    /// Another event URI, kept as it came.
    Other(String),
}

impl EventKind {
    fn from_uri(uri: &str) -> EventKind {
        match uri.strip_prefix(EVENT_PREFIX) {
            Some("create-submission") => EventKind::Create,
            Some("submit-submission") => EventKind::Submit,
            Some("notify-submission") => EventKind::Notify,
            Some("forward-submission") => EventKind::Forward,
            Some("accept-submission") => EventKind::Accept,
            Some("reject-submission") => EventKind::Reject,
            Some("delete-submission") => EventKind::Delete,
            _ => EventKind::Other(uri.to_owned()),
        }
    }

    /// The event's URI.
    pub fn uri(&self) -> String {
        let name = match self {
            EventKind::Create => "create-submission",
            EventKind::Submit => "submit-submission",
            EventKind::Notify => "notify-submission",
            EventKind::Forward => "forward-submission",
            EventKind::Accept => "accept-submission",
            EventKind::Reject => "reject-submission",
            EventKind::Delete => "delete-submission",
            EventKind::Other(uri) => return uri.clone(),
        };
        format!("{EVENT_PREFIX}{name}")
    }
}

/// A problem named by a reject event (RFC 7807 fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The problem's type URI.
    pub kind: String,
    /// Its short title.
    pub title: String,
    /// Its detail, if any.
    pub detail: Option<String>,
}

/// One verified event of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    /// What happened.
    pub kind: EventKind,
    /// When (seconds since the Unix epoch, the token's `iat`).
    pub issued_at: i64,
    /// The submission it concerns (`sub` without `submission:`), if named.
    pub submission_id: Option<String>,
    /// The reasons of a rejection (empty otherwise).
    pub problems: Vec<Problem>,
}

/// Why an event token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// Not three base64url parts, or the parts are not JSON.
    #[error("not a JWT")]
    Format,
    /// The header names another algorithm or type.
    #[error("not a PS512-signed security event token (alg {0:?})")]
    Algorithm(String),
    /// The `kid` is not among the published signature keys.
    #[error("signed with an unknown key {0:?}")]
    UnknownKey(String),
    /// The signature does not verify.
    #[error("the signature does not verify")]
    Signature,
    /// The token belongs to another case.
    #[error("the token is about another case")]
    OtherCase,
    /// `events` is not one event URI with its object.
    #[error("the token does not hold exactly one event")]
    Events,
}

/// The usable signature keys of a JWKS (`{"keys": [...]}`), by kid. Keys that are not 4096-bit
/// RSA keys for PS512 are left out (a JWKS may list other keys).
pub fn signature_keys(jwks: &Value) -> HashMap<String, RsaPublicKey> {
    jwks.get("keys").and_then(Value::as_array).into_iter().flatten().filter_map(|jwk| crate::key::check_signature_key(jwk).ok()).collect()
}

fn decode_json(part: &str) -> Result<Value, EventError> {
    let bytes = B64.decode(part).map_err(|_| EventError::Format)?;
    serde_json::from_slice(&bytes).map_err(|_| EventError::Format)
}

/// Verifies one token of the log of `case_id` and reads its event.
pub fn verify(token: &str, keys: &HashMap<String, RsaPublicKey>, case_id: &str) -> Result<CaseEvent, EventError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header_b64, payload_b64, signature_b64] = parts[..] else {
        return Err(EventError::Format);
    };
    let header = decode_json(header_b64)?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or_default();
    if alg != "PS512" || header.get("typ").and_then(Value::as_str) != Some("secevent+jwt") {
        return Err(EventError::Algorithm(alg.to_owned()));
    }
    let kid = header.get("kid").and_then(Value::as_str).unwrap_or_default();
    let key = keys.get(kid).ok_or_else(|| EventError::UnknownKey(kid.to_owned()))?;
    let signature = B64.decode(signature_b64).map_err(|_| EventError::Format)?;
    let signature = Signature::try_from(signature.as_slice()).map_err(|_| EventError::Signature)?;
    VerifyingKey::<Sha512>::new(key.clone())
        .verify(format!("{header_b64}.{payload_b64}").as_bytes(), &signature)
        .map_err(|_| EventError::Signature)?;

    let claims = decode_json(payload_b64)?;
    if claims.get("txn").and_then(Value::as_str) != Some(&format!("case:{case_id}")) {
        return Err(EventError::OtherCase);
    }
    let events = claims.get("events").and_then(Value::as_object).ok_or(EventError::Events)?;
    let [(uri, body)] = events.iter().collect::<Vec<_>>()[..] else {
        return Err(EventError::Events);
    };
    let problems = body
        .get("problems")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let text = |n: &str| p.get(n).and_then(Value::as_str).map(str::to_owned);
            Problem { kind: text("type").unwrap_or_default(), title: text("title").unwrap_or_default(), detail: text("detail") }
        })
        .collect();
    Ok(CaseEvent {
        kind: EventKind::from_uri(uri),
        issued_at: claims.get("iat").and_then(Value::as_i64).unwrap_or_default(),
        submission_id: claims.get("sub").and_then(Value::as_str).and_then(|s| s.strip_prefix("submission:")).map(str::to_owned),
        problems,
    })
}

/// Issues a PS512-signed event token (what a Zustelldienst does; used by the stand-in and tests).
pub fn sign(
    key: &RsaPrivateKey,
    kid: &str,
    case_id: &str,
    submission_id: &str,
    kind: &EventKind,
    problems: &[Problem],
    issued_at: i64,
) -> String {
    use rsa::signature::{RandomizedSigner, SignatureEncoding};
    let header = json!({"typ": "secevent+jwt", "alg": "PS512", "kid": kid});
    let mut event = json!({});
    if *kind == EventKind::Reject || *kind == EventKind::Accept {
        let problems: Vec<Value> = problems.iter().map(|p| json!({"type": p.kind, "title": p.title, "detail": p.detail})).collect();
        event = json!({"problems": problems});
    }
    let claims = json!({
        "iss": "wegweiser-fitconnect-standin",
        "iat": issued_at,
        "jti": crate::sender::uuid_v4().unwrap_or_default(),
        "sub": format!("submission:{submission_id}"),
        "txn": format!("case:{case_id}"),
        "events": {kind.uri(): event},
    });
    let signing_input = format!(
        "{}.{}",
        B64.encode(serde_json::to_vec(&header).unwrap_or_default()),
        B64.encode(serde_json::to_vec(&claims).unwrap_or_default())
    );
    let signer = rsa::pss::BlindedSigningKey::<Sha512>::new(key.clone());
    let signature = signer.sign_with_rng(&mut rsa::rand_core::OsRng, signing_input.as_bytes());
    format!("{signing_input}.{}", B64.encode(signature.to_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2048 bits keep the unit tests quick; `verify` itself does not look at the size (the JWKS
    /// filter `signature_keys` does, tested in key.rs).
    fn keys() -> (RsaPrivateKey, HashMap<String, RsaPublicKey>) {
        use rsa::pkcs8::DecodePrivateKey;
        let pem = include_str!("../tests/keys/test-only-2048.pem");
        let key = RsaPrivateKey::from_pkcs8_pem(&pem[pem.find("-----BEGIN").unwrap()..]).unwrap();
        let public = HashMap::from([("sig-1".to_owned(), key.to_public_key())]);
        (key, public)
    }

    fn reject_problem() -> Problem {
        Problem {
            kind: "https://schema.fitko.de/fit-connect/events/problems/missing-attachment".into(),
            title: "Anlage fehlt".into(),
            detail: Some("Der Nachweis fehlt.".into()),
        }
    }

    #[test]
    fn signed_events_verify_and_read() {
        let (key, public) = keys();
        let token = sign(&key, "sig-1", "case-1", "sub-1", &EventKind::Reject, &[reject_problem()], 1_700_000_000);
        let event = verify(&token, &public, "case-1").unwrap();
        assert_eq!(event.kind, EventKind::Reject);
        assert_eq!(event.submission_id.as_deref(), Some("sub-1"));
        assert_eq!(event.issued_at, 1_700_000_000);
        assert_eq!(event.problems, vec![reject_problem()]);
        let accept = sign(&key, "sig-1", "case-1", "sub-1", &EventKind::Accept, &[], 1);
        assert_eq!(verify(&accept, &public, "case-1").unwrap().kind, EventKind::Accept);
    }

    #[test]
    fn altered_foreign_or_unsigned_tokens_refused() {
        let (key, public) = keys();
        let token = sign(&key, "sig-1", "case-1", "sub-1", &EventKind::Reject, &[reject_problem()], 1);
        let parts: Vec<&str> = token.split('.').collect();

        // The payload changed to say accept: the signature no longer matches.
        let claims = json!({"txn": "case:case-1", "iat": 1, "events": {EventKind::Accept.uri(): {}}});
        let altered = format!("{}.{}.{}", parts[0], B64.encode(claims.to_string()), parts[2]);
        assert_eq!(verify(&altered, &public, "case-1"), Err(EventError::Signature));

        // Unsigned ("alg": "none").
        let none = format!("{}.{}.", B64.encode(r#"{"alg":"none","typ":"secevent+jwt"}"#), parts[1]);
        assert_eq!(verify(&none, &public, "case-1"), Err(EventError::Algorithm("none".into())));

        // Another kid than the published ones.
        let other = sign(&key, "sig-9", "case-1", "sub-1", &EventKind::Accept, &[], 1);
        assert_eq!(verify(&other, &public, "case-1"), Err(EventError::UnknownKey("sig-9".into())));

        // A genuine token of another case replayed into this log.
        assert_eq!(verify(&token, &public, "case-2"), Err(EventError::OtherCase));
        assert_eq!(verify("a.b", &public, "case-1"), Err(EventError::Format));
    }
}
