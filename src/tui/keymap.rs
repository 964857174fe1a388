//! Keys to actions, as one table per context. The help overlay is drawn from this same
//! table, so it can never disagree with what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    /// Ctrl-C: stop a reply in flight, or quit when none is.
    Interrupt,
    NextPane,
    PrevPane,
    GoToPane(usize),
    ToggleHelp,
    Suspend,
    Refresh,
    // Keys pane
    AddKey,
    RenameKey,
    RemoveKey,
    UseKey,
    Up,
    Down,
    // Chat
    Send,
    NewLine,
    StopReply,
    Regenerate,
    CopyReply,
    CopyCode,
    ToggleThinking,
    OpenEditor,
    /// Ctrl-V in the composer: attach the image in the system clipboard.
    PasteImage,
    SelectTurns,
    /// Conversations in tabs: a new one, the next, the previous.
    NewTab,
    NextTab,
    PrevTab,
    /// Tab in the composer: complete a `/command` or `@path`, or attach a pasted path.
    Complete,
    // The composer's line editing, as in a shell.
    LineStart,
    LineEnd,
    WordLeft,
    WordRight,
    /// Ctrl-W: back to the previous space.
    DeleteWordBack,
    /// Alt-Backspace: back to the start of the word.
    DeleteWordBackAlnum,
    DeleteWordForward,
    KillToStart,
    KillToEnd,
    Undo,
    ScrollUp,
    ScrollDown,
    ScrollToEnd,
    // Models
    SelectModel,
    // History
    OpenConversation,
    DeleteConversation,
    // Forms
    Confirm,
    Cancel,
    StoreInFile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Everywhere, unless the pane's own table binds the key.
    Global,
    Keys,
    /// The add/rename forms of the Keys pane (text input).
    KeysForm,
    KeysConfirm,
    Status,
    Models,
    Chat,
    History,
    HistoryConfirm,
}

pub struct Binding {
    pub context: Context,
    pub code: KeyCode,
    pub mods: KeyModifiers,
    pub action: Action,
    pub keys: &'static str,
    pub help: &'static str,
}

const fn b(
    context: Context,
    code: KeyCode,
    mods: KeyModifiers,
    action: Action,
    keys: &'static str,
    help: &'static str,
) -> Binding {
    Binding {
        context,
        code,
        mods,
        action,
        keys,
        help,
    }
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const ALT: KeyModifiers = KeyModifiers::ALT;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

use Action as A;
use Context as C;
use KeyCode as K;

#[rustfmt::skip] // one binding a line reads as the table it is
pub const BINDINGS: &[Binding] = &[
    b(C::Global, K::Char('c'), CTRL, A::Interrupt, "Ctrl-C", "stop the reply; clear the draft (Ctrl-_ brings it back); quit"),
    b(C::Global, K::Tab, NONE, A::NextPane, "Tab", "next pane (in the chat: Shift-Tab)"),
    b(C::Global, K::BackTab, SHIFT, A::PrevPane, "Shift-Tab", "previous pane"),
    b(C::Global, K::Char('1'), ALT, A::GoToPane(0), "Alt-1…5", "go to pane 1…5"),
    b(C::Global, K::Char('2'), ALT, A::GoToPane(1), "", ""),
    b(C::Global, K::Char('3'), ALT, A::GoToPane(2), "", ""),
    b(C::Global, K::Char('4'), ALT, A::GoToPane(3), "", ""),
    b(C::Global, K::Char('5'), ALT, A::GoToPane(4), "", ""),
    b(C::Global, K::F(1), NONE, A::ToggleHelp, "F1 or ?", "this help (? outside text input)"),
    b(C::Global, K::Char('z'), CTRL, A::Suspend, "Ctrl-Z", "suspend to the shell (fg to return)"),
    b(C::Global, K::Char('r'), CTRL, A::Refresh, "Ctrl-R", "refresh this pane (Chat: regenerate)"),
    b(C::Keys, K::Char('q'), NONE, A::Quit, "q", "quit (outside text input)"),
    b(C::Keys, K::Char('?'), NONE, A::ToggleHelp, "", ""),
    b(C::Keys, K::Char('a'), NONE, A::AddKey, "a", "add a key (paste it; input is masked)"),
    b(C::Keys, K::Char('n'), NONE, A::RenameKey, "n", "rename the selected key"),
    b(C::Keys, K::Char('d'), NONE, A::RemoveKey, "d / Delete", "remove the selected key (asks first)"),
    b(C::Keys, K::Delete, NONE, A::RemoveKey, "", ""),
    b(C::Keys, K::Enter, NONE, A::UseKey, "Enter", "make the selected key the active one"),
    b(C::Keys, K::Char('r'), NONE, A::Refresh, "r", "revalidate the selected key"),
    b(C::Keys, K::Up, NONE, A::Up, "↑ ↓ / k j", "move the selection"),
    b(C::Keys, K::Down, NONE, A::Down, "", ""),
    b(C::Keys, K::Char('k'), NONE, A::Up, "", ""),
    b(C::Keys, K::Char('j'), NONE, A::Down, "", ""),
    b(C::KeysForm, K::Enter, NONE, A::Confirm, "Enter", "save (validates live first)"),
    b(C::KeysForm, K::Esc, NONE, A::Cancel, "Esc", "cancel"),
    b(C::KeysForm, K::Tab, NONE, A::Down, "Tab", "switch between secret and name"),
    b(C::KeysForm, K::Char('f'), CTRL, A::StoreInFile, "Ctrl-F", "save to the 0600 file instead"),
    b(C::KeysConfirm, K::Char('y'), NONE, A::Confirm, "y", "yes, remove it"),
    b(C::KeysConfirm, K::Char('n'), NONE, A::Cancel, "n / Esc", "keep it"),
    b(C::KeysConfirm, K::Esc, NONE, A::Cancel, "", ""),
    b(C::Status, K::Char('q'), NONE, A::Quit, "q", "quit"),
    b(C::Status, K::Char('?'), NONE, A::ToggleHelp, "", ""),
    b(C::Status, K::Char('r'), NONE, A::Refresh, "r", "check the key again"),
    b(C::Models, K::Up, NONE, A::Up, "↑ ↓", "move the selection (type to filter)"),
    b(C::Models, K::Down, NONE, A::Down, "", ""),
    b(C::Models, K::Enter, NONE, A::SelectModel, "Enter", "use the model in the chat"),
    b(C::Models, K::Esc, NONE, A::Cancel, "Esc", "clear the filter"),
    b(C::Chat, K::Enter, NONE, A::Send, "Enter", "send (/ lists the commands); while a reply streams, queue it (↑ takes it back)"),
    b(C::Chat, K::Enter, SHIFT, A::NewLine, "Ctrl-J / Shift/Alt-Enter", "new line"),
    b(C::Chat, K::Enter, ALT, A::NewLine, "", ""),
    b(C::Chat, K::Char('j'), CTRL, A::NewLine, "", ""),
    b(C::Chat, K::Tab, NONE, A::Complete, "Tab", "complete a /command or @file (or attach a pasted path)"),
    b(C::Chat, K::Esc, NONE, A::StopReply, "Esc", "stop the reply (keeps what arrived)"),
    b(C::Chat, K::Char('a'), CTRL, A::LineStart, "Ctrl-A / Home", "start of the line"),
    b(C::Chat, K::Char('e'), CTRL, A::LineEnd, "Ctrl-E", "end of the line"),
    b(C::Chat, K::Char('b'), ALT, A::WordLeft, "Alt-B / Ctrl-←", "word left"),
    b(C::Chat, K::Left, CTRL, A::WordLeft, "", ""),
    b(C::Chat, K::Char('f'), ALT, A::WordRight, "Alt-F / Ctrl-→", "word right"),
    b(C::Chat, K::Right, CTRL, A::WordRight, "", ""),
    b(C::Chat, K::Char('w'), CTRL, A::DeleteWordBack, "Ctrl-W", "delete back to the previous space"),
    b(C::Chat, K::Backspace, ALT, A::DeleteWordBackAlnum, "Alt-Backspace", "delete the word before the cursor"),
    b(C::Chat, K::Backspace, CTRL, A::DeleteWordBackAlnum, "", ""),
    b(C::Chat, K::Char('d'), ALT, A::DeleteWordForward, "Alt-D", "delete the word after the cursor"),
    b(C::Chat, K::Char('u'), CTRL, A::KillToStart, "Ctrl-U", "delete to the start of the line"),
    b(C::Chat, K::Char('k'), CTRL, A::KillToEnd, "Ctrl-K", "delete to the end of the line"),
    // Terminals send Ctrl-_ and Ctrl-/ as the same byte, which crossterm reads as Ctrl-7;
    // with the kitty protocol they arrive as themselves.
    b(C::Chat, K::Char('_'), CTRL, A::Undo, "Ctrl-_ / Ctrl-/", "undo the last edit"),
    b(C::Chat, K::Char('/'), CTRL, A::Undo, "", ""),
    b(C::Chat, K::Char('7'), CTRL, A::Undo, "", ""),
    b(C::Chat, K::Char('r'), CTRL, A::Regenerate, "Ctrl-R", "regenerate the last reply"),
    b(C::Chat, K::Char('y'), CTRL, A::CopyReply, "Ctrl-Y", "copy the last reply (to the terminal's clipboard)"),
    b(C::Chat, K::Char('y'), ALT, A::CopyCode, "Alt-Y", "copy the last code block"),
    b(C::Chat, K::Char('t'), CTRL, A::ToggleThinking, "Ctrl-T", "show or hide thinking"),
    b(C::Chat, K::Char('v'), CTRL, A::PasteImage, "Ctrl-V", "attach the image in the clipboard (text: the terminal's paste key)"),
    b(C::Chat, K::Char('o'), CTRL, A::OpenEditor, "Ctrl-O", "open the prompt in $VISUAL / $EDITOR"),
    b(C::Chat, K::Up, ALT, A::SelectTurns, "Alt-↑ / Ctrl-↑", "select turns: ↑↓ ←→ branches, e r y c p x"),
    b(C::Chat, K::Up, CTRL, A::SelectTurns, "", ""),
    b(C::Chat, K::PageUp, NONE, A::ScrollUp, "PgUp / PgDn / wheel", "scroll the conversation"),
    b(C::Chat, K::PageDown, NONE, A::ScrollDown, "", ""),
    b(C::Chat, K::End, NONE, A::ScrollToEnd, "End / Ctrl-G", "back to the end, following the reply (End: the line's end when not scrolled)"),
    b(C::Chat, K::End, CTRL, A::ScrollToEnd, "", ""),
    b(C::Chat, K::Char('g'), CTRL, A::ScrollToEnd, "", ""),
    b(C::Chat, K::Char('n'), CTRL, A::NewTab, "Ctrl-N", "a new conversation in a tab (/close closes one)"),
    b(C::Chat, K::F(3), NONE, A::NextTab, "F3 / Alt-→", "next tab"),
    b(C::Chat, K::Right, ALT, A::NextTab, "", ""),
    b(C::Chat, K::F(2), NONE, A::PrevTab, "F2 / Alt-←", "previous tab"),
    b(C::Chat, K::Left, ALT, A::PrevTab, "", ""),
    b(C::Chat, K::BackTab, SHIFT, A::PrevPane, "Shift-Tab / Alt-1…5", "other panes (Tab stays in the composer)"),
    b(C::History, K::Up, NONE, A::Up, "↑ ↓", "move the selection (type to search)"),
    b(C::History, K::Down, NONE, A::Down, "", ""),
    b(C::History, K::Enter, NONE, A::OpenConversation, "Enter", "open the conversation and continue it"),
    b(C::History, K::Delete, NONE, A::DeleteConversation, "Delete / Ctrl-D", "delete the conversation (asks first)"),
    b(C::History, K::Char('d'), CTRL, A::DeleteConversation, "", ""),
    b(C::History, K::Esc, NONE, A::Cancel, "Esc", "clear the search"),
    b(C::HistoryConfirm, K::Char('y'), NONE, A::Confirm, "y", "yes, delete it"),
    b(C::HistoryConfirm, K::Char('n'), NONE, A::Cancel, "n / Esc", "keep it"),
    b(C::HistoryConfirm, K::Esc, NONE, A::Cancel, "", ""),
];

/// Terminals differ in whether Shift accompanies a shifted character ('A' vs Shift+'A'),
/// so characters compare exactly and Shift is ignored for them.
fn matches(b: &Binding, key: &KeyEvent) -> bool {
    let mods = key.modifiers & (CTRL | ALT | SHIFT);
    match (b.code, key.code) {
        (K::Char(x), K::Char(y)) => x == y && (mods - SHIFT) == (b.mods - SHIFT),
        (x, y) => x == y && mods == b.mods,
    }
}

/// The action for `key` in `context`: the context's own binding first, then a global one.
pub fn lookup(context: Context, key: &KeyEvent) -> Option<Action> {
    let find = |ctx: Context| {
        BINDINGS
            .iter()
            .find(|b| b.context == ctx && matches(b, key))
            .map(|b| b.action)
    };
    find(context).or_else(|| {
        // Text input keeps Tab in forms; everything else may fall through to global.
        if context == Context::KeysForm && key.code == K::Tab {
            return None;
        }
        find(Context::Global)
    })
}

/// Rows for the help overlay: (section, keys, description), hidden aliases left out.
pub fn help_rows() -> Vec<(&'static str, &'static str, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| !b.keys.is_empty())
        .map(|b| {
            let section = match b.context {
                C::Global => "Everywhere",
                C::Keys | C::KeysForm | C::KeysConfirm => "Keys",
                C::Status => "Status",
                C::Models => "Models",
                C::Chat => "Chat",
                C::History | C::HistoryConfirm => "History",
            };
            (section, b.keys, b.help)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn context_first_then_global() {
        assert_eq!(
            lookup(C::Chat, &key(K::Char('r'), CTRL)),
            Some(A::Regenerate)
        );
        assert_eq!(
            lookup(C::Status, &key(K::Char('r'), CTRL)),
            Some(A::Refresh)
        );
        assert_eq!(lookup(C::Keys, &key(K::Char('q'), NONE)), Some(A::Quit));
        assert_eq!(
            lookup(C::Chat, &key(K::Char('q'), NONE)),
            None,
            "q is text in the chat"
        );
        assert_eq!(lookup(C::Chat, &key(K::Tab, NONE)), Some(A::Complete));
        assert_eq!(lookup(C::Models, &key(K::Tab, NONE)), Some(A::NextPane));
        assert_eq!(
            lookup(C::Chat, &key(K::Char('a'), CTRL)),
            Some(A::LineStart)
        );
        assert_eq!(lookup(C::Chat, &key(K::Char('7'), CTRL)), Some(A::Undo));
        assert_eq!(lookup(C::Chat, &key(K::Left, CTRL)), Some(A::WordLeft));
        assert_eq!(
            lookup(C::Chat, &key(K::Backspace, ALT)),
            Some(A::DeleteWordBackAlnum)
        );
        assert_eq!(lookup(C::KeysForm, &key(K::Tab, NONE)), Some(A::Down));
        assert_eq!(
            lookup(C::Models, &key(K::Char('3'), ALT)),
            Some(A::GoToPane(2))
        );
        assert_eq!(lookup(C::Chat, &key(K::Enter, SHIFT)), Some(A::NewLine));
        assert_eq!(lookup(C::Chat, &key(K::Enter, NONE)), Some(A::Send));
        assert_eq!(
            lookup(C::Chat, &key(K::Char('c'), CTRL)),
            Some(A::Interrupt)
        );
        assert_eq!(
            lookup(C::Models, &key(K::Char('a'), NONE)),
            None,
            "letters filter"
        );
    }

    #[test]
    fn shifted_letters_are_not_plain_letters() {
        assert_eq!(lookup(C::Keys, &key(K::Char('A'), SHIFT)), None);
        assert_eq!(lookup(C::Keys, &key(K::Char('a'), NONE)), Some(A::AddKey));
    }

    #[test]
    fn help_lists_every_action_once_visible() {
        let rows = help_rows();
        assert!(rows.iter().any(|r| r.1 == "Ctrl-C"));
        assert!(rows.iter().all(|r| !r.2.is_empty()));
        assert!(rows.len() >= 25);
    }
}
