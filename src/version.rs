//! Which build this is — version, git commit, build date and target, set by `build.rs` —
//! for `--version`, `oat doctor` and bug reports. Constants only.

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Short hash, `-dirty` when the tree had uncommitted changes; or a sentence saying the
/// build came from a packaged crate.
pub const COMMIT: &str = env!("OAT_GIT_COMMIT");
pub const BUILD_DATE: &str = env!("OAT_BUILD_DATE");
pub const TARGET: &str = env!("OAT_TARGET");

/// `0.1.0 (commit 1a2b3c4d5e, built 2026-11-25, x86_64-unknown-linux-gnu)`.
pub const LONG: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("OAT_GIT_COMMIT"),
    ", built ",
    env!("OAT_BUILD_DATE"),
    ", ",
    env!("OAT_TARGET"),
    ")"
);
