//! One server for a Kreis and its Kommunen (docs/authorities.md): the authorities of the
//! forms folder (`authorities/<id>/authority.yaml`), each serving the forms it offers under
//! `/{authority}/f/{form}/…` with its own parameter values, branding and legal pages.
//!
//! This module holds what the pages need of an authority at run time ([`Tenant`]: the
//! checked file, the logo read once, the generated stylesheet, the legal pages), the
//! answer to "which form of whom does this request ask for" ([`resolve`] → [`Scope`]),
//! and the authority's own pages (`/`, `/{authority}/`, its logo, `brand.css`).
//!
//! A server without authorities has no tenants, and every form is served at `/f/{form}`
//! as before. With authorities, a form that an authority offers is served only under the
//! authorities that offer it (its parameters belong to one of them); a form no authority
//! offers stays at `/f/{form}`, the operator's own.

use std::path::Path;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use engine::authority::{Authority, Colours, LegalPage};
use engine::session::{ParameterError, Session};
use serde::Deserialize;

use super::{AppState, Served, legal};

/// The largest logo an authority may have: it is sent with every page's header.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// First path segments the server uses itself: no authority may be called so, or its
/// pages would be shadowed by (or shadow) the server's own.
pub const RESERVED_IDS: &[&str] = &[
    "f",
    "s",
    "assets",
    "resume",
    "api",
    "healthz",
    "metrics",
    "impressum",
    "datenschutz",
    "barrierefreiheit",
    "favicon.ico",
    "robots.txt",
];

/// An authority as the server serves it.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// The checked authority file.
    pub authority: Authority,
    /// Its logo, read at start-up.
    pub logo: Option<Logo>,
    /// `/{authority}/brand.css`, made from its colours.
    pub brand_css: String,
    /// Its Impressum, if it gives one (the server's otherwise).
    pub imprint: Option<legal::Source>,
    /// Its Datenschutzerklärung, if it gives one (the server's otherwise).
    pub privacy: Option<legal::Source>,
}

/// A logo's bytes and content type.
#[derive(Debug, Clone)]
pub struct Logo {
    /// The file's content.
    pub bytes: Vec<u8>,
    /// By the file's extension: `image/svg+xml` or `image/png`.
    pub mime: &'static str,
}

/// Why an authority cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    /// Its id is a path segment of the server's own.
    #[error("the authority `{0}` cannot be served: `/{0}/` is an address of the server itself; rename its folder")]
    Reserved(String),
    /// Its logo cannot be read.
    #[error("cannot read the logo `{}` of the authority `{id}`: {why}", path.display())]
    Logo {
        /// The authority.
        id: String,
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        why: String,
    },
}

impl Tenant {
    /// An authority of the folder `folder` (`<forms>/authorities/<id>`), with its logo read.
    pub fn load(folder: &Path, authority: Authority) -> Result<Tenant, TenantError> {
        if RESERVED_IDS.contains(&authority.id.as_str()) {
            return Err(TenantError::Reserved(authority.id));
        }
        let logo = match &authority.logo {
            None => None,
            Some(name) => Some(read_logo(&authority.id, &folder.join(name))?),
        };
        let source = |p: &Option<LegalPage>| {
            p.as_ref().map(|p| match p {
                LegalPage::Url(u) => legal::Source::Url(u.clone()),
                LegalPage::Text(t) => legal::Source::Text(legal::blocks(t)),
            })
        };
        Ok(Tenant {
            brand_css: brand_css(&authority.colours),
            imprint: source(&authority.legal.imprint),
            privacy: source(&authority.legal.privacy),
            logo,
            authority,
        })
    }

    /// The id (a path segment).
    pub fn id(&self) -> &str {
        &self.authority.id
    }

    /// The template context of the authority's branding: header, footer, stylesheet.
    pub fn brand(&self) -> minijinja::Value {
        let a = &self.authority;
        let id = &a.id;
        let href = |page: &Option<legal::Source>, own: &str| match page {
            Some(legal::Source::Url(u)) => u.clone(),
            _ => format!("/{id}/{own}"),
        };
        minijinja::context! {
            id => id, name => a.name, home => format!("/{id}/"), css => format!("/{id}/brand.css"),
            logo => self.logo.as_ref().map(|_| format!("/{id}/logo")),
            street => a.address.street, postcode => a.address.postcode, city => a.address.city,
            phone => a.contact.phone, email => a.contact.email, web => a.contact.web,
            imprint => href(&self.imprint, "impressum"), privacy => href(&self.privacy, "datenschutz"),
            accessibility => format!("/{id}/barrierefreiheit"),
        }
    }
}

fn read_logo(id: &str, path: &Path) -> Result<Logo, TenantError> {
    let err = |why: String| TenantError::Logo { id: id.to_string(), path: path.to_path_buf(), why };
    let mime = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => return Err(err("a logo is an SVG or PNG file (`.svg`, `.png`)".into())),
    };
    let len = std::fs::metadata(path).map_err(|e| err(e.to_string()))?.len();
    if len > MAX_LOGO_BYTES as u64 {
        return Err(err(format!("it has {len} bytes; a logo may have at most {MAX_LOGO_BYTES}")));
    }
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    Ok(Logo { bytes, mime })
}

/// The authorities of a forms folder that can be served (the error-free ones of `found`;
/// a folder with errors must not be served at all, which `wegweiser serve` checks first).
pub fn tenants(forms_dir: &Path, found: &crate::authority::Authorities) -> Result<Vec<Tenant>, TenantError> {
    found.valid().map(|a| Tenant::load(&forms_dir.join(crate::authority::DIR_NAME).join(&a.id), a.clone())).collect()
}

/// The authority's stylesheet: its colours as the custom properties of `theme.css` and
/// `wegweiser.css`. The colours were checked to be `#rrggbb` when the file was read, so
/// nothing else can reach the stylesheet; it is a file because the CSP forbids inline styles.
pub fn brand_css(c: &Colours) -> String {
    let ok = |v: &str, fallback: &'static str| {
        if v.len() == 7 && v.starts_with('#') && v[1..].bytes().all(|b| b.is_ascii_hexdigit()) { v.to_string() } else { fallback.into() }
    };
    let (primary, on_primary, background) = (ok(&c.primary, "#0b4f8a"), ok(&c.on_primary, "#ffffff"), ok(&c.background, "#ffffff"));
    format!(
        "/* The authority's colours (authority.yaml `colours:`), contrast-checked when it was read. */\n\
         :root {{\n  --brand: {primary};\n  --brand-text: {on_primary};\n  --link: {primary};\n  --page-background: {background};\n}}\n\
         body {{ background: {background}; }}\n"
    )
}

/// A form as one request asks for it: unprefixed (`/f/{form}`) or under an authority.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    /// The form.
    pub served: &'a Served,
    /// The authority, under `/{authority}/f/{form}`.
    pub tenant: Option<&'a Tenant>,
}

impl<'a> Scope<'a> {
    /// The authority's id; `""` for an unprefixed form (the database's value).
    pub fn authority_id(&self) -> &'a str {
        self.tenant.map_or("", |t| t.authority.id.as_str())
    }

    /// The start of every address of this scope: `""` or `/{authority}`.
    pub fn prefix(&self) -> String {
        self.tenant.map_or_else(String::new, |t| format!("/{}", t.authority.id))
    }

    /// `/f/{form}`, under the authority's prefix.
    pub fn form_url(&self) -> String {
        format!("{}/f/{}", self.prefix(), self.served.form.id())
    }

    /// A step's address.
    pub fn step_url(&self, step: &str) -> String {
        format!("{}/s/{step}", self.form_url())
    }

    /// The parameter values of the authority for this form (none: the form's defaults).
    pub fn parameters(&self) -> Option<&'a engine::form::ParameterValues> {
        self.tenant.and_then(|t| t.authority.forms.get(self.served.form.id())).map(|o| &o.parameters)
    }

    /// A new session with the authority's parameter values.
    pub fn session(&self, lang: &str, today: chrono::NaiveDate) -> Result<Session<'a>, ParameterError> {
        match self.parameters() {
            Some(p) => Session::with_parameters(&self.served.form, lang, today, p),
            None => Ok(Session::new(&self.served.form, lang, today)),
        }
    }
}

/// The form `form` as asked for under `authority` (or unprefixed): `None` when it is not
/// served there. Without authorities, every form is served unprefixed only. With them, an
/// authority serves exactly the forms it offers, and a form is served unprefixed only when
/// no authority offers it.
pub fn resolve<'a>(state: &'a AppState, authority: Option<&str>, form: &str) -> Option<Scope<'a>> {
    let served = state.forms.get(form)?;
    match authority {
        None => {
            let offered = state.tenants.values().any(|t| t.authority.forms.contains_key(form));
            (!offered).then_some(Scope { served, tenant: None })
        }
        Some(a) => {
            let tenant = state.tenants.get(a).filter(|t| t.authority.forms.contains_key(form))?;
            Some(Scope { served, tenant: Some(tenant) })
        }
    }
}

/// The path of a form's pages: `/f/{form}` or `/{authority}/f/{form}`.
#[derive(Debug, Deserialize)]
pub struct FormPath {
    /// The authority, under its prefix.
    pub authority: Option<String>,
    /// The form's id.
    pub form: String,
}

/// The path of a step: `/f/{form}/s/{step}`, possibly under an authority.
#[derive(Debug, Deserialize)]
pub struct StepPath {
    /// The authority, under its prefix.
    pub authority: Option<String>,
    /// The form's id.
    pub form: String,
    /// The step's id.
    pub step: String,
}

/// The path of a resume link: `/resume/{token}`, possibly under an authority.
#[derive(Debug, Deserialize)]
pub struct ResumePath {
    /// The authority, under its prefix.
    pub authority: Option<String>,
    /// The token.
    pub token: String,
}

/// The path of an authority's own pages.
#[derive(Debug, Deserialize)]
pub struct AuthorityPath {
    /// The authority.
    pub authority: String,
}

/// One service (form) in a list.
fn service(scope: Scope<'_>, lang: &str, today: chrono::NaiveDate) -> minijinja::Value {
    let form = &scope.served.form;
    let s = match scope.session(lang, today) {
        Ok(s) => s,
        // Checked when the authority was read; a defaults session still has the title.
        Err(_) => Session::new(form, lang, today),
    };
    let title = s.render(form.title(), None);
    let description = form.description().map(|d| s.render(d, None));
    minijinja::context! { href => scope.form_url(), title => title, description => description }
}

/// The services an authority offers, in form-id order.
fn services_of(state: &AppState, t: &Tenant, lang: &str) -> Vec<minijinja::Value> {
    t.authority
        .forms
        .keys()
        .filter_map(|f| resolve(state, Some(&t.authority.id), f))
        .map(|scope| service(scope, lang, state.today()))
        .collect()
}

/// `GET /` with authorities: every authority with its services, then the forms no
/// authority offers.
pub async fn home(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<super::pages::Sid>,
    headers: HeaderMap,
    Query(q): Query<super::pages::LangQuery>,
) -> Response {
    super::pages::with_language(&state, &headers, &q, |lang| {
        let authorities: Vec<minijinja::Value> = state
            .tenants
            .values()
            .map(|t| minijinja::context! { name => t.authority.name, href => format!("/{}/", t.id()), services => services_of(&state, t, lang) })
            .collect();
        let others: Vec<minijinja::Value> =
            state.forms.keys().filter_map(|f| resolve(&state, None, f)).map(|scope| service(scope, lang, state.today())).collect();
        let b = super::pages::base(&state, None, lang, &sid, "/", &["de".into(), "en".into()]);
        super::pages::page(&state, "authorities.html", b, minijinja::context! { authorities => authorities, others => others })
    })
}

/// `GET /{authority}/`: the authority's services, address and contact.
pub async fn authority_home(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<super::pages::Sid>,
    axum::extract::Path(p): axum::extract::Path<AuthorityPath>,
    headers: HeaderMap,
    Query(q): Query<super::pages::LangQuery>,
) -> Response {
    let Some(t) = state.tenants.get(&p.authority) else { return super::pages::not_found_page(&state, &sid) };
    super::pages::with_language(&state, &headers, &q, |lang| {
        let b = super::pages::base(&state, Some(t), lang, &sid, &format!("/{}/", t.id()), &["de".into(), "en".into()]);
        super::pages::page(&state, "authority.html", b, minijinja::context! { services => services_of(&state, t, lang) })
    })
}

/// `GET /{authority}/logo`: the logo read at start-up, with its type by extension.
pub async fn logo(State(state): State<AppState>, axum::extract::Path(p): axum::extract::Path<AuthorityPath>) -> Response {
    match state.tenants.get(&p.authority).and_then(|t| t.logo.as_ref()) {
        Some(l) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(l.mime)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
            ],
            Body::from(l.bytes.clone()),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// `GET /{authority}/brand.css`.
pub async fn brand_stylesheet(State(state): State<AppState>, axum::extract::Path(p): axum::extract::Path<AuthorityPath>) -> Response {
    match state.tenants.get(&p.authority) {
        Some(t) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
            ],
            t.brand_css.clone(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// `GET /{authority}/impressum`, `/datenschutz`, `/barrierefreiheit`: the authority's own
/// page where it gives one, the server's otherwise, in the authority's branding.
pub async fn legal_page(
    State(state): State<AppState>,
    axum::Extension(sid): axum::Extension<super::pages::Sid>,
    axum::extract::Path(p): axum::extract::Path<AuthorityPath>,
    headers: HeaderMap,
    Query(q): Query<super::pages::LangQuery>,
    uri: axum::http::Uri,
) -> Response {
    let Some(t) = state.tenants.get(&p.authority) else { return super::pages::not_found_page(&state, &sid) };
    let key = match uri.path().rsplit('/').next() {
        Some("impressum") => "imprint",
        Some("datenschutz") => "privacy",
        _ => "accessibility",
    };
    super::pages::legal_page(&state, Some(t), &sid, &headers, &q, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_carries_only_colours() {
        let css = brand_css(&Colours { primary: "#b5121b".into(), on_primary: "#ffffff".into(), background: "#fafafa".into() });
        assert!(
            css.contains("--brand: #b5121b;") && css.contains("--brand-text: #ffffff;") && css.contains("background: #fafafa;"),
            "{css}"
        );
        // Anything but `#rrggbb` (never read so, but the stylesheet does not rely on it).
        let css = brand_css(&Colours { primary: "red;}*{x".into(), on_primary: "#fff".into(), background: "#ffffff".into() });
        assert!(!css.contains("red") && css.contains("--brand: #0b4f8a;") && css.contains("--brand-text: #ffffff;"), "{css}");
    }
}
