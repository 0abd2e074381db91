//! JWE in compact serialisation (RFC 7516) as FIT-Connect uses it: the content key wrapped with
//! `RSA-OAEP-256` (RSAES-OAEP, SHA-256 for both the hash and MGF1), the content encrypted with
//! `A256GCM`, the key's id in `kid`. The sender encrypts with the destination's public key; the
//! stand-in Zustelldienst (and a subscriber) decrypts with the private key.
//!
//! Only this one algorithm pair is produced or accepted: a JWE whose header names anything else
//! (or asks for `zip` compression) is refused, so an attacker cannot downgrade the algorithm.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey};
use serde::{Deserialize, Serialize};

/// The key management algorithm (JWA 4.3).
pub const ALG: &str = "RSA-OAEP-256";
/// The content encryption algorithm (JWA 5.3).
pub const ENC: &str = "A256GCM";

/// Why a JWE could not be produced or opened. The messages name no key material or content.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JweError {
    /// Not five base64url parts separated by dots.
    #[error("not a JWE in compact serialisation (five base64url parts)")]
    Format,
    /// The protected header is not the JSON object expected.
    #[error("the JWE header is not a JSON object with alg and enc")]
    Header,
    /// An algorithm other than RSA-OAEP-256 / A256GCM, or compression.
    #[error("unsupported JWE algorithms: alg {alg:?}, enc {enc:?}, zip {zip:?} (only RSA-OAEP-256 with A256GCM, no zip)")]
    Unsupported {
        /// The header's `alg`.
        alg: String,
        /// The header's `enc`.
        enc: String,
        /// The header's `zip`, if any.
        zip: Option<String>,
    },
    /// The content key could not be unwrapped (another key, or an altered encrypted key).
    #[error("the JWE's content key could not be decrypted with this key")]
    KeyUnwrap,
    /// The authentication tag does not match (ciphertext, header, IV or tag altered).
    #[error("the JWE could not be authenticated: ciphertext, header or tag altered")]
    Decrypt,
    /// The platform's random source or the cipher failed while encrypting.
    #[error("encryption failed: {0}")]
    Encrypt(&'static str),
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    enc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    zip: Option<String>,
}

/// A decrypted JWE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The `kid` of the protected header, if it had one.
    pub kid: Option<String>,
    /// The plain content.
    pub plaintext: Vec<u8>,
}

/// Encrypts `plaintext` for `key` (the destination's checked encryption key, id `kid`).
pub fn encrypt(key: &RsaPublicKey, kid: &str, plaintext: &[u8]) -> Result<String, JweError> {
    let header = Header { alg: ALG.into(), enc: ENC.into(), kid: Some(kid.into()), zip: None };
    let header_json = serde_json::to_vec(&header).map_err(|_| JweError::Encrypt("header"))?;
    let header_b64 = B64.encode(header_json);

    let mut cek = [0u8; 32];
    getrandom::fill(&mut cek).map_err(|_| JweError::Encrypt("no random source"))?;
    let mut iv = [0u8; 12];
    getrandom::fill(&mut iv).map_err(|_| JweError::Encrypt("no random source"))?;

    let wrapped =
        key.encrypt(&mut rsa::rand_core::OsRng, Oaep::new::<sha2::Sha256>(), &cek).map_err(|_| JweError::Encrypt("key wrapping"))?;

    let cipher = Aes256Gcm::new_from_slice(&cek).map_err(|_| JweError::Encrypt("content key"))?;
    let mut buffer = plaintext.to_vec();
    // The additional authenticated data is the ASCII of the encoded header (RFC 7516 5.1 step 14).
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(&iv), header_b64.as_bytes(), &mut buffer)
        .map_err(|_| JweError::Encrypt("content encryption"))?;

    Ok([header_b64, B64.encode(wrapped), B64.encode(iv), B64.encode(buffer), B64.encode(tag)].join("."))
}

/// Decrypts a JWE made with [`ALG`] and [`ENC`] with the private key.
pub fn decrypt(key: &RsaPrivateKey, jwe: &str) -> Result<Opened, JweError> {
    decrypt_with(key, jwe, ALG, Oaep::new::<sha2::Sha256>)
}

/// The whole decryption for one key management algorithm: `decrypt` fixes it to RSA-OAEP-256;
/// the RFC 7516 test vector (RSA-OAEP with SHA-1) goes through the same steps in the tests.
fn decrypt_with(key: &RsaPrivateKey, jwe: &str, alg: &str, padding: fn() -> Oaep) -> Result<Opened, JweError> {
    let parts: Vec<&str> = jwe.trim().split('.').collect();
    let [header_b64, wrapped, iv, ciphertext, tag] = parts[..] else {
        return Err(JweError::Format);
    };
    let decode = |part: &str| B64.decode(part).map_err(|_| JweError::Format);
    let header: Header = serde_json::from_slice(&decode(header_b64)?).map_err(|_| JweError::Header)?;
    if header.alg != alg || header.enc != ENC || header.zip.is_some() {
        return Err(JweError::Unsupported { alg: header.alg, enc: header.enc, zip: header.zip });
    }
    let cek = key.decrypt(padding(), &decode(wrapped)?).map_err(|_| JweError::KeyUnwrap)?;
    let iv = decode(iv)?;
    let tag = decode(tag)?;
    if cek.len() != 32 {
        return Err(JweError::KeyUnwrap);
    }
    if iv.len() != 12 || tag.len() != 16 {
        return Err(JweError::Format);
    }
    let cipher = Aes256Gcm::new_from_slice(&cek).map_err(|_| JweError::KeyUnwrap)?;
    let mut buffer = decode(ciphertext)?;
    cipher
        .decrypt_in_place_detached(Nonce::from_slice(&iv), header_b64.as_bytes(), &mut buffer, Tag::from_slice(&tag))
        .map_err(|_| JweError::Decrypt)?;
    Ok(Opened { kid: header.kid, plaintext: buffer })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::BigUint;

    /// A 2048-bit key made for these unit tests only: generating a 4096-bit key in a debug build
    /// takes long, and the JWE layer does not depend on the size (the size is checked in key.rs).
    fn test_key() -> RsaPrivateKey {
        use rsa::pkcs8::DecodePrivateKey;
        let pem = include_str!("../tests/keys/test-only-2048.pem");
        let start = pem.find("-----BEGIN").expect("a PEM block");
        RsaPrivateKey::from_pkcs8_pem(&pem[start..]).expect("the test key parses")
    }

    #[test]
    fn round_trip() {
        let key = test_key();
        let plain = "Fachdaten: {\"G17000001\": \"Müller\"}".as_bytes();
        let jwe = encrypt(&key.to_public_key(), "kid-1", plain).unwrap();
        assert_eq!(jwe.split('.').count(), 5);
        let header: serde_json::Value = serde_json::from_slice(&B64.decode(jwe.split('.').next().unwrap()).unwrap()).unwrap();
        assert_eq!(header, serde_json::json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "kid-1"}));
        let opened = decrypt(&key, &jwe).unwrap();
        assert_eq!(opened.plaintext, plain);
        assert_eq!(opened.kid.as_deref(), Some("kid-1"));
        // A fresh content key and IV every time.
        assert_ne!(encrypt(&key.to_public_key(), "kid-1", plain).unwrap(), jwe);
    }

    #[test]
    fn empty_content_round_trips() {
        let key = test_key();
        let jwe = encrypt(&key.to_public_key(), "k", b"").unwrap();
        assert_eq!(decrypt(&key, &jwe).unwrap().plaintext, b"");
    }

    fn replace_part(jwe: &str, index: usize, f: impl Fn(&mut Vec<u8>)) -> String {
        let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
        let mut bytes = B64.decode(&parts[index]).unwrap();
        f(&mut bytes);
        parts[index] = B64.encode(bytes);
        parts.join(".")
    }

    #[test]
    fn tampered_ciphertext_tag_iv_or_header_refused() {
        let key = test_key();
        let jwe = encrypt(&key.to_public_key(), "kid-1", b"the application").unwrap();
        let flip = |b: &mut Vec<u8>| b[0] ^= 1;
        assert_eq!(decrypt(&key, &replace_part(&jwe, 3, flip)), Err(JweError::Decrypt));
        assert_eq!(decrypt(&key, &replace_part(&jwe, 4, flip)), Err(JweError::Decrypt));
        assert_eq!(decrypt(&key, &replace_part(&jwe, 2, flip)), Err(JweError::Decrypt));
        assert_eq!(decrypt(&key, &replace_part(&jwe, 1, flip)), Err(JweError::KeyUnwrap));
        // The header is authenticated: another kid (still valid JSON) is refused.
        let header = B64.encode(br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"kid-2"}"#);
        let mut parts: Vec<&str> = jwe.split('.').collect();
        parts[0] = &header;
        assert_eq!(decrypt(&key, &parts.join(".")), Err(JweError::Decrypt));
        // Truncated content.
        assert_eq!(
            decrypt(
                &key,
                &replace_part(&jwe, 3, |b| {
                    b.pop();
                })
            ),
            Err(JweError::Decrypt)
        );
    }

    #[test]
    fn other_algorithms_and_bad_shapes_refused() {
        let key = test_key();
        let jwe = encrypt(&key.to_public_key(), "kid-1", b"x").unwrap();
        let rest = jwe.split_once('.').unwrap().1;
        for header in [
            r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#,
            r#"{"alg":"RSA-OAEP-256","enc":"A128GCM"}"#,
            r#"{"alg":"dir","enc":"A256GCM"}"#,
            r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","zip":"DEF"}"#,
        ] {
            let forged = format!("{}.{rest}", B64.encode(header));
            assert!(matches!(decrypt(&key, &forged), Err(JweError::Unsupported { .. })), "{header}");
        }
        assert_eq!(decrypt(&key, "a.b.c"), Err(JweError::Format));
        assert_eq!(decrypt(&key, &format!("{jwe}.x")), Err(JweError::Format));
        assert_eq!(decrypt(&key, &format!("!!{jwe}")), Err(JweError::Format));
        let not_json = format!("{}.{rest}", B64.encode("not json"));
        assert_eq!(decrypt(&key, &not_json), Err(JweError::Header));
    }

    /// RFC 7516 Appendix A.1 ("JWE using RSAES-OAEP and AES GCM"): the published key and JWE. The
    /// appendix wraps the key with RSA-OAEP (SHA-1), so the test runs the same decryption steps
    /// with that padding; the A256GCM layer, the compact parsing and the header as additional
    /// authenticated data are exactly the production code.
    #[test]
    fn rfc7516_appendix_a1_vector_decrypts() {
        let b = |s: &str| BigUint::from_bytes_be(&B64.decode(s).unwrap());
        let n = b(concat!(
            "oahUIoWw0K0usKNuOR6H4wkf4oBUXHTxRvgb48E-BVvxkeDNjbC4he8rUW",
            "cJoZmds2h7M70imEVhRU5djINXtqllXI4DFqcI1DgjT9LewND8MW2Krf3S",
            "psk_ZkoFnilakGygTwpZ3uesH-PFABNIUYpOiN15dsQRkgr0vEhxN92i2a",
            "sbOenSZeyaxziK72UwxrrKoExv6kc5twXTq4h-QChLOln0_mtUZwfsRaMS",
            "tPs6mS6XrgxnxbWhojf663tuEQueGC-FCMfra36C9knDFGzKsNa7LZK2dj",
            "YgyD3JR_MB_4NUJW_TqOQtwHYbxevoJArm-L5StowjzGy-_bq6Gw"
        ));
        let d = b(concat!(
            "kLdtIj6GbDks_ApCSTYQtelcNttlKiOyPzMrXHeI-yk1F7-kpDxY4-WY5N",
            "WV5KntaEeXS1j82E375xxhWMHXyvjYecPT9fpwR_M9gV8n9Hrh2anTpTD9",
            "3Dt62ypW3yDsJzBnTnrYu1iwWRgBKrEYY46qAZIrA2xAwnm2X7uGR1hghk",
            "qDp0Vqj3kbSCz1XyfCs6_LehBwtxHIyh8Ripy40p24moOAbgxVw3rxT_vl",
            "t3UVe4WO3JkJOzlpUf-KTVI2Ptgm-dARxTEtE-id-4OJr0h-K-VFs3VSnd",
            "VTIznSxfyrj8ILL6MG_Uv8YAu7VILSB3lOW085-4qE3DzgrTjgyQ"
        ));
        let key = RsaPrivateKey::from_components(n, BigUint::from(65537u32), d, vec![]).expect("the RFC's key");
        let jwe = concat!(
            "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.",
            "OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe",
            "ipsEdY3mx_etLbbWSrFr05kLzcSr4qKAq7YN7e9jwQRb23nfa6c9d-StnImGyFDb",
            "Sv04uVuxIp5Zms1gNxKKK2Da14B8S4rzVRltdYwam_lDp5XnZAYpQdb76FdIKLaV",
            "mqgfwX7XWRxv2322i-vDxRfqNzo_tETKzpVLzfiwQyeyPGLBIO56YJ7eObdv0je8",
            "1860ppamavo35UgoRdbYaBcoh9QcfylQr66oc6vFWXRcZ_ZT2LawVCWTIy3brGPi",
            "6UklfCpIMfIjf7iGdXKHzg.",
            "48V1_ALb6US04U3b.",
            "5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6ji",
            "SdiwkIr3ajwQzaBtQD_A.",
            "XFBoMYUZodetZdvTiFvSkQ"
        );
        let opened = decrypt_with(&key, jwe, "RSA-OAEP", Oaep::new::<sha1::Sha1>).unwrap();
        assert_eq!(String::from_utf8(opened.plaintext).unwrap(), "The true sign of intelligence is not knowledge but imagination.");
        // The production entry point refuses the SHA-1 variant outright.
        assert!(matches!(decrypt(&key, jwe), Err(JweError::Unsupported { .. })));
        // And one changed bit of the RFC's tag is refused.
        let tampered = jwe.replace("XFBoMYUZodetZdvTiFvSkQ", "XFBoMYUZodetZdvTiFvSkA");
        assert_eq!(decrypt_with(&key, &tampered, "RSA-OAEP", Oaep::new::<sha1::Sha1>), Err(JweError::Decrypt));
    }
}
