//! The compiled form: immutable, serde-serialisable; what a session and the browser use.

use serde::{Deserialize, Serialize};

/// A compiled form.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Form {
    /// The form's id.
    pub id: String,
}
