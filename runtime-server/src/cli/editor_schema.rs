//! `wegweiser editor-schema`: prints the JSON Schema (draft-07) of the form language for
//! editors (yaml-language-server). It is generated from the engine's key table; the copy
//! in `docs/form-language.schema.json` that the bundled forms name in their first line is
//! regenerated with `wegweiser editor-schema > docs/form-language.schema.json`.

use std::io::Write;

use super::Exit;

/// Arguments of `wegweiser editor-schema` (none).
#[derive(Debug, clap::Args)]
pub struct Args {}

/// The schema as it is printed (pretty JSON and a final newline).
pub fn text() -> String {
    let mut s = serde_json::to_string_pretty(&engine::syntax::editor_schema::editor_schema()).expect("a JSON value serialises");
    s.push('\n');
    s
}

/// Runs the command.
pub fn run(_args: &Args) -> Exit {
    match std::io::stdout().lock().write_all(text().as_bytes()) {
        Ok(()) => Exit::Ok,
        Err(_) => Exit::Failure,
    }
}
