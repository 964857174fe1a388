//! `oat history show` as text: the branch last used or every branch, each prompt with
//! its reply (or a line saying none was saved), which replies were stopped or cut off,
//! and what the conversation cost. Prints to stdout; reads nothing itself.

use super::shown_text;
use crate::api::pricing::PriceTable;
use crate::cli::CliError;
use crate::cli::out::outln;
use crate::history::{Conversation, StoredMessage};

/// The heading, the cost, then the branch last used (`all`: every branch).
pub(super) fn print(
    c: &Conversation,
    messages: &[StoredMessage],
    all: bool,
    prices: &PriceTable,
) -> Result<(), CliError> {
    outln!("{} — {} ({})", c.id, c.title, c.model)?;
    if let Some(line) = cost_line(prices, messages, c.leaf) {
        outln!("{line}")?;
    }
    if all {
        show_all(messages, c.leaf)?;
    } else {
        use crate::history::{branch_nodes, turn_tree};
        let nodes = turn_tree(messages);
        for n in branch_nodes(&nodes, messages, c.leaf) {
            print_turn(
                &messages[nodes[n].user],
                nodes[n].reply.map(|r| &messages[r]),
            )?;
        }
    }
    Ok(())
}

/// How a message's heading ends: whether the person stopped it or it was cut off.
fn mark(m: &StoredMessage) -> &'static str {
    if m.stopped {
        "  [stopped]"
    } else if m.complete {
        ""
    } else {
        "  [incomplete]"
    }
}

/// A prompt and its reply; a prompt that has none says so, so two prompts never read as
/// one person talking twice.
fn print_turn(prompt: &StoredMessage, reply: Option<&StoredMessage>) -> Result<(), CliError> {
    print_message(prompt)?;
    match reply {
        Some(r) => print_message(r),
        None => outln!("\nClaude:  [no reply saved: stopped or failed before any text]"),
    }
}

fn print_message(m: &StoredMessage) -> Result<(), CliError> {
    let who = if m.role == "user" { "You" } else { "Claude" };
    let tail = mark(m);
    outln!("\n{who}:{tail}")?;
    for f in &m.attachments {
        outln!("[attached: {}]", f.chip())?;
    }
    outln!("{}", shown_text(m))
}

/// What the conversation cost on an API key: the branch last used and, where they
/// differ, every reply (other branches were paid for too; `history list` counts those).
fn cost_line(prices: &PriceTable, messages: &[StoredMessage], leaf: Option<i64>) -> Option<String> {
    use crate::history::cost::ConversationCost;
    // The cache lifetime each reply's prompt was sent with prices its cache writes.
    let sent_with = |m: &StoredMessage| {
        let prompt = messages.iter().find(|p| Some(p.id) == m.parent)?;
        serde_json::from_value(prompt.settings.as_ref()?["cache"].clone()).ok()
    };
    let spend = |ms: &mut dyn Iterator<Item = &StoredMessage>| {
        let mut s = ConversationCost::default();
        for m in ms.filter(|m| m.role == "assistant") {
            s.add(
                prices,
                m.model.as_deref().unwrap_or(""),
                m.usage.as_ref(),
                m.credential_kind,
                sent_with(m),
            );
        }
        s
    };
    let every = spend(&mut messages.iter());
    if every.api_key_replies == 0 {
        return None;
    }
    let shown = spend(&mut crate::history::branch(messages, leaf).iter());
    Some(if shown.cost == every.cost {
        format!("Cost: {}", every.label())
    } else {
        format!(
            "Cost: this branch {} · all replies {}",
            shown.label(),
            every.label()
        )
    })
}

/// Every branch: the one last used whole, then each other from the turn where it leaves
/// the branches before it.
fn show_all(messages: &[StoredMessage], leaf: Option<i64>) -> Result<(), CliError> {
    use crate::history::{all_branches, branch_nodes, turn_tree};
    let nodes = turn_tree(messages);
    let current = branch_nodes(&nodes, messages, leaf);
    let mut branches = vec![current.clone()];
    branches.extend(all_branches(&nodes).into_iter().filter(|b| *b != current));
    let count = branches.len();
    let mut shown: std::collections::HashSet<usize> = std::collections::HashSet::new();
    for (i, b) in branches.iter().enumerate() {
        let from = b.iter().position(|n| !shown.contains(n)).unwrap_or(b.len());
        let head = if i == 0 {
            format!("── branch 1 of {count} (last used)")
        } else {
            format!("── branch {} of {count}, from turn {}", i + 1, from + 1)
        };
        outln!("\n{head}")?;
        for &n in &b[from..] {
            print_turn(
                &messages[nodes[n].user],
                nodes[n].reply.map(|r| &messages[r]),
            )?;
        }
        shown.extend(b.iter().copied());
    }
    Ok(())
}
