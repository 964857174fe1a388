//! The error a command ends with: what happened, what to do, and the exit code. Built from
//! API errors and usage mistakes; printed on stderr. Holds no secret by construction: it
//! is made from messages that never contain one.

use crate::api::ApiError;

pub const EXIT_API: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
/// The model declined (`stop_reason: "refusal"`): the request went through, and the reason
/// is printed; not a network or API failure.
pub const EXIT_REFUSAL: u8 = 4;
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub request_id: Option<String>,
    pub advice: Option<String>,
    pub code: u8,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            request_id: None,
            advice: None,
            code: EXIT_USAGE,
        }
    }

    pub fn with_advice(mut self, advice: impl Into<String>) -> Self {
        self.advice = Some(advice.into());
        self
    }

    pub fn with_code(mut self, code: u8) -> Self {
        self.code = code;
        self
    }

    pub fn interrupted() -> Self {
        Self {
            message: "interrupted".into(),
            request_id: None,
            advice: None,
            code: EXIT_INTERRUPTED,
        }
    }

    pub fn no_credential() -> Self {
        Self::usage("no credential found").with_advice(
            "Get one of these:\n  \
             • an API key (the supported route): create one at https://console.anthropic.com/settings/keys\n  \
             • a setup token from a Claude Pro/Max/Team subscription: run `claude setup-token`\n    \
               (Anthropic intends these for Claude Code)\n\
             then store it with `oat key add` (it asks for the secret without echo), or put it in\n\
             ANTHROPIC_API_KEY / CLAUDE_CODE_OAUTH_TOKEN.",
        )
    }

    /// An exit code whose reason was already printed (`token status` says it in its report).
    pub fn silent(code: u8) -> Self {
        Self {
            message: String::new(),
            request_id: None,
            advice: None,
            code,
        }
    }

    /// Stdout's reader went away (`| head -1`): the command stops, exits 0 and says
    /// nothing, as `oat ask` always has.
    pub fn reader_gone() -> Self {
        Self::silent(0)
    }

    /// A failed write to stdout: a closed pipe ends quietly, anything else is said.
    pub fn from_write(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Self::reader_gone()
        } else {
            Self::usage(format!("could not write the output: {e}")).with_code(1)
        }
    }

    pub fn print(&self) {
        if self.code == EXIT_INTERRUPTED || self.message.is_empty() {
            return;
        }
        eprintln!("oat: error: {}", self.message);
        if let Some(id) = &self.request_id {
            eprintln!("  request id: {id}");
        }
        if let Some(advice) = &self.advice {
            eprintln!("  {advice}");
        }
    }
}

impl From<ApiError> for CliError {
    fn from(e: ApiError) -> Self {
        let code = match e {
            ApiError::Config(_) => EXIT_USAGE,
            _ => EXIT_API,
        };
        Self {
            message: e.to_string(),
            request_id: e.request_id().map(str::to_string),
            advice: Some(e.advice().to_string()),
            code,
        }
    }
}

impl From<crate::session::AppFailure> for CliError {
    fn from(e: crate::session::AppFailure) -> Self {
        let mut err = CliError::usage(e.message).with_code(e.code);
        err.advice = e.advice;
        err
    }
}
