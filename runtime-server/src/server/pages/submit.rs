//! The end of an application: the summary, the submission (the whole form validated again,
//! the reference, the document, the outbox) and the confirmation with its PDF.

use super::*;

/// `GET /f/{form}/summary`: check your answers.
pub async fn summary(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(p): Path<FormPath>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let Some(scope) = tenant::resolve(&state, p.authority.as_deref(), &p.form) else { return form_not_found(&state, &sid) };
    let served = scope.served;
    let lang = language(&state, &headers, &q, served.form.languages());
    if let Some(r) = account::gate(&state, &sid, scope, account::for_form(&served.form, acc.0.as_ref()), &lang.code) {
        return r;
    }
    let l = match load(&state, scope, &sid, acc.0.as_ref(), &lang.code).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let s = &l.session;
    let refuse = |e| over_budget(&state, &sid, &lang.code, s, e);
    match s.is_submittable() {
        Ok(true) => {}
        Ok(false) => return resume_target(scope, s).map_or_else(refuse, |to| Redirect::to(&to).into_response()),
        Err(e) => return refuse(e),
    }
    let form = &served.form;
    let form_url = scope.form_url();
    let form_title = s.render(form.title(), None);
    // The summary's reads end with a path query: their outcome is in its answer.
    let steps = match view::summary(s, &form_url) {
        Ok(steps) => steps,
        Err(e) => return refuse(e),
    };
    let back = match s.path() {
        Ok(path) => path.last().map(|st| scope.step_url(&form.step(*st).id)).unwrap_or_default(),
        Err(e) => return refuse(e),
    };
    let url = format!("{form_url}/summary");
    let b = base(&state, scope.tenant, &lang.code, &sid, &url, form.languages());
    let ctx = minijinja::context! {
        form_title => form_title, steps => steps, back => back,
        action => format!("{form_url}/submit"), idempotency => l.draft.clone().unwrap_or_default(),
    };
    with_cookie(page(&state, "summary.html", b, ctx), &lang)
}

/// The reference number from the form's pattern: `{year}`, `{seq}` and `{seq:N}`.
pub fn reference(pattern: &str, year: i32, seq: i64) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let key = &rest[open + 1..open + close];
        match key.split_once(':') {
            _ if key == "year" => out.push_str(&year.to_string()),
            _ if key == "seq" => out.push_str(&seq.to_string()),
            Some(("seq", n)) => {
                let w: usize = n.parse().unwrap_or(1);
                out.push_str(&format!("{seq:0w$}"));
            }
            _ => out.push_str(&rest[open..=open + close]),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The stored submission document: the engine's, and under an authority its id, name and
/// address (`"authority"`), so that every delivery says whose it is.
pub(crate) fn document_of(scope: Scope<'_>, submission: &impl serde::Serialize) -> String {
    let mut doc = serde_json::to_value(submission).unwrap_or_default();
    if let (Some(t), Some(map)) = (scope.tenant, doc.as_object_mut()) {
        let a = &t.authority;
        map.insert(
            "authority".into(),
            serde_json::json!({ "id": a.id, "name": a.name, "address": { "street": a.address.street, "postcode": a.address.postcode, "city": a.address.city } }),
        );
    }
    serde_json::to_string(&doc).unwrap_or_default()
}

/// `POST /f/{form}/submit`: re-validates the whole path, stores the submission once and
/// queues its delivery.
pub async fn submit(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(p): Path<FormPath>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let Some(scope) = tenant::resolve(&state, p.authority.as_deref(), &p.form) else { return form_not_found(&state, &sid) };
    let served = scope.served;
    let form_id = p.form;
    let form_url = scope.form_url();
    let posted = match read_post(&state, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !csrf_ok(&headers, &sid, &posted) {
        return forbidden(&state, &sid);
    }
    let lang = language(&state, &headers, &LangQuery { lang: None }, served.form.languages());
    if let Some(r) = account::gate(&state, &sid, scope, account::for_form(&served.form, acc.0.as_ref()), &lang.code) {
        return r;
    }
    let l = match load(&state, scope, &sid, acc.0.as_ref(), &lang.code).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    let confirmation = format!("{form_url}/confirmation");
    let Some(draft_id) = l.draft.clone() else {
        // No open draft: already submitted (a second click), or nothing to submit.
        return match state
            .store
            .submitted_draft(&sid.owner(account::for_form(&served.form, acc.0.as_ref())), scope.authority_id(), &form_id)
            .await
        {
            Ok(Some(_)) => Redirect::to(&confirmation).into_response(),
            Ok(None) => Redirect::to(&form_url).into_response(),
            Err(e) => storage_error(&state, e),
        };
    };
    if posted.get("_idempotency").is_some_and(|k| k != draft_id) {
        return Redirect::to(&confirmation).into_response();
    }
    let s = &l.session;
    let refuse = |e| over_budget(&state, &sid, &lang.code, s, e);
    match s.is_submittable() {
        Ok(true) => {}
        Ok(false) => return resume_target(scope, s).map_or_else(refuse, |to| Redirect::to(&to).into_response()),
        Err(e) => return refuse(e),
    }
    let form = &served.form;
    let today = state.today();
    let year = chrono::Datelike::year(&today);
    let submitted_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // One outbox row per channel; the confirmation's address is read here, while the
    // session is at hand (and only when lettre's parser takes it as an address).
    let deliveries = super::super::delivery::rows_for(form, s);
    // Exactly the uploads of active answers go with the submission (issue #17.5); the
    // document is built once, before the store numbers it (its reference is set per try),
    // and asked last, so that its outcome covers the reads above.
    let files = s.submitted_files().map(|files| {
        files.into_iter().map(|(path, f)| (path, f.name, i64::try_from(f.size).unwrap_or(i64::MAX))).collect::<Vec<(String, String, i64)>>()
    });
    let (files, submission) = match files.and_then(|files| Ok((files, s.submission(&submitted_at, "")?))) {
        Ok(built) => built,
        Err(e) => return refuse(e),
    };
    let document = |r: &str| {
        let mut submission = submission.clone();
        submission.reference = r.to_string();
        document_of(scope, &submission)
    };
    // Each authority counts its own references; its id in front keeps them apart (the
    // admin API and the webhooks name a submission by its reference).
    let make_ref = |seq: i64| match scope.tenant {
        Some(t) => format!("{}-{}", t.id().to_uppercase(), reference(&form.submission().reference, year, seq)),
        None => reference(&form.submission().reference, year, seq),
    };
    let outcome = state
        .store
        .submit(NewSubmission {
            draft_id: &draft_id,
            authority: scope.authority_id(),
            form: &form_id,
            year: year as i64,
            reference: &make_ref,
            document: &document,
            deliveries: &deliveries,
            files: &files,
            // The account's address, for the Postkorb's notifications (only with a login).
            account_email: l.account.as_ref().and_then(|a| a.values.values.get("email")).map(String::as_str),
            now: state.now_ms(),
        })
        .await;
    match outcome {
        Ok(SubmitOutcome::Stored(_)) => {
            tracing::info!(form = %form_id, "submission stored");
            super::super::delivery::wake(&state);
            // The PDF is written in the background, not in this request (nor in the
            // confirmation's); when the worker is busy, on first need.
            let job = super::super::pdf::Job { authority: p.authority.clone(), form: form_id.clone(), draft: draft_id.clone() };
            if !super::super::pdf::queue(&state, job) {
                tracing::debug!(form = %form_id, "PDF worker busy: the PDF is written when first needed");
            }
            Redirect::to(&confirmation).into_response()
        }
        Ok(SubmitOutcome::AlreadySubmitted) => Redirect::to(&confirmation).into_response(),
        Err(e) => storage_error(&state, e),
    }
}

/// `GET /f/{form}/confirmation`.
pub async fn confirmation(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(p): Path<FormPath>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let Some(scope) = tenant::resolve(&state, p.authority.as_deref(), &p.form) else { return form_not_found(&state, &sid) };
    let (served, form_id, form_url) = (scope.served, p.form, scope.form_url());
    let lang = language(&state, &headers, &q, served.form.languages());
    let draft = match state
        .store
        .submitted_draft(&sid.owner(account::for_form(&served.form, acc.0.as_ref())), scope.authority_id(), &form_id)
        .await
    {
        Ok(Some(d)) => d,
        Ok(None) => return Redirect::to(&form_url).into_response(),
        Err(e) => return storage_error(&state, e),
    };
    // The PDF is written in the background (`pdf::run`): its size when it is there, else
    // the link says it is being made, and the download waits for it (renders it then).
    let pdf_kb = match state.store.submission_pdf_size(draft.reference.as_deref().unwrap_or_default()).await {
        Ok(size) => size.map(|n| usize::try_from(n).unwrap_or(0).div_ceil(1024)),
        Err(e) => return storage_error(&state, e),
    };
    let s = match scope.session(&lang.code, state.today()) {
        Ok(s) => s,
        Err(e) => return internal(e),
    };
    let url = format!("{form_url}/confirmation");
    let b = base(&state, scope.tenant, &lang.code, &sid, &url, served.form.languages());
    let authority = authority_name(scope, &s);
    let ctx = minijinja::context! {
        form_title => s.render(served.form.title(), None), authority => authority, reference => draft.reference,
        pdf_url => format!("{url}/antrag.pdf"), pdf_kb => pdf_kb,
    };
    with_cookie(page(&state, "confirmation.html", b, ctx), &lang)
}

/// `GET /f/{form}/confirmation/antrag.pdf`: the PDF of this browser session's own submission
/// of the form (the same check as the confirmation page); 404 for any other browser.
pub async fn confirmation_pdf(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(p): Path<FormPath>,
) -> Response {
    let Some(scope) = tenant::resolve(&state, p.authority.as_deref(), &p.form) else { return form_not_found(&state, &sid) };
    let account = account::for_form(&scope.served.form, acc.0.as_ref());
    let draft = match state.store.submitted_draft(&sid.owner(account), scope.authority_id(), &p.form).await {
        Ok(Some(d)) => d,
        Ok(None) => return message(&state, StatusCode::NOT_FOUND, "de", &sid, "not_found", "not_found_text"),
        Err(e) => return storage_error(&state, e),
    };
    match super::super::pdf::of_draft(&state, scope, &draft).await {
        Ok(bytes) => {
            let name = super::super::pdf::file_name(draft.reference.as_deref().unwrap_or_default());
            let disposition =
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")).unwrap_or(HeaderValue::from_static("attachment"));
            (
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
                ],
                Body::from(bytes),
            )
                .into_response()
        }
        Err(super::super::pdf::PdfFault::Storage(e)) => storage_error(&state, e),
        Err(super::super::pdf::PdfFault::OverBudget(_)) => budget_page(&state, &sid, "de", &p.form),
        // The renderer's bounds: the submission stands, only its PDF cannot be made. The
        // confirmation page links the download before the PDF exists (it is written in the
        // background), so this is a page for the citizen, not an error code.
        Err(super::super::pdf::PdfFault::Render(e)) => {
            tracing::warn!(error = %e, "no PDF of the submission");
            message(&state, StatusCode::UNPROCESSABLE_ENTITY, "de", &sid, "pdf_unavailable", "pdf_unavailable_text")
        }
        Err(e) => internal(e),
    }
}
