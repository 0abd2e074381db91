//! A form's start page and its steps: the page of a step, reading a posted step (CSRF, the
//! engine's `Session::answer_step`, uploads) and answering with the next step or the page
//! again with its errors.

use super::*;

/// `GET /f/{form}`: the start page.
pub async fn start(
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
    let s = match scope.session(&lang.code, state.today()) {
        Ok(s) => s,
        Err(e) => return internal(e),
    };
    let title = s.render(served.form.title(), None);
    let description = served.form.description().map(|d| s.render(d, None));
    let authority = authority_name(scope, &s);
    // A new session has no evaluation budget (only a loaded draft's request sets one).
    let first = s.path().ok().and_then(|p| p.first().map(|st| scope.step_url(&served.form.step(*st).id))).unwrap_or_default();
    let account = account::for_form(&served.form, acc.0.as_ref());
    if let Some(a) = account
        && account::session::too_low(&served.form, a)
    {
        return account::session::trust_page(&state, &sid, scope, a, &lang.code);
    }
    // The login button only where a provider is configured (`serve` refuses a `required`
    // form without one; a test state may still have one: it then shows no button). After
    // the login the citizen lands on the first step of this scope (under its authority).
    let login = (served.form.login().mode != engine::account::LoginMode::None && state.oidc.is_some()).then(|| {
        minijinja::context! {
            required => served.form.login().mode == engine::account::LoginMode::Required,
            level => served.form.login().trust.map(engine::account::TrustLevel::as_str),
            url => format!("/login?next={}", form_urlencoded::byte_serialize(first.as_bytes()).collect::<String>()),
            logged_in => account.is_some(),
        }
    });
    let b = base(&state, scope.tenant, &lang.code, &sid, &scope.form_url(), served.form.languages());
    let ctx = minijinja::context! { title => title, description => description, authority => authority, start => first, login => login };
    with_cookie(page(&state, "start.html", b, ctx), &lang)
}

/// `GET /f/{form}/s/{step}`.
pub async fn step_get(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    Path(p): Path<StepPath>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let Some(scope) = tenant::resolve(&state, p.authority.as_deref(), &p.form) else { return form_not_found(&state, &sid) };
    let served = scope.served;
    let Some(step) = served.form.step_by_id(&p.step) else { return form_not_found(&state, &sid) };
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
    match reachable(s, step) {
        Ok(true) => {}
        Ok(false) => return resume_target(scope, s).map_or_else(refuse, |to| Redirect::to(&to).into_response()),
        Err(e) => return refuse(e),
    }
    match s.step_view(step).and_then(|v| step_page(&state, scope, &sid, s, step, v, &HashMap::new(), Vec::new(), Vec::new())) {
        Ok(page) => with_cookie(page, &lang),
        Err(e) => refuse(e),
    }
}

/// One entry of the error summary.
#[derive(Debug, serde::Serialize)]
pub(crate) struct ErrorLink {
    href: String,
    message: String,
}

/// The page of `step` from its view `v` (made once by the caller, which also reads the
/// shown fields from it).
#[allow(clippy::too_many_arguments)]
pub(crate) fn step_page(
    state: &AppState,
    scope: Scope<'_>,
    sid: &Sid,
    s: &Session<'_>,
    step: StepId,
    v: engine::view::StepView,
    errors: &HashMap<String, String>,
    summary: Vec<ErrorLink>,
    new_questions: Vec<engine::view::NewQuestion>,
) -> Result<Response, BudgetExhausted> {
    let form = s.form();
    let st = form.step(step);
    let lang = s.language().to_string();
    let form_title = s.render(form.title(), None);
    let fields = view::step_fields(&v, errors);
    // Asked after the view, so that its outcome is in these answers too.
    let path = s.path()?.to_vec();
    let position = path.iter().position(|p| *p == step).map_or(0, |p| p + 1);
    let back = match s.previous_step(step)? {
        Some(p) => scope.step_url(&form.step(p).id),
        None => scope.form_url(),
    };
    let exit = v.exit;
    let multipart = v.instances().iter().any(|f| f.kind == engine::view::FieldKind::File);
    let url = scope.step_url(&st.id);
    let b = base(state, scope.tenant, &lang, sid, &url, form.languages());
    // Both escaped for a <script> element already (`<` as \u003c …), so not escaped again.
    let snapshot_json = super::super::script_safe_json(&serde_json::to_string(&s.snapshot()).unwrap_or_default());
    // The parameter values the session evaluates with (the authority's, else the form's
    // defaults), so the browser module computes what the server does.
    let parameters_json = super::super::script_safe_json(&serde_json::to_string(&s.parameters()).unwrap_or_default());
    let ctx = minijinja::context! {
        form_id => form.id(), form_title => form_title, title => v.title, text => v.text, section => v.section,
        // Focus goes to the error summary when there is one, else to the first question
        // the post revealed (announced by the notice above the form).
        focus => if summary.is_empty() { new_questions.first().map(|q| q.path.clone()) } else { None },
        fields => fields, errors => summary, new_questions => new_questions, action => url, back => back, exit => exit,
        multipart => multipart, position => position, total => path.len(),
        step_id => st.id, today => state.today().format("%Y-%m-%d").to_string(),
        form_url => scope.served.browser_url, has_module => super::super::embedded::has_module(),
        snapshot_json => minijinja::Value::from_safe_string(snapshot_json),
        parameters_json => minijinja::Value::from_safe_string(parameters_json),
    };
    Ok(page(state, "step.html", b, ctx))
}

/// A parsed post: the text fields (in order, repeated names kept) and the uploads.
#[derive(Default)]
pub(crate) struct Posted {
    fields: Vec<(String, String)>,
    files: HashMap<String, (String, Vec<u8>)>,
}

impl Posted {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Reads a post within the [`Limits`](super::Limits): more parts or file parts than allowed,
/// or a body over `max_body`, is refused with 413 before anything is stored.
pub(crate) async fn read_post(state: &AppState, req: Request) -> Result<Posted, Response> {
    let multipart =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("multipart/form-data"));
    let too_large = || message_page(state, StatusCode::PAYLOAD_TOO_LARGE, "too_large", "too_large_text");
    let refused =
        |status: StatusCode| if status == StatusCode::PAYLOAD_TOO_LARGE { too_large() } else { (status, "bad request").into_response() };
    let limits = &state.config.limits;
    let mut posted = Posted::default();
    if multipart {
        let mut mp =
            Multipart::from_request(super::super::multipart::clean_part_headers(req), state).await.map_err(IntoResponse::into_response)?;
        let (mut parts, mut uploads) = (0usize, 0usize);
        loop {
            let field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => return Err(refused(e.status())),
            };
            parts += 1;
            let name = field.name().unwrap_or_default().to_string();
            let file_name = field.file_name().map(str::to_string);
            if file_name.is_some() {
                uploads += 1;
            }
            if parts > limits.max_parts || uploads > limits.max_uploads {
                return Err(too_large());
            }
            let bytes = field.bytes().await.map_err(|e| refused(e.status()))?;
            match file_name {
                // One file per field: a second part for the same field is refused rather
                // than silently replacing the first.
                Some(f) if !f.is_empty() && !bytes.is_empty() => {
                    if posted.files.insert(name, (f, bytes.to_vec())).is_some() {
                        return Err((StatusCode::BAD_REQUEST, "bad request").into_response());
                    }
                }
                Some(_) => {}
                None => posted.fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
            }
        }
    } else {
        let limit = state.config.max_body;
        let body = axum::body::to_bytes(req.into_body(), limit).await.map_err(|_| too_large())?;
        // Stop collecting at the first pair over the limit (a body of `a&a&a&…`).
        posted.fields = form_urlencoded::parse(&body).into_owned().take(limits.max_parts + 1).collect();
        if posted.fields.len() > limits.max_parts {
            return Err(too_large());
        }
    }
    Ok(posted)
}

pub(crate) fn csrf_ok(headers: &HeaderMap, sid: &Sid, posted: &Posted) -> bool {
    let expected = security::csrf_token(&sid.0);
    security::same_origin(headers) && posted.get("_csrf").is_some_and(|t| security::ct_eq(t, &expected))
}

pub(crate) fn forbidden(state: &AppState, sid: &Sid) -> Response {
    message(state, StatusCode::FORBIDDEN, "de", sid, "forbidden", "forbidden_text")
}

/// `POST /f/{form}/s/{step}`.
pub async fn step_post(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Path(p): Path<StepPath>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let Some(scope) = tenant::resolve(&state, p.authority.as_deref(), &p.form) else { return form_not_found(&state, &sid) };
    let served = scope.served;
    let step_id = p.step;
    let Some(step) = served.form.step_by_id(&step_id) else { return form_not_found(&state, &sid) };
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
    let mut l = match load(&state, scope, &sid, acc.0.as_ref(), &lang.code).await {
        Ok(l) => l,
        Err(r) => return r,
    };
    match reachable(&l.session, step) {
        Ok(true) => {}
        Ok(false) => {
            return resume_target(scope, &l.session)
                .map_or_else(|e| over_budget(&state, &sid, &lang.code, &l.session, e), |to| Redirect::to(&to).into_response());
        }
        Err(e) => return over_budget(&state, &sid, &lang.code, &l.session, e),
    }
    // The first save creates the draft: new drafts are rate-limited per client.
    if l.draft.is_none() {
        if state.drafts.blocked(ip) {
            return too_many(&state);
        }
        state.drafts.count(ip);
    }
    // One write per step (issue #19): the draft is written once, below, with the answers
    // applied. A new draft gets its id now; only a post with uploads (stored under the
    // draft) creates it first.
    let draft_id = if let Some(id) = l.draft.clone() {
        id
    } else if posted.files.is_empty() {
        l.reserved.insert(Store::new_draft_id()).clone()
    } else {
        match save(&state, &sid, &mut l).await {
            Ok(id) => id,
            Err(r) => return r,
        }
    };
    let pristine = l.session.clone();
    let refused = match apply(&state, &sid, &mut l.session, step, &posted, &draft_id).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    // A draft has an overall size limit, answers and files together (issue #17.1): a post
    // that would outgrow it changes nothing and says so.
    let max_draft = state.config.limits.max_draft_bytes;
    // Serialised once: measured here, saved below when no entry is added or removed.
    let snap = match serde_json::to_string(&l.session.snapshot()) {
        Ok(j) => j,
        Err(e) => return internal(e),
    };
    let answers = snap.len();
    // A form without file fields keeps no files: no query for them on every step.
    let has_files = served.form.fields().iter().any(|f| f.ty == FieldType::File);
    let files = match if has_files { state.store.files_size(&draft_id, "").await } else { Ok(0) } {
        Ok(n) => usize::try_from(n).unwrap_or(usize::MAX),
        Err(e) => return storage_error(&state, e),
    };
    if refused.too_large || answers.saturating_add(files) > max_draft {
        l.session = pristine;
        let message = draft_too_large(&view::texts(&lang.code), max_draft);
        let v = match l.session.step_view(step) {
            Ok(v) => v,
            Err(e) => return over_budget(&state, &sid, &lang.code, &l.session, e),
        };
        let first = v.shown_paths().first().map(|p| p.to_string()).unwrap_or_default();
        let summary = vec![ErrorLink { href: format!("#{first}"), message }];
        let mut res = match step_page(&state, scope, &sid, &l.session, step, v, &HashMap::new(), summary, Vec::new()) {
            Ok(res) => res,
            Err(e) => return over_budget(&state, &sid, &lang.code, &l.session, e),
        };
        *res.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        return res;
    }
    let form = &served.form;
    let url = scope.step_url(&step_id);
    let action = posted.get("_action").unwrap_or("continue").to_string();
    if let Some(group) = action.strip_prefix("add:") {
        // Only a group of this step is named in the redirect: the posted text never
        // reaches the `Location` header (CR LF in it would not even be a header value;
        // found by the attack tests and by fuzzing, where it made a 500).
        let mut target = url.clone();
        if let Some(g) = form.field_by_id(group).filter(|g| form.field(*g).is_repeated() && form.field(*g).step == step) {
            l.session.add_entry(g);
            target = format!("{url}#{}", form.field(g).id);
        }
        if let Err(r) = save(&state, &sid, &mut l).await {
            return r;
        }
        return Redirect::to(&target).into_response();
    }
    if let Some(entry) = action.strip_prefix("remove:") {
        if let Some((group, n)) = entry.rsplit_once('.')
            && let (Some(g), Ok(n)) = (form.field_by_id(group), n.parse::<u32>())
            && form.field(g).is_repeated()
            && form.field(g).step == step
            && n < l.session.entry_count(g)
        {
            // The stored uploads follow their entries, by the rule the session uses for
            // the answers: the removed entry's files go, later entries' move up.
            let stored = match state.store.file_paths(&draft_id).await {
                Ok(p) => p,
                Err(e) => return storage_error(&state, e),
            };
            let moves: Vec<(String, Option<String>)> = stored
                .into_iter()
                .filter_map(|p| match l.session.renumbered(g, n, &p) {
                    Renumbered::Same => None,
                    Renumbered::Removed => Some((p, None)),
                    Renumbered::Moved(to) => Some((p, Some(to))),
                })
                .collect();
            if let Err(e) = state.store.move_files(&draft_id, &moves).await {
                return storage_error(&state, e);
            }
            l.session.remove_entry(g, n);
        }
        if let Err(r) = save(&state, &sid, &mut l).await {
            return r;
        }
        return Redirect::to(&url).into_response();
    }
    if let Err(r) = save_json(&state, &sid, &mut l, &snap).await {
        return r;
    }
    if action == "save" && refused.errors.is_empty() {
        return saved_page(&state, scope, &sid, &mut l, &draft_id).await;
    }
    let s = &l.session;
    let refuse = |e| over_budget(&state, &sid, &lang.code, s, e);
    let problems = match s.step_problems(step) {
        Ok(p) => p,
        Err(e) => return refuse(e),
    };
    if problems.is_empty() && refused.errors.is_empty() {
        let next = match s.next_step(step) {
            Ok(Some(Target::Step(n))) => Ok(scope.step_url(&form.step(n).id)),
            Ok(Some(Target::Summary)) => Ok(format!("{}/summary", scope.form_url())),
            Ok(None) => resume_target(scope, s),
            Err(e) => Err(e),
        };
        return next.map_or_else(refuse, |to| Redirect::to(&to).into_response());
    }
    // Errors of fields the citizen has not seen yet (revealed by this post) wait. With the
    // browser module the citizen saw them before posting: the page says which fields it
    // showed (`_shown`), which decides only whether their errors are shown now.
    let shown_by_browser: BTreeSet<&str> = posted.get("_shown").unwrap_or_default().split_whitespace().collect();
    let revealed: BTreeSet<&str> = refused.revealed.iter().map(String::as_str).filter(|p| !shown_by_browser.contains(p)).collect();
    let now = match l.session.step_view(step) {
        Ok(v) => v,
        Err(e) => return over_budget(&state, &sid, &lang.code, &l.session, e),
    };
    let new_questions = now.new_questions(&revealed);
    let first_field = now.shown_paths().first().map(|p| p.to_string()).unwrap_or_default();
    let mut errors = HashMap::new();
    let mut summary = Vec::new();
    // The server's own refusals first: they replace the engine's word on those fields
    // (which judged the earlier answer).
    let mut own: Vec<(String, String)> = refused.errors.into_iter().collect();
    own.sort();
    for (f, message) in own {
        summary.push(ErrorLink { href: format!("#{f}"), message: message.clone() });
        errors.insert(f, message);
    }
    for p in problems {
        match &p.field {
            Some(f) if revealed.contains(f.as_str()) => continue,
            Some(f) => {
                if errors.contains_key(f) {
                    continue;
                }
                errors.insert(f.clone(), p.message.clone());
                summary.push(ErrorLink { href: format!("#{f}"), message: p.message });
            }
            None => summary.push(ErrorLink { href: format!("#{first_field}"), message: p.message }),
        }
    }
    let mut res = match step_page(&state, scope, &sid, s, step, now, &errors, summary, new_questions) {
        Ok(res) => res,
        Err(e) => return refuse(e),
    };
    if refused.full {
        *res.status_mut() = StatusCode::INSUFFICIENT_STORAGE;
    }
    res
}

/// What reading a post did, beyond the answers: the fields whose answer was refused (by the
/// engine's rule: not an option, over `max_answer_chars`; or by the server: an upload the
/// store could not keep), with their messages; they keep their earlier answers and the step
/// is shown again with these errors. And the fields the post revealed.
#[derive(Default)]
pub(crate) struct Refused {
    errors: HashMap<String, String>,
    /// The disk is full (the step is answered with 507).
    full: bool,
    /// The draft would outgrow its size limit (the step is answered with 413).
    too_large: bool,
    /// Paths of the step shown after the post but not before it, in page order.
    revealed: Vec<String>,
}

/// The message for an answer that would make the draft larger than `max` bytes.
pub(crate) fn draft_too_large(t: &std::collections::BTreeMap<&str, &str>, max: usize) -> String {
    t["draft_too_large"].replace("{n}", &(max / (1024 * 1024)).max(1).to_string())
}

/// The message for an answer the engine refused.
pub(crate) fn refusal_message(t: &std::collections::BTreeMap<&str, &str>, r: Refusal) -> String {
    match r {
        Refusal::AnswerTooLong { max } => t["answer_too_long"].replace("{n}", &max.to_string()),
        // `not_an_option`, and any refusal a later engine adds: the answer is not taken.
        _ => t["not_an_option"].to_string(),
    }
}

/// A file name as the citizen's system gave it, made safe to show and to pass on: control
/// characters (CR, LF: header injection) become `_`, and it is cut to 255 characters.
pub(crate) fn clean_file_name(name: &str) -> String {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    name.chars().map(|c| if c.is_control() { '_' } else { c }).take(255).collect()
}

/// One upload of a post, read before the engine sees it.
pub(crate) struct Upload<'p> {
    bytes: &'p [u8],
    name: String,
    mime: &'static str,
    /// Whether the engine will accept it, by size and by the type its content shows (never
    /// the name or the browser's word): only such a file is stored.
    keep: bool,
}

/// Reads the step from the post by the engine's rule ([`Session::answer_step`]: only the
/// step's shown input fields, blank versus default, options, the length limit). The server's
/// own part is the uploads: it sniffs each file, hands the engine its metadata, and stores
/// the files the engine took; when one cannot be stored, the step is read again without it
/// from the answers before the post, so no answer names a file that is not stored. A read
/// that runs out of the evaluation budget answers the 503 page: the post is not saved.
pub(crate) async fn apply(
    state: &AppState,
    sid: &Sid,
    s: &mut Session<'_>,
    step: StepId,
    posted: &Posted,
    draft_id: &str,
) -> Result<Refused, Response> {
    let form = s.form();
    let t = view::texts(s.language());
    let limits = &state.config.limits;
    let mut typed = PostedStep::new().with_max_chars(limits.max_answer_chars);
    for (name, value) in posted.fields.iter().filter(|(n, _)| !n.starts_with('_')) {
        typed.push(name.clone(), value.clone());
    }
    let mut uploads: HashMap<&str, Upload<'_>> = HashMap::new();
    for (path, (name, bytes)) in &posted.files {
        let Some(field) = s.instance(path).map(|i| form.field(i.field)).filter(|f| f.ty == FieldType::File) else { continue };
        let mime = engine::checks::sniff_mime(bytes).unwrap_or("application/octet-stream");
        let size = bytes.len() as u64;
        let keep =
            field.max_size.is_none_or(|m| size <= m) && (field.accept.is_empty() || engine::checks::mime_matches(&field.accept, mime));
        let name = clean_file_name(name);
        typed.file(path.clone(), FileRef { name: name.clone(), size, mime: mime.to_string() });
        uploads.insert(path, Upload { bytes, name, mime, keep });
    }
    let before = (!uploads.is_empty()).then(|| s.clone());
    let mut answer = s.answer_step(step, &typed).map_err(|e| over_budget(state, sid, s.language(), s, e))?;
    let mut refused = Refused::default();
    let mut failed: Vec<String> = Vec::new();
    // Only a post with an upload to keep needs the answers' size (serialised once).
    let mut answers_len: Option<u64> = None;
    for path in &answer.read {
        let Some(up) = uploads.get(path.as_str()).filter(|u| u.keep) else { continue };
        let answers_len = *answers_len.get_or_insert_with(|| serde_json::to_string(&s.snapshot()).map_or(0, |j| j.len()) as u64);
        // The draft's size limit counts the files it keeps (issue #17.1).
        let others = state.store.files_size(draft_id, path).await.map_err(|e| storage_error(state, e))?;
        let total = u64::try_from(others).unwrap_or(0).saturating_add(up.bytes.len() as u64).saturating_add(answers_len);
        if total > limits.max_draft_bytes as u64 {
            refused.errors.insert(path.clone(), draft_too_large(&t, limits.max_draft_bytes));
            refused.too_large = true;
            failed.push(path.clone());
            continue;
        }
        if let Err(e) = state.store.put_file(draft_id, path, &up.name, up.mime, up.bytes).await {
            if Fault::of(&e) == Fault::Full {
                tracing::error!(error = %e, "upload not stored: storage full");
                refused.errors.insert(path.clone(), t["upload_failed"].to_string());
                refused.full = true;
                failed.push(path.clone());
                continue;
            }
            return Err(storage_error(state, e));
        }
    }
    if let Some(before) = before.filter(|_| !failed.is_empty()) {
        // Only uploads the engine took the first time and that are stored (or never stored:
        // refused by the engine's checks) go in again.
        typed.files.retain(|p, _| answer.read.contains(p) && !failed.contains(p));
        *s = before;
        answer = s.answer_step(step, &typed).map_err(|e| over_budget(state, sid, s.language(), s, e))?;
    }
    for (path, r) in answer.refused {
        refused.errors.insert(path, refusal_message(&t, r));
    }
    refused.revealed = answer.revealed;
    Ok(refused)
}
