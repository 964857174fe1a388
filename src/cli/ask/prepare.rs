//! What `oat ask` needs before the stream: the prompt (arguments and stdin) and what is
//! known of the model. Keeping the exchange is the conversation engine's.

use std::io::IsTerminal;

use tokio::io::AsyncReadExt;

use super::{AskArgs, CliError};
use crate::api::Client;
use crate::api::models::{Model, fallback};

pub(super) async fn read_prompt(args: &AskArgs) -> Result<String, CliError> {
    let mut prompt = args.prompt.join(" ");
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut piped = String::new();
        tokio::io::stdin()
            .read_to_string(&mut piped)
            .await
            .map_err(|e| CliError::usage(format!("could not read stdin: {e}")))?;
        if !piped.trim().is_empty() {
            if prompt.is_empty() {
                prompt = piped;
            } else {
                prompt = format!("{prompt}\n\n{piped}");
            }
        }
    }
    if prompt.trim().is_empty() {
        return Err(
            CliError::usage("no prompt: give one as arguments or pipe it on stdin").with_advice(
                "example: oat ask \"What is a monad?\"  or  git diff | oat ask \"Review this\"",
            ),
        );
    }
    Ok(prompt)
}

/// What oat knows of the model: live when a flag depends on it, else the shipped list.
pub(super) async fn model_info(
    client: &Client,
    id: &str,
    needs_live: bool,
) -> Result<Option<Model>, CliError> {
    let shipped = || fallback().data.into_iter().find(|m| m.id == id);
    if !needs_live {
        return Ok(shipped());
    }
    match client.get_model(id).await {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.is_auth() => Err(e.into()),
        Err(e) => {
            tracing::info!(error = %e, "model lookup failed; using the shipped list");
            Ok(shipped())
        }
    }
}
