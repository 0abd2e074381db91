//! Loading the authorities of a forms folder: `<forms>/authorities/<id>/authority.yaml`
//! (docs/authorities.md). The engine reads and checks each file
//! ([`engine::authority::read_authority`]); this module does the I/O around it: finding
//! the folders, reading the files, checking that a named logo exists (E0704).
//!
//! `wegweiser check` and `wegweiser test` use it today; the server loads the same
//! [`Authorities`] to serve each authority's forms.

use std::path::{Path, PathBuf};

use engine::Form;
use engine::authority::{Authority, FILE_NAME, read_authority};
use engine::diag::{Diagnostic, codes};

/// The folder below a forms folder that holds the authorities.
pub const DIR_NAME: &str = "authorities";

/// One authority file as read, with what was found in it.
#[derive(Debug, Clone)]
pub struct AuthorityFile {
    /// Its path.
    pub path: PathBuf,
    /// Its text (for rendering the diagnostics).
    pub source: String,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// The authority, when the file has no errors.
    pub authority: Option<Authority>,
}

/// The authorities of a forms folder.
#[derive(Debug, Clone, Default)]
pub struct Authorities {
    /// Every authority file found, in folder-name order, each with its diagnostics.
    pub files: Vec<AuthorityFile>,
    /// Problems that belong to no file (a folder without `authority.yaml`, unreadable files).
    pub problems: Vec<String>,
}

impl Authorities {
    /// The authorities whose files have no errors, in folder-name order.
    pub fn valid(&self) -> impl Iterator<Item = &Authority> {
        self.files.iter().filter_map(|f| f.authority.as_ref())
    }

    /// The authority with this id, if its file has no errors.
    pub fn get(&self, id: &str) -> Option<&Authority> {
        self.valid().find(|a| a.id == id)
    }

    /// The error-free authorities that offer the form `form_id`.
    pub fn offering<'a>(&'a self, form_id: &'a str) -> impl Iterator<Item = &'a Authority> + 'a {
        self.valid().filter(move |a| a.forms.contains_key(form_id))
    }

    /// Whether any file has an error or a folder could not be read.
    pub fn has_errors(&self) -> bool {
        !self.problems.is_empty() || self.files.iter().any(|f| f.diagnostics.iter().any(Diagnostic::is_error))
    }
}

/// Whether `path` is an authority file: `…/authorities/<id>/authority.yaml`.
pub fn is_authority_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == FILE_NAME)
        && path.parent().and_then(Path::parent).and_then(Path::file_name).is_some_and(|n| n == DIR_NAME)
}

/// The forms folder an authority file (or an authority's folder entry) belongs to.
pub fn forms_dir_of(authority_file: &Path) -> Option<PathBuf> {
    authority_file.parent()?.parent()?.parent().map(dir_or_here)
}

/// A file's folder as a path that can be read: `""` (a bare file name's) is `.`.
pub fn dir_or_here(dir: &Path) -> PathBuf {
    if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir.to_path_buf() }
}

/// Loads every authority below `<forms_dir>/authorities/`, checked against `forms`. No
/// such folder is no authorities (a server started with just forms works as before).
pub fn load_dir(forms_dir: &Path, forms: &[&Form]) -> Authorities {
    let mut out = Authorities::default();
    let dir = forms_dir.join(DIR_NAME);
    let Ok(rd) = std::fs::read_dir(&dir) else { return out };
    let mut folders: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect();
    folders.sort();
    for folder in folders {
        let file = folder.join(FILE_NAME);
        if !file.is_file() {
            out.problems.push(format!("error: the authority folder `{}` has no `{FILE_NAME}`", folder.display()));
            continue;
        }
        match load_file(&file, forms) {
            Ok(f) => out.files.push(f),
            Err(msg) => out.problems.push(msg),
        }
    }
    out
}

/// Reads and checks one authority file; its id is its folder's name.
pub fn load_file(file: &Path, forms: &[&Form]) -> Result<AuthorityFile, String> {
    let source = std::fs::read_to_string(file).map_err(|e| format!("error: cannot read `{}`: {e}", file.display()))?;
    let source = source.strip_prefix('\u{FEFF}').map(str::to_string).unwrap_or(source);
    let folder = file.parent().unwrap_or(Path::new("."));
    let id = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (authority, mut diagnostics) = read_authority(&id, &source, forms);
    if let Some(a) = &authority
        && let (Some(logo), Some(span)) = (&a.logo, a.logo_span)
        && !folder.join(logo).is_file()
    {
        diagnostics.push(
            Diagnostic::error(codes::E0704, span, format!("there is no `{logo}` in `{}`", folder.display()))
                .with_help("put the logo (SVG or PNG) beside `authority.yaml`, or correct the name"),
        );
        diagnostics.sort_by_key(|d| (d.span.start.offset, d.span.end.offset));
    }
    let ok = !diagnostics.iter().any(Diagnostic::is_error);
    Ok(AuthorityFile { path: file.to_path_buf(), source, diagnostics, authority: authority.filter(|_| ok) })
}

/// The forms of a folder for checking authority files: every form file directly in it that
/// compiles (the ones with errors are `wegweiser check`'s to report).
pub fn forms_of_dir(dir: &Path) -> Vec<Form> {
    let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let s = p.to_string_lossy();
            (s.ends_with(".yaml") || s.ends_with(".yml")) && !s.ends_with(".test.yaml")
        })
        .collect();
    files.sort();
    files.iter().filter_map(|f| std::fs::read_to_string(f).ok()).filter_map(|s| engine::compile(&s).form).collect()
}
