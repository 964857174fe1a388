//! Where oat keeps its files, from the platform's conventions (`directories`). Only
//! computes paths; creating them is the caller's job.

use std::path::PathBuf;

fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "oat")
}

/// The config directory (`~/.config/oat` on Linux).
pub fn config_dir() -> PathBuf {
    dirs().map_or_else(|| PathBuf::from(".oat"), |d| d.config_dir().to_path_buf())
}

/// Local data: conversations (`~/.local/share/oat` on Linux).
pub fn data_dir() -> PathBuf {
    dirs().map_or_else(|| PathBuf::from(".oat"), |d| d.data_dir().to_path_buf())
}

/// Logs: the state dir where the platform has one (Linux), else the cache dir.
pub fn log_dir() -> PathBuf {
    dirs().map_or_else(
        || PathBuf::from(".oat"),
        |d| d.state_dir().unwrap_or_else(|| d.cache_dir()).to_path_buf(),
    )
}
