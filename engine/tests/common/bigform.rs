//! A generated 1,000-field form for the incremental-evaluation test and the session
//! benchmark: `x` (integer, step 1) is read by exactly 50 `visible_if: x > 5` conditions of
//! fields spread over the later steps; the other fields have their own unrelated
//! conditions (`visible_if` on a neighbouring integer), computed values and bounds.

#![allow(dead_code)]

/// Number of fields, `x` and computed fields included.
pub const FIELDS: usize = 1000;
/// Fields per step.
pub const PER_STEP: usize = 50;
/// Number of fields whose `visible_if` reads `x`.
pub const READERS: usize = 50;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// `x` itself.
    X,
    /// A text field with `visible_if: x > 5`.
    ReadsX,
    /// An integer with constant bounds.
    Integer,
    /// A computed value from the integer before it.
    Computed,
    /// A text field whose `visible_if` reads the integer two before it.
    Conditional,
    /// A plain required text field.
    Text,
}

/// The kind of every field, by index.
pub fn kinds() -> Vec<Kind> {
    let readers: Vec<usize> = (0..READERS).map(|k| PER_STEP + k * 19).collect();
    let mut out = Vec::with_capacity(FIELDS);
    for i in 0..FIELDS {
        let k = if i == 0 {
            Kind::X
        } else if readers.contains(&i) {
            Kind::ReadsX
        } else {
            match i % 10 {
                1 | 5 => Kind::Integer,
                2 if out[i - 1] == Kind::Integer => Kind::Computed,
                3 if out[i - 2] == Kind::Integer => Kind::Conditional,
                _ => Kind::Text,
            }
        };
        out.push(k);
    }
    out
}

/// The field id at an index.
pub fn id(i: usize) -> String {
    if i == 0 { "x".to_string() } else { format!("f{i}") }
}

/// The form's YAML source.
pub fn yaml() -> String {
    let kinds = kinds();
    let mut y = String::from("wegweiser: 1\nid: gross\nversion: \"1\"\nlanguages: [de]\ntitle: Großes Formular\nsteps:\n");
    for (i, k) in kinds.iter().enumerate() {
        if i % PER_STEP == 0 {
            y.push_str(&format!("  - id: s{}\n    title: Schritt {}\n    fields:\n", i / PER_STEP, i / PER_STEP + 1));
        }
        let id = id(i);
        let line = match k {
            Kind::X => format!("{{ id: {id}, type: integer, label: X, required: true, min: 0, max: 100 }}"),
            Kind::ReadsX => format!("{{ id: {id}, type: text, label: Feld {i}, required: true, visible_if: x > 5 }}"),
            Kind::Integer => format!("{{ id: {id}, type: integer, label: Zahl {i}, required: true, min: 0, max: 100 }}"),
            Kind::Computed => format!("{{ id: {id}, type: computed, label: Doppelt {i}, value: {} * 2 }}", self::id(i - 1)),
            Kind::Conditional => {
                format!("{{ id: {id}, type: text, label: Feld {i}, required: true, visible_if: {} < 50 }}", self::id(i - 2))
            }
            Kind::Text => format!("{{ id: {id}, type: text, label: Feld {i}, required: true, max_length: 60 }}"),
        };
        y.push_str("      - ");
        y.push_str(&line);
        y.push('\n');
    }
    y
}

/// A valid answer for every input field (`x` = 3, so the 50 readers are hidden).
pub fn answers() -> Vec<(String, String)> {
    kinds()
        .iter()
        .enumerate()
        .filter_map(|(i, k)| {
            let a = match k {
                Kind::X => "3".to_string(),
                Kind::Integer => (i % 97).to_string(),
                Kind::Computed => return None,
                Kind::ReadsX | Kind::Conditional | Kind::Text => format!("Antwort {i}"),
            };
            Some((id(i), a))
        })
        .collect()
}
