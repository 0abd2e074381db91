//! The e-mail channel: the submission to the authority's address over SMTP (STARTTLS or
//! implicit TLS, with authentication), and the optional confirmation to the citizen.
//!
//! - **To the authority** (`email` rows): subject `<form title> – <reference>`, a short
//!   plain-text body (form, reference, date and time of the submission, the attachments),
//!   and two attachments: the submission's PDF (`<reference>.pdf`, the bytes the citizen
//!   downloads, from `submission_pdfs`, rendered and stored first if missing) and the
//!   submission document (`<reference>.json`). No answer is in the body or a header: the
//!   attachments carry them.
//! - **To the citizen** (`email-confirmation` rows): the form's title, the reference and the
//!   date, nothing the citizen answered, no attachment. The address was checked by lettre's
//!   address parser when the row was written (an invalid one gets no row).
//!
//! Every message has `Message-ID: <delivery-id@sender-domain>` and `X-Wegweiser-Delivery:
//! <delivery-id>` (the outbox row's id, the same on every attempt), so a mailbox or the
//! authority's import drops a repeat after a crash between sending and recording. The
//! receipt stored with a delivered row is that Message-ID.
//!
//! Failures: no connection, a timeout, a TLS failure, a 4xx reply, or the server refusing
//! the login (530/534/535/538: the deployment's password is wrong, which the operator fixes)
//! are retried with the outbox's backoff; any other permanent 5xx reply (an unknown
//! mailbox, a message too large) gives the row up (`failed`), because sending the same
//! message again gets the same answer. The reason is the SMTP code and what it means,
//! never the server's text (it may quote an address).

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, Mailboxes, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::Attempt;
use crate::server::store::{OutboxItem, StoredSubmission};
use crate::server::{AppState, pdf};

/// The deployment's SMTP server and sender (never in the form).
#[derive(Clone)]
pub struct SmtpConfig {
    transport: Arc<AsyncSmtpTransport<Tokio1Executor>>,
    /// The sender (`--smtp-from`).
    pub from: Mailbox,
    /// `host:port`, for messages.
    pub server: String,
    /// How long one message may take (connect, TLS, login, send).
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        f.debug_struct("SmtpConfig").field("server", &self.server).field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl SmtpConfig {
    /// The configuration from `--smtp-url` (`smtp://[user[:password]@]host[:port]`:
    /// STARTTLS required, port 587 by default; `smtps://…`: implicit TLS, port 465), the
    /// password from `WEGWEISER_SMTP_PASSWORD` when the URL has none, the sender, and the
    /// PEM of extra CA certificates the server's certificate may be signed by. There is no
    /// mode without TLS: the message carries the citizen's answers.
    pub fn new(url: &str, password: Option<String>, from: &str, ca_pem: Option<&[u8]>, timeout: Duration) -> Result<SmtpConfig, String> {
        let parsed =
            reqwest::Url::parse(url).map_err(|_| "--smtp-url is not an address like smtp://user@mail.example.de:587".to_string())?;
        let implicit = match parsed.scheme() {
            "smtp" => false,
            "smtps" => true,
            other => return Err(format!("--smtp-url must start with smtp:// (STARTTLS) or smtps:// (TLS), not {other}://")),
        };
        let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or("--smtp-url names no host")?.to_string();
        let port = parsed.port().unwrap_or(if implicit { 465 } else { 587 });
        let from: Mailbox = from.parse().map_err(|_| format!("--smtp-from `{from}` is not an e-mail address"))?;
        let mut tls = TlsParameters::builder(host.clone());
        if let Some(pem) = ca_pem {
            let cert = Certificate::from_pem(pem).map_err(|e| format!("--smtp-ca-file: not a PEM certificate ({e})"))?;
            tls = tls.add_root_certificate(cert);
        }
        let tls = tls.build_rustls().map_err(|e| format!("SMTP TLS settings: {e}"))?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
            .port(port)
            .tls(if implicit { Tls::Wrapper(tls) } else { Tls::Required(tls) })
            .timeout(Some(timeout))
            .hello_name(ClientId::Domain(from.email.domain().to_string()));
        let user = percent_decode(parsed.username());
        if !user.is_empty() {
            let password = match parsed.password() {
                Some(p) => percent_decode(p),
                None => password.filter(|p| !p.is_empty()).ok_or("the SMTP user has no password: set WEGWEISER_SMTP_PASSWORD")?,
            };
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(SmtpConfig { transport: Arc::new(builder.build()), from, server: format!("{host}:{port}"), timeout })
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The addresses in an `email` channel's variable (comma-separated); an error says why not.
pub fn authority_addresses(var: &str, value: Option<String>) -> Result<Mailboxes, String> {
    let value = value.filter(|v| !v.trim().is_empty()).ok_or_else(|| format!("address variable {var} unset"))?;
    let mut boxes = Mailboxes::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        boxes.push(part.parse::<Mailbox>().map_err(|_| format!("address variable {var} holds something that is not an address"))?);
    }
    Ok(boxes)
}

/// The citizen's address for a confirmation, when it is one a message can go to.
pub fn citizen_address(answer: &str) -> Option<String> {
    let a: lettre::Address = answer.trim().parse().ok()?;
    Some(a.to_string())
}

/// A header that lettre writes as given: only ever our own ids (hex) and references
/// (letters, digits, `-`), never an answer; anything else is dropped from the value.
fn raw_header(name: &'static str, value: &str) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), header_safe(value))
}

fn header_safe(value: &str) -> String {
    value.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

/// The form's title in its default language, without line breaks.
pub fn form_title(state: &AppState, form: &str) -> String {
    let title = match state.forms.get(form) {
        Some(served) => {
            let s = engine::session::Session::new(&served.form, served.form.default_language(), state.today());
            s.render(served.form.title(), None)
        }
        None => form.to_string(),
    };
    title.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// One attempt of an `email` or `email-confirmation` row.
pub async fn send(state: &AppState, item: &OutboxItem, sub: StoredSubmission) -> Attempt {
    let Some(smtp) = state.config.smtp.as_ref() else {
        return Attempt::Retry("no SMTP server configured (--smtp-url)".into());
    };
    let confirmation = item.channel == "email-confirmation";
    let to = if confirmation {
        match item.target.as_deref().and_then(citizen_address).and_then(|a| a.parse::<Mailbox>().ok()) {
            Some(m) => Mailboxes::new().with(m),
            None => return Attempt::GiveUp("the confirmation address is not an address".into()),
        }
    } else {
        // Under an authority, its own address for the form (authority.yaml `delivery:`)
        // comes before the form's variable.
        let own = state.tenants.get(&sub.authority).and_then(|t| t.authority.delivery.get(&sub.form)).and_then(|d| d.email.clone());
        let var = item.target.clone().unwrap_or_default();
        let found = match own {
            Some(address) => authority_addresses("delivery.email of the authority file", Some(address)),
            None => authority_addresses(&var, state.config.channel_var(&var)),
        };
        match found {
            Ok(b) => b,
            Err(e) => return Attempt::Retry(e),
        }
    };
    let created_at = state.store.submission_created_at(&sub.id).await.ok().flatten().unwrap_or_else(|| state.now_ms());
    let at = chrono::Local.timestamp_millis_opt(created_at).single().unwrap_or_else(chrono::Local::now);
    let when = at.format("%d.%m.%Y, %H:%M Uhr").to_string();
    let title = form_title(state, &sub.form);
    // Under an authority, the message names it (one line, no control characters).
    let authority_line = match state.tenants.get(&sub.authority) {
        Some(t) => format!("Behörde: {}\r\n", t.authority.name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>()),
        None => String::new(),
    };
    let message_id = format!("<{}@{}>", item.id, smtp.from.email.domain());
    let mut builder = Message::builder()
        .from(smtp.from.clone())
        .mailbox(lettre::message::header::To::from(to))
        .message_id(Some(message_id.clone()))
        .raw_header(raw_header("X-Wegweiser-Delivery", &item.id))
        .raw_header(raw_header("X-Wegweiser-Reference", &sub.reference))
        .date_now();
    let message = if confirmation {
        builder = builder.subject(format!("Ihr Antrag: {title} – {}", sub.reference));
        builder.singlepart(SinglePart::plain(confirmation_body(&authority_line, &title, &sub.reference, &when)))
    } else {
        let pdf = match pdf_of(state, &sub).await {
            Ok(p) => p,
            Err(reason) => return Attempt::Retry(reason),
        };
        let name = pdf::file_name(&sub.reference);
        let json_name = format!("{}.json", name.trim_end_matches(".pdf"));
        let body = authority_body(&authority_line, &title, &sub.form, &sub.reference, &when, &name, &json_name, &item.id);
        builder = builder.subject(format!("{title} – {}", sub.reference));
        builder.multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(body))
                .singlepart(Attachment::new(name).body(pdf, ContentType::parse("application/pdf").expect("a MIME type")))
                .singlepart(
                    Attachment::new(json_name)
                        .body(sub.document.into_bytes(), ContentType::parse("application/json").expect("a MIME type")),
                ),
        )
    };
    let message = match message {
        Ok(m) => m,
        Err(e) => return Attempt::GiveUp(format!("the message could not be built: {e}")),
    };
    match smtp.transport.send(message).await {
        Ok(_) => Attempt::Delivered(Some(message_id)),
        Err(e) => classify(&e),
    }
}

/// The text of a Postkorb notification: that there is a message, never what it says.
pub fn notification_body(reference: &str) -> String {
    format!("Sie haben eine neue Nachricht zu Ihrem Antrag {reference}. Melden Sie sich an, um sie zu lesen.\r\n")
}

/// One attempt of a `notification` row (a new Postkorb message): a note to the account's
/// address without the message's content, subject or attachment.
pub async fn notify(state: &AppState, item: &OutboxItem, sub: StoredSubmission) -> Attempt {
    let Some(smtp) = state.config.smtp.as_ref() else {
        return Attempt::Retry("no SMTP server configured (--smtp-url)".into());
    };
    let Some(to) = item.target.as_deref().and_then(citizen_address).and_then(|a| a.parse::<Mailbox>().ok()) else {
        return Attempt::GiveUp("the account's address is not an address".into());
    };
    let message_id = format!("<{}@{}>", item.id, smtp.from.email.domain());
    let message = Message::builder()
        .from(smtp.from.clone())
        .to(to)
        .message_id(Some(message_id.clone()))
        .raw_header(raw_header("X-Wegweiser-Delivery", &item.id))
        .raw_header(raw_header("X-Wegweiser-Reference", &sub.reference))
        .date_now()
        .subject(format!("Neue Nachricht zu Ihrem Antrag {}", sub.reference))
        .singlepart(SinglePart::plain(notification_body(&sub.reference)));
    let message = match message {
        Ok(m) => m,
        Err(e) => return Attempt::GiveUp(format!("the message could not be built: {e}")),
    };
    match smtp.transport.send(message).await {
        Ok(_) => Attempt::Delivered(Some(message_id)),
        Err(e) => classify(&e),
    }
}

/// What an SMTP error means for the row.
fn classify(e: &lettre::transport::smtp::Error) -> Attempt {
    let code = e.status().map(|c| c.to_string());
    match code.as_deref() {
        Some(c @ ("530" | "534" | "535" | "538")) => {
            Attempt::Retry(format!("SMTP {c}: the server refused the login (check the SMTP user and password)"))
        }
        Some(c) if e.is_permanent() => Attempt::GiveUp(format!("SMTP {c}: the server refused the message for good")),
        Some(c) => Attempt::Retry(format!("SMTP {c}: the server refused the message for now")),
        None if e.is_timeout() => Attempt::Retry("SMTP timeout".into()),
        None if e.is_tls() => Attempt::Retry("SMTP TLS failed (is the server's certificate trusted? --smtp-ca-file)".into()),
        None => Attempt::Retry("SMTP connection failed".into()),
    }
}

/// The stored PDF of a submission, or rendered and stored now from its draft.
pub(super) async fn pdf_of(state: &AppState, sub: &StoredSubmission) -> Result<Vec<u8>, String> {
    if let Ok(Some(p)) = state.store.submission_pdf(&sub.reference).await
        && let Some(bytes) = p.pdf
    {
        return Ok(bytes);
    }
    // The scope it was submitted under: its authority's name and parameter values.
    let authority = Some(sub.authority.as_str()).filter(|a| !a.is_empty());
    let scope =
        crate::server::tenant::resolve(state, authority, &sub.form).ok_or("no PDF: the form is not served here and none was stored")?;
    let draft = match state.store.draft_of_submission(&sub.id).await {
        Ok(Some(d)) => d,
        _ => return Err("no PDF: the submission's draft is missing".into()),
    };
    pdf::of_draft(state, scope, &draft).await.map_err(|e| format!("no PDF: {e}"))
}

#[allow(clippy::too_many_arguments)]
fn authority_body(authority: &str, title: &str, form: &str, reference: &str, when: &str, pdf: &str, json: &str, delivery: &str) -> String {
    format!(
        "Ein neuer Antrag ist über Wegweiser eingegangen.\r\n\r\n\
         {authority}Formular: {title} ({form})\r\n\
         Aktenzeichen: {reference}\r\n\
         Eingegangen: {when}\r\n\r\n\
         Anhänge:\r\n\
         - {pdf}: der Antrag, wie die antragstellende Person ihn abgeschickt hat\r\n\
         - {json}: die Antragsdaten zur Übernahme in das Fachverfahren\r\n\r\n\
         Diese Nachricht wurde automatisch erstellt. Zustellungs-ID: {delivery}\r\n"
    )
}

fn confirmation_body(authority: &str, title: &str, reference: &str, when: &str) -> String {
    format!(
        "Guten Tag,\r\n\r\n\
         Ihr Antrag „{title}“ ist am {when} eingegangen.\r\n\
         {authority}\
         Ihr Aktenzeichen: {reference}\r\n\r\n\
         Bitte geben Sie das Aktenzeichen bei Rückfragen an. Ihre Angaben stehen aus Datenschutzgründen\r\n\
         nicht in dieser Nachricht.\r\n\r\n\
         Diese Nachricht wurde automatisch versandt; bitte antworten Sie nicht darauf.\r\n\r\n\
         --\r\n\
         Your application \"{title}\" was received. Your reference number: {reference}\r\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_that_could_carry_headers_are_refused() {
        assert_eq!(citizen_address(" erika@example.org ").as_deref(), Some("erika@example.org"));
        for bad in ["erika@example.org\r\nBcc: evil@x", "Erika <erika@example.org>", "a@b, evil@x", "\r\nBcc: evil@x", ""] {
            assert_eq!(citizen_address(bad), None, "{bad:?}");
        }
        let two = authority_addresses("V", Some("eingang@amt.example, Post <post@amt.example>".into())).unwrap();
        assert_eq!(two.iter().count(), 2);
        assert!(authority_addresses("V", None).unwrap_err().contains("V unset"));
        assert!(authority_addresses("V", Some("eingang@amt.example\r\nBcc: x@y".into())).is_err());
    }

    #[test]
    fn the_smtp_url_needs_tls_and_a_password_for_its_user() {
        let t = Duration::from_secs(5);
        let from = "antraege@stadt.example";
        assert!(SmtpConfig::new("http://mail.example", None, from, None, t).unwrap_err().contains("smtp://"));
        assert!(SmtpConfig::new("smtp://u@mail.example", None, from, None, t).unwrap_err().contains("WEGWEISER_SMTP_PASSWORD"));
        assert!(SmtpConfig::new("smtp://mail.example", None, "not an address", None, t).unwrap_err().contains("--smtp-from"));
        let c = SmtpConfig::new("smtps://u:p%40ss@mail.example", None, from, None, t).unwrap();
        assert_eq!(c.server, "mail.example:465");
        assert!(!format!("{c:?}").contains("p@ss"));
        assert_eq!(SmtpConfig::new("smtp://u@mail.example", Some("pw".into()), from, None, t).unwrap().server, "mail.example:587");
        assert_eq!(header_safe("HST-2026-1\r\nBcc: x"), "HST-2026-1Bccx");
    }
}
