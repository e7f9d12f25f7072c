//! The rule engine: loading rule files (built-in and `--rules DIR`), posture rules as CEL
//! predicates compiled once, their evaluation over the inventory, and the examples every rule
//! carries, checked by `nhiscan rules check` and the test suite.

mod check;
mod contract;
mod engine;
mod files;
mod posture;
mod template;
mod view;

pub use check::{CheckReport, check_rules, compile_detectors, detector_specs, name_marker_specs};
pub use contract::Contract;
pub use engine::{EvalContext, PostureEngine, sort_findings};
pub use files::{RuleFile, RuleFiles, RuleKind};
pub use posture::{PostureFile, PostureRule, PostureSpec};
