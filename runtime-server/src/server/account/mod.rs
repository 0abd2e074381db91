//! Login with OpenID Connect (an eID through a broker: BundID, a Servicekonto, a Keycloak
//! realm brokering them), server-side account sessions, and what a form's `login:` asks of
//! a request.
//!
//! - [`oidc`]: discovery, `/login`, `/login/callback`, `POST /logout` (authorization code
//!   flow with PKCE S256, state and nonce bound to the browser session and used once; the ID
//!   token's signature against the provider's JWKS, issuer, audience, expiry).
//! - [`store`]: the login attempts, the account sessions and the draft's account (migration
//!   0005), on the same database as everything else.
//! - [`konto`]: "Meine Anträge" (`/konto`): the account's drafts and submissions, and each
//!   submission's Postkorb.
//! - [`postkorb`]: their database side (migration 0007): the account's rows, the messages.
//! - [`session`]: the middleware that finds the request's account (idle and absolute
//!   lifetime) and [`gate`], the per-form check (login required, trust level).
//!
//! Without `--oidc-issuer` nothing of this runs: no middleware reads the database, the
//! routes answer 404, forms with `login: optional` show no login button, and `serve`
//! refuses forms with `login: required` ([`forms_needing_login`]).
//!
//! A draft started while logged in belongs to the browser session *and* the account: its
//! owner key ([`owner_hash`]) is the hash of both, so another account (or the same browser
//! without a login) never finds it, on any route.

pub mod konto;
pub mod oidc;
pub mod postkorb;
pub mod session;
pub mod store;

use std::time::Duration;

use engine::account::{AccountValues, LoginMode, TrustLevel};
use engine::form::Form;

pub use session::{CurrentAccount, gate};

/// The name of the account session's cookie.
pub const ACCOUNT_COOKIE: &str = "ww_account";

/// How the server logs citizens in (`--oidc-*`).
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The issuer (`--oidc-issuer`); discovery reads `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    /// The client id registered at the provider.
    pub client_id: String,
    /// The client secret (`WEGWEISER_OIDC_CLIENT_SECRET`); without it the server is a public
    /// client (PKCE only).
    pub client_secret: Option<String>,
    /// The address of `/login/callback` as the provider redirects to it.
    pub redirect_url: String,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The claim that carries the trust level (`acr` by default).
    pub trust_claim: String,
    /// Claim values and the levels they mean.
    pub trust_map: Vec<(String, TrustLevel)>,
    /// An account session ends after this long without a request.
    pub idle: Duration,
    /// An account session ends this long after the login, whatever happens.
    pub absolute: Duration,
}

/// The trust claim's values that BundID, the Servicekonten and eIDAS brokers send, and the
/// level each means (docs/operations.md). `--oidc-trust-map` replaces them.
pub fn default_trust_map() -> Vec<(String, TrustLevel)> {
    use TrustLevel::*;
    [
        ("basis", Basis),
        ("substantiell", Substantiell),
        ("substanziell", Substantiell),
        ("hoch", Hoch),
        ("STORK-QAA-Level-1", Basis),
        ("STORK-QAA-Level-2", Basis),
        ("STORK-QAA-Level-3", Substantiell),
        ("STORK-QAA-Level-4", Hoch),
        ("http://eidas.europa.eu/LoA/low", Basis),
        ("http://eidas.europa.eu/LoA/substantial", Substantiell),
        ("http://eidas.europa.eu/LoA/high", Hoch),
    ]
    .into_iter()
    .map(|(v, l)| (v.to_string(), l))
    .collect()
}

/// Parses one `--oidc-trust-map VALUE=LEVEL`.
pub fn parse_trust_mapping(s: &str) -> Result<(String, TrustLevel), String> {
    let (value, level) = s.rsplit_once('=').ok_or_else(|| format!("`{s}` is not VALUE=LEVEL"))?;
    let level = TrustLevel::parse(level.trim()).ok_or_else(|| format!("`{level}` is not a level: basis, substantiell or hoch"))?;
    Ok((value.trim().to_string(), level))
}

/// A logged-in citizen, as the request sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The provider's issuer.
    pub issuer: String,
    /// The provider's stable subject id (`sub`).
    pub subject: String,
    /// The trust level and the attributes kept for prefill.
    pub values: AccountValues,
}

/// The key a draft is stored under: the browser session alone, or, while an account is
/// logged in, the browser session and the account together.
pub fn owner_hash(session: &str, account: Option<&Account>) -> String {
    match account {
        None => super::security::sha256_hex(session),
        Some(a) => super::security::sha256_hex(&format!("{session}\n{}\n{}", a.issuer, a.subject)),
    }
}

/// The account as a form sees it: forms without `login:` never see one.
pub fn for_form<'a>(form: &Form, account: Option<&'a Account>) -> Option<&'a Account> {
    if form.login().mode == LoginMode::None { None } else { account }
}

/// The forms that cannot be served without an identity provider (`login: required`), as
/// messages for `serve`.
pub fn forms_needing_login(forms: &[Form]) -> Vec<String> {
    forms
        .iter()
        .filter(|f| f.login().mode == LoginMode::Required)
        .map(|f| format!("form `{}` needs a login (`login: {{ mode: required }}`), but no identity provider is configured", f.id()))
        .collect()
}

/// The attributes some served form prefills: only these are kept from the ID token.
pub fn wanted_attributes<'f>(forms: impl IntoIterator<Item = &'f Form>) -> Vec<String> {
    let mut out: Vec<String> = forms.into_iter().flat_map(|f| f.fields().iter().filter_map(|x| x.prefill.clone())).collect();
    out.sort();
    out.dedup();
    out
}

/// The next page after a login: only a local path (`/…`, not `//host` or `/\host`), else `/`.
pub fn local_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control() || c == '\\')
                && n.len() <= 512 =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_next_pages_are_followed() {
        assert_eq!(local_next(Some("/f/probe/s/a?lang=en")), "/f/probe/s/a?lang=en");
        for bad in ["//evil.example/x", "https://evil.example/", "/\\evil.example", "evil", "/a\r\nLocation: x", ""] {
            assert_eq!(local_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(local_next(None), "/");
    }

    #[test]
    fn trust_mappings_parse() {
        assert_eq!(parse_trust_mapping("STORK-QAA-Level-4=hoch"), Ok(("STORK-QAA-Level-4".into(), TrustLevel::Hoch)));
        assert_eq!(parse_trust_mapping("http://eidas.europa.eu/LoA/high=hoch").map(|m| m.1), Ok(TrustLevel::Hoch));
        assert!(parse_trust_mapping("x=high").is_err() && parse_trust_mapping("x").is_err());
    }

    #[test]
    fn owner_keys_differ_per_account() {
        let a = Account { issuer: "https://id".into(), subject: "a".into(), values: AccountValues::default() };
        let b = Account { subject: "b".into(), ..a.clone() };
        let keys = [owner_hash("s", None), owner_hash("s", Some(&a)), owner_hash("s", Some(&b))];
        assert!(keys[0] != keys[1] && keys[1] != keys[2] && keys[0] != keys[2]);
    }
}
