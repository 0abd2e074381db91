//! YAML text → a positioned tree. The only place that knows YAML.
//!
//! Every node keeps its span (character offsets, line and column) and every scalar its
//! value, its style and its position in the file, so that `01067` and `1.10` never pass
//! through an integer or a float and an expression inside a quoted or block scalar can be
//! mapped back to the exact column of the file. Aliases are refused (no "billion laughs"),
//! depth and size are bounded.

mod hints;
mod tree;

pub use tree::{CoreType, LIMITS, Node, NodeKind, Scalar, Style, parse_yaml, parse_yaml_indexed};
