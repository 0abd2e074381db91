//! # wegweiser (command line and runtime server)
//!
//! The front end around the engine: the `wegweiser` command line lives in [`cli`]
//! (argument parsing, one module per subcommand, diagnostic rendering). It is a library
//! so that integration tests and the HTTP server ([`server`]) reuse the same code; the
//! binary in `main.rs` only parses arguments and dispatches.
#![deny(missing_docs)]

pub mod authority;
pub mod cli;
pub mod server;
