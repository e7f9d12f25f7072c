//! Entry point: parse arguments, set up logging on stderr, run, and map the outcome (or an
//! error) to the documented exit code.

use clap::Parser;
use nhiscan::cli::{self, Cli};
use nhiscan::plan::Outcome;
use std::process::ExitCode;

fn main() -> ExitCode {
    keep_freed_memory();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                Outcome::UsageError.code()
            } else {
                0
            });
        }
    };
    nhiscan::clock::init(cli.global.now);
    init_logging(cli.global.quiet, cli.global.verbose);
    match cli::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(Outcome::UsageError.code())
        }
    }
}

/// Up to `-v`, only nhiscan's own messages: the SDKs (kube, aws-smithy, octocrab) log their own
/// view of failures that nhiscan already reports once, with context. `-vv` shows everything.
fn init_logging(quiet: bool, verbose: u8) {
    let level = match (quiet, verbose) {
        (true, _) => "nhiscan=error",
        (_, 0) => "nhiscan=warn",
        (_, 1) => "nhiscan=info",
        (_, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("NHISCAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    // Every line is redacted on its way out: at -vv and above the SDKs print request headers.
    nhiscan::logging::init(filter);
}

/// A scan is one short process whose memory peaks once. Two mimalloc options suit that: never
/// return freed pages to the OS (after 10 ms by default), which only makes the kernel zero them
/// again when the next phase allocates; and commit arena memory up front instead of page range
/// by page range. Together they took a third off a large Kubernetes scan and a quarter off a
/// 200k-identity merge (benches/README.md); untouched committed memory is not resident.
fn keep_freed_memory() {
    // Indexes into `mi_option_t` (mimalloc.h, v2 and v3 alike).
    const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: process-wide allocator options; valid at any time, no pointers involved.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1);
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 1);
    }
}

/// mimalloc instead of glibc's allocator: the inventory is millions of small strings and maps
/// built on every core at once, where glibc's per-arena locking and page faults cost a fifth of
/// a large scan's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
