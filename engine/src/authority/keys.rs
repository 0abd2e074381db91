//! The key table of authority files (`authorities/<id>/authority.yaml`), in the style of
//! the form language's `syntax::keys`: the reader checks unknown keys (with "did you
//! mean"), missing keys and shapes against it, and `docs/authorities.md` follows it.

use crate::syntax::keys::{KeyDef, Shape};

const fn key(name: &'static str, shape: Shape, doc: &'static str) -> KeyDef {
    KeyDef { name, required: false, shape, types: &[], doc }
}
const fn req(name: &'static str, shape: Shape, doc: &'static str) -> KeyDef {
    KeyDef { name, required: true, shape, types: &[], doc }
}

/// The file's top level.
pub const AUTHORITY: &[KeyDef] = &[
    req("name", Shape::Str, "The authority's name as citizens read it, e.g. `Stadt Trier`."),
    req("address", Shape::Nested("address"), "The postal address: `{ street, postcode, city }`."),
    key("contact", Shape::Nested("contact"), "How citizens reach it: `{ phone, email, web }`."),
    key("logo", Shape::Str, "A logo file (SVG or PNG) in the authority's folder."),
    req("colours", Shape::Nested("colours"), "Branding colours, checked for contrast (WCAG AA)."),
    key("legal", Shape::Nested("legal"), "Imprint and privacy notice: each an `https://` address or a text."),
    key("delivery", Shape::MapOf("delivery"), "Per form id: where its submissions go."),
    req("forms", Shape::MapOf("offered_form"), "The forms it offers, by form id, with their parameter values."),
];

/// `address:`.
pub const ADDRESS: &[KeyDef] = &[
    req("street", Shape::Str, "Street and house number."),
    req("postcode", Shape::Str, "Five-digit postcode."),
    req("city", Shape::Str, "Town or city."),
];

/// `contact:`.
pub const CONTACT: &[KeyDef] = &[
    key("phone", Shape::Str, "A phone number."),
    key("email", Shape::Str, "An e-mail address."),
    key("web", Shape::Str, "The website, `https://…`."),
];

/// `colours:`.
pub const COLOURS: &[KeyDef] = &[
    req("primary", Shape::Str, "The main colour (header, buttons, links), `#rrggbb`."),
    req("on_primary", Shape::Str, "The text colour on `primary`, `#rrggbb`."),
    key("background", Shape::Str, "The page background, `#rrggbb`; default `#ffffff`."),
];

/// `legal:`.
pub const LEGAL: &[KeyDef] = &[
    key("imprint", Shape::Str, "The Impressum: an `https://` address or the text itself."),
    key("privacy", Shape::Str, "The privacy notice (Datenschutzerklärung): an address or the text."),
];

/// One `delivery:` entry.
pub const DELIVERY: &[KeyDef] = &[
    key("email", Shape::Str, "The address that receives each submission by e-mail."),
    key("fit_connect", Shape::Str, "The FIT-Connect destination id (Zustellpunkt)."),
];

/// One `forms:` entry.
pub const OFFERED_FORM: &[KeyDef] =
    &[key("parameters", Shape::MapOf("any"), "The values of the form's `parameters:`; those left out have their default.")];

/// All tables by name, for the reference.
pub const TABLES: &[(&str, &[KeyDef])] = &[
    ("authority", AUTHORITY),
    ("address", ADDRESS),
    ("contact", CONTACT),
    ("colours", COLOURS),
    ("legal", LEGAL),
    ("delivery", DELIVERY),
    ("offered_form", OFFERED_FORM),
];
