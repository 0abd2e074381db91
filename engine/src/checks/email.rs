//! E-mail address check (docs/form-language.md#field-types, `email`): pragmatic syntax, not full RFC 5322.
//!
//! The aim is to catch typing mistakes (missing `@`, spaces, `name@gmail`), not to prove
//! that a mailbox exists; quoted local parts and IP-literal domains are refused because
//! no citizen means them and mail systems of authorities often do not accept them.

/// Longest address that fits a SMTP forward-path (RFC 5321 with RFC 3696 erratum).
const MAX_LEN: usize = 254;

/// True for an address `local@domain` of sensible syntax.
///
/// The local part uses the RFC 5322 "atext" characters (ASCII letters, digits and
/// ``!#$%&'*+/=?^_`{|}~-``) and dots (not first, not last, not two in a row) and at most
/// 64 characters; the domain has at least two labels of ASCII letters, digits and
/// hyphens, each label 1 to 63 characters, not starting or ending with a hyphen, the last
/// not all digits (docs/form-language.md#field-types, `email`). An internationalised domain is written in its ASCII form
/// (`xn--…`): the contract allows only ASCII, and so do many mail systems of authorities.
pub fn is_valid_email(s: &str) -> bool {
    if s.chars().count() > MAX_LEN {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    valid_local(local) && valid_domain(domain)
}

fn valid_local(local: &str) -> bool {
    const ATEXT_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";
    !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || ATEXT_SPECIALS.contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            let n = l.chars().count();
            (1..=63).contains(&n)
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        // A top-level domain is never all digits: `name@1.2.3.4` is an IP address.
        && !labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses() {
        for ok in [
            "erika.mustermann@example.de",
            "e@x.de",
            "erika+steuer@mail.example.com",
            "o'brien@example.ie",
            "a_b-c@sub-domain.example.org",
            "x@xn--brgeramt-75a.de",
            "user{tag}@example.com",
        ] {
            assert!(is_valid_email(ok), "{ok}");
        }
    }

    #[test]
    fn invalid_addresses() {
        let long_local = format!("{}@example.de", "a".repeat(65));
        let long_total = format!("{}@{}.de", "a".repeat(60), vec!["b".repeat(60); 4].join("."));
        let cases = [
            "erika.example.de",
            "@example.de",
            "erika@",
            "erika@example",
            "erika@@example.de",
            "erika@foo@example.de",
            ".erika@example.de",
            "erika.@example.de",
            "eri..ka@example.de",
            "erika mustermann@example.de",
            "erika@exam ple.de",
            "erika@-example.de",
            "erika@example-.de",
            "erika@example..de",
            "erika@.example.de",
            "erika@example.de.",
            "erika@example_x.de",
            "\"erika\"@example.de",
            "erika@[192.168.0.1]",
            "erika@192.168.0.1",
            "erika(at)example.de",
            "erika@example.de,",
            // ASCII only (docs/form-language.md#field-types, `email`): no Unicode letters or digits in either part.
            "jörg@example.de",
            "info@bürgeramt-köln.de",
            "erika@example.１２",
            "erika٣@example.de",
            "mailto:erika@example.de",
            "",
            long_local.as_str(),
            long_total.as_str(),
        ];
        for bad in cases {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }
}
