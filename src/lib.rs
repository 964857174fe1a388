//! oat: a terminal client for Anthropic's Claude models. The binary's `main.rs` only
//! parses arguments and hands over to `cli`; everything else lives in this library so
//! tests and benchmarks can reach it.

pub mod api;
pub mod attach;
pub mod cli;
pub mod config;
pub mod conversation;
pub mod credentials;
#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios"))))]
pub mod dbus;
pub mod files;
pub mod history;
pub mod logging;
pub mod mcp;
pub mod paths;
pub mod private;
pub mod session;
pub mod status;
pub mod tick;
pub mod token;
pub mod tui;
pub mod version;
pub mod worker;
