//! The compiled form's compact binary encoding: what the server serves the browser as an
//! immutable asset and the browser module decodes ([`Form::to_bytes`], [`Form::from_bytes`]).
//!
//! A header, then the form in [`postcard`] (serde, varints, no field names):
//!
//! ```text
//! b"WGWF"  format version (u16, little endian)  postcard(Form)
//! ```
//!
//! postcard is not self-describing, so a reader must know the exact shape of every type a
//! `Form` contains. The version names that shape: bump [`FORMAT_VERSION`] whenever a type
//! inside a `Form` changes how it serialises (the test `the_encoding_of_a_fixed_form_is_pinned`
//! fails and says so). A copy encoded by another version (a stale cached asset, a module older
//! than the server) is refused with [`FormError::Version`] rather than misread.
//!
//! The JSON of a form (snapshots, `wegweiser check --json`, [`Form::from_json`]) stays as it is;
//! three serde features it uses do not work in a non-self-describing format and are made
//! format-dependent:
//! - `skip_serializing_if` (a field left out of the JSON): the predicates below skip only in
//!   the JSON. While [`Form::to_bytes`] runs, a thread-local flag says "binary" and every field
//!   is written (postcard has no way to mark a field as absent).
//! - `untagged` (a pattern's old JSON shape) and `deserialize_any` (a decimal that may be a JSON
//!   number): the manual impls ask the (de)serialiser's `is_human_readable()` and read the one
//!   binary shape directly (`pattern.rs`, `value.rs`).
//!
//! Decoding trusts nothing: a size limit, the header, a nesting limit for expressions
//! (`expr/cexpr.rs`; postcard itself does not limit recursion, a deep chain of bytes would
//! overflow the stack), no trailing bytes, and then the same invariants as the JSON path
//! (`form/invariants.rs`).

use std::cell::Cell;

use super::{Form, FormError};

/// The first four bytes of an encoded form.
pub const MAGIC: [u8; 4] = *b"WGWF";

/// The version of the encoding's shape; see the module documentation for when to bump it.
pub const FORMAT_VERSION: u16 = 1;

/// The largest encoded form read (the 10,000-field benchmark form is about 1 MiB).
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

const HEADER: usize = MAGIC.len() + 2;

thread_local! {
    /// True while [`Form::to_bytes`] serialises on this thread.
    static BINARY: Cell<bool> = const { Cell::new(false) };
}

/// Sets [`BINARY`] for its lifetime, and back when dropped (also on a panic).
struct BinaryMode(bool);

impl BinaryMode {
    fn enter() -> BinaryMode {
        BinaryMode(BINARY.with(|b| b.replace(true)))
    }
}

impl Drop for BinaryMode {
    fn drop(&mut self) {
        BINARY.with(|b| b.set(self.0));
    }
}

fn binary() -> bool {
    BINARY.with(Cell::get)
}

/// `skip_serializing_if` for an empty list: skipped in the JSON only.
pub(crate) fn json_omits_empty<T>(v: &[T]) -> bool {
    v.is_empty() && !binary()
}

/// `skip_serializing_if` for `None`: skipped in the JSON only.
pub(crate) fn json_omits_none<T>(v: &Option<T>) -> bool {
    v.is_none() && !binary()
}

/// `skip_serializing_if` for `false`: skipped in the JSON only.
pub(crate) fn json_omits_false(v: &bool) -> bool {
    !*v && !binary()
}

/// `skip_serializing_if` for a default value: skipped in the JSON only.
pub(crate) fn json_omits_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default() && !binary()
}

impl Form {
    /// The form in its compact binary encoding (header and postcard, see `form/binary.rs`),
    /// which [`Form::from_bytes`] reads back.
    pub fn to_bytes(&self) -> Vec<u8> {
        let _mode = BinaryMode::enter();
        let mut out = Vec::with_capacity(64 * 1024);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        // Serialising plain data into a Vec fails only on allocation.
        postcard::to_extend(self, out).expect("a compiled form encodes")
    }

    /// Reads a form from its binary encoding and checks that it keeps the promises of a
    /// compiled form (`form/invariants.rs`), as [`Form::from_json`] does; every malformed,
    /// truncated or foreign input is an error, never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<Form, FormError> {
        if bytes.len() > MAX_BYTES {
            return Err(FormError::Unreadable(format!("{} bytes, more than the limit of {MAX_BYTES}", bytes.len())));
        }
        if bytes.len() < HEADER || bytes[..MAGIC.len()] != MAGIC {
            return Err(FormError::Unreadable("not a compiled form in the binary encoding (no `WGWF` header)".into()));
        }
        let found = u16::from_le_bytes([bytes[4], bytes[5]]);
        if found != FORMAT_VERSION {
            return Err(FormError::Version { found, expected: FORMAT_VERSION });
        }
        let (form, rest): (Form, &[u8]) =
            postcard::take_from_bytes(&bytes[HEADER..]).map_err(|e| FormError::Unreadable(e.to_string()))?;
        if !rest.is_empty() {
            return Err(FormError::Unreadable(format!("{} bytes after the end of the form", rest.len())));
        }
        form.check_invariants().map_err(FormError::Inconsistent)?;
        Ok(form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FORM: &str = r#"wegweiser: 1
id: t
languages: [de, en]
title: { de: T, en: T }
parameters:
  gebuehr: { type: money, default: 12.50, label: { de: Gebühr, en: Fee } }
steps:
  - id: a
    fields:
      - { id: n, type: integer, label: { de: "N {{ n }}", en: N }, min: 1 }
      - id: m
        type: text
        label: { de: M, en: M }
        visible_if: 'n > 1 and count(hund, rasse == "x") > 0'
        pattern: "[a-z]+"
      - { id: z, type: computed, label: { de: Z, en: Z }, value: gebuehr * n }
    next:
      - { if: n > 2, goto: b }
      - goto: summary
  - id: b
    fields:
      - id: hund
        type: group
        label: { de: Hund, en: Dog }
        repeat: { max: 3 }
        fields:
          - { id: rasse, type: text, label: { de: Rasse, en: Breed } }
"#;

    fn form() -> Form {
        let c = crate::compile(FORM);
        c.form.unwrap_or_else(|| panic!("compiles: {:#?}", c.diagnostics))
    }

    #[test]
    fn a_form_round_trips_and_its_json_is_unchanged() {
        let f = form();
        let json = serde_json::to_string(&f).unwrap();
        let back = Form::from_bytes(&f.to_bytes()).expect("decodes");
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        // The JSON still leaves out what it left out before (binary mode is off again).
        assert!(!json.contains("\"locked\""), "{json}");
    }

    #[test]
    fn a_wrong_version_is_refused_clearly() {
        let mut b = form().to_bytes();
        b[4] = 0xfe;
        let e = Form::from_bytes(&b).expect_err("refused");
        assert_eq!(e, FormError::Version { found: u16::from_le_bytes([0xfe, 0]), expected: FORMAT_VERSION });
        assert!(e.to_string().contains("format version"), "{e}");
    }

    #[test]
    fn foreign_and_oversized_input_is_refused() {
        assert!(matches!(Form::from_bytes(b""), Err(FormError::Unreadable(_))));
        assert!(matches!(Form::from_bytes(b"{\"id\":\"t\"}"), Err(FormError::Unreadable(_))));
        let mut b = form().to_bytes();
        b.push(0);
        assert!(matches!(Form::from_bytes(&b), Err(FormError::Unreadable(m)) if m.contains("after the end")));
        let mut big = MAGIC.to_vec();
        big.resize(MAX_BYTES + 1, 0);
        assert!(matches!(Form::from_bytes(&big), Err(FormError::Unreadable(m)) if m.contains("limit")));
    }

    #[test]
    fn every_truncation_is_an_error() {
        let b = form().to_bytes();
        for n in 0..b.len() {
            assert!(Form::from_bytes(&b[..n]).is_err(), "{n} of {} bytes decoded", b.len());
        }
    }

    #[test]
    fn a_deeply_nested_expression_is_refused_not_a_stack_overflow() {
        use crate::expr::CExpr;
        use crate::expr::ast::UnOp;
        // "Unary(Not, Unary(Not, …" a million times: the encoding of one level is that of
        // `Unary(Not, Index)` without its last byte (`Index`).
        let one = postcard::to_allocvec(&CExpr::Unary(UnOp::Not, Box::new(CExpr::Index))).unwrap();
        let deep = one[..one.len() - 1].repeat(1_000_000);
        let e = postcard::from_bytes::<CExpr>(&deep).expect_err("refused");
        assert!(e.to_string().contains("nest") || matches!(e, postcard::Error::SerdeDeCustom), "{e}");
        // A shallow one still reads.
        let mut ok = one[..one.len() - 1].repeat(100);
        ok.push(*one.last().unwrap());
        assert!(postcard::from_bytes::<CExpr>(&ok).is_ok());
    }

    /// A change to the shape of a type inside a `Form` changes these bytes: then bump
    /// `FORMAT_VERSION` (a stale copy must be refused, not misread) and update the pin.
    #[test]
    fn the_encoding_of_a_fixed_form_is_pinned() {
        let b = form().to_bytes();
        // FNV-1a: stable across Rust versions, unlike std's hasher.
        let h = b.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &x| (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3));
        assert_eq!(
            (FORMAT_VERSION, b.len(), format!("{h:016x}")),
            (1, 1767, "47a2ab9b1e04558c".to_string()),
            "the binary encoding changed: bump FORMAT_VERSION in form/binary.rs and update this pin"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn random_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut b = MAGIC.to_vec();
            b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
            b.extend_from_slice(&tail);
            let _ = Form::from_bytes(&b);
            let _ = Form::from_bytes(&tail);
        }

        #[test]
        fn mutated_bytes_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
            let mut b = form().to_bytes();
            for (i, x) in edits {
                let i = i.index(b.len() - HEADER) + HEADER;
                b[i] = x;
            }
            // Either refused or a form that keeps its promises (a changed letter in a text).
            if let Ok(f) = Form::from_bytes(&b) {
                prop_assert!(f.check_invariants().is_ok());
            }
        }
    }
}
