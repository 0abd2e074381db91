//! The keys of FIT-Connect as JSON Web Keys (RFC 7517): the destination's public encryption key,
//! checked before anything is encrypted for it, and the Zustelldienst's signature keys, with
//! which the event log's Security Event Tokens are verified.
//!
//! An encryption key is used only if it is an RSA key with a 4096-bit modulus, `alg`
//! RSA-OAEP-256 and `wrapKey` among its `key_ops` (what FIT-Connect requires of a destination's
//! key). Production keys also carry an `x5c` certificate chain from the Verwaltungs-PKI that a
//! sender should validate against the PKI's trust anchor; that validation is **not done** here
//! (see the crate's README): the key is trusted because it came over TLS from the configured
//! Submission API with our own bearer token.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPublicKey};
use serde_json::{Value, json};

/// The modulus size FIT-Connect requires of encryption and signature keys.
pub const REQUIRED_BITS: usize = 4096;

/// Why a JWK was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// The key is not a JSON object.
    #[error("the key is not a JSON Web Key object")]
    NotAnObject,
    /// `kty` is not `RSA`.
    #[error("the key's type is {0:?}, not RSA")]
    NotRsa(String),
    /// `key_ops` is missing or lacks the operation needed.
    #[error("the key's key_ops do not contain {0:?}")]
    MissingKeyOp(&'static str),
    /// `alg` is missing or another algorithm.
    #[error("the key's alg is {found:?}, not {expected}")]
    WrongAlg {
        /// What the key says.
        found: Option<String>,
        /// What was required.
        expected: &'static str,
    },
    /// The modulus is not 4096 bits long.
    #[error("the key's modulus has {0} bits, not 4096")]
    WrongSize(usize),
    /// `n` or `e` is missing or not base64url, or the numbers are not an RSA key.
    #[error("the key's {0} is missing or not a valid base64url number")]
    BadComponent(&'static str),
    /// The key's `kid` is not the one asked for.
    #[error("the key's kid {found:?} is not the requested {expected:?}")]
    KidMismatch {
        /// The key's `kid`.
        found: Option<String>,
        /// The kid the destination names.
        expected: String,
    },
}

/// A destination's encryption key after [`check_encryption_key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptionKey {
    /// The key id (the JWE header's `kid`).
    pub kid: String,
    /// The RSA public key.
    pub key: RsaPublicKey,
}

fn text<'a>(jwk: &'a Value, name: &str) -> Option<&'a str> {
    jwk.get(name).and_then(Value::as_str)
}

fn has_key_op(jwk: &Value, op: &str) -> bool {
    jwk.get("key_ops").and_then(Value::as_array).is_some_and(|ops| ops.iter().any(|o| o.as_str() == Some(op)))
}

fn rsa_key(jwk: &Value) -> Result<RsaPublicKey, KeyError> {
    if !jwk.is_object() {
        return Err(KeyError::NotAnObject);
    }
    match text(jwk, "kty") {
        Some("RSA") => {}
        other => return Err(KeyError::NotRsa(other.unwrap_or("(none)").into())),
    }
    let number = |name: &'static str| {
        text(jwk, name)
            .and_then(|s| B64.decode(s).ok())
            .filter(|bytes| !bytes.is_empty())
            .map(|bytes| BigUint::from_bytes_be(&bytes))
            .ok_or(KeyError::BadComponent(name))
    };
    let n = number("n")?;
    let e = number("e")?;
    // The size first, so that the refusal names it (`RsaPublicKey::new` would refuse 8192 bits
    // with a generic error and accept 2048).
    let bits = n.bits();
    if bits != REQUIRED_BITS {
        return Err(KeyError::WrongSize(bits));
    }
    RsaPublicKey::new(n, e).map_err(|_| KeyError::BadComponent("e"))
}

/// Checks a destination's public encryption key (`GET /destinations/{id}/keys/{kid}`).
pub fn check_encryption_key(jwk: &Value, expected_kid: &str) -> Result<EncryptionKey, KeyError> {
    if !jwk.is_object() {
        return Err(KeyError::NotAnObject);
    }
    match text(jwk, "kty") {
        Some("RSA") => {}
        other => return Err(KeyError::NotRsa(other.unwrap_or("(none)").into())),
    }
    if !has_key_op(jwk, "wrapKey") {
        return Err(KeyError::MissingKeyOp("wrapKey"));
    }
    if text(jwk, "alg") != Some(crate::jwe::ALG) {
        return Err(KeyError::WrongAlg { found: text(jwk, "alg").map(str::to_owned), expected: crate::jwe::ALG });
    }
    if text(jwk, "kid") != Some(expected_kid) {
        return Err(KeyError::KidMismatch { found: text(jwk, "kid").map(str::to_owned), expected: expected_kid.into() });
    }
    let key = rsa_key(jwk)?;
    Ok(EncryptionKey { kid: expected_kid.into(), key })
}

/// Checks one key of the Zustelldienst's JWKS for verifying event tokens: RSA, 4096 bits, `alg`
/// PS512 and `verify` among the `key_ops` where the key lists them. Returns its kid and key.
pub fn check_signature_key(jwk: &Value) -> Result<(String, RsaPublicKey), KeyError> {
    let key = rsa_key(jwk)?;
    if text(jwk, "alg") != Some("PS512") {
        return Err(KeyError::WrongAlg { found: text(jwk, "alg").map(str::to_owned), expected: "PS512" });
    }
    if jwk.get("key_ops").is_some() && !has_key_op(jwk, "verify") {
        return Err(KeyError::MissingKeyOp("verify"));
    }
    let kid = text(jwk, "kid").ok_or(KeyError::BadComponent("kid"))?;
    Ok((kid.into(), key))
}

/// The public JWK of an RSA key (what a Zustelldienst publishes; used by the stand-in and tests).
pub fn public_jwk(key: &RsaPublicKey, kid: &str, alg: &str, key_ops: &[&str]) -> Value {
    json!({
        "kty": "RSA",
        "kid": kid,
        "alg": alg,
        "key_ops": key_ops,
        "n": B64.encode(key.n().to_bytes_be()),
        "e": B64.encode(key.e().to_bytes_be()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n_of_bits(bits: usize) -> String {
        // An odd number with the top bit set: the checks look at the size and the encoding,
        // RSA operations are not attempted here.
        let mut bytes = vec![0xa5u8; bits / 8];
        bytes[0] |= 0x80;
        *bytes.last_mut().unwrap() |= 1;
        B64.encode(bytes)
    }

    fn good() -> Value {
        json!({"kty": "RSA", "kid": "k1", "alg": "RSA-OAEP-256", "key_ops": ["wrapKey"], "n": n_of_bits(4096), "e": "AQAB"})
    }

    fn with(field: &str, value: Value) -> Value {
        let mut jwk = good();
        jwk[field] = value;
        jwk
    }

    #[test]
    fn a_good_key_is_accepted() {
        let key = check_encryption_key(&good(), "k1").unwrap();
        assert_eq!(key.kid, "k1");
        assert_eq!(key.key.n().bits(), 4096);
    }

    #[test]
    fn each_refusal_is_named() {
        assert_eq!(check_encryption_key(&json!("x"), "k1"), Err(KeyError::NotAnObject));
        assert_eq!(check_encryption_key(&with("kty", json!("EC")), "k1"), Err(KeyError::NotRsa("EC".into())));
        assert_eq!(check_encryption_key(&with("key_ops", json!(["encrypt", "verify"])), "k1"), Err(KeyError::MissingKeyOp("wrapKey")));
        let mut no_ops = good();
        no_ops.as_object_mut().unwrap().remove("key_ops");
        assert_eq!(check_encryption_key(&no_ops, "k1"), Err(KeyError::MissingKeyOp("wrapKey")));
        assert_eq!(
            check_encryption_key(&with("alg", json!("RSA-OAEP")), "k1"),
            Err(KeyError::WrongAlg { found: Some("RSA-OAEP".into()), expected: "RSA-OAEP-256" })
        );
        assert_eq!(check_encryption_key(&with("n", json!(n_of_bits(2048))), "k1"), Err(KeyError::WrongSize(2048)));
        assert_eq!(check_encryption_key(&with("n", json!(n_of_bits(8192))), "k1"), Err(KeyError::WrongSize(8192)));
        assert_eq!(check_encryption_key(&with("n", json!("***")), "k1"), Err(KeyError::BadComponent("n")));
        assert_eq!(check_encryption_key(&with("e", json!(null)), "k1"), Err(KeyError::BadComponent("e")));
        assert_eq!(check_encryption_key(&good(), "k2"), Err(KeyError::KidMismatch { found: Some("k1".into()), expected: "k2".into() }));
    }

    #[test]
    fn signature_keys_need_ps512() {
        let mut jwk = with("alg", json!("PS512"));
        jwk["key_ops"] = json!(["verify"]);
        assert_eq!(check_signature_key(&jwk).unwrap().0, "k1");
        jwk["key_ops"] = json!(["wrapKey"]);
        assert_eq!(check_signature_key(&jwk), Err(KeyError::MissingKeyOp("verify")));
        assert!(matches!(check_signature_key(&good()), Err(KeyError::WrongAlg { .. })));
    }

    #[test]
    fn public_jwk_round_trips() {
        let key = check_encryption_key(&good(), "k1").unwrap().key;
        let jwk = public_jwk(&key, "k1", "RSA-OAEP-256", &["wrapKey"]);
        assert_eq!(check_encryption_key(&jwk, "k1").unwrap().key, key);
    }
}
