//! Counts a form may not exceed (E0311): steps, fields, entries of a repeated group and
//! the length an author may allow for an answer.
//!
//! The YAML reader already bounds the file (2 MiB, 500,000 nodes, 48 levels); these
//! limits are about what the compiled form makes a server do for every request. They are
//! far above what any real application needs (the largest FIM schema we know has a few
//! hundred fields), so an author meets them only by mistake or by a generator gone wrong,
//! and then gets a diagnostic instead of a form that is slow for every citizen.

use crate::answers::MAX_ENTRIES;
use crate::diag::codes;
use crate::diag::{Diagnostic, Span};

/// Most steps in one form.
pub const MAX_STEPS: usize = 1_000;
/// Most fields in one form, counting the members of groups once (not per entry).
pub const MAX_FIELDS: usize = 20_000;
/// Most characters an author may allow for one answer with `max_length`.
pub const MAX_ANSWER_LENGTH: u32 = 100_000;

/// E0311 when a form has more than [`MAX_STEPS`] steps; `span` is the `steps:` list.
pub fn steps(count: usize, span: Span) -> Option<Diagnostic> {
    (count > MAX_STEPS).then(|| {
        Diagnostic::error(codes::E0311, span, format!("the form has {count} steps; at most {MAX_STEPS} are allowed"))
            .with_help("split the application into several forms, or put related questions on one step")
    })
}

/// E0311 for the field that makes `count` fields, when that is one more than
/// [`MAX_FIELDS`] (reported once, at the first field beyond the limit).
pub fn fields(count: usize, span: Span) -> Option<Diagnostic> {
    (count == MAX_FIELDS + 1).then(|| {
        Diagnostic::error(codes::E0311, span, format!("the form has more than {MAX_FIELDS} fields, which is the most allowed"))
            .with_help("split the application into several forms; this is the first field beyond the limit")
    })
}

/// E0311 when `repeat.max` is above [`MAX_ENTRIES`].
pub fn entries(max: u32, span: Span) -> Option<Diagnostic> {
    (max > MAX_ENTRIES).then(|| {
        Diagnostic::error(codes::E0311, span, format!("`repeat.max` is {max}; a repeated group may have at most {MAX_ENTRIES} entries"))
            .with_help(format!("write `max: {MAX_ENTRIES}` or less; for longer lists ask for a file upload instead"))
    })
}

/// E0311 when `max_length` is above [`MAX_ANSWER_LENGTH`].
pub fn answer_length(max: u32, span: Span) -> Option<Diagnostic> {
    (max > MAX_ANSWER_LENGTH).then(|| {
        Diagnostic::error(codes::E0311, span, format!("`max_length` is {max}; an answer may have at most {MAX_ANSWER_LENGTH} characters"))
            .with_help("ask for a file upload for long documents")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A form with `steps` steps of `per_step` text fields each.
    fn form(steps: usize, per_step: usize) -> String {
        let mut y = String::from("wegweiser: 1\nid: gross\ntitle: Groß\nsteps:\n");
        for s in 0..steps {
            y.push_str(&format!("  - id: s{s}\n    title: S\n    fields:\n"));
            for f in 0..per_step {
                y.push_str(&format!("      - {{ id: f{s}_{f}, type: text, label: F }}\n"));
            }
        }
        y
    }

    fn e0311(src: &str) -> Vec<String> {
        crate::compile(src).diagnostics.iter().filter(|d| d.code == "E0311").map(|d| d.message.clone()).collect()
    }

    #[test]
    fn steps_up_to_the_limit_compile_one_more_is_e0311() {
        assert!(crate::compile(&form(MAX_STEPS, 1)).form.is_some());
        let src = form(MAX_STEPS + 1, 1);
        let c = crate::compile(&src);
        assert!(c.form.is_none());
        assert_eq!(e0311(&src), vec![format!("the form has {} steps; at most {MAX_STEPS} are allowed", MAX_STEPS + 1)]);
        // The diagnostic points at the first step beyond the limit.
        let d = c.diagnostics.iter().find(|d| d.code == "E0311").unwrap();
        assert!(src[d.span.start.offset as usize..].trim_start().starts_with("id: s1000\n"));
    }

    #[test]
    fn fields_up_to_the_limit_compile_one_more_is_e0311_once() {
        assert!(crate::compile(&form(MAX_FIELDS / 100, 100)).form.is_some());
        let src = form(MAX_FIELDS / 100 + 1, 100);
        assert_eq!(e0311(&src), vec![format!("the form has more than {MAX_FIELDS} fields, which is the most allowed")]);
        let c = crate::compile(&src);
        let d = c.diagnostics.iter().find(|d| d.code == "E0311").unwrap();
        assert!(src[d.span.start.offset as usize..].trim_start().starts_with(&format!("{{ id: f{}_0,", MAX_FIELDS / 100)));
    }
}
