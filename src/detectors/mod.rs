//! Secret detectors: the data in `rules/secrets/*.yaml`, compiled once into one keyword
//! automaton plus one regex per detector. The repo connector (and later the history scanner)
//! matches content with a [`DetectorSet`]; nothing here knows about files or reports.

mod checksum;
mod compile;
mod decode;
mod entropy;
mod matcher;
mod name_marker;
mod placeholder;
mod spec;

pub use checksum::Checksum;
pub use compile::{Detector, DetectorSet};
pub use decode::{Decoded, Decoder};
pub use entropy::shannon;
pub use matcher::SecretMatch;
pub use name_marker::{NameMarkers, example_is_marked};
pub use placeholder::is_placeholder;
pub use spec::{
    BasicAuthSpec, DetectorFile, DetectorSpec, JsonFieldSpec, NameMarkerSpec, SigV4Spec,
    ValidateSpec,
};
