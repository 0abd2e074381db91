//! Authority files (`authorities/<id>/authority.yaml`, docs/authorities.md): who offers
//! which forms, with which parameter values, branding, legal pages and delivery settings.
//!
//! The engine reads the text (with the positioned YAML reader, so every problem has its
//! line and column) and checks it against the compiled forms; it does no I/O. Finding the
//! folders, reading the files and checking that the logo exists is the caller's
//! (`wegweiser::authority::load_dir` in the server crate).

pub mod colour;
pub mod keys;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::compile::{missing_parameters, parameter_values};
use crate::diag::{Diagnostic, LineIndex, Span, codes, did_you_mean};
use crate::form::{Form, ParameterValues};
use crate::source::{CoreType, Node, NodeKind, parse_yaml};
use crate::syntax::keys::KeyDef;

/// One authority, as read from its folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Authority {
    /// Its id: the folder's name, used in addresses (`/{authority}/f/{form}`).
    pub id: String,
    /// `name:`.
    pub name: String,
    /// `address:`.
    pub address: Address,
    /// `contact:`.
    pub contact: Contact,
    /// `logo:`: a file name in the authority's folder.
    pub logo: Option<String>,
    /// Where `logo:` is written, for the loader's "no such file" (E0704).
    #[serde(skip)]
    pub logo_span: Option<Span>,
    /// `colours:`, contrast-checked.
    pub colours: Colours,
    /// `legal:`.
    pub legal: Legal,
    /// `delivery:` by form id.
    pub delivery: BTreeMap<String, Delivery>,
    /// `forms:`: the forms it offers by id, each with its parameter values (checked against
    /// the form's declarations; defaults are not filled in).
    pub forms: BTreeMap<String, OfferedForm>,
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// Street and house number.
    pub street: String,
    /// Postcode.
    pub postcode: String,
    /// Town.
    pub city: String,
}

/// How citizens reach the authority.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// A phone number as written.
    pub phone: Option<String>,
    /// An e-mail address.
    pub email: Option<String>,
    /// The website.
    pub web: Option<String>,
}

/// Branding colours (`#rrggbb`), each pair at least 4.5:1 apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Colours {
    /// Header, buttons and links.
    pub primary: String,
    /// Text on `primary`.
    pub on_primary: String,
    /// The page background.
    pub background: String,
}

impl Default for Colours {
    fn default() -> Self {
        Colours { primary: "#1d4f91".into(), on_primary: "#ffffff".into(), background: "#ffffff".into() }
    }
}

/// The imprint and the privacy notice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Legal {
    /// The Impressum.
    pub imprint: Option<LegalPage>,
    /// The Datenschutzerklärung.
    pub privacy: Option<LegalPage>,
}

/// A legal page: an address to link to, or the text to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalPage {
    /// `https://…`.
    Url(String),
    /// Plain text (paragraphs separated by blank lines).
    Text(String),
}

/// Where one form's submissions go. Plain values here; the delivery channels decide how
/// they are used.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// An e-mail address.
    pub email: Option<String>,
    /// A FIT-Connect destination id.
    pub fit_connect: Option<String>,
}

/// One form an authority offers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OfferedForm {
    /// The values of the form's parameters it sets.
    pub parameters: ParameterValues,
}

/// The file name of an authority file in its folder.
pub const FILE_NAME: &str = "authority.yaml";

/// Reads the authority file of the folder `id` against the compiled `forms` (by id).
/// Returns the authority (also when there were errors, as far as it could be read; use it
/// only when no diagnostic is an error) and every diagnostic, in source order.
pub fn read_authority(id: &str, source: &str, forms: &[&Form]) -> (Option<Authority>, Vec<Diagnostic>) {
    let root = match parse_yaml(source) {
        Ok(r) => r,
        Err(d) => return (None, d),
    };
    let mut r = Reader { diags: Vec::new(), forms };
    if !is_authority_id(id) {
        let at = LineIndex::new(source).span(0, 0);
        r.diags.push(
            Diagnostic::error(codes::E0105, at, format!("`{id}` is not a valid authority id (the folder's name)"))
                .with_help("name the folder with lower-case letters, digits and `-`, e.g. `bitburg`"),
        );
    }
    let authority = r.authority(id, &root);
    let mut diags = r.diags;
    diags.sort_by_key(|d| (d.span.start.offset, d.span.end.offset));
    (authority, diags)
}

/// `[a-z0-9][a-z0-9-]*`, as a form id: it is part of every address under the authority.
pub fn is_authority_id(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some('a'..='z' | '0'..='9')) && c.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-'))
}

struct Reader<'f> {
    diags: Vec<Diagnostic>,
    forms: &'f [&'f Form],
}

type Entries<'n> = Vec<(&'static KeyDef, &'n Node, &'n Node)>;

fn get<'n>(e: &Entries<'n>, name: &str) -> Option<&'n Node> {
    e.iter().find(|(k, _, _)| k.name == name).map(|(_, _, v)| *v)
}

impl<'f> Reader<'f> {
    /// Checks a map's keys against `table` (unknown with "did you mean", missing).
    fn map<'n>(&mut self, node: &'n Node, table: &'static [KeyDef], what: &str) -> Option<Entries<'n>> {
        let NodeKind::Map(pairs) = &node.kind else {
            self.diags.push(Diagnostic::error(
                codes::E0103,
                node.span,
                format!("{what} must be a map of `key: value` pairs, but this is {}", node.describe()),
            ));
            return None;
        };
        let mut out = Vec::new();
        for (k, v) in pairs {
            let name = k.as_str().unwrap_or_default();
            match table.iter().find(|d| d.name == name) {
                Some(def) => out.push((def, k, v)),
                None => {
                    let help = match did_you_mean(name, table.iter().map(|d| d.name)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("{what} accepts: {}", table.iter().map(|d| format!("`{}`", d.name)).collect::<Vec<_>>().join(", ")),
                    };
                    self.diags.push(Diagnostic::error(codes::E0101, k.span, format!("unknown key `{name}` in {what}")).with_help(help));
                }
            }
        }
        for def in table.iter().filter(|d| d.required) {
            if !out.iter().any(|(d, _, _)| d.name == def.name) {
                let at = pairs.first().map_or(node.span, |(k, _)| k.span);
                self.diags.push(
                    Diagnostic::error(codes::E0102, at, format!("{what} needs the key `{}`", def.name))
                        .with_help(format!("add `{}: …` — {}", def.name, def.doc)),
                );
            }
        }
        Some(out)
    }

    fn string(&mut self, node: &Node, key: &str) -> Option<String> {
        match node.as_scalar() {
            Some(s) if s.core_type() != CoreType::Null => Some(s.value.clone()),
            _ => {
                self.diags.push(Diagnostic::error(
                    codes::E0103,
                    node.span,
                    format!("`{key}` must be a text, but this is {}", node.describe()),
                ));
                None
            }
        }
    }

    fn opt(&mut self, e: &Entries<'_>, key: &str) -> Option<String> {
        get(e, key).and_then(|n| self.string(n, key))
    }

    fn email(&mut self, e: &Entries<'_>, key: &str) -> Option<String> {
        let n = get(e, key)?;
        let v = self.string(n, key)?;
        if !crate::checks::is_valid_email(&v) {
            self.diags.push(
                Diagnostic::error(codes::E0103, n.span, format!("`{v}` is not an e-mail address"))
                    .with_help("write it like `hundesteuer@trier.de`"),
            );
        }
        Some(v)
    }

    fn url(&mut self, e: &Entries<'_>, key: &str) -> Option<String> {
        let n = get(e, key)?;
        let v = self.string(n, key)?;
        if !v.starts_with("https://") {
            self.diags.push(
                Diagnostic::error(codes::E0103, n.span, format!("`{key}` must be an address starting with `https://`"))
                    .with_help("e.g. `https://www.trier.de`"),
            );
        }
        Some(v)
    }

    fn authority(&mut self, id: &str, root: &Node) -> Option<Authority> {
        let e = self.map(root, keys::AUTHORITY, "an authority file")?;
        let name = self.opt(&e, "name").unwrap_or_default();
        let address = match get(&e, "address").and_then(|n| self.map(n, keys::ADDRESS, "`address`")) {
            Some(a) => {
                let postcode = self.opt(&a, "postcode").unwrap_or_default();
                if let Some(n) = get(&a, "postcode")
                    && !(postcode.len() == 5 && postcode.bytes().all(|b| b.is_ascii_digit()))
                {
                    self.diags.push(
                        Diagnostic::error(codes::E0103, n.span, "`postcode` must be five digits")
                            .with_help("quote it so a leading zero stays: `postcode: \"01067\"`"),
                    );
                }
                Address { street: self.opt(&a, "street").unwrap_or_default(), postcode, city: self.opt(&a, "city").unwrap_or_default() }
            }
            None => Address::default(),
        };
        let contact = match get(&e, "contact").and_then(|n| self.map(n, keys::CONTACT, "`contact`")) {
            Some(c) => Contact { phone: self.opt(&c, "phone"), email: self.email(&c, "email"), web: self.url(&c, "web") },
            None => Contact::default(),
        };
        let logo_node = get(&e, "logo");
        let logo = logo_node.and_then(|n| self.string(n, "logo"));
        if let (Some(l), Some(n)) = (&logo, logo_node)
            && (l.contains('/') || l.contains('\\') || l.starts_with('.'))
        {
            self.diags.push(
                Diagnostic::error(codes::E0103, n.span, "`logo` must be a file name in the authority's folder")
                    .with_help("put the file beside `authority.yaml` and write its name, e.g. `logo: wappen.svg`"),
            );
        }
        let colours = get(&e, "colours").and_then(|n| self.colours(n)).unwrap_or_default();
        let legal = match get(&e, "legal").and_then(|n| self.map(n, keys::LEGAL, "`legal`")) {
            Some(l) => Legal { imprint: self.legal_page(&l, "imprint"), privacy: self.legal_page(&l, "privacy") },
            None => Legal::default(),
        };
        let mut delivery = BTreeMap::new();
        if let Some(d) = get(&e, "delivery") {
            for (k, v, _) in self.form_map(d, "delivery") {
                if let Some(m) = self.map(v, keys::DELIVERY, "a `delivery` entry") {
                    delivery.insert(k, Delivery { email: self.email(&m, "email"), fit_connect: self.opt(&m, "fit_connect") });
                }
            }
        }
        let mut forms = BTreeMap::new();
        if let Some(f) = get(&e, "forms") {
            if matches!(&f.kind, NodeKind::Map(p) if p.is_empty()) || f.is_null() {
                self.diags.push(
                    Diagnostic::error(codes::E0102, f.span, "the authority offers no forms")
                        .with_help("list the forms it offers by id, e.g. `hundesteuer-anmeldung: { parameters: { … } }`"),
                );
            }
            for (k, v, form) in self.form_map(f, "forms") {
                let Some(form) = form else { continue };
                let mut values = ParameterValues::new();
                let mut written: Vec<String> = Vec::new();
                let key_span = match &f.kind {
                    NodeKind::Map(pairs) => pairs.iter().find(|(key, _)| key.as_str() == Some(&k)).map_or(v.span, |(key, _)| key.span),
                    _ => v.span,
                };
                if !v.is_null()
                    && let Some(m) = self.map(v, keys::OFFERED_FORM, "an offered form")
                    && let Some(p) = get(&m, "parameters")
                {
                    let (read, diags) = parameter_values(form, p);
                    self.diags.extend(diags);
                    values = read;
                    written = match &p.kind {
                        NodeKind::Map(pairs) => pairs.iter().filter_map(|(k, _)| k.as_str().map(String::from)).collect(),
                        _ => Vec::new(),
                    };
                }
                // A value written but refused (E0603) is not also "missing".
                let mut present = values.clone();
                present.extend(written.into_iter().map(|w| (w, crate::value::Value::Empty)));
                self.diags.extend(missing_parameters(form, &present, key_span, &format!("the authority `{id}`")));
                forms.insert(k, OfferedForm { parameters: values });
            }
        }
        Some(Authority {
            id: id.to_string(),
            name,
            address,
            contact,
            logo,
            logo_span: logo_node.map(|n| n.span),
            colours,
            legal,
            delivery,
            forms,
        })
    }

    /// A map keyed by form id: each key checked against the forms (E0701).
    fn form_map<'n>(&mut self, node: &'n Node, key: &str) -> Vec<(String, &'n Node, Option<&'f Form>)> {
        let NodeKind::Map(pairs) = &node.kind else {
            if !node.is_null() {
                self.diags.push(
                    Diagnostic::error(codes::E0103, node.span, format!("`{key}` must be a map from form ids to settings"))
                        .with_help("e.g. `hundesteuer-anmeldung: { … }`"),
                );
            }
            return Vec::new();
        };
        let forms = self.forms;
        let mut out = Vec::new();
        for (k, v) in pairs {
            let name = k.as_str().unwrap_or_default().to_string();
            let form = forms.iter().find(|f| f.id == name).copied();
            if form.is_none() {
                let help = match did_you_mean(&name, forms.iter().map(|f| f.id.as_str())) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if forms.is_empty() => "there are no forms beside the `authorities` folder".to_string(),
                    None => format!("the forms are: {}", forms.iter().map(|f| format!("`{}`", f.id)).collect::<Vec<_>>().join(", ")),
                };
                self.diags.push(Diagnostic::error(codes::E0701, k.span, format!("there is no form `{name}`")).with_help(help));
            }
            out.push((name, v, form));
        }
        out
    }

    fn colours(&mut self, node: &Node) -> Option<Colours> {
        use colour::{AA_TEXT, Rgb, contrast, shown};
        let e = self.map(node, keys::COLOURS, "`colours`")?;
        let mut read = |key: &str, fallback: &str| -> (String, Option<Rgb>, Span) {
            let Some(n) = get(&e, key) else { return (fallback.to_string(), Rgb::parse(fallback), node.span) };
            let v = self.string(n, key).unwrap_or_default();
            let rgb = Rgb::parse(&v);
            if rgb.is_none() && !v.is_empty() {
                self.diags.push(
                    Diagnostic::error(codes::E0702, n.span, format!("`{v}` is not a colour written `#rrggbb`"))
                        .with_help("six hexadecimal digits after `#`, quoted because `#` starts a YAML comment: `\"#0066cc\"`"),
                );
            }
            (v, rgb, n.span)
        };
        let primary = read("primary", "");
        let on_primary = read("on_primary", "");
        let background = read("background", "#ffffff");
        let pairs = [
            (&on_primary, &primary, "`on_primary` on `primary` (text on buttons and the header)"),
            (&primary, &background, "`primary` on `background` (links on the page)"),
        ];
        for (fg, bg, what) in pairs {
            if let (Some(a), Some(b)) = (fg.1, bg.1) {
                let ratio = contrast(a, b);
                if ratio < AA_TEXT {
                    self.diags.push(
                        Diagnostic::error(
                            codes::E0703,
                            fg.2,
                            format!("{what} has a contrast of {}, below the 4.5:1 of WCAG AA", shown(ratio)),
                        )
                        .with_help("darken the darker colour or lighten the lighter one until the ratio reaches 4.5:1"),
                    );
                }
            }
        }
        Some(Colours { primary: primary.0, on_primary: on_primary.0, background: background.0 })
    }

    fn legal_page(&mut self, e: &Entries<'_>, key: &str) -> Option<LegalPage> {
        let v = self.opt(e, key)?;
        Some(if v.starts_with("https://") || v.starts_with("http://") { LegalPage::Url(v) } else { LegalPage::Text(v) })
    }
}
