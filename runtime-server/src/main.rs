//! The `wegweiser` command line.
fn main() {}
