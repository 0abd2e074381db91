//! The FIT-Connect channel: a submission to the authority's FIT-Connect destination through
//! the Submission API v1, by the sender of the `fitconnect` crate (`fitconnect/README.md` says
//! what is sent and checked). The configuration (token and API addresses from the flags,
//! client id and secret from the environment) is checked when the server starts; one
//! [`Sender`] per server (its token cache shared by every attempt) is built from it in
//! `AppState::new`.
//!
//! One attempt builds the application from the stored submission alone (no session): the
//! destination id from the variable the row names, the LeiKa key from the row, the form's
//! title as the service name, the reference number (`senderReference`, the idempotency key a
//! subscriber drops repeats by), the day of the submission, the FIM-keyed Fachdaten
//! (`engine::fim_data` of the stored document's `data`) with the `$id` of `engine::fim_schema`
//! as `schemaUri`, the PDF (the bytes the citizen downloads, as the e-mail channel takes
//! them), the uploads, and the citizen's e-mail address for replies ([`reply_field`]).
//!
//! Outcome: delivered with the receipt `{"submission_id", "case_id"}` (JSON text); a
//! retryable [`SendError`](fitconnect::SendError) (5xx, 408, 429, timeouts, connection
//! errors) is retried with the outbox's backoff; any other one (a 4xx problem, a refused
//! destination or key, metadata that does not validate) gives the row up with the reason.
//! A form without FIM data cannot use this channel: `serve` refuses to start with it
//! ([`fim_problem`]), and a row stored before is given up with the same reason.
//!
//! Nothing here logs the Fachdaten, a file or the address: reasons carry ids and statuses.

use std::time::Duration;

use chrono::TimeZone;
use engine::form::{Channel, FieldType, Form};
use engine::ids::FieldId;
use fitconnect::{CaseEvent, Document, EventKind, Outgoing, Sender, Upload};
use serde_json::{Value, json};

use super::Attempt;
use super::email;
use crate::server::store::{OutboxItem, StoredSubmission};
use crate::server::{AppState, pdf};

/// How long one attempt may take by default (every call of it: token, destination, key,
/// create, each attachment, submit); `--fitconnect-timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// The deployment's FIT-Connect client (never in the form).
#[derive(Clone)]
pub struct FitConnectConfig {
    /// The OAuth token endpoint.
    pub token_url: String,
    /// The Submission API's base address.
    pub api_url: String,
    /// The client id (`WEGWEISER_FITCONNECT_CLIENT_ID`).
    pub client_id: String,
    /// The client secret (`WEGWEISER_FITCONNECT_CLIENT_SECRET`).
    pub client_secret: String,
    /// How long one attempt may take, all its calls together (and each call); a slower one
    /// is retried.
    pub timeout: Duration,
}

impl std::fmt::Debug for FitConnectConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret never reaches a log.
        f.debug_struct("FitConnectConfig").field("token_url", &self.token_url).field("api_url", &self.api_url).finish_non_exhaustive()
    }
}

impl FitConnectConfig {
    /// The configuration from the flags and `env`; `Ok(None)` when nothing is set, an
    /// error naming what is missing or wrong when only part of it is.
    pub fn from_parts(
        token_url: Option<&str>,
        api_url: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<FitConnectConfig>, String> {
        let id = env("WEGWEISER_FITCONNECT_CLIENT_ID").filter(|v| !v.is_empty());
        let secret = env("WEGWEISER_FITCONNECT_CLIENT_SECRET").filter(|v| !v.is_empty());
        if token_url.is_none() && api_url.is_none() && id.is_none() && secret.is_none() {
            return Ok(None);
        }
        let mut missing = Vec::new();
        if token_url.is_none() {
            missing.push("--fitconnect-token-url");
        }
        if api_url.is_none() {
            missing.push("--fitconnect-api-url");
        }
        if id.is_none() {
            missing.push("WEGWEISER_FITCONNECT_CLIENT_ID");
        }
        if secret.is_none() {
            missing.push("WEGWEISER_FITCONNECT_CLIENT_SECRET");
        }
        if !missing.is_empty() {
            return Err(format!("FIT-Connect is configured only in part: {} missing", missing.join(", ")));
        }
        for (flag, url) in [("--fitconnect-token-url", token_url), ("--fitconnect-api-url", api_url)] {
            let url = url.unwrap_or_default();
            if !url.starts_with("https://") && !loopback_http(url) {
                return Err(format!("{flag} must be an https:// address, not `{url}`"));
            }
        }
        Ok(Some(FitConnectConfig {
            token_url: token_url.unwrap_or_default().into(),
            api_url: api_url.unwrap_or_default().into(),
            client_id: id.unwrap_or_default(),
            client_secret: secret.unwrap_or_default(),
            timeout: DEFAULT_TIMEOUT,
        }))
    }
}

/// Plain `http://` only to this machine (`127.0.0.1`, `[::1]`, `localhost`): a stand-in
/// Zustelldienst in tests, or a local TLS proxy. Anything that leaves the machine needs TLS.
fn loopback_http(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| {
        let host = u.host_str().unwrap_or_default();
        let ip = host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>();
        u.scheme() == "http" && (ip.is_ok_and(|ip| ip.is_loopback()) || host.eq_ignore_ascii_case("localhost"))
    })
}

impl FitConnectConfig {
    /// The sender: an HTTP client with the attempt's timeout per call, no redirects (the
    /// Submission API does not redirect; a redirect would carry the token elsewhere).
    pub fn sender(&self) -> Sender {
        let http =
            reqwest::Client::builder().timeout(self.timeout).redirect(reqwest::redirect::Policy::none()).build().expect("an HTTP client");
        let config = fitconnect::Config {
            token_url: self.token_url.clone(),
            api_url: self.api_url.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
        };
        Sender::new(config, http)
    }
}

/// Why `form` cannot deliver by FIT-Connect, if it cannot: the Fachdaten are the FIM-keyed
/// data, so it needs FIM ids and a `fim: { schema }` whose `$id` is the `schemaUri`.
pub fn fim_problem(form: &Form) -> Option<String> {
    match engine::fim_schema(form) {
        None => Some("delivers by FIT-Connect, but no field has a FIM id (`fim:`): the Fachdaten are the FIM-keyed data".into()),
        Some(schema) if schema.get("$id").and_then(Value::as_str).is_none() => {
            Some("delivers by FIT-Connect, but names no FIM schema (`fim: { schema: S…, version: … }`): it is the schemaUri".into())
        }
        Some(_) => None,
    }
}

/// The field whose answer is the citizen's address for replies: the `email` channel's
/// `confirmation_to` when the form has one, else the first `email` field outside a repeated
/// group. (An address the citizen gave for a confirmation is the one they expect answers at.)
pub fn reply_field(form: &Form) -> Option<FieldId> {
    let confirmation = form.submission().channels.iter().find_map(|c| match c {
        Channel::Email(e) => e.confirmation_to,
        _ => None,
    });
    confirmation.or_else(|| {
        (0..form.fields().len() as u32).map(FieldId).find(|id| {
            let f = form.field(*id);
            f.ty == FieldType::Email && f.repeat_group.is_none()
        })
    })
}

/// The answer of a field outside repeated groups in the document's `data` (nested through
/// its groups).
fn answer<'a>(form: &Form, field: FieldId, data: &'a Value) -> Option<&'a Value> {
    let mut path = vec![field];
    let mut at = form.field(field).parent;
    while let Some(p) = at {
        path.push(p);
        at = form.field(p).parent;
    }
    path.iter().rev().try_fold(data, |v, id| v.get(&form.field(*id).id))
}

/// The receipt stored with a delivered row.
pub fn receipt(submission_id: &str, case_id: &str) -> String {
    json!({"submission_id": submission_id, "case_id": case_id}).to_string()
}

/// The case id of a delivered row's receipt.
pub fn case_of(receipt: &str) -> Option<(String, String)> {
    let v: Value = serde_json::from_str(receipt).ok()?;
    Some((v.get("submission_id")?.as_str()?.to_owned(), v.get("case_id")?.as_str()?.to_owned()))
}

/// The application of one row, from the stored submission; `Err` is the attempt's outcome.
async fn outgoing(state: &AppState, item: &OutboxItem, sub: &StoredSubmission) -> Result<Outgoing, Attempt> {
    let var = item.target.clone().unwrap_or_default();
    // Under an authority, its own destination for the form (authority.yaml `delivery:`)
    // comes before the form's variable.
    let own = state.tenants.get(&sub.authority).and_then(|t| t.authority.delivery.get(&sub.form)).and_then(|d| d.fit_connect.clone());
    let destination_id = own
        .or_else(|| state.config.channel_var(&var))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Attempt::Retry(format!("destination variable {var} unset")))?;
    let served = state.forms.get(&sub.form).ok_or_else(|| Attempt::Retry("the form is not served here".into()))?;
    let form = &served.form;
    if let Some(why) = fim_problem(form) {
        return Err(Attempt::GiveUp(format!("the form {why}")));
    }
    let document: Value =
        serde_json::from_str(&sub.document).map_err(|_| Attempt::GiveUp("the stored submission document is not JSON".into()))?;
    let empty = Value::Object(Default::default());
    let data = document.get("data").unwrap_or(&empty);
    let fim = engine::fim_data(form, data).unwrap_or_default();
    let schema_uri = engine::fim_schema(form).and_then(|s| s.get("$id").and_then(Value::as_str).map(str::to_owned)).unwrap_or_default();
    let created_at = state.store.submission_created_at(&sub.id).await.ok().flatten().unwrap_or_else(|| state.now_ms());
    let application_date = chrono::Local.timestamp_millis_opt(created_at).single().map_or_else(|| state.today(), |d| d.date_naive());
    let pdf_bytes = email::pdf_of(state, sub).await.map_err(Attempt::Retry)?;
    let uploads = state
        .store
        .submission_files(&sub.id)
        .await
        .map_err(|_| Attempt::Retry("the uploads could not be read".into()))?
        .into_iter()
        .map(|(filename, mime, bytes)| Upload { filename, mime, bytes })
        .collect();
    let reply_email = reply_field(form).and_then(|f| answer(form, f, data)).and_then(Value::as_str).and_then(email::citizen_address);
    Ok(Outgoing {
        destination_id,
        leika_key: item.detail.clone(),
        service_name: email::form_title(state, &sub.form),
        reference: sub.reference.clone(),
        application_date,
        data: serde_json::to_vec(&fim).unwrap_or_default(),
        schema_uri,
        pdf: Document { filename: pdf::file_name(&sub.reference), bytes: pdf_bytes },
        uploads,
        reply_email,
    })
}

/// One attempt of a `fitconnect` row.
pub async fn send(state: &AppState, item: &OutboxItem, sub: StoredSubmission) -> Attempt {
    let (Some(sender), Some(config)) = (state.fitconnect.as_ref(), state.config.fitconnect.as_ref()) else {
        return Attempt::Retry("no FIT-Connect client configured (--fitconnect-token-url, --fitconnect-api-url)".into());
    };
    let out = match outgoing(state, item, &sub).await {
        Ok(o) => o,
        Err(a) => return a,
    };
    // Every call has the timeout; the whole attempt too, so that it stays inside its lease.
    match tokio::time::timeout(config.timeout, sender.send(&out)).await {
        Err(_) => Attempt::Retry("FIT-Connect: timeout".into()),
        Ok(Ok(d)) => Attempt::Delivered(Some(receipt(&d.submission_id, &d.case_id))),
        Ok(Err(e)) if e.retryable => Attempt::Retry(e.reason),
        Ok(Err(e)) => Attempt::GiveUp(e.reason),
    }
}

/// The state of a delivered submission's case as the admin API shows it: the latest event
/// about this submission (`submit`, `accept`, `reject` with the authority's problems, …),
/// read from the case's event log now (not stored: the log is the authority's record).
pub async fn case_status(state: &AppState, receipt: &str) -> Option<Value> {
    let (submission_id, case_id) = case_of(receipt)?;
    let (Some(sender), Some(config)) = (state.fitconnect.as_ref(), state.config.fitconnect.as_ref()) else {
        return Some(json!({"case_id": case_id, "error": "no FIT-Connect client configured"}));
    };
    let events = match tokio::time::timeout(config.timeout, sender.events(&case_id)).await {
        Err(_) => return Some(json!({"case_id": case_id, "error": "FIT-Connect: timeout"})),
        Ok(Err(e)) => return Some(json!({"case_id": case_id, "error": e.reason})),
        Ok(Ok(events)) => events,
    };
    Some(latest(&case_id, &submission_id, &events))
}

fn kind_name(kind: &EventKind) -> String {
    match kind {
        EventKind::Create => "create".into(),
        EventKind::Submit => "submit".into(),
        EventKind::Notify => "notify".into(),
        EventKind::Forward => "forward".into(),
        EventKind::Accept => "accept".into(),
        EventKind::Reject => "reject".into(),
        EventKind::Delete => "delete".into(),
        EventKind::Other(uri) => uri.clone(),
    }
}

/// The last event of the log about `submission_id` (events that name no submission count).
fn latest(case_id: &str, submission_id: &str, events: &[CaseEvent]) -> Value {
    let mut ours = events.iter().filter(|e| e.submission_id.as_deref().is_none_or(|s| s == submission_id));
    let Some(last) = ours.next_back() else {
        return json!({"case_id": case_id, "events": events.len(), "latest": null});
    };
    let at = chrono::DateTime::from_timestamp(last.issued_at, 0).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let problems: Vec<Value> = last.problems.iter().map(|p| json!({"type": p.kind, "title": p.title, "detail": p.detail})).collect();
    json!({
        "case_id": case_id,
        "events": events.len(),
        "latest": {"event": kind_name(&last.kind), "issued_at": at, "problems": problems},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(deliver: &str) -> Form {
        let src = format!(
            "wegweiser: 1\nid: t\nversion: \"1\"\ntitle: T\nsteps:\n  - id: s\n    title: S\n    fields:\n      \
             - {{ id: name, type: text, label: Name }}\n      - {{ id: privat, type: email, label: Privat }}\n      \
             - id: kontakt\n        type: group\n        label: Kontakt\n        fields:\n          \
             - {{ id: dienst, type: email, label: Dienstlich }}\nsubmission:\n  reference: T-{{seq:3}}\n  deliver:\n{deliver}"
        );
        let c = engine::compile(&src);
        c.form.unwrap_or_else(|| panic!("{:?}", c.diagnostics))
    }

    #[test]
    fn the_reply_address_is_the_confirmation_field_else_the_first_email_field() {
        let fit = "    - fitconnect: { destination_env: D, leika: \"99108009000000\" }\n";
        let data = json!({"name": "Erika", "privat": "erika@example.org", "kontakt": {"dienst": "e.m@amt.example"}});
        let first = form(fit);
        let f = reply_field(&first).unwrap();
        assert_eq!(first.field(f).id, "privat");
        assert_eq!(answer(&first, f, &data), Some(&json!("erika@example.org")));
        let with_confirmation = form(&format!("{fit}    - email: {{ to_env: M, confirmation_to: dienst }}\n"));
        let f = reply_field(&with_confirmation).unwrap();
        assert_eq!(with_confirmation.field(f).id, "dienst");
        assert_eq!(answer(&with_confirmation, f, &data), Some(&json!("e.m@amt.example")), "through its group");
        assert_eq!(answer(&with_confirmation, f, &json!({})), None);
    }

    #[test]
    fn a_form_without_fim_ids_cannot_use_the_channel_and_receipts_round_trip() {
        let f = form("    - fitconnect: { destination_env: D, leika: \"99108009000000\" }\n");
        assert!(fim_problem(&f).unwrap().contains("no field has a FIM id"));
        assert_eq!(case_of(&receipt("s-1", "c-1")), Some(("s-1".into(), "c-1".into())));
        assert_eq!(case_of("<id@stadt.example>"), None);
    }

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn a_partial_configuration_names_what_is_missing() {
        assert!(FitConnectConfig::from_parts(None, None, env(&[])).unwrap().is_none());
        let e = FitConnectConfig::from_parts(Some("https://auth.example/token"), None, env(&[("WEGWEISER_FITCONNECT_CLIENT_ID", "c")]))
            .unwrap_err();
        assert!(e.contains("--fitconnect-api-url") && e.contains("WEGWEISER_FITCONNECT_CLIENT_SECRET") && !e.contains("CLIENT_ID"), "{e}");
        let all = env(&[("WEGWEISER_FITCONNECT_CLIENT_ID", "c"), ("WEGWEISER_FITCONNECT_CLIENT_SECRET", "s")]);
        let e = FitConnectConfig::from_parts(Some("http://auth.example/token"), Some("https://api.example"), &all).unwrap_err();
        assert!(e.contains("https://"), "{e}");
        let c = FitConnectConfig::from_parts(Some("https://auth.example/token"), Some("https://api.example"), &all).unwrap().unwrap();
        assert_eq!(c.client_secret, "s");
        assert!(!format!("{c:?}").contains("client_secret"), "no secret in Debug");
        // Plain HTTP only to this machine.
        for ok in ["http://127.0.0.1:4000/token", "http://localhost:1/x", "http://[::1]:2/"] {
            assert!(FitConnectConfig::from_parts(Some(ok), Some(ok), &all).is_ok(), "{ok}");
        }
        for bad in ["http://10.0.0.1/token", "http://localhost.evil.example/", "http://127.0.0.1.nip.io/"] {
            assert!(FitConnectConfig::from_parts(Some(bad), Some("https://api.example"), &all).is_err(), "{bad}");
        }
    }
}
