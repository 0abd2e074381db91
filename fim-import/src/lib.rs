//! # FIM import
//!
//! Turns an XDatenfelder Stammdatenschema (2.0 or 3.0.0; also a single
//! `datenfeldgruppe.0103` or `datenfeld.0104` message) into a Wegweiser form (YAML), a smoke
//! scenario file for it and a report of what became of every field and rule. The mapping is
//! documented in `docs/fim.md`.
//!
//! ```no_run
//! let xml = std::fs::read_to_string("S05000058.xml").unwrap();
//! let out = fim::import(&xml, &fim::Options::default()).unwrap();
//! println!("{}", out.yaml);
//! ```
#![deny(missing_docs)]

use std::fmt;

pub mod build;
pub mod genericode;
pub mod naming;
pub mod report;
pub mod rules;
pub mod sample;
pub mod xdf;
pub mod xsd_regex;
pub mod yaml;

pub use genericode::CodeList;
pub use report::Report;

/// Why a file could not be imported, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

impl ImportError {
    /// An error at a position.
    pub fn at(line: u32, column: u32, message: String) -> ImportError {
        ImportError { line, column, message }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ImportError {}

/// What the import needs besides the schema.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The genericode lists the schema's `codelisteReferenz` may name.
    pub codelists: Vec<CodeList>,
    /// The source file name, for the comment at the top of the form.
    pub source_name: Option<String>,
}

/// The result of an import.
#[derive(Debug, Clone)]
pub struct Import {
    /// The form.
    pub yaml: String,
    /// Its smoke scenarios (`FORM.test.yaml`).
    pub test_yaml: String,
    /// What became of every field and rule, and the warnings.
    pub report: Report,
}

/// Largest file accepted: 16 MiB (the largest schema of the material has 556 KB).
pub const MAX_INPUT_BYTES: usize = 16 << 20;

/// Imports an XDatenfelder message.
pub fn import(xml: &str, options: &Options) -> Result<Import, ImportError> {
    if xml.len() > MAX_INPUT_BYTES {
        return Err(ImportError::at(
            1,
            1,
            format!("the file has {} bytes; more than {MAX_INPUT_BYTES} is refused (real schemas have well under 5 MB)", xml.len()),
        ));
    }
    let schema = xdf::parse(xml)?;
    Ok(build::build(&schema, options))
}
