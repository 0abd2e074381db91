//! The PDF of a submission: its model built from the summary page's rows (the answers as
//! the citizen saw them: option labels, German dates and amounts, file names), rendered by
//! the `pdf` crate once and stored with the submission (`submission_pdfs`), so that the
//! citizen's download and every later delivery channel get the same bytes.
//!
//! It is written by a background worker right after the submission ([`queue`], [`run`]),
//! not inside the submission's request or transaction: rendering (deflate, text shaping)
//! would hold SQLite's write lock and cost the request milliseconds, and a crash between
//! the two leaves nothing to repair. Whoever needs it before the worker wrote it (the
//! download, a delivery channel; the worker's queue full under load; a restart) renders
//! it then: [`of_draft`] stores the first rendering only and every caller serves what is
//! stored, so the citizen's download and the delivered file are the same bytes.

use std::sync::{Arc, Weak};

use chrono::{Datelike, TimeZone, Timelike};
use engine::session::{BudgetExhausted, Session, Snapshot};
use tokio::sync::{mpsc, oneshot};

use super::store::Draft;
use super::tenant::Scope;
use super::{AppState, Inner, view};

/// Submissions waiting for the background worker at most; beyond it a PDF is written on
/// first need (bounded memory under a burst, and the worker never falls behind without
/// end).
pub const QUEUE: usize = 256;

/// A submission whose PDF the worker writes: where it was submitted and its draft.
#[derive(Debug)]
pub struct Job {
    /// The authority the form was submitted under (`None` without authorities).
    pub authority: Option<String>,
    /// The form's id.
    pub form: String,
    /// The submitted draft's id.
    pub draft: String,
}

/// Hands a stored submission to the background worker; false when its queue is full (the
/// PDF is then written when first needed).
pub fn queue(state: &AppState, job: Job) -> bool {
    state.pdf_queue.try_send(job).is_ok()
}

/// The background worker: writes each queued submission's PDF, one at a time, rendering it
/// on a thread of the lowest priority ([`low_priority`]): it takes the time the requests
/// leave. Under overload it falls behind, its queue fills and the PDFs beyond are written on
/// first need. Ends when the state is gone.
pub async fn run(state: Weak<Inner>, mut jobs: mpsc::Receiver<Job>) {
    while let Some(job) = jobs.recv().await {
        let Some(inner) = state.upgrade() else { return };
        let state = AppState(inner);
        if let Err(e) = write(&state, &job).await {
            // The download or a delivery tries again; the error names no answer.
            tracing::warn!(form = %job.form, error = %e, "PDF not written in the background");
        }
    }
}

async fn write(state: &AppState, job: &Job) -> Result<(), PdfFault> {
    let scope = super::tenant::resolve(state, job.authority.as_deref(), &job.form).ok_or(PdfFault::Missing)?;
    let draft = state.store.draft(&job.draft).await?.ok_or(PdfFault::Missing)?;
    write_with(state, scope, &draft, Priority::Low).await.map(drop)
}

/// Who waits for a rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Priority {
    /// A citizen or a delivery: tokio's blocking threads.
    Now,
    /// Nobody: the background worker's thread of the lowest priority.
    Low,
}

type RenderJob = (pdf::Application, oneshot::Sender<Result<pdf::Rendered, pdf::PdfError>>);

/// The thread the background worker renders on, started on first use, at the lowest
/// scheduling priority (Linux: nice 19 for this thread alone), so that under load the
/// requests' threads get the cores and the PDFs wait.
fn low_priority() -> &'static std::sync::mpsc::Sender<RenderJob> {
    static THREAD: std::sync::OnceLock<std::sync::mpsc::Sender<RenderJob>> = std::sync::OnceLock::new();
    THREAD.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<RenderJob>();
        let started = std::thread::Builder::new().name("pdf-background".into()).spawn(move || {
            lower_this_threads_priority();
            for (app, done) in rx {
                let _ = done.send(pdf::render(&app));
            }
        });
        if let Err(e) = started {
            tracing::error!(error = %e, "no thread for background PDFs: they are written on first need");
        }
        tx
    })
}

/// nice 19 for the calling thread (on Linux a thread's own priority; elsewhere nothing).
fn lower_this_threads_priority() {
    // Linux applies `PRIO_PROCESS` with a thread's id to that thread alone (setpriority(2)).
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 19) {
        tracing::warn!(error = %e, "the background PDF thread keeps its priority");
    }
}

async fn render(app: pdf::Application, priority: Priority) -> Result<pdf::Rendered, PdfFault> {
    match priority {
        // Layout and writing take milliseconds to a second at the bounds: off the async threads.
        Priority::Now => tokio::task::spawn_blocking(move || pdf::render(&app)).await.map_err(|_| PdfFault::Missing)?.map_err(Into::into),
        Priority::Low => {
            let (done, answer) = oneshot::channel();
            low_priority().send((app, done)).map_err(|_| PdfFault::Missing)?;
            answer.await.map_err(|_| PdfFault::Missing)?.map_err(Into::into)
        }
    }
}

/// The worker's queue and its receiving end (taken by [`run`] when the state is built).
pub(crate) fn channel() -> (mpsc::Sender<Job>, mpsc::Receiver<Job>) {
    mpsc::channel(QUEUE)
}

/// Starts the worker for `state` on the current runtime (none outside one: every PDF is
/// then written on first need).
pub(crate) fn start(state: &Arc<Inner>, jobs: mpsc::Receiver<Job>) {
    if let Ok(rt) = tokio::runtime::Handle::try_current() {
        rt.spawn(run(Arc::downgrade(state), jobs));
    }
}

/// Why no PDF could be had.
#[derive(Debug, thiserror::Error)]
pub enum PdfFault {
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] sqlx::Error),
    /// The submitted draft or its submission is gone, or its snapshot does not read.
    #[error("the submission or its snapshot is missing")]
    Missing,
    /// The renderer refused (over its bounds, or a document krilla would not validate).
    #[error(transparent)]
    Render(#[from] pdf::PdfError),
    /// Evaluating the answers ran out of the request's budget (`Config::eval_budget`): no
    /// PDF is written from values that cannot be trusted.
    #[error(transparent)]
    OverBudget(#[from] BudgetExhausted),
}

/// The PDF of a submitted draft: the stored one, or rendered from the draft's snapshot now
/// (with the authority's parameter values, as it was submitted) and stored.
pub async fn of_draft(state: &AppState, scope: Scope<'_>, draft: &Draft) -> Result<Vec<u8>, PdfFault> {
    write_with(state, scope, draft, Priority::Now).await
}

async fn write_with(state: &AppState, scope: Scope<'_>, draft: &Draft, priority: Priority) -> Result<Vec<u8>, PdfFault> {
    let served = scope.served;
    let reference = draft.reference.as_deref().ok_or(PdfFault::Missing)?;
    let stored = state.store.submission_pdf(reference).await?.ok_or(PdfFault::Missing)?;
    if let Some(bytes) = stored.pdf {
        return Ok(bytes);
    }
    let snapshot: Snapshot = serde_json::from_str(&draft.snapshot).map_err(|_| PdfFault::Missing)?;
    let budget = state.config.eval_budget;
    let session = match scope.parameters() {
        Some(p) => Session::restore_with_parameters(&served.form, &snapshot, state.today(), budget, p).map_err(|_| PdfFault::Missing)?.0,
        None => Session::restore_with_budget(&served.form, &snapshot, state.today(), budget).0,
    };
    let app = application(&session, scope, reference, stored.created_at)?;
    let rendered = render(app, priority).await?;
    state.store.put_submission_pdf(&stored.id, &rendered.bytes, state.now_ms()).await?;
    // A concurrent request may have stored its own rendering first: serve what is stored.
    match state.store.submission_pdf(reference).await?.and_then(|s| s.pdf) {
        Some(bytes) => Ok(bytes),
        None => Ok(rendered.bytes),
    }
}

/// The model of the PDF: the summary's rows in its order, the interface texts in the
/// session's language, the time in the server's time zone (as `today` is). Under an
/// authority, the header names it with its address; else the form's `authority:` text. An
/// error when the evaluation budget ran out.
pub fn application(s: &Session<'_>, scope: Scope<'_>, reference: &str, created_at_ms: i64) -> Result<pdf::Application, BudgetExhausted> {
    let form = &scope.served.form;
    let lang = s.language().to_string();
    let t = view::texts(&lang);
    let title = s.render(form.title(), None);
    let authority = match scope.tenant {
        Some(tenant) => {
            let a = &tenant.authority;
            Some(format!("{}, {}, {} {}", a.name, a.address.street, a.address.postcode, a.address.city))
        }
        None => form.authority().map(|a| s.render(a, None)).filter(|a| !a.trim().is_empty()),
    };
    // The summary view's outcome covers the reads above.
    let sections = s
        .summary_view()?
        .steps
        .into_iter()
        .map(|step| pdf::Section {
            title: step.title,
            blocks: step
                .blocks
                .into_iter()
                .map(|b| pdf::Block {
                    heading: b.heading,
                    rows: b
                        .rows
                        .into_iter()
                        // An IBAN in its groups of four, as the summary shows it.
                        .map(|r| pdf::Row { label: r.label, value: r.groups.map_or(r.value, |g| g.join(" ")) })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let at = chrono::Local.timestamp_millis_opt(created_at_ms).single().unwrap_or_else(chrono::Local::now);
    let submitted_shown =
        if lang == "en" { at.format("%d/%m/%Y, %H:%M").to_string() } else { at.format("%d.%m.%Y, %H:%M Uhr").to_string() };
    let submitted = pdf::Stamp {
        year: u16::try_from(at.year()).unwrap_or(0),
        month: at.month() as u8,
        day: at.day() as u8,
        hour: at.hour() as u8,
        minute: at.minute() as u8,
        second: at.second() as u8,
        offset_minutes: at.offset().local_minus_utc() / 60,
    };
    Ok(pdf::Application {
        lang,
        title,
        authority,
        reference: reference.to_string(),
        submitted,
        submitted_shown,
        labels: pdf::Labels {
            reference: t["pdf_reference"].into(),
            submitted: t["pdf_submitted"].into(),
            authority: t["pdf_authority"].into(),
            page: t["pdf_page"].into(),
            of: t["of"].into(),
        },
        sections,
    })
}

/// The file name of the download: the reference with everything but letters, digits, `-`
/// and `_` as `_` (it goes into a header).
pub fn file_name(reference: &str) -> String {
    let name: String = reference.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if name.is_empty() { "antrag.pdf".into() } else { format!("{name}.pdf") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_carry_no_header_syntax() {
        assert_eq!(file_name("HST-2026-000001"), "HST-2026-000001.pdf");
        assert_eq!(file_name("A/1\"; x=\r\n"), "A_1___x___.pdf");
        assert_eq!(file_name(""), "antrag.pdf");
    }
}
