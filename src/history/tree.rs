//! A conversation's branches. Messages form a tree by `parent`; a *turn* is a prompt with
//! one reply to it (or none yet), and turns form a tree too: editing a prompt or
//! regenerating a reply adds a sibling turn. Pure functions over loaded messages.

use std::collections::HashMap;

use super::StoredMessage;

/// One turn: indexes into the message list it was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnNode {
    pub user: usize,
    pub reply: Option<usize>,
    /// The turn this one follows (an index into the node list); `None` at the root.
    pub parent: Option<usize>,
    /// Turns that follow this one, oldest first.
    pub children: Vec<usize>,
}

/// The turns of a conversation, in the order their messages were written. A prompt with
/// two replies (a regenerate) is two turns sharing the prompt.
pub fn turn_tree(messages: &[StoredMessage]) -> Vec<TurnNode> {
    let mut order: Vec<usize> = (0..messages.len()).collect();
    order.sort_by_key(|&i| messages[i].id);
    let by_id: HashMap<i64, usize> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id, i))
        .collect();
    let mut replies: HashMap<usize, Vec<usize>> = HashMap::new();
    for &i in &order {
        let m = &messages[i];
        if m.role == "assistant"
            && let Some(&p) = m.parent.and_then(|p| by_id.get(&p))
            && messages[p].role == "user"
        {
            replies.entry(p).or_default().push(i);
        }
    }
    let mut nodes: Vec<TurnNode> = Vec::new();
    // The turn a message ends (its reply, or a prompt without one) and the first turn of
    // a prompt.
    let mut ending: HashMap<usize, usize> = HashMap::new();
    for &u in order.iter().filter(|&&i| messages[i].role == "user") {
        let parent = messages[u]
            .parent
            .and_then(|p| by_id.get(&p))
            .and_then(|p| ending.get(p))
            .copied();
        let answers = replies.get(&u).cloned().unwrap_or_default();
        let add = |reply: Option<usize>, nodes: &mut Vec<TurnNode>| {
            let n = nodes.len();
            nodes.push(TurnNode {
                user: u,
                reply,
                parent,
                children: Vec::new(),
            });
            if let Some(p) = parent {
                nodes[p].children.push(n);
            }
            n
        };
        if answers.is_empty() {
            let n = add(None, &mut nodes);
            ending.insert(u, n);
        } else {
            for (k, r) in answers.into_iter().enumerate() {
                let n = add(Some(r), &mut nodes);
                ending.insert(r, n);
                // A later prompt written straight after this one (a prompt whose reply
                // failed, in older files) follows its first turn.
                if k == 0 {
                    ending.insert(u, n);
                }
            }
        }
    }
    nodes
}

/// The turn a message ends or belongs to.
pub fn node_of(nodes: &[TurnNode], messages: &[StoredMessage], id: i64) -> Option<usize> {
    nodes
        .iter()
        .position(|n| n.reply.is_some_and(|r| messages[r].id == id))
        .or_else(|| nodes.iter().position(|n| messages[n.user].id == id))
}

/// The turns from the root to `node`.
pub fn path_to(nodes: &[TurnNode], node: usize) -> Vec<usize> {
    let mut path = vec![node];
    let mut at = node;
    while let Some(p) = nodes[at].parent {
        path.push(p);
        at = p;
    }
    path.reverse();
    path
}

/// From `node` down, following the newest child each time: the branch a switch to `node`
/// shows.
pub fn newest_from(nodes: &[TurnNode], node: usize) -> Vec<usize> {
    let mut path = vec![node];
    let mut at = node;
    while let Some(&c) = nodes[at].children.last() {
        path.push(c);
        at = c;
    }
    path
}

/// The turns that share `node`'s parent (roots share none), `node` among them, oldest first.
pub fn siblings(nodes: &[TurnNode], node: usize) -> Vec<usize> {
    match nodes[node].parent {
        Some(p) => nodes[p].children.clone(),
        None => (0..nodes.len())
            .filter(|&n| nodes[n].parent.is_none())
            .collect(),
    }
}

/// The turns of the branch that ends at `leaf` (the newest message when it is unknown).
pub fn branch_nodes(
    nodes: &[TurnNode],
    messages: &[StoredMessage],
    leaf: Option<i64>,
) -> Vec<usize> {
    let newest = messages.iter().map(|m| m.id).max();
    match leaf.or(newest).and_then(|id| node_of(nodes, messages, id)) {
        Some(n) => path_to(nodes, n),
        None => Vec::new(),
    }
}

/// The messages of the branch that ends at `leaf`, oldest first: what resuming sends.
pub fn branch(messages: &[StoredMessage], leaf: Option<i64>) -> Vec<StoredMessage> {
    let nodes = turn_tree(messages);
    let mut out = Vec::new();
    for n in branch_nodes(&nodes, messages, leaf) {
        out.push(messages[nodes[n].user].clone());
        if let Some(r) = nodes[n].reply {
            out.push(messages[r].clone());
        }
    }
    out
}

/// Every branch: the turns of each path from the root to a turn nothing follows.
pub fn all_branches(nodes: &[TurnNode]) -> Vec<Vec<usize>> {
    (0..nodes.len())
        .filter(|&n| nodes[n].children.is_empty())
        .map(|n| path_to(nodes, n))
        .collect()
}
