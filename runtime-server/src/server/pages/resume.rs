//! Saving and resuming: the page with the resume link, and opening a link (`GET`, which
//! moves nothing, and the `POST` that binds the draft to this browser).

use super::*;

pub(crate) async fn saved_page(state: &AppState, scope: Scope<'_>, sid: &Sid, l: &mut Loaded<'_>, draft_id: &str) -> Response {
    let token = security::random_hex(16);
    if let Err(e) = state.store.set_resume_hash(draft_id, &security::sha256_hex(&token)).await {
        return storage_error(state, e);
    }
    let s = &l.session;
    let form = s.form();
    let lang = s.language().to_string();
    let next = match resume_target(scope, s) {
        Ok(next) => next,
        Err(e) => return over_budget(state, sid, &lang, s, e),
    };
    let until = chrono::Local::now() + chrono::Duration::from_std(state.config.draft_ttl).unwrap_or_default();
    let until = if lang == "en" { until.format("%d/%m/%Y").to_string() } else { until.format("%d.%m.%Y").to_string() };
    let b = base(state, scope.tenant, &lang, sid, &scope.form_url(), form.languages());
    let ctx = minijinja::context! {
        form_title => s.render(form.title(), None), link => format!("{}/resume/{token}", scope.prefix()), until => until,
        next => next,
    };
    page(state, "saved.html", b, ctx)
}

/// Only well-formed tokens reach the database.
pub(crate) fn well_formed_token(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `GET /resume/{token}`: asks whether to continue the saved application here. Opening
/// a link moves nothing: a GET can be made by any page the citizen visits (an image, a
/// prefetch), so binding a draft to a browser takes the POST of this page, with CSRF.
///
/// Guessing is pointless (128 random bits) and rate-limited: a client with too many
/// failed links in a minute gets 429 without a lookup.
pub async fn resume(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Path(ResumePath { authority, token }): Path<ResumePath>,
) -> Response {
    if state.lookups.blocked(ip) {
        return too_many(&state);
    }
    // A link works only under the authority its draft was started under.
    let owner = authority.as_deref().unwrap_or_default();
    let found = if well_formed_token(&token) {
        state.store.resume_form(&security::sha256_hex(&token), owner, state.now_ms()).await
    } else {
        Ok(None)
    };
    match found {
        Ok(Some(form_id)) => match tenant::resolve(&state, authority.as_deref(), &form_id) {
            Some(scope) => {
                let served = scope.served;
                let lang = served.form.default_language().to_string();
                let s = match scope.session(&lang, state.today()) {
                    Ok(s) => s,
                    Err(e) => return internal(e),
                };
                let b = base(&state, scope.tenant, &lang, &sid, "/", served.form.languages());
                let action = format!("{}/resume/{token}", scope.prefix());
                let ctx = minijinja::context! { form_title => s.render(served.form.title(), None), action => action };
                let mut res = page(&state, "resume.html", b, ctx);
                // The token is in the URL: no cache keeps the page.
                res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                res
            }
            None => message(&state, StatusCode::NOT_FOUND, "de", &sid, "expired", "not_found_text"),
        },
        Ok(None) => {
            state.lookups.failed(ip);
            message(&state, StatusCode::NOT_FOUND, "de", &sid, "expired", "not_found_text")
        }
        Err(e) => storage_error(&state, e),
    }
}

/// `POST /resume/{token}`: moves the draft to this browser and spends the link, so that
/// a link cannot be used again, by anyone, to read what was typed after it was opened
/// (issue #17.3: a planted link).
pub async fn resume_post(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    axum::Extension(acc): axum::Extension<CurrentAccount>,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Path(ResumePath { authority, token }): Path<ResumePath>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let posted = match read_post(&state, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !csrf_ok(&headers, &sid, &posted) {
        return forbidden(&state, &sid);
    }
    if state.lookups.blocked(ip) {
        return too_many(&state);
    }
    let owner = authority.as_deref().unwrap_or_default();
    let found = if well_formed_token(&token) {
        let hash = security::sha256_hex(&token);
        // A draft started while logged in moves only to a browser where the same account is
        // logged in (another account, or none, gets a refusal and the link stays valid); and
        // only under the authority it was started under (`resume_form` and `resume` match it).
        let form = match state.store.resume_form(&hash, owner, state.now_ms()).await {
            Ok(f) => f,
            Err(e) => return storage_error(&state, e),
        };
        match form.and_then(|f| tenant::resolve(&state, authority.as_deref(), &f)) {
            Some(scope) => {
                let account = account::for_form(&scope.served.form, acc.0.as_ref());
                let drafted = match state.store.resume_account(&hash).await {
                    Ok(a) => a.flatten(),
                    Err(e) => return storage_error(&state, e),
                };
                if drafted.as_ref().map(|(i, s)| (i.as_str(), s.as_str())) != account.map(|a| (a.issuer.as_str(), a.subject.as_str())) {
                    return forbidden(&state, &sid);
                }
                state.store.resume(&hash, &sid.owner(account), owner, state.now_ms()).await
            }
            None => Ok(None),
        }
    } else {
        Ok(None)
    };
    match found {
        Ok(Some(form_id)) => match tenant::resolve(&state, authority.as_deref(), &form_id) {
            Some(scope) => {
                let l = match load(&state, scope, &sid, acc.0.as_ref(), scope.served.form.default_language()).await {
                    Ok(l) => l,
                    Err(r) => return r,
                };
                let s = &l.session;
                resume_target(scope, s)
                    .map_or_else(|e| over_budget(&state, &sid, s.language(), s, e), |to| Redirect::to(&to).into_response())
            }
            None => message(&state, StatusCode::NOT_FOUND, "de", &sid, "expired", "not_found_text"),
        },
        Ok(None) => {
            state.lookups.failed(ip);
            message(&state, StatusCode::NOT_FOUND, "de", &sid, "expired", "not_found_text")
        }
        Err(e) => storage_error(&state, e),
    }
}
