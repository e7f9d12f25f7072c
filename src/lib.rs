//! nhiscan: an inventory of non-human identities (cloud principals, service accounts, tokens,
//! keys and the secrets hardcoded in code) judged by declarative rules.
//!
//! Data flows one way: `connectors` → `inventory` → `rules` → `report`. Connectors never import
//! rules or reports, reports never import connectors, and nothing imports `cli`.

pub mod baseline;
pub mod cli;
pub mod clock;
pub mod connectors;
pub mod correlate;
pub mod detectors;
pub mod inventory;
pub mod judge;
pub mod logging;
pub mod owners;
pub mod parse_note;
pub mod plan;
pub mod progress;
pub mod report;
pub mod rules;
pub mod safe_file;
pub mod validate;
