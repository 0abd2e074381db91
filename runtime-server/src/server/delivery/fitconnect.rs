//! The FIT-Connect channel: its configuration (token and API addresses from the flags,
//! client id and secret from the environment), checked when the server starts. The
//! sender itself comes with the `fitconnect` crate; until it is wired in, every attempt
//! is recorded as failed (and retried) with the reason [`NOT_YET`], so that no submission
//! of a form with this channel is lost or marked delivered.

use super::Attempt;
use crate::server::store::{OutboxItem, StoredSubmission};

/// The reason every attempt records until the sender is wired in.
pub const NOT_YET: &str = "FIT-Connect sender not yet available";

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
            if !url.starts_with("https://") {
                return Err(format!("{flag} must be an https:// address, not `{url}`"));
            }
        }
        Ok(Some(FitConnectConfig {
            token_url: token_url.unwrap_or_default().into(),
            api_url: api_url.unwrap_or_default().into(),
            client_id: id.unwrap_or_default(),
            client_secret: secret.unwrap_or_default(),
        }))
    }
}

/// One attempt: not possible yet (see the module's documentation).
pub async fn send(_item: &OutboxItem, _sub: StoredSubmission) -> Attempt {
    Attempt::Retry(NOT_YET.into())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
