//! A question a command puts to the person before it goes on (edit again? move the
//! database aside?): asked on stderr, so stdout stays the command's output, and answered
//! with a line on stdin. Owns no wording; the callers say what is asked.

use std::io::{BufRead, Write};

use super::CliError;

/// Asks `question` and returns the answer typed, trimmed (empty at end of input).
pub fn ask(question: &str) -> Result<String, CliError> {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::usage(e.to_string()))?;
    Ok(answer.trim().to_string())
}
