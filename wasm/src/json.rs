//! A small JSON reader for what crosses the boundary into the module: answers, typed values,
//! posted steps, snapshots and parameter values (`Guide`'s JSON arguments).
//!
//! Why not serde_json's reader: it is generic over every type it reads (one copy of its parser
//! per struct), and its error messages format floats (serde's `Unexpected::Float`), which links
//! `core`'s float formatting; together about 55 KB of the module (docs/performance.md,
//! "Bundle"). This reader parses the text once into a [`Json`] tree (one parser, not generic)
//! and hands the tree to the types' `Deserialize` through serde's own value deserializers.
//! No value the boundary reads is a float, so a number with a fraction or an exponent is
//! refused as serde_json's reader refuses it there (invalid type), and never becomes an `f64`.
//! Writing (views, changes, state) stays with serde_json's writer, which is small.
//!
//! Accepts exactly RFC 8259 JSON (what `JSON.stringify` writes) and nests at most
//! [`MAX_DEPTH`] deep, as serde_json's reader does.

use std::fmt;

use serde::de::value::{MapDeserializer, SeqDeserializer, StringDeserializer};
use serde::de::{self, DeserializeOwned, Expected, IntoDeserializer, Unexpected, Visitor};

/// How deep arrays and objects may nest (serde_json's reader: 128).
pub const MAX_DEPTH: usize = 128;

/// Reads `text` as JSON and then as a `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    T::deserialize(parse(text)?)
}

/// A JSON text that did not read, or did not fit the type asked for.
#[derive(Debug, PartialEq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// What an unexpected value was, without `Unexpected`'s `Display` (it formats floats).
fn describe(unexp: &Unexpected<'_>) -> String {
    match unexp {
        Unexpected::Bool(b) => format!("boolean `{b}`"),
        Unexpected::Unsigned(n) => format!("integer `{n}`"),
        Unexpected::Signed(n) => format!("integer `{n}`"),
        Unexpected::Float(_) => "floating point number".to_string(),
        Unexpected::Char(c) => format!("character `{c}`"),
        Unexpected::Str(s) => format!("string {s:?}"),
        Unexpected::Bytes(_) => "byte array".to_string(),
        Unexpected::Unit => "null".to_string(),
        Unexpected::Option => "option".to_string(),
        Unexpected::NewtypeStruct => "newtype struct".to_string(),
        Unexpected::Seq => "array".to_string(),
        Unexpected::Map => "object".to_string(),
        Unexpected::Enum => "enum".to_string(),
        Unexpected::UnitVariant => "unit variant".to_string(),
        Unexpected::NewtypeVariant => "newtype variant".to_string(),
        Unexpected::TupleVariant => "tuple variant".to_string(),
        Unexpected::StructVariant => "struct variant".to_string(),
        Unexpected::Other(other) => (*other).to_string(),
    }
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Error(format!("invalid type: {}, expected {exp}", describe(&unexp)))
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Error(format!("invalid value: {}, expected {exp}", describe(&unexp)))
    }
}

/// A parsed JSON value. Numbers keep their text: only integers are ever read from them.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number as written.
    Number(String),
    /// A string, escapes resolved.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object's members in the order written (duplicates kept: the type decides).
    Object(Vec<(String, Json)>),
}

/// Parses a whole JSON text (whitespace around it allowed, nothing else).
pub fn parse(text: &str) -> Result<Json, Error> {
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    let v = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err("trailing characters"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> Error {
        Error(format!("{what} at byte {}", self.i))
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, word: &[u8]) -> bool {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, Error> {
        self.ws();
        match self.s.get(self.i) {
            None => Err(self.err("EOF while parsing a value")),
            Some(b'n') if self.eat(b"null") => Ok(Json::Null),
            Some(b't') if self.eat(b"true") => Ok(Json::Bool(true)),
            Some(b'f') if self.eat(b"false") => Ok(Json::Bool(false)),
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                let depth = self.nest(depth)?;
                let mut items = Vec::new();
                self.ws();
                if self.eat(b"]") {
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth)?);
                    self.ws();
                    if self.eat(b"]") {
                        return Ok(Json::Array(items));
                    }
                    if !self.eat(b",") {
                        return Err(self.err("expected `,` or `]`"));
                    }
                }
            }
            Some(b'{') => {
                let depth = self.nest(depth)?;
                let mut members = Vec::new();
                self.ws();
                if self.eat(b"}") {
                    return Ok(Json::Object(members));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return Err(self.err("expected a key (a string)"));
                    }
                    let key = self.string()?;
                    self.ws();
                    if !self.eat(b":") {
                        return Err(self.err("expected `:`"));
                    }
                    members.push((key, self.value(depth)?));
                    self.ws();
                    if self.eat(b"}") {
                        return Ok(Json::Object(members));
                    }
                    if !self.eat(b",") {
                        return Err(self.err("expected `,` or `}`"));
                    }
                }
            }
            Some(_) => Err(self.err("expected a value")),
        }
    }

    fn nest(&mut self, depth: usize) -> Result<usize, Error> {
        if depth >= MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        self.i += 1;
        Ok(depth + 1)
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.s.get(self.i) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Json, Error> {
        let start = self.i;
        self.eat(b"-");
        match self.s.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("invalid number")),
        }
        if self.eat(b".") && self.digits() == 0 {
            return Err(self.err("invalid number"));
        }
        if self.eat(b"e") || self.eat(b"E") {
            let _ = self.eat(b"+") || self.eat(b"-");
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        // Only ASCII was consumed.
        Ok(Json::Number(String::from_utf8_lossy(&self.s[start..self.i]).into_owned()))
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut n = 0;
        for _ in 0..4 {
            let d = match self.s.get(self.i) {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.err("invalid \\u escape")),
            };
            n = n * 16 + u32::from(d);
            self.i += 1;
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, Error> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        let mut run = self.i;
        loop {
            match self.s.get(self.i) {
                None => return Err(self.err("EOF while parsing a string")),
                Some(b'"') => {
                    out.push_str(self.text(run)?);
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(self.text(run)?);
                    self.i += 1;
                    let c = match self.s.get(self.i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.eat(b"\\u") {
                                    return Err(self.err("lone leading surrogate"));
                                }
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("lone leading surrogate"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(code).ok_or_else(|| self.err("lone trailing surrogate"))?);
                            run = self.i;
                            continue;
                        }
                        _ => return Err(self.err("invalid escape")),
                    };
                    out.push(c);
                    self.i += 1;
                    run = self.i;
                }
                Some(0..=0x1f) => return Err(self.err("control character in a string")),
                Some(_) => self.i += 1,
            }
        }
    }

    /// The text from `start` to here; the input is a `&str` and runs end at ASCII, so it is
    /// always whole characters.
    fn text(&self, start: usize) -> Result<&str, Error> {
        std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.err("invalid UTF-8"))
    }
}

impl Json {
    fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Json::Null => Unexpected::Unit,
            Json::Bool(b) => Unexpected::Bool(*b),
            Json::Number(_) => Unexpected::Other("number"),
            Json::Str(s) => Unexpected::Str(s),
            Json::Array(_) => Unexpected::Seq,
            Json::Object(_) => Unexpected::Map,
        }
    }
}

impl<'de> IntoDeserializer<'de, Error> for Json {
    type Deserializer = Json;

    fn into_deserializer(self) -> Json {
        self
    }
}

impl<'de> de::Deserializer<'de> for Json {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Json::Null => visitor.visit_unit(),
            Json::Bool(b) => visitor.visit_bool(b),
            Json::Number(n) => {
                if let Ok(u) = n.parse::<u64>() {
                    visitor.visit_u64(u)
                } else if let Ok(i) = n.parse::<i64>() {
                    visitor.visit_i64(i)
                } else {
                    // A fraction, an exponent or out of range: serde_json reads an f64 there,
                    // which no type of the boundary takes.
                    Err(de::Error::invalid_type(Unexpected::Float(0.0), &visitor))
                }
            }
            Json::Str(s) => visitor.visit_string(s),
            Json::Array(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter());
                let v = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(v)
            }
            Json::Object(members) => {
                let mut map = MapDeserializer::new(members.into_iter().map(|(k, v)| (Key(k), v)));
                let v = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(v)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Json::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            // A unit variant.
            Json::Str(s) => visitor.visit_enum(StringDeserializer::<Error>::new(s)),
            // `{"Variant": content}`.
            Json::Object(mut members) if members.len() == 1 => {
                let (variant, content) = members.pop().expect("one member");
                visitor.visit_enum(Variant { variant, content })
            }
            other => Err(de::Error::invalid_type(other.unexpected(), &"a string or an object of one key")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// An object's key: a string, which a map with integer keys reads as its number (as
/// serde_json's reader does).
struct Key(String);

impl<'de> IntoDeserializer<'de, Error> for Key {
    type Deserializer = Key;

    fn into_deserializer(self) -> Key {
        self
    }
}

macro_rules! key_integers {
    ($($method:ident $ty:ty => $visit:ident,)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0.parse::<$ty>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => Err(de::Error::invalid_type(Unexpected::Str(&self.0), &visitor)),
            }
        })*
    };
}

impl<'de> de::Deserializer<'de> for Key {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_string(self.0)
    }

    key_integers! {
        deserialize_u8 u8 => visit_u8,
        deserialize_u16 u16 => visit_u16,
        deserialize_u32 u32 => visit_u32,
        deserialize_u64 u64 => visit_u64,
        deserialize_i8 i8 => visit_i8,
        deserialize_i16 i16 => visit_i16,
        deserialize_i32 i32 => visit_i32,
        deserialize_i64 i64 => visit_i64,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(StringDeserializer::<Error>::new(self.0))
    }

    serde::forward_to_deserialize_any! {
        bool i128 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// An enum written as `{"Variant": content}`.
struct Variant {
    variant: String,
    content: Json,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = Error;
    type Variant = Json;

    fn variant_seed<S: de::DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Json), Error> {
        Ok((seed.deserialize(StringDeserializer::<Error>::new(self.variant))?, self.content))
    }
}

impl<'de> de::VariantAccess<'de> for Json {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self {
            Json::Null => Ok(()),
            other => Err(de::Error::invalid_type(other.unexpected(), &"unit variant")),
        }
    }

    fn newtype_variant_seed<S: de::DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}

#[cfg(test)]
mod tests;
