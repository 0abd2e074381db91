//! The boundary's JSON shapes read by hand from a [`Json`] tree: an answer (`Input`), typed
//! values, answers by path, a posted step, a snapshot and parameter values.
//!
//! Each reader accepts what the type's serde `Deserialize` accepts from JSON objects, arrays,
//! strings, booleans and integers (unknown keys ignored, a key twice an error in a struct and
//! the last one kept in a map, missing `Option` fields `None`), and nothing serde would
//! refuse: `json/tests.rs` compares every reader with serde_json on the same texts. Written
//! by hand because serde's generic machinery cost the module more than the readers
//! (docs/performance.md, "Bundle"). One difference, on purpose: serde also reads a struct from
//! an array of its fields in order (`["a.pdf", 3, "text/plain"]` as a file); no caller writes
//! that, and it is refused here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use engine::account::{AccountMark, TrustLevel};
use engine::answers::PostedStep;
use engine::form::ParameterValues;
use engine::session::{Input, Snapshot};
use engine::value::{FileRef, Value};
use rust_decimal::Decimal;

use crate::json::{Error, Json};

fn err<T>(what: String) -> Result<T, Error> {
    Err(Error(what))
}

/// What a value is, for a message.
fn kind(j: &Json) -> &'static str {
    match j {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::Str(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn string(j: Json, what: &str) -> Result<String, Error> {
    match j {
        Json::Str(s) => Ok(s),
        other => err(format!("invalid type: {}, expected {what} (a string)", kind(&other))),
    }
}

fn strings(j: Json, what: &str) -> Result<Vec<String>, Error> {
    match j {
        Json::Array(items) => items.into_iter().map(|i| string(i, what)).collect(),
        other => err(format!("invalid type: {}, expected a list of strings", kind(&other))),
    }
}

/// An unsigned integer no larger than `max`: only digits (serde_json reads a fraction or an
/// exponent as a float, which no integer takes).
fn unsigned(j: Json, max: u64, what: &str) -> Result<u64, Error> {
    // A minus sign never: serde_json reads even `-0` as a float.
    if let Json::Number(n) = &j
        && n.bytes().all(|b| b.is_ascii_digit())
        && let Ok(v) = n.parse::<u64>()
        && v <= max
    {
        return Ok(v);
    }
    err(format!("invalid value: {}, expected {what} (an integer from 0 to {max})", kind(&j)))
}

/// An object's members by key, for a struct: each key at most once.
struct Fields {
    members: Vec<(String, Json)>,
}

impl Fields {
    fn of(j: Json, what: &str) -> Result<Fields, Error> {
        match j {
            Json::Object(members) => {
                for (i, (key, _)) in members.iter().enumerate() {
                    if members[..i].iter().any(|(k, _)| k == key) {
                        return err(format!("duplicate field `{key}`"));
                    }
                }
                Ok(Fields { members })
            }
            other => err(format!("invalid type: {}, expected {what} (an object)", kind(&other))),
        }
    }

    /// The member `key`, if present.
    fn opt(&mut self, key: &str) -> Option<Json> {
        let i = self.members.iter().position(|(k, _)| k == key)?;
        Some(self.members.swap_remove(i).1)
    }

    /// The member `key`, present and not null (an `Option` field).
    fn some(&mut self, key: &str) -> Option<Json> {
        self.opt(key).filter(|j| *j != Json::Null)
    }

    fn req(&mut self, key: &str) -> Result<Json, Error> {
        self.opt(key).map_or_else(|| err(format!("missing field `{key}`")), Ok)
    }
}

/// A JSON object as a map, the last of a key twice kept (as `BTreeMap`'s `Deserialize`).
fn map<T>(j: Json, what: &str, mut value: impl FnMut(Json) -> Result<T, Error>) -> Result<BTreeMap<String, T>, Error> {
    match j {
        // Inserted one by one: `collect` would sort first, with a stable sort copied for each
        // value type (docs/performance.md, "Bundle").
        Json::Object(members) => {
            let mut out = BTreeMap::new();
            for (k, v) in members {
                out.insert(k, value(v)?);
            }
            Ok(out)
        }
        other => err(format!("invalid type: {}, expected {what} (an object)", kind(&other))),
    }
}

fn file(j: Json) -> Result<FileRef, Error> {
    let mut f = Fields::of(j, "a file")?;
    let name = string(f.req("name")?, "a file's name")?;
    let size = unsigned(f.req("size")?, u64::MAX, "a file's size")?;
    let mime = string(f.req("type")?, "a file's type")?;
    Ok(FileRef { name, size, mime })
}

/// An answer: `true`/`false`, a text, a list of texts or a file (`Input`'s untagged variants,
/// tried in that order).
pub fn input(j: Json) -> Result<Input, Error> {
    match j {
        Json::Bool(b) => Ok(Input::Bool(b)),
        Json::Str(s) => Ok(Input::Text(s)),
        Json::Array(_) => match strings(j, "an option") {
            Ok(list) => Ok(Input::List(list)),
            Err(_) => err("data did not match any variant of untagged enum Input".to_string()),
        },
        Json::Object(_) => match file(j) {
            Ok(file) => Ok(Input::File(Box::new(file))),
            Err(_) => err("data did not match any variant of untagged enum Input".to_string()),
        },
        _ => err("data did not match any variant of untagged enum Input".to_string()),
    }
}

/// An answer or `null` (no answer).
pub fn answer(j: Json) -> Result<Option<Input>, Error> {
    match j {
        Json::Null => Ok(None),
        other => input(other).map(Some),
    }
}

/// A list of typed strings.
pub fn typed(j: Json) -> Result<Vec<String>, Error> {
    strings(j, "a typed value")
}

/// Answers by path, sorted by path, the last of a path twice kept (what a `BTreeMap` of them
/// would hold, in the order `Session::set_answers` gets them in; a sorted `Vec`, not one more
/// B-tree type in the module).
pub fn answers(j: Json) -> Result<Vec<(String, Option<Input>)>, Error> {
    let Json::Object(members) = j else {
        return err(format!("invalid type: {}, expected answers by path (an object)", kind(&j)));
    };
    let mut out: Vec<(String, Option<Input>)> = Vec::with_capacity(members.len());
    for (path, value) in members {
        let value = answer(value)?;
        match out.binary_search_by(|(p, _)| p.cmp(&path)) {
            Ok(at) => out[at].1 = value,
            Err(at) => out.insert(at, (path, value)),
        }
    }
    Ok(out)
}

/// A posted step: `{"values": {path: [typed, …]}, "files": {path: file}, "max_chars": n}`,
/// each member optional.
pub fn posted(j: Json) -> Result<PostedStep, Error> {
    let mut f = Fields::of(j, "a posted step")?;
    let mut step = PostedStep::new();
    if let Some(values) = f.opt("values") {
        step.values = map(values, "the values", typed)?;
    }
    if let Some(files) = f.opt("files") {
        step.files = map(files, "the files", file)?;
    }
    if let Some(max) = f.some("max_chars") {
        step.max_chars = Some(unsigned(max, usize::MAX as u64, "max_chars")? as usize);
    }
    Ok(step)
}

fn trust(j: Json) -> Result<TrustLevel, Error> {
    let level = string(j, "a trust level")?;
    TrustLevel::parse(&level).map_or_else(|| err(format!("unknown variant `{level}`")), Ok)
}

/// A session's snapshot (`Snapshot`, as the server stores drafts).
pub fn snapshot(j: Json) -> Result<Snapshot, Error> {
    let mut f = Fields::of(j, "a snapshot")?;
    let form = string(f.req("form")?, "the form's id")?;
    let version = f.some("version").map(|v| string(v, "the form's version")).transpose()?;
    let language = string(f.req("language")?, "the language")?;
    let answers = map(f.req("answers")?, "the answers", input)?;
    let entries = map(f.req("entries")?, "the entries", |n| Ok(unsigned(n, u32::MAX.into(), "a number of entries")? as u32))?;
    let account = match f.some("account") {
        None => None,
        Some(a) => {
            let mut a = Fields::of(a, "the account's mark")?;
            let trust = a.some("trust").map(trust).transpose()?;
            let fields = map(a.req("fields")?, "the account's fields", |v| string(v, "an account's value"))?;
            Some(AccountMark { trust, fields })
        }
    };
    Ok(Snapshot { form, version, language, answers, entries, account })
}

/// A value as `Value`'s `Serialize` writes it: `{"t": "number", "v": "12.50"}`, `{"t":
/// "empty"}`.
fn value(j: Json) -> Result<Value, Error> {
    let mut f = Fields::of(j, "a value")?;
    let tag = string(f.req("t")?, "a value's type")?;
    let content = f.opt("v");
    if tag == "empty" {
        return match content {
            None | Some(Json::Null) => Ok(Value::Empty),
            Some(other) => err(format!("invalid type: {}, expected no content", kind(&other))),
        };
    }
    let v = content.map_or_else(|| err("missing field `v`".to_string()), Ok)?;
    Ok(match tag.as_str() {
        "text" => Value::Text(string(v, "a text")?),
        "number" => {
            let text = string(v, "a decimal number")?;
            Value::Number(Decimal::from_str_exact(&text).map_or_else(|_| err(format!("`{text}` is not a decimal number")), Ok)?)
        }
        "bool" => match v {
            Json::Bool(b) => Value::Bool(b),
            other => return err(format!("invalid type: {}, expected a boolean", kind(&other))),
        },
        "date" => {
            let text = string(v, "a date")?;
            let date: Option<NaiveDate> = engine::checks::read_iso(&text);
            Value::Date(date.map_or_else(|| err(format!("`{text}` is not a date (YYYY-MM-DD)")), Ok)?)
        }
        "list" => Value::List(strings(v, "a list's item")?),
        "file" => Value::File(Box::new(file(v)?)),
        other => return err(format!("unknown variant `{other}`")),
    })
}

/// The form's parameter values by name.
pub fn parameters(j: Json) -> Result<ParameterValues, Error> {
    map(j, "parameter values", value)
}
