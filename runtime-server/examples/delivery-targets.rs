//! The delivery targets of the browser test of the PDF download (`scripts/browser-test`,
//! `tests/browser/pdfdownload.mjs`): the stand-in FIT-Connect Zustelldienst
//! (`fitconnect::standin`) and the test SMTP server (`runtime-server/tests/smtp/server.py`,
//! STARTTLS and AUTH, certificates made with `openssl`), started for one form, so that the
//! server the browser walks delivers to both.
//!
//! `cargo run -p wegweiser --example delivery-targets -- FORM.yaml OUT` writes to `OUT`:
//! - `forms/<file>`: the form with `deliver: [fitconnect, email]` added to its `submission`;
//! - `env.sh`: the variables `wegweiser serve` needs for them (`FC_TOKEN_URL`, `FC_API_URL`,
//!   `SMTP_URL`, `SMTP_CA`, the client credentials, the SMTP password, the destination and
//!   address variables the form names), to be sourced;
//! - `fitconnect/<n>.json`: each submission the stand-in accepted (it decrypted it and checked
//!   its metadata against the official schema and its Fachdaten against the form's FIM schema),
//!   with the attachments' bytes in base64;
//! - `mail/*.json`: each message the SMTP server accepted (its summary).
//!
//! Prints `ready` when both listen; stops (and stops the SMTP server) on Ctrl-C or SIGTERM.
//! Testing only: the stand-in's keys and the SMTP password are public test values.

#[path = "../tests/common/smtp.rs"]
mod smtp;

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use fitconnect::standin::{StandIn, StandInConfig};

const DESTINATION_VAR: &str = "BROWSER_TEST_DESTINATION";
const DESTINATION: &str = "3f0e9c1d-5b7a-4e2f-8c6d-1a2b3c4d5e6f";
const MAIL_TO_VAR: &str = "BROWSER_TEST_MAIL_TO";
const MAIL_TO: &str = "eingang@amt.example";
const LEIKA: &str = "99108009000000";

fn fail(msg: &str) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [form_file, out] = &args[..] else { fail("usage: delivery-targets FORM.yaml OUT") };
    let (form_file, out) = (PathBuf::from(form_file), PathBuf::from(out));
    let src = std::fs::read_to_string(&form_file).unwrap_or_else(|e| fail(&format!("{}: {e}", form_file.display())));
    // The channels go right after `reference:` in the submission block.
    let Some(at) = src.find("\nsubmission:\n").and_then(|i| src[i..].find("  reference:").map(|j| i + j)) else {
        fail("the form has no `submission:` block with a `reference:`")
    };
    let line_end = src[at..].find('\n').map_or(src.len(), |n| at + n + 1);
    let deliver = format!(
        "  deliver:\n    - fitconnect: {{ destination_env: {DESTINATION_VAR}, leika: \"{LEIKA}\" }}\n    - email: {{ to_env: {MAIL_TO_VAR} }}\n"
    );
    let src = format!("{}{deliver}{}", &src[..line_end], &src[line_end..]);
    let compiled = engine::compile(&src);
    let form = compiled.form.unwrap_or_else(|| fail(&format!("the form does not compile: {:?}", compiled.diagnostics)));
    let schema = engine::fim_schema(&form).unwrap_or_else(|| fail("the form has no FIM ids"));
    let uri = schema["$id"].as_str().unwrap_or_else(|| fail("the form names no FIM schema")).to_string();

    for d in ["forms", "fitconnect", "mail"] {
        std::fs::create_dir_all(out.join(d)).unwrap();
    }
    std::fs::write(out.join("forms").join(form_file.file_name().unwrap()), &src).unwrap();
    let standin = StandIn::start(StandInConfig::new(DESTINATION, LEIKA, &uri, schema)).await.unwrap();
    let certs = smtp::Certs::make();
    let mut mail = smtp::Smtp::start(smtp::free_port(), &certs, &out.join("mail"), &[]);
    let c = standin.sender_config();
    let env = [
        ("FC_TOKEN_URL", c.token_url),
        ("FC_API_URL", c.api_url),
        ("WEGWEISER_FITCONNECT_CLIENT_ID", c.client_id),
        ("WEGWEISER_FITCONNECT_CLIENT_SECRET", c.client_secret),
        ("SMTP_URL", format!("smtp://{}@127.0.0.1:{}", smtp::USER, mail.port)),
        ("SMTP_CA", certs.ca().display().to_string()),
        ("WEGWEISER_SMTP_PASSWORD", smtp::PASSWORD.to_string()),
        (DESTINATION_VAR, DESTINATION.to_string()),
        (MAIL_TO_VAR, MAIL_TO.to_string()),
    ];
    let sh: String = env.iter().map(|(k, v)| format!("export {k}='{v}'\n")).collect();
    std::fs::write(out.join("env.sh"), sh).unwrap();
    println!("ready");

    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).unwrap();
    let mut written = 0;
    loop {
        for (n, r) in standin.received().iter().enumerate().skip(written) {
            let attachments: Vec<serde_json::Value> = r
                .attachments
                .iter()
                .map(|a| {
                    serde_json::json!({
                        "filename": a.filename, "purpose": a.purpose, "mime_type": a.mime_type,
                        "base64": base64::engine::general_purpose::STANDARD.encode(&a.bytes),
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "submission_id": r.submission_id, "case_id": r.case_id, "metadata": r.metadata, "data": r.data,
                "attachments": attachments, "repeat": r.repeat,
            });
            // Written whole, then renamed: a reader never sees half a file.
            let tmp = out.join("fitconnect").join(format!(".{n:04}.tmp"));
            std::fs::write(&tmp, doc.to_string()).unwrap();
            std::fs::rename(&tmp, out.join("fitconnect").join(format!("{n:04}.json"))).unwrap();
            written = n + 1;
        }
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = sigterm.recv() => break,
            () = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
    }
    mail.stop();
}
