//! The sender: one application to one FIT-Connect destination (Submission API v1).
//!
//! `send` checks the destination and its key, encrypts everything, and only then creates the
//! submission, uploads the attachments and submits; `events` reads the case's event log. A
//! retry after a failure part-way creates a new submission (FIT-Connect has no idempotency key):
//! the subscriber recognises the repeat by `additionalReferenceInfo.senderReference`, the
//! application's reference number, which is the same in every try.

use reqwest::Method;
use serde_json::{Value, json};

use crate::client::{Api, Body, Config, SendError};
use crate::events::{self, CaseEvent};
use crate::jwe;
use crate::key::{self, EncryptionKey};
use crate::metadata::{self, AttachmentEntry, MetadataInput, Purpose};

/// A file to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The file name the citizen or the PDF generator gave it.
    pub filename: String,
    /// The plain bytes.
    pub bytes: Vec<u8>,
}

/// A file the citizen uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The original file name.
    pub filename: String,
    /// Its MIME type (as checked at upload).
    pub mime: String,
    /// The plain bytes.
    pub bytes: Vec<u8>,
}

/// One application to send.
#[derive(Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The authority's FIT-Connect destination id.
    pub destination_id: String,
    /// The form's LeiKa key (`urn:de:fim:leika:leistung:<key>`); the Submission API needs a
    /// service type, so a form without one cannot be sent.
    pub leika_key: Option<String>,
    /// The service's name.
    pub service_name: String,
    /// The application's reference number (`senderReference`).
    pub reference: String,
    /// The day of application.
    pub application_date: chrono::NaiveDate,
    /// The Fachdaten: JSON bytes.
    pub data: Vec<u8>,
    /// The Fachdaten's JSON Schema (`submissionSchema.schemaUri`).
    pub schema_uri: String,
    /// The generated PDF of the application (`purpose: form`).
    pub pdf: Document,
    /// The citizen's uploads (`purpose: attachment`).
    pub uploads: Vec<Upload>,
    /// The citizen's e-mail address for replies, if given (`replyChannel.eMail`).
    pub reply_email: Option<String>,
}

impl std::fmt::Debug for Outgoing {
    /// Ids and sizes only: the Fachdaten, files and the e-mail address are the citizen's.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing")
            .field("destination_id", &self.destination_id)
            .field("leika_key", &self.leika_key)
            .field("reference", &self.reference)
            .field("data_bytes", &self.data.len())
            .field("uploads", &self.uploads.len())
            .finish_non_exhaustive()
    }
}

/// A submitted application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The submission's id at the Zustelldienst.
    pub submission_id: String,
    /// The case (Vorgang) the submission opened; its event log shows acceptance or rejection.
    pub case_id: String,
}

/// The FIT-Connect sender of one online service.
pub struct Sender {
    api: Api,
}

/// An id that goes into a URL path: FIT-Connect's ids are UUIDs; a key id may also be a
/// base64url thumbprint. Letters, digits, `-`, `_` and `.` only, and not `.` or `..`.
fn path_id<'a>(what: &str, id: &'a str) -> Result<&'a str, SendError> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    if !id.is_empty() && id.len() <= 128 && id.bytes().all(allowed) && id != "." && id != ".." {
        Ok(id)
    } else {
        Err(SendError::permanent(format!("the {what} is not a valid id")))
    }
}

/// A random UUID v4 (RFC 9562), for the announced attachment ids.
pub(crate) fn uuid_v4() -> Result<String, SendError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|_| SendError::transient("no random source"))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    Ok(format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]))
}

/// Checks that the destination is active and, where it lists its services, accepts the
/// service type and the Fachdaten's schema. Returns the encryption key's id.
fn check_destination(destination: &Value, service_urn: &str, schema_uri: &str) -> Result<String, SendError> {
    if let Some(status) = destination.get("status").and_then(Value::as_str)
        && status != "active"
    {
        return Err(SendError::permanent(format!("the destination is not active (status {status:?})")));
    }
    if let Some(services) = destination.get("services").and_then(Value::as_array) {
        let service = services
            .iter()
            .find(|s| s.get("identifier").and_then(Value::as_str) == Some(service_urn))
            .ok_or_else(|| SendError::permanent(format!("the destination does not accept the service {service_urn}")))?;
        if let Some(schemas) = service.get("submissionSchemas").and_then(Value::as_array) {
            let accepted = schemas.iter().any(|s| {
                s.get("schemaUri").and_then(Value::as_str) == Some(schema_uri)
                    && s.get("mimeType").and_then(Value::as_str).is_none_or(|m| m == metadata::DATA_MIME)
            });
            if !accepted {
                return Err(SendError::permanent(format!(
                    "the destination does not accept the Fachdaten schema {schema_uri} for {service_urn}"
                )));
            }
        }
    }
    destination
        .get("encryptionKid")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| SendError::permanent("the destination names no encryption key (encryptionKid)"))
}

/// What `send` encrypts before it creates the submission.
struct Sealed {
    attachments: Vec<(String, String)>,
    metadata: String,
    data: String,
}

impl Sender {
    /// A sender with its own token cache. `http` should have a timeout (a hanging Zustelldienst
    /// is then a retryable error) and rustls.
    pub fn new(config: Config, http: reqwest::Client) -> Self {
        Sender { api: Api::new(config, http) }
    }

    /// Sends one application. On success the submission is submitted; whether the authority
    /// accepts it shows later in [`events`](Self::events).
    pub async fn send(&self, out: &Outgoing) -> Result<Delivered, SendError> {
        let destination_id = path_id("destination id", &out.destination_id)?;
        let leika_key = out
            .leika_key
            .as_deref()
            .ok_or_else(|| SendError::permanent("FIT-Connect needs the service type, and the form has no LeiKa key"))?;
        if serde_json::from_slice::<Value>(&out.data).is_err() {
            return Err(SendError::permanent("the Fachdaten are not JSON"));
        }
        let service_type = metadata::service_type(&out.service_name, leika_key);
        let service_urn = service_type["identifier"].as_str().unwrap_or_default().to_owned();

        let destination = self.api.call_json(Method::GET, &format!("/destinations/{destination_id}"), &Body::None).await?;
        let kid = check_destination(&destination, &service_urn, &out.schema_uri)?;
        let kid = path_id("destination's encryptionKid", &kid)?;
        let jwk = self.api.call_json(Method::GET, &format!("/destinations/{destination_id}/keys/{kid}"), &Body::None).await?;
        let key = key::check_encryption_key(&jwk, kid)
            .map_err(|e| SendError::permanent(format!("the destination's encryption key was refused: {e}")))?;

        let sealed = self.seal(out, &key)?;

        let created = self
            .api
            .call_json(
                Method::POST,
                "/submissions",
                &Body::Json(json!({
                    "destinationId": out.destination_id,
                    "announcedAttachments": sealed.attachments.iter().map(|(id, _)| id).collect::<Vec<_>>(),
                    "serviceType": service_type,
                })),
            )
            .await?;
        let text = |name: &str| created.get(name).and_then(Value::as_str).map(str::to_owned);
        let (Some(submission_id), Some(case_id)) = (text("submissionId"), text("caseId")) else {
            return Err(SendError::transient("POST /submissions: the answer has no submissionId or caseId"));
        };
        let submission = path_id("submission id", &submission_id)?;
        let incomplete = |e: SendError| e.context(format!("submission {submission_id} left incomplete"));

        for (attachment_id, jwe) in &sealed.attachments {
            self.api
                .call(Method::PUT, &format!("/submissions/{submission}/attachments/{attachment_id}"), &Body::Jose(jwe.clone()))
                .await
                .map_err(incomplete)?;
        }
        self.api
            .call(
                Method::PUT,
                &format!("/submissions/{submission}"),
                &Body::Json(json!({"encryptedMetadata": sealed.metadata, "encryptedData": sealed.data})),
            )
            .await
            .map_err(incomplete)?;
        tracing::info!(%submission_id, %case_id, attachments = sealed.attachments.len(), "FIT-Connect submission submitted");
        Ok(Delivered { submission_id, case_id })
    }

    /// Hashes, describes and encrypts the application: the metadata is validated against the
    /// official schema here, before anything is created at the Zustelldienst.
    fn seal(&self, out: &Outgoing, key: &EncryptionKey) -> Result<Sealed, SendError> {
        let files = std::iter::once((Purpose::Form, "application/pdf", &out.pdf.filename, &out.pdf.bytes))
            .chain(out.uploads.iter().map(|u| (Purpose::Attachment, u.mime.as_str(), &u.filename, &u.bytes)));
        let mut entries = Vec::new();
        let mut attachments = Vec::new();
        for (purpose, mime, filename, bytes) in files {
            let attachment_id = uuid_v4()?;
            let jwe = jwe::encrypt(&key.key, &key.kid, bytes).map_err(|e| SendError::transient(e.to_string()))?;
            entries.push(AttachmentEntry {
                attachment_id: attachment_id.clone(),
                purpose,
                mime_type: mime.to_owned(),
                filename: filename.clone(),
                hash: metadata::sha512_hex(bytes),
            });
            attachments.push((attachment_id, jwe));
        }
        let document = metadata::build(&MetadataInput {
            data_hash: metadata::sha512_hex(&out.data),
            schema_uri: &out.schema_uri,
            attachments: &entries,
            service: out.leika_key.as_deref().map(|k| (out.service_name.as_str(), k)),
            reply_email: out.reply_email.as_deref(),
            reference: &out.reference,
            application_date: out.application_date,
        });
        metadata::validate(&document).map_err(|errors| {
            SendError::permanent(format!(
                "the metadata does not validate against the FIT-Connect metadata schema 1.0.0: {}",
                errors.join("; ")
            ))
        })?;
        let metadata_json = serde_json::to_vec(&document).unwrap_or_default();
        let seal = |bytes: &[u8]| jwe::encrypt(&key.key, &key.kid, bytes).map_err(|e| SendError::transient(e.to_string()));
        Ok(Sealed { attachments, metadata: seal(&metadata_json)?, data: seal(&out.data)? })
    }

    /// The case's event log, each Security Event Token verified against the Zustelldienst's
    /// published signature keys (`/.well-known/jwks.json` of the API), in the order of issue.
    /// One token that does not verify refuses the whole log.
    pub async fn events(&self, case_id: &str) -> Result<Vec<CaseEvent>, SendError> {
        let case = path_id("case id", case_id)?;
        let log = self.api.call_json(Method::GET, &format!("/cases/{case}/events"), &Body::None).await?;
        let tokens: Vec<&str> = log
            .get("eventLog")
            .and_then(Value::as_array)
            .ok_or_else(|| SendError::transient("GET /cases/…/events: the answer has no eventLog"))?
            .iter()
            .map(|t| t.as_str().unwrap_or_default())
            .collect();
        let jwks = self.api.call_json(Method::GET, "/.well-known/jwks.json", &Body::None).await?;
        let keys = events::signature_keys(&jwks);
        let mut out = Vec::with_capacity(tokens.len());
        for (index, token) in tokens.iter().enumerate() {
            let event = events::verify(token, &keys, case_id)
                .map_err(|e| SendError::permanent(format!("event {} of case {case_id} refused: {e}", index + 1)))?;
            out.push(event);
        }
        // Stable: events of the same second keep the log's order.
        out.sort_by_key(|e| e.issued_at);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server's outbox spawns sends on a multi-threaded runtime and shares one sender.
    #[test]
    fn sender_and_its_futures_are_send() {
        fn is_send<T: Send>(_: &T) {}
        fn is_send_sync<T: Send + Sync>() {}
        is_send_sync::<Sender>();
        let config = Config {
            token_url: "http://127.0.0.1:9/token".into(),
            api_url: "http://127.0.0.1:9".into(),
            client_id: "c".into(),
            client_secret: "s".into(),
        };
        let sender = Sender::new(config, reqwest::Client::new());
        let out = Outgoing {
            destination_id: "d".into(),
            leika_key: None,
            service_name: "s".into(),
            reference: "r".into(),
            application_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            data: b"{}".to_vec(),
            schema_uri: "u".into(),
            pdf: Document { filename: "a.pdf".into(), bytes: vec![] },
            uploads: vec![],
            reply_email: None,
        };
        is_send(&sender.send(&out));
        is_send(&sender.events("c"));
        // Debug shows neither the Fachdaten nor the address.
        let mut secret = out.clone();
        secret.data = b"{\"name\":\"Erika\"}".to_vec();
        secret.reply_email = Some("erika@example.org".into());
        let shown = format!("{secret:?}");
        assert!(!shown.contains("Erika") && !shown.contains("erika@"), "{shown}");
    }

    #[test]
    fn uuid_v4_shape() {
        let id = uuid_v4().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(id, uuid_v4().unwrap());
    }

    #[test]
    fn destination_checks() {
        let dest = json!({
            "status": "active",
            "encryptionKid": "k1",
            "services": [{"identifier": "urn:de:fim:leika:leistung:1", "submissionSchemas": [{"schemaUri": "https://s/1", "mimeType": "application/json"}]}]
        });
        assert_eq!(check_destination(&dest, "urn:de:fim:leika:leistung:1", "https://s/1").unwrap(), "k1");
        let e = check_destination(&dest, "urn:de:fim:leika:leistung:2", "https://s/1").unwrap_err();
        assert!(!e.retryable && e.reason.contains("does not accept the service"), "{e:?}");
        let e = check_destination(&dest, "urn:de:fim:leika:leistung:1", "https://s/2").unwrap_err();
        assert!(e.reason.contains("Fachdaten schema"), "{e:?}");
        let mut inactive = dest.clone();
        inactive["status"] = json!("archived");
        assert!(check_destination(&inactive, "urn:de:fim:leika:leistung:1", "https://s/1").is_err());
        // A destination that lists no services accepts what it is sent.
        assert_eq!(check_destination(&json!({"encryptionKid": "k"}), "urn:x:y", "u").unwrap(), "k");
        assert!(check_destination(&json!({}), "urn:x:y", "u").is_err());
    }

    #[test]
    fn path_ids_refuse_path_tricks() {
        assert!(path_id("x", "9f3c2b1a-0000-4000-8000-000000000000").is_ok());
        assert!(path_id("x", "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs").is_ok());
        for bad in ["", "..", ".", "../admin", "a/b", "a?b", "a%2f", "a#b"] {
            assert!(path_id("x", bad).is_err(), "{bad}");
        }
    }
}
