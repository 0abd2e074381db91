//! FIT-Connect for Wegweiser: the sender of the Submission API v1 (an application, its PDF and
//! the citizen's uploads, end-to-end encrypted for the authority's destination) and, behind the
//! `standin` feature, a stand-in Zustelldienst for tests.
//!
//! - [`jwe`]: JWE compact serialisation, RSA-OAEP-256 + A256GCM.
//! - [`key`]: JWKs checked before use (encryption key: RSA-4096, `wrapKey`, RSA-OAEP-256).
//! - [`metadata`]: the metadata document, validated against the official schema.
//! - [`client`]: token, HTTP calls, [`SendError`] (retryable or not).
//! - [`sender`]: [`Sender::send`] and [`Sender::events`].
//! - [`events`]: the case's signed event tokens.
//!
//! What is sent, what an authority sets up and what is not done: `README.md` of this crate.
#![deny(missing_docs)]

pub mod client;
pub mod events;
pub mod jwe;
pub mod key;
pub mod metadata;
pub mod sender;
#[cfg(feature = "standin")]
pub mod standin;

pub use client::{Config, SendError};
pub use events::{CaseEvent, EventKind, Problem};
pub use sender::{Delivered, Document, Outgoing, Sender, Upload};
