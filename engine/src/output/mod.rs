//! Exports derived from a compiled form for systems outside the engine, such as the
//! JSON Schema of the submission document's `data` (§10).

pub mod schema;

pub use schema::data_schema;
