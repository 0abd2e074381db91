//! The sender against the stand-in Zustelldienst: the whole flow, refusals before sending,
//! failure classification, token renewal, the stand-in's own checks and the event log.

use std::time::Duration;

use fitconnect::events::{self, EventKind, Problem};
use fitconnect::standin::{ENCRYPTION_KID, SIGNING_KID, StandIn, StandInConfig};
use fitconnect::{Document, Outgoing, Sender, Upload, jwe, key, metadata};
use rsa::RsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use serde_json::{Value, json};

const DESTINATION: &str = "7f5b6c2e-3c1d-4b8a-9a51-0c9f2e4d1a77";
const LEIKA: &str = "99107004000000";
const SCHEMA_URI: &str = "https://schema.fitko.de/fim/s00000096_1.0.schema.json";

fn data_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["G17000001"],
        "properties": {
            "G17000001": {
                "type": "object",
                "required": ["F17000002"],
                "properties": {"F17000002": {"type": "string", "minLength": 1}, "F17000003": {"type": "integer"}}
            }
        }
    })
}

fn config() -> StandInConfig {
    StandInConfig::new(DESTINATION, LEIKA, SCHEMA_URI, data_schema())
}

async fn standin() -> StandIn {
    StandIn::start(config()).await.expect("stand-in starts")
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap()
}

fn outgoing(reference: &str) -> Outgoing {
    Outgoing {
        destination_id: DESTINATION.into(),
        leika_key: Some(LEIKA.into()),
        service_name: "Wohngeld".into(),
        reference: reference.into(),
        application_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(),
        data: br#"{"G17000001":{"F17000002":"Erika Mustermann","F17000003":3}}"#.to_vec(),
        schema_uri: SCHEMA_URI.into(),
        pdf: Document { filename: "antrag-WW-1.pdf".into(), bytes: b"%PDF-1.7 the application".to_vec() },
        uploads: vec![
            Upload { filename: "mietvertrag.pdf".into(), mime: "application/pdf".into(), bytes: b"%PDF-1.4 lease".to_vec() },
            Upload { filename: "foto.png".into(), mime: "image/png".into(), bytes: vec![0x89, b'P', b'N', b'G', 0, 255] },
        ],
        reply_email: Some("erika@example.org".into()),
    }
}

fn key_2048() -> RsaPrivateKey {
    let pem = include_str!("keys/test-only-2048.pem");
    RsaPrivateKey::from_pkcs8_pem(&pem[pem.find("-----BEGIN").unwrap()..]).unwrap()
}

#[tokio::test]
async fn whole_flow_delivers_what_was_sent() {
    let standin = standin().await;
    let sender = Sender::new(standin.sender_config(), http());
    let out = outgoing("WW-2026-000001");
    let delivered = sender.send(&out).await.expect("delivered");

    let received = standin.received();
    assert_eq!(received.len(), 1);
    let got = &received[0];
    assert_eq!(got.submission_id, delivered.submission_id);
    assert_eq!(got.case_id, delivered.case_id);
    assert_eq!(got.repeat, 0);
    assert_eq!(got.data, serde_json::from_slice::<Value>(&out.data).unwrap());
    metadata::validate(&got.metadata).expect("the metadata validates");

    let files: Vec<(&str, Option<&str>, &str, &[u8])> =
        got.attachments.iter().map(|a| (a.purpose.as_str(), a.filename.as_deref(), a.mime_type.as_str(), a.bytes.as_slice())).collect();
    assert_eq!(
        files,
        vec![
            ("form", Some("antrag-WW-1.pdf"), "application/pdf", out.pdf.bytes.as_slice()),
            ("attachment", Some("mietvertrag.pdf"), "application/pdf", out.uploads[0].bytes.as_slice()),
            ("attachment", Some("foto.png"), "image/png", out.uploads[1].bytes.as_slice()),
        ]
    );
    let m = &got.metadata;
    assert_eq!(m["publicServiceType"], json!({"name": "Wohngeld", "identifier": "urn:de:fim:leika:leistung:99107004000000"}));
    assert_eq!(m["replyChannel"], json!({"eMail": {"address": "erika@example.org"}}));
    assert_eq!(m["additionalReferenceInfo"], json!({"senderReference": "WW-2026-000001", "applicationDate": "2026-12-06"}));
    assert_eq!(m["contentStructure"]["data"]["submissionSchema"], json!({"schemaUri": SCHEMA_URI, "mimeType": "application/json"}));
    assert_eq!(m["contentStructure"]["data"]["hash"]["content"], metadata::sha512_hex(&out.data));

    let requests = standin.requests();
    let expected_order = ["POST /token", "GET /destinations/", "GET /destinations/", "POST /submissions", "PUT /submissions/"];
    for (request, prefix) in requests.iter().zip(expected_order) {
        assert!(request.starts_with(prefix), "{requests:?}");
    }
    assert_eq!(requests.iter().filter(|r| r.contains("/attachments/")).count(), 3, "{requests:?}");

    let events = sender.events(&delivered.case_id).await.unwrap();
    assert_eq!(events.iter().map(|e| e.kind.clone()).collect::<Vec<_>>(), vec![EventKind::Submit]);
    assert_eq!(events[0].submission_id.as_deref(), Some(delivered.submission_id.as_str()));
}

#[tokio::test]
async fn without_reply_address_no_reply_channel() {
    let standin = standin().await;
    let sender = Sender::new(standin.sender_config(), http());
    let mut out = outgoing("WW-2026-000002");
    out.reply_email = None;
    out.uploads.clear();
    sender.send(&out).await.unwrap();
    let got = &standin.received()[0];
    assert!(got.metadata.get("replyChannel").is_none());
    assert_eq!(got.attachments.len(), 1);
}

#[tokio::test]
async fn weak_or_wrong_destination_keys_refused_without_sending() {
    let standin = standin().await;
    let sender = Sender::new(standin.sender_config(), http());

    let weak = key::public_jwk(&key_2048().to_public_key(), ENCRYPTION_KID, "RSA-OAEP-256", &["wrapKey"]);
    standin.serve_encryption_key(weak);
    let e = sender.send(&outgoing("WW-1")).await.unwrap_err();
    assert!(!e.retryable);
    assert_eq!(e.reason, "the destination's encryption key was refused: the key's modulus has 2048 bits, not 4096");

    let mut no_wrap = standin.encryption_jwk();
    no_wrap["key_ops"] = json!(["encrypt"]);
    standin.serve_encryption_key(no_wrap);
    let e = sender.send(&outgoing("WW-1")).await.unwrap_err();
    assert!(!e.retryable);
    assert!(e.reason.contains("key_ops do not contain \"wrapKey\""), "{}", e.reason);

    let mut wrong_alg = standin.encryption_jwk();
    wrong_alg["alg"] = json!("RSA-OAEP");
    standin.serve_encryption_key(wrong_alg);
    assert!(sender.send(&outgoing("WW-1")).await.unwrap_err().reason.contains("alg"));

    let requests = standin.requests();
    assert!(!requests.iter().any(|r| r.starts_with("POST /submissions") || r.starts_with("PUT")), "{requests:?}");
    assert!(standin.received().is_empty());
}

#[tokio::test]
async fn refusals_before_any_call() {
    let standin = standin().await;
    let sender = Sender::new(standin.sender_config(), http());
    let mut no_leika = outgoing("WW-1");
    no_leika.leika_key = None;
    let e = sender.send(&no_leika).await.unwrap_err();
    assert!(!e.retryable && e.reason.contains("LeiKa"), "{e:?}");
    let mut odd_id = outgoing("WW-1");
    odd_id.destination_id = "../admin".into();
    assert!(!sender.send(&odd_id).await.unwrap_err().retryable);
    assert!(standin.requests().is_empty());

    // A service or schema the destination does not list: refused after reading it, before creating.
    let mut other_schema = outgoing("WW-1");
    other_schema.schema_uri = "https://schema.fitko.de/fim/s00000001_1.0.schema.json".into();
    let e = sender.send(&other_schema).await.unwrap_err();
    assert!(!e.retryable && e.reason.contains("does not accept the Fachdaten schema"), "{e:?}");
    let mut other_service = outgoing("WW-1");
    other_service.leika_key = Some("99000000000000".into());
    assert!(sender.send(&other_service).await.unwrap_err().reason.contains("does not accept the service"));
    assert!(!standin.requests().iter().any(|r| r.starts_with("POST /submissions")));
}

#[tokio::test]
async fn a_400_problem_is_not_retryable_and_names_its_title() {
    let standin = standin().await;
    let sender = Sender::new(standin.sender_config(), http());
    standin.problem_next("POST /submissions", 400, "submission-request-invalid", "Ungültige Einreichung", "announcedAttachments fehlt");
    let e = sender.send(&outgoing("WW-1")).await.unwrap_err();
    assert!(!e.retryable);
    assert_eq!(
        e.reason,
        "POST /submissions: HTTP 400 Bad Request: Ungültige Einreichung \
         (https://schema.fitko.de/fit-connect/submission-api/problems/submission-request-invalid): announcedAttachments fehlt"
    );
    // 404 destination-not-found likewise.
    let mut unknown = outgoing("WW-1");
    unknown.destination_id = "00000000-0000-4000-8000-000000000000".into();
    let e = sender.send(&unknown).await.unwrap_err();
    assert!(!e.retryable && e.reason.contains("destination-not-found"), "{e:?}");
}

#[tokio::test]
async fn a_503_is_retryable_and_the_retry_succeeds_with_the_same_reference() {
    let standin = standin().await;
    let sender = Sender::new(standin.sender_config(), http());
    // The first attachment upload fails: the submission is left incomplete at the Zustelldienst.
    standin.fail_next("PUT /submissions/", 1);
    let e = sender.send(&outgoing("WW-2026-7")).await.unwrap_err();
    assert!(e.retryable, "{e:?}");
    assert!(e.reason.contains("left incomplete") && e.reason.contains("HTTP 503"), "{}", e.reason);
    assert!(standin.received().is_empty());

    sender.send(&outgoing("WW-2026-7")).await.expect("the retry succeeds");
    assert_eq!(standin.count_by_reference("WW-2026-7"), 1);
    // Sent once more (the outbox lost the answer): the stand-in sees the repeat.
    sender.send(&outgoing("WW-2026-7")).await.unwrap();
    let received = standin.received();
    assert_eq!(received.iter().map(|r| r.repeat).collect::<Vec<_>>(), vec![0, 1]);

    // 429 and 408 are retryable too; several 5xx in a row as well.
    standin.fail_next("", 2);
    assert!(sender.send(&outgoing("WW-2026-8")).await.unwrap_err().retryable);
    standin.problem_next("GET /destinations/", 429, "too-many-requests", "Too many requests", "slow down");
    assert!(sender.send(&outgoing("WW-2026-8")).await.unwrap_err().retryable);
}

#[tokio::test]
async fn a_hanging_zustelldienst_is_a_retryable_timeout() {
    let standin = standin().await;
    let client = reqwest::Client::builder().timeout(Duration::from_millis(700)).build().unwrap();
    let sender = Sender::new(standin.sender_config(), client);
    standin.hang_next("GET /destinations/");
    let e = sender.send(&outgoing("WW-1")).await.unwrap_err();
    assert!(e.retryable, "{e:?}");
    assert!(e.reason.starts_with(&format!("GET /destinations/{DESTINATION}: timed out")), "{}", e.reason);
}

#[tokio::test]
async fn a_refused_connection_is_retryable() {
    let standin = standin().await;
    let mut config = standin.sender_config();
    drop(standin);
    // Nothing listens there any more (the port is freed with the stand-in).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    config.token_url = format!("http://127.0.0.1:{port}/token");
    let e = Sender::new(config, http()).send(&outgoing("WW-1")).await.unwrap_err();
    assert!(e.retryable && e.reason.starts_with("GET /destinations/"), "{e:?}");
}

#[tokio::test]
async fn tokens_are_cached_renewed_on_expiry_and_after_a_401() {
    let mut config = config();
    config.token_lifetime = Duration::from_secs(2);
    let standin = StandIn::start(config).await.unwrap();
    let sender = Sender::new(standin.sender_config(), http());
    sender.send(&outgoing("WW-1")).await.unwrap();
    let first = standin.token_requests();
    assert_eq!(first, 1, "one token for all the calls of a send");

    tokio::time::sleep(Duration::from_millis(2100)).await;
    sender.send(&outgoing("WW-2")).await.expect("a new token after expiry");
    assert!(standin.token_requests() > first);
    let second = standin.token_requests();

    // Revoked at the Zustelldienst while still cached: the 401 brings a new token.
    standin.revoke_tokens();
    sender.send(&outgoing("WW-3")).await.expect("renewed after a 401");
    assert_eq!(standin.token_requests(), second + 1);
    assert_eq!(standin.received().len(), 3);

    // Wrong credentials: not retryable, and the secret is not in the reason.
    let mut bad = standin.sender_config();
    bad.client_secret = "wrong-secret-value".into();
    let e = Sender::new(bad, http()).send(&outgoing("WW-4")).await.unwrap_err();
    assert!(!e.retryable && e.reason.contains("invalid_client"), "{e:?}");
    assert!(!e.reason.contains("wrong-secret-value"));
}

#[tokio::test]
async fn fachdaten_against_the_schema_checked_by_the_standin() {
    let standin = standin().await;
    let sender = Sender::new(standin.sender_config(), http());
    let mut out = outgoing("WW-1");
    out.data = br#"{"G17000001":{"F17000002":"","F17000003":"drei"}}"#.to_vec();
    let e = sender.send(&out).await.unwrap_err();
    assert!(!e.retryable);
    assert!(e.reason.contains("HTTP 422") && e.reason.contains("Fachdaten: /G17000001/F17000003"), "{}", e.reason);
    assert!(!e.reason.contains("drei"), "no content in the reason: {}", e.reason);
    assert!(standin.received().is_empty());
}

/// Drives the API by hand, so that the metadata can be made wrong on purpose.
struct Manual {
    http: reqwest::Client,
    api: String,
    token: String,
}

impl Manual {
    async fn new(standin: &StandIn) -> Manual {
        let http = http();
        let config = standin.sender_config();
        let body = format!("grant_type=client_credentials&client_id={}&client_secret={}", config.client_id, config.client_secret);
        let token: Value = http
            .post(&config.token_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .map(|b| serde_json::from_slice(&b).unwrap())
            .unwrap();
        Manual { http, api: config.api_url, token: token["access_token"].as_str().unwrap().into() }
    }

    async fn call(&self, method: reqwest::Method, path: &str, content_type: &str, body: String) -> (u16, Value) {
        let response = self
            .http
            .request(method, format!("{}{path}", self.api))
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// Creates a submission with one announced attachment, uploads it if `upload`, and
    /// submits metadata changed by `tamper`. Returns the status and the problem.
    async fn submit(&self, standin: &StandIn, upload: bool, tamper: impl Fn(&mut Value)) -> (u16, Value) {
        let public = standin.encryption_private_key().to_public_key();
        let attachment_id = "3b1f6a0e-8d7c-4e2a-9b5f-1c2d3e4f5a6b";
        let (status, created) = self
            .call(
                reqwest::Method::POST,
                "/submissions",
                "application/json",
                json!({"destinationId": DESTINATION, "announcedAttachments": [attachment_id], "serviceType": metadata::service_type("Wohngeld", LEIKA)}).to_string(),
            )
            .await;
        assert_eq!(status, 201);
        let submission = created["submissionId"].as_str().unwrap().to_owned();
        let pdf = b"%PDF-1.7 form";
        if upload {
            let jwe = jwe::encrypt(&public, ENCRYPTION_KID, pdf).unwrap();
            let (status, _) = self
                .call(reqwest::Method::PUT, &format!("/submissions/{submission}/attachments/{attachment_id}"), "application/jose", jwe)
                .await;
            assert_eq!(status, 204);
        }
        let data = br#"{"G17000001":{"F17000002":"x"}}"#;
        let entries = [metadata::AttachmentEntry {
            attachment_id: attachment_id.into(),
            purpose: metadata::Purpose::Form,
            mime_type: "application/pdf".into(),
            filename: "antrag.pdf".into(),
            hash: metadata::sha512_hex(pdf),
        }];
        let mut document = metadata::build(&metadata::MetadataInput {
            data_hash: metadata::sha512_hex(data),
            schema_uri: SCHEMA_URI,
            attachments: &entries,
            service: Some(("Wohngeld", LEIKA)),
            reply_email: None,
            reference: "WW-manual",
            application_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(),
        });
        tamper(&mut document);
        let body = json!({
            "encryptedMetadata": jwe::encrypt(&public, ENCRYPTION_KID, document.to_string().as_bytes()).unwrap(),
            "encryptedData": jwe::encrypt(&public, ENCRYPTION_KID, data).unwrap(),
        });
        self.call(reqwest::Method::PUT, &format!("/submissions/{submission}"), "application/json", body.to_string()).await
    }
}

#[tokio::test]
async fn the_standin_checks_hashes_schema_and_attachments() {
    let standin = standin().await;
    let manual = Manual::new(&standin).await;

    // Untouched: accepted (the manual path itself is right).
    let (status, _) = manual.submit(&standin, true, |_| {}).await;
    assert_eq!(status, 202);

    let other_hash = metadata::sha512_hex(b"something else");
    let (status, problem) = manual.submit(&standin, true, |m| m["contentStructure"]["data"]["hash"]["content"] = json!(other_hash)).await;
    assert_eq!(status, 422);
    assert_eq!(problem["detail"], "Fachdaten: the hash does not match");

    let (status, problem) =
        manual.submit(&standin, true, |m| m["contentStructure"]["attachments"][0]["hash"]["content"] = json!(other_hash)).await;
    assert_eq!(status, 422);
    assert!(problem["detail"].as_str().unwrap().ends_with("the hash does not match"), "{problem}");

    let (status, problem) = manual.submit(&standin, false, |_| {}).await;
    assert_eq!(status, 422);
    assert!(problem["detail"].as_str().unwrap().contains("was announced but not uploaded"), "{problem}");

    let (status, problem) = manual.submit(&standin, true, |m| m["contentStructure"]["attachments"][0]["purpose"] = json!("upload")).await;
    assert_eq!(status, 422);
    assert!(problem["detail"].as_str().unwrap().starts_with("metadata: /contentStructure/attachments/0/purpose"), "{problem}");

    assert_eq!(standin.received().len(), 1);
}

#[tokio::test]
async fn events_show_acceptance_and_rejection() {
    let standin = standin().await;
    let sender = Sender::new(standin.sender_config(), http());
    let accepted = sender.send(&outgoing("WW-A")).await.unwrap();
    let rejected = sender.send(&outgoing("WW-R")).await.unwrap();
    standin.accept(&accepted.case_id);
    let problem = Problem {
        kind: "https://schema.fitko.de/fit-connect/events/problems/missing-attachment".into(),
        title: "Anlage fehlt".into(),
        detail: Some("Der Mietvertrag ist nicht unterschrieben.".into()),
    };
    standin.reject(&rejected.case_id, std::slice::from_ref(&problem));

    let events = sender.events(&accepted.case_id).await.unwrap();
    assert_eq!(events.iter().map(|e| e.kind.clone()).collect::<Vec<_>>(), vec![EventKind::Submit, EventKind::Accept]);
    let events = sender.events(&rejected.case_id).await.unwrap();
    assert_eq!(events.iter().map(|e| e.kind.clone()).collect::<Vec<_>>(), vec![EventKind::Submit, EventKind::Reject]);
    assert_eq!(events[1].problems, vec![problem]);
    assert_eq!(events[1].submission_id.as_deref(), Some(rejected.submission_id.as_str()));
}

#[tokio::test]
async fn a_forged_event_is_refused() {
    let standin = standin().await;
    let sender = Sender::new(standin.sender_config(), http());
    let delivered = sender.send(&outgoing("WW-F")).await.unwrap();
    // Someone between the Zustelldienst and us signs an "accepted" with their own key under the
    // Zustelldienst's kid.
    let forged = events::sign(&key_2048(), SIGNING_KID, &delivered.case_id, &delivered.submission_id, &EventKind::Accept, &[], 1);
    standin.push_raw_event(&delivered.case_id, forged);
    let e = sender.events(&delivered.case_id).await.unwrap_err();
    assert!(!e.retryable);
    assert_eq!(e.reason, format!("event 2 of case {} refused: the signature does not verify", delivered.case_id));
}
