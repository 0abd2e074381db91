//! Readable ASCII ids from German labels: `Angaben zur antragstellenden Person` →
//! `antragstellenden_person`; the same FIM element used twice gets the name of the
//! enclosing group in front (`halter_postleitzahl`, `antragsteller_postleitzahl`).

use std::collections::{HashMap, HashSet};

use unicode_normalization::UnicodeNormalization;

/// Words that carry no meaning in an id.
const STOP: &[&str] = &[
    "der", "die", "das", "des", "dem", "den", "zur", "zum", "zu", "von", "vom", "und", "oder", "im", "in", "am", "an", "auf", "bei",
    "fuer", "mit", "ein", "eine", "einer", "eines", "einem", "angaben", "angabe", "bzw", "ggf", "ueber", "sich", "ist", "wird", "als",
];
/// Words the form language reserves.
const RESERVED: &[&str] = &["and", "or", "not", "in", "true", "false", "index", "summary"];

/// The words of a text in lower-case ASCII: `ä` → `ae`, `ß` → `ss`, other accents dropped.
pub fn words(text: &str) -> Vec<String> {
    let mut ascii = String::new();
    for c in text.chars() {
        match c {
            'ä' | 'Ä' => ascii.push_str("ae"),
            'ö' | 'Ö' => ascii.push_str("oe"),
            'ü' | 'Ü' => ascii.push_str("ue"),
            'ß' | 'ẞ' => ascii.push_str("ss"),
            _ => {
                for d in c.to_string().nfd() {
                    if d.is_ascii_alphanumeric() {
                        ascii.push(d.to_ascii_lowercase());
                    } else if !d.is_ascii() && unicode_normalization::char::is_combining_mark(d) {
                        // an accent: drop it
                    } else {
                        ascii.push(' ');
                    }
                }
            }
        }
    }
    ascii.split_whitespace().map(String::from).collect()
}

/// A field id from a label: the meaningful words, at most `max_words`, joined by `_`.
pub fn slug(text: &str, max_words: usize) -> String {
    let all = words(text);
    let meaningful: Vec<&String> = all.iter().filter(|w| !STOP.contains(&w.as_str())).collect();
    let chosen: Vec<&str> =
        if meaningful.is_empty() { all.iter().map(String::as_str).collect() } else { meaningful.into_iter().map(String::as_str).collect() };
    let mut s = String::new();
    for w in chosen.into_iter().take(max_words) {
        if !s.is_empty() && s.len() + w.len() > 40 {
            break;
        }
        if !s.is_empty() {
            s.push('_');
        }
        s.push_str(w);
    }
    s
}

/// A step id from a title: like [`slug`], joined by `-`.
pub fn step_slug(text: &str) -> String {
    slug(text, 4).replace('_', "-")
}

/// Makes `s` a valid field id: starts with a letter or `_`, not reserved, not empty.
pub fn valid_field_id(s: &str, fallback: &str) -> String {
    let mut s = if s.is_empty() { fallback.to_string() } else { s.to_string() };
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("f_{s}");
    }
    if RESERVED.contains(&s.as_str()) {
        s.push_str("_feld");
    }
    s
}

/// Resolves unique ids. `cands[i]` is node i's list of candidate names, best first (its own
/// name, then with ancestor names in front); nodes whose candidates collide move on to their
/// next one together, until every name is unique or the candidates run out; then `_2`, `_3`.
pub fn resolve(cands: &[Vec<String>], taken: &HashSet<String>) -> Vec<String> {
    let mut at = vec![0usize; cands.len()];
    loop {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, c) in cands.iter().enumerate() {
            by_name.entry(c[at[i]].as_str()).or_default().push(i);
        }
        let mut moved = false;
        for (name, group) in &by_name {
            if group.len() > 1 || taken.contains(*name) {
                for &i in group {
                    if at[i] + 1 < cands[i].len() {
                        at[i] += 1;
                        moved = true;
                    }
                }
            }
        }
        if !moved {
            break;
        }
    }
    let mut used: HashSet<String> = taken.clone();
    let mut out = Vec::with_capacity(cands.len());
    for (i, c) in cands.iter().enumerate() {
        let base = &c[at[i]];
        let mut name = base.clone();
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        used.insert(name.clone());
        out.push(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Angaben zur antragstellenden Person", 4), "antragstellenden_person");
        assert_eq!(slug("Straße", 4), "strasse");
        assert_eq!(slug("Gültigkeitsdauer", 4), "gueltigkeitsdauer");
        assert_eq!(slug("Angabe des KFZ-Kennzeichens", 4), "kfz_kennzeichens");
        assert_eq!(slug("Café Señor", 4), "cafe_senor");
        assert_eq!(step_slug("Angaben zum Fahrzeug"), "fahrzeug");
        assert_eq!(valid_field_id("1a", "x"), "f_1a");
        assert_eq!(valid_field_id("index", "x"), "index_feld");
    }

    #[test]
    fn collisions_take_the_group_name() {
        let c = vec![
            vec!["plz".to_string(), "ort_plz".into(), "antragsteller_plz".into()],
            vec!["plz".to_string(), "ort_plz".into(), "halter_plz".into()],
            vec!["name".to_string()],
        ];
        assert_eq!(resolve(&c, &HashSet::new()), vec!["antragsteller_plz", "halter_plz", "name"]);
    }
}
