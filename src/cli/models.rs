//! `oat models`: live discovery, printed as a table or JSON; the shipped list when the API
//! cannot be reached, or will not list models for a setup token (said on stderr, with its
//! date and the reason). An API key's authentication refusal is reported as such, never
//! papered over with the offline list.

use std::io::Write;

use clap::Args;

use super::{CliError, Context};
use crate::api::models::{
    Model, Retirement, fallback, fallback_list, fallback_reason, offline_models,
    retirement_warning, short_count as tokens,
};

#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// Print the models as JSON (every field the API sent).
    #[arg(long)]
    pub json: bool,
}

pub async fn run(ctx: &Context, args: ModelsArgs) -> Result<(), CliError> {
    let (client, resolved) = ctx.client()?;
    let models = match client.list_models().await {
        Ok((models, _limits)) => models,
        Err(e) => {
            let Some(reason) = fallback_reason(&e, resolved.credential.kind) else {
                return Err(e.into());
            };
            eprintln!(
                "oat: {reason}; showing the offline list taken {} — it may be out of date",
                fallback().taken
            );
            offline_models(resolved.meta.model.as_deref())
        }
    };
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        serde_json::to_writer_pretty(&mut out, &models)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        out.write_all(table(&models).as_bytes())
    };
    // A closed pipe (`oat models | head`) ends quietly, as every command's output does.
    written.map_err(CliError::from_write)
}

/// The starting model of `key_model`'s key (see `Session::starting_model`) when it retires
/// within 30 days or has retired, by the one rule (`retirement_warning`). Asked live when
/// `client` is given (the API's lifecycle is newer than the shipped list's), else from the
/// shipped list; the replacement comes from the shipped list.
pub async fn retirement(
    ctx: &Context,
    client: Option<&crate::api::Client>,
    key_model: Option<String>,
) -> Option<Retirement> {
    let id = ctx.starting_model(key_model);
    let shipped = &fallback_list().data;
    let live = match client {
        Some(c) => c
            .get_model(&id)
            .await
            .inspect_err(
                |e| tracing::info!(error = %e, "model lookup failed; using the shipped list"),
            )
            .ok(),
        None => None,
    };
    let model = live.or_else(|| shipped.iter().find(|m| m.id == id).cloned())?;
    retirement_warning(&model, shipped, chrono::Utc::now())
}

pub fn table(models: &[Model]) -> String {
    let rows: Vec<Vec<String>> = models
        .iter()
        .map(|m| {
            vec![
                m.id.clone(),
                m.display_name.clone(),
                m.created_at
                    .map_or_else(|| "-".into(), |t| t.format("%Y-%m-%d").to_string()),
                tokens(m.max_input_tokens),
                tokens(m.max_tokens),
                m.thinking_label().to_string(),
                m.lifecycle_label(),
            ]
        })
        .collect();
    super::table::render(
        &[
            "ID", "NAME", "CREATED", "CONTEXT", "MAX OUT", "THINKING", "STATUS",
        ],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let t = table(&fallback().data[..2]);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("ID"));
        assert!(lines[1].starts_with("claude-fable-5-2  "));
        let col = lines[0].find("CONTEXT").unwrap();
        assert_eq!(&lines[1][col..col + 2], "1M");
        assert!(lines[1].ends_with("active"), "{}", lines[1]);
        let opus = fallback()
            .data
            .into_iter()
            .find(|m| m.id == "claude-opus-4-5")
            .unwrap();
        let t = table(std::slice::from_ref(&opus));
        assert!(t.contains("deprecated, retires 2027-01-22"), "{t}");
        // Within 30 days of the date a warning (the one rule, `retirement_warning`).
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        let list = fallback().data;
        assert_eq!(
            retirement_warning(&opus, &list, at("2026-12-02T00:00:00Z")),
            None
        );
        let w = retirement_warning(&opus, &list, at("2027-01-02T00:00:00Z")).unwrap();
        assert!(
            w.to_string()
                .contains("retires on 2027-01-22 (20 days from now)"),
            "{w}"
        );
    }
}
