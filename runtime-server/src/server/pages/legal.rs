//! The footer's pages: Impressum, Datenschutzerklärung and the accessibility statement
//! (BITV 2.0), the operator's or an authority's.

use super::*;

/// `GET /impressum`.
pub async fn impressum(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    legal_page(&state, None, &sid, &headers, &q, "imprint")
}

/// `GET /datenschutz`.
pub async fn datenschutz(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    legal_page(&state, None, &sid, &headers, &q, "privacy")
}

/// `GET /barrierefreiheit`: the operator's statement, or the built-in one (BITV 2.0).
pub async fn barrierefreiheit(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<Sid>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    legal_page(&state, None, &sid, &headers, &q, "accessibility")
}

/// One of the footer's pages (`key`: its title in the interface texts): a redirect to the
/// operator's address, their text, the built-in accessibility statement, or a 404 page
/// that says the operator has not given it (`--production` refuses to start so).
///
/// Under an authority (`tenant`), its own Impressum and Datenschutzerklärung replace the
/// server's, and the page is in its branding.
pub(crate) fn legal_page(state: &AppState, tenant: Option<&Tenant>, sid: &Sid, headers: &HeaderMap, q: &LangQuery, key: &str) -> Response {
    use super::super::legal::Source;
    let offered = vec!["de".to_string(), "en".to_string()];
    let lang = language(state, headers, q, &offered);
    let legal = &state.config.legal;
    let (server, own, path) = match key {
        "imprint" => (&legal.impressum, tenant.and_then(|t| t.imprint.as_ref()), "/impressum"),
        "privacy" => (&legal.datenschutz, tenant.and_then(|t| t.privacy.as_ref()), "/datenschutz"),
        _ => (&legal.barrierefreiheit, None, "/barrierefreiheit"),
    };
    let source = own.or(server.as_ref());
    let t = view::texts(&lang.code);
    let path = format!("{}{path}", tenant.map_or_else(String::new, |t| format!("/{}", t.id())));
    let b = base(state, tenant, &lang.code, sid, &path, &offered);
    let res = match source {
        Some(Source::Url(url)) => Redirect::to(url).into_response(),
        Some(Source::Text(blocks)) => page(state, "legal.html", b, minijinja::context! { title => t[key], blocks => blocks }),
        None if key == "accessibility" => {
            let a = &legal.accessibility;
            let date = a.date.map(|d| engine::checks::display_date(d, &lang.code));
            let ctx = minijinja::context! {
                title => t[key], operator => a.operator, contact => a.contact, date => date,
                known_issues => a.known_issues, conciliation => a.conciliation,
            };
            page(state, "barrierefreiheit.html", b, ctx)
        }
        None => {
            let mut res = page(state, "legal.html", b, minijinja::context! { title => t[key], missing => true });
            *res.status_mut() = StatusCode::NOT_FOUND;
            res
        }
    };
    with_cookie(res, &lang)
}
