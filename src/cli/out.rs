//! Everything a command prints on stdout goes through here, so that a reader that goes
//! away (`oat history show 1 | head -1`) ends the command quietly with exit 0, as `oat ask`
//! does, instead of `println!`'s panic. Owns no formatting; must not write to stderr.

use std::io::Write;

use super::CliError;

/// Writes `text` to stdout. A closed pipe becomes [`CliError::reader_gone`] (exit 0, no
/// message); any other write failure (a full disk behind `>`) is an error worth saying.
pub fn write(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(CliError::from_write)
}

/// `print!` for commands: `out!(…)?` stops the command when stdout is gone.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::out::write(&format!($($arg)*))
    };
}

/// `println!` for commands: `outln!(…)?` stops the command when stdout is gone.
macro_rules! outln {
    () => {
        $crate::cli::out::write("\n")
    };
    ($($arg:tt)*) => {
        $crate::cli::out::write(&format!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {out, outln};
