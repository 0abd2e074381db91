//! The metadata document of a submission (FIT-Connect metadata schema 1.0.0): what the
//! submission contains (the Fachdaten's hash and schema, every attachment with its hash), the
//! service, the reply channel and the sender's reference. It is built here and validated against
//! the official schema (`schema/metadata.schema.v1.0.0.json`, compiled offline once) before it is
//! encrypted; the stand-in Zustelldienst validates what it receives with the same schema.

use std::sync::LazyLock;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha512};

/// The official metadata schema, copied into the crate (source: see `schema/README.md`).
pub const SCHEMA_JSON: &str = include_str!("../schema/metadata.schema.v1.0.0.json");

/// The Fachdaten's MIME type: Wegweiser sends JSON.
pub const DATA_MIME: &str = "application/json";

/// The prefix of a LeiKa key's URN (`publicServiceType.identifier`, `serviceType.identifier`).
pub const LEIKA_URN_PREFIX: &str = "urn:de:fim:leika:leistung:";

static VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(SCHEMA_JSON).expect("the bundled metadata schema is JSON");
    // Formats (uuid, email, date, uri) are asserted, not only annotated: the Zustelldienst and
    // the subscriber may check them. Default features are off, so no $ref is ever fetched; the
    // schema's only reference is internal.
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the bundled metadata schema compiles")
});

/// SHA-512 of `bytes` as lower-case hex (the metadata's hash format).
pub fn sha512_hex(bytes: &[u8]) -> String {
    hex::encode(Sha512::digest(bytes))
}

/// The service type object for a LeiKa key: `{name, identifier: urn:de:fim:leika:leistung:<key>}`.
pub fn service_type(name: &str, leika_key: &str) -> Value {
    json!({"name": name, "identifier": format!("{LEIKA_URN_PREFIX}{leika_key}")})
}

/// What an attachment is for (metadata `purpose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The generated PDF of the whole application.
    Form,
    /// A file the citizen uploaded.
    Attachment,
}

impl Purpose {
    /// The schema's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Form => "form",
            Purpose::Attachment => "attachment",
        }
    }
}

/// One attachment as the metadata describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentEntry {
    /// The announced attachment id (UUID v4).
    pub attachment_id: String,
    /// Form PDF or upload.
    pub purpose: Purpose,
    /// MIME type.
    pub mime_type: String,
    /// Original file name.
    pub filename: String,
    /// SHA-512 hex of the plain bytes.
    pub hash: String,
}

/// Everything the metadata document says, already hashed.
#[derive(Debug, Clone)]
pub struct MetadataInput<'a> {
    /// SHA-512 hex of the plain Fachdaten.
    pub data_hash: String,
    /// The Fachdaten's schema.
    pub schema_uri: &'a str,
    /// The attachments, in order.
    pub attachments: &'a [AttachmentEntry],
    /// The service's name and LeiKa key, when the form has one.
    pub service: Option<(&'a str, &'a str)>,
    /// The citizen's e-mail address for replies, when given.
    pub reply_email: Option<&'a str>,
    /// The reference number of the application (`senderReference`).
    pub reference: &'a str,
    /// The date of application (`applicationDate`).
    pub application_date: chrono::NaiveDate,
}

/// Builds the metadata document.
pub fn build(input: &MetadataInput<'_>) -> Value {
    let attachments: Vec<Value> = input
        .attachments
        .iter()
        .map(|a| {
            json!({
                "hash": {"type": "sha512", "content": a.hash},
                "purpose": a.purpose.as_str(),
                "mimeType": a.mime_type,
                "filename": a.filename,
                "attachmentId": a.attachment_id,
            })
        })
        .collect();
    let mut doc = Map::new();
    doc.insert(
        "contentStructure".into(),
        json!({
            "data": {
                "hash": {"type": "sha512", "content": input.data_hash},
                "submissionSchema": {"schemaUri": input.schema_uri, "mimeType": DATA_MIME},
            },
            "attachments": attachments,
        }),
    );
    if let Some((name, key)) = input.service {
        doc.insert("publicServiceType".into(), service_type(name, key));
    }
    if let Some(address) = input.reply_email {
        doc.insert("replyChannel".into(), json!({"eMail": {"address": address}}));
    }
    doc.insert(
        "additionalReferenceInfo".into(),
        json!({
            "senderReference": input.reference,
            "applicationDate": input.application_date.format("%Y-%m-%d").to_string(),
        }),
    );
    Value::Object(doc)
}

/// Validates a metadata document against the official schema. The errors name the place in the
/// document and the rule of the schema, never the value (an e-mail address is personal data).
pub fn validate(doc: &Value) -> Result<(), Vec<String>> {
    let errors: Vec<String> = VALIDATOR
        .iter_errors(doc)
        .map(|e| format!("{} violates {}", display_path(e.instance_path().as_str()), e.schema_path().as_str()))
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "(document)" } else { path }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(purpose: Purpose) -> AttachmentEntry {
        AttachmentEntry {
            attachment_id: "0b0b7e6a-0f1f-4f38-9a3e-4d1c5b3c2a10".into(),
            purpose,
            mime_type: "application/pdf".into(),
            filename: "antrag.pdf".into(),
            hash: sha512_hex(b"%PDF-1.7"),
        }
    }

    fn input<'a>(attachments: &'a [AttachmentEntry]) -> MetadataInput<'a> {
        MetadataInput {
            data_hash: sha512_hex(b"{}"),
            schema_uri: "https://schema.fitko.de/fim/s00000096_1.0.schema.json",
            attachments,
            service: Some(("Wohngeld", "99107004000000")),
            reply_email: Some("erika@example.org"),
            reference: "WW-2026-000123",
            application_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(),
        }
    }

    #[test]
    fn built_document_has_every_part_and_validates() {
        let attachments = [entry(Purpose::Form), entry(Purpose::Attachment)];
        let doc = build(&input(&attachments));
        validate(&doc).unwrap();
        assert_eq!(doc["publicServiceType"]["identifier"], "urn:de:fim:leika:leistung:99107004000000");
        assert_eq!(doc["replyChannel"]["eMail"]["address"], "erika@example.org");
        assert_eq!(doc["additionalReferenceInfo"]["senderReference"], "WW-2026-000123");
        assert_eq!(doc["additionalReferenceInfo"]["applicationDate"], "2026-12-06");
        assert_eq!(doc["contentStructure"]["data"]["submissionSchema"]["mimeType"], "application/json");
        assert_eq!(doc["contentStructure"]["attachments"][0]["purpose"], "form");
        assert_eq!(doc["contentStructure"]["attachments"][1]["purpose"], "attachment");
        assert_eq!(doc["contentStructure"]["data"]["hash"]["content"].as_str().unwrap().len(), 128);
    }

    #[test]
    fn optional_parts_left_out() {
        let mut plain = input(&[]);
        plain.service = None;
        plain.reply_email = None;
        let doc = build(&plain);
        validate(&doc).unwrap();
        assert!(doc.get("publicServiceType").is_none());
        assert!(doc.get("replyChannel").is_none());
    }

    #[test]
    fn the_schema_refuses_what_it_should_and_names_no_value() {
        let attachments = [entry(Purpose::Form)];
        let good = build(&input(&attachments));

        let mut bad_hash = good.clone();
        bad_hash["contentStructure"]["data"]["hash"]["content"] = json!("ABC");
        let errors = validate(&bad_hash).unwrap_err();
        assert!(errors[0].contains("/contentStructure/data/hash/content"), "{errors:?}");

        let mut bad_mail = good.clone();
        bad_mail["replyChannel"]["eMail"]["address"] = json!("kein-at-zeichen");
        let errors = validate(&bad_mail).unwrap_err();
        assert!(errors[0].contains("/replyChannel/eMail/address"), "{errors:?}");
        assert!(!errors[0].contains("kein-at-zeichen"), "{errors:?}");

        let mut bad_id = good.clone();
        bad_id["contentStructure"]["attachments"][0]["attachmentId"] = json!("x".repeat(32));
        assert!(validate(&bad_id).is_err());

        let mut bad_purpose = good.clone();
        bad_purpose["contentStructure"]["attachments"][0]["purpose"] = json!("upload");
        assert!(validate(&bad_purpose).is_err());

        let mut bad_date = good;
        bad_date["additionalReferenceInfo"]["applicationDate"] = json!("06.12.2026");
        assert!(validate(&bad_date).is_err());

        assert!(validate(&json!({})).is_err());
    }

    #[test]
    fn sha512_is_lower_hex_of_the_bytes() {
        // FIPS 180-2 example "abc".
        assert!(sha512_hex(b"abc").starts_with("ddaf35a193617aba"));
        assert_eq!(sha512_hex(b"abc").len(), 128);
    }
}
