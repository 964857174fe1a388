//! Branches in the app: the turns on screen are one path through the conversation's
//! tree; each turn with siblings keeps the other branches from that point (each a turn and
//! what followed it), so switching swaps one suffix for another and nothing is lost.

use super::{ChatState, Turn};

/// The other branches at a turn. Position `shown` among all `others.len() + 1` is the
/// one on screen; `others` holds the rest in order.
#[derive(Debug, Clone, Default)]
pub struct Siblings {
    pub others: Vec<Vec<Turn>>,
    pub shown: usize,
}

impl Siblings {
    pub fn count(&self) -> usize {
        self.others.len() + 1
    }
}

/// Where position `q` sits in `others` while `shown` is on screen.
fn slot(q: usize, shown: usize) -> usize {
    if q < shown { q } else { q - 1 }
}

impl ChatState {
    /// Moves turn `at` to its previous (`forward` false) or next sibling, showing that
    /// branch from there on; false when there is none that way.
    pub fn switch_branch(&mut self, at: usize, forward: bool) -> bool {
        let Some(turn) = self.turns.get(at) else {
            return false;
        };
        let (shown, total) = (turn.siblings.shown, turn.siblings.count());
        let target = if forward {
            shown + 1
        } else {
            match shown.checked_sub(1) {
                Some(t) => t,
                None => return false,
            }
        };
        if target >= total {
            return false;
        }
        let mut old = self.turns.split_off(at);
        let mut sib = std::mem::take(&mut old[0].siblings);
        let mut new = sib.others.remove(slot(target, shown));
        sib.others.insert(slot(shown, target), old);
        sib.shown = target;
        new[0].siblings = sib;
        self.turns.extend(new);
        self.touch_from(at);
        // Ids still on their way for the last reply would land on another turn now.
        self.sent = None;
        true
    }

    /// Puts `turn` on screen at `at` as a new sibling of the turn there (an edited prompt
    /// or a regenerated reply); the branch it replaces is kept beside it.
    pub fn branch_at(&mut self, at: usize, mut turn: Turn) {
        if at >= self.turns.len() {
            self.turns.push(turn);
            return;
        }
        let mut old = self.turns.split_off(at);
        let mut sib = std::mem::take(&mut old[0].siblings);
        let total = sib.count();
        sib.others.insert(slot(sib.shown, total), old);
        sib.shown = total;
        turn.siblings = sib;
        self.turns.push(turn);
        self.touch_from(at);
    }

    /// The message the branch on screen ends at, for the history to reopen it.
    pub fn leaf_id(&self) -> Option<i64> {
        let t = self.turns.last()?;
        t.reply_id.or(t.prompt_id)
    }

    /// The saved message a prompt at `at` follows.
    pub fn parent_id(&self, at: usize) -> Option<i64> {
        let t = self.turns.get(at.checked_sub(1)?)?;
        t.reply_id.or(t.prompt_id)
    }

    /// The turns from `at` on look different: their cached lines are stale.
    fn touch_from(&mut self, at: usize) {
        for t in &mut self.turns[at..] {
            t.revision += 1;
        }
        // Cached lines are keyed by position: another turn sits there now.
        *self.render_cache.borrow_mut() = Default::default();
        if self.context_from > at {
            self.context_from = at;
        }
        self.counted = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(p: &str) -> Turn {
        Turn::new(p.into(), "m".into())
    }

    fn prompts(c: &ChatState) -> Vec<String> {
        c.turns.iter().map(|t| t.prompt.clone()).collect()
    }

    #[test]
    fn switching_swaps_whole_branches_and_keeps_every_one() {
        let mut c = ChatState::new("m".into());
        for p in ["a", "b", "c"] {
            c.turns.push(turn(p));
        }
        c.branch_at(1, turn("b2"));
        c.turns.push(turn("c2"));
        assert_eq!(prompts(&c), ["a", "b2", "c2"]);
        assert_eq!(
            (c.turns[1].siblings.shown, c.turns[1].siblings.count()),
            (1, 2)
        );
        assert!(!c.switch_branch(1, true), "no third branch");
        assert!(c.switch_branch(1, false));
        assert_eq!(prompts(&c), ["a", "b", "c"]);
        // A branch inside the first one, then a third at turn 1.
        c.branch_at(2, turn("c3"));
        c.branch_at(1, turn("b4"));
        assert_eq!(prompts(&c), ["a", "b4"]);
        assert_eq!(c.turns[1].siblings.count(), 3);
        assert!(c.switch_branch(1, false));
        assert_eq!(prompts(&c), ["a", "b2", "c2"]);
        assert!(c.switch_branch(1, false));
        assert_eq!(prompts(&c), ["a", "b", "c3"], "the inner branch shown last");
        assert!(c.switch_branch(2, false));
        assert_eq!(prompts(&c), ["a", "b", "c"]);
        assert!(!c.switch_branch(0, true));
    }

    /// Every turn anywhere: on screen, or in a stashed branch at any depth.
    fn all_prompts(turns: &[Turn], out: &mut Vec<String>) {
        for t in turns {
            out.push(t.prompt.clone());
            for other in &t.siblings.others {
                all_prompts(other, out);
            }
        }
    }

    #[test]
    fn random_edits_and_switches_lose_nothing_and_undo_exactly() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut c = ChatState::new("m".into());
        let mut made = 0;
        for step in 0..3000 {
            match next(4) {
                0 | 1 => {
                    // A new turn at the end, or an edit somewhere: a sibling there.
                    let at = if next(2) == 0 {
                        c.turns.len()
                    } else {
                        next(c.turns.len() + 1)
                    };
                    c.branch_at(at, turn(&format!("t{made}")));
                    made += 1;
                }
                _ if !c.turns.is_empty() => {
                    let at = next(c.turns.len());
                    let forward = next(2) == 0;
                    let before = prompts(&c);
                    if c.switch_branch(at, forward) {
                        assert!(c.switch_branch(at, !forward), "step {step}: back again");
                        assert_eq!(prompts(&c), before, "step {step}: exactly as it was");
                        c.switch_branch(at, forward);
                    }
                }
                _ => {}
            }
            let mut all = Vec::new();
            all_prompts(&c.turns, &mut all);
            assert_eq!(all.len(), made, "step {step}: every turn kept");
            all.sort();
            all.dedup();
            assert_eq!(all.len(), made, "step {step}: none twice");
            for t in &c.turns {
                assert!(t.siblings.shown < t.siblings.count());
            }
        }
    }
}
