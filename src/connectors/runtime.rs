//! The async runtime the live connectors share. The `Connector` trait is synchronous (the repo
//! scanner is rayon, not async); a live connector calls [`block_on`] inside `collect`.
//!
//! TLS: every SDK in the binary (aws-smithy, kube, octocrab) is compiled against rustls with the
//! aws-lc-rs provider only. rustls still wants the process-level provider chosen explicitly
//! when it cannot tell, so it is installed here once, before any client is built.

use std::future::Future;
use std::sync::Once;

static PROVIDER: Once = Once::new();

/// Install aws-lc-rs as rustls' process-wide crypto provider (idempotent).
pub fn install_crypto_provider() {
    PROVIDER.call_once(|| {
        // Err only means another provider was installed first, which is just as good.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
}

/// Run one live collection to completion on a fresh multi-threaded runtime. API calls inside
/// are concurrent (bounded by each connector); the caller's thread waits.
pub fn block_on<F: Future>(future: F) -> anyhow::Result<F::Output> {
    install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("starting the async runtime for live API calls: {e}"))?;
    Ok(runtime.block_on(future))
}
