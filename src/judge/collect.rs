//! Collecting from every connector of a run at once: sources are independent, and a source that
//! cannot be scanned at all becomes a failed run entry, not the end of the scan.

use crate::connectors::{Collected, Connector};
use crate::inventory::SourceRun;
use crate::progress::Progress;

/// Each connector's result, in the order given (each connector is also parallel inside).
pub fn collect(connectors: &[Box<dyn Connector>], progress: &Progress) -> Vec<Collected> {
    std::thread::scope(|scope| {
        let running: Vec<_> = connectors
            .iter()
            .map(|c| scope.spawn(|| collect_one(c.as_ref(), progress)))
            .collect();
        running
            .into_iter()
            .map(|h| h.join().expect("a connector thread panicked"))
            .collect()
    })
}

fn collect_one(c: &dyn Connector, progress: &Progress) -> Collected {
    c.collect(progress).unwrap_or_else(|e| {
        tracing::error!("{e:#}");
        Collected {
            identities: vec![],
            run: SourceRun::failed(c.source(), c.target(), format!("{e:#}")),
        }
    })
}
