//! IAM policy analysis, pure and synchronous: documents are decoded and parsed once
//! ([`document`]), evaluated for one action against everything that applies to a principal
//! ([`eval`]), and summarised into the risk flags rules test ([`flags`]).

pub mod ceiling;
pub mod document;
pub mod eval;
pub mod flags;
pub(crate) mod glob;
pub mod scoped;

pub use document::{ParsedPolicy, Statement, decode_document, parse_policy};
pub use eval::{Decision, PolicySet};
pub use flags::{PolicyFacts, analyse};
