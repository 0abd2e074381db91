//! Exports derived from a compiled form for systems outside the engine: the JSON Schema
//! of the submission document's `data` (docs/form-language.md#the-submission), and the same answers keyed by FIM ids with
//! their JSON Schema (`fim.rs`).

pub mod fim;
pub mod schema;

pub use fim::{fim_data, fim_schema};
pub use schema::data_schema;
