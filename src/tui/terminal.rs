//! The terminal's modes: raw mode, alternate screen, bracketed paste, mouse and focus
//! reporting, and the keyboard modes that let keys through whole (the kitty keyboard
//! protocol where the terminal has it; xterm's meta-sends-escape, so Alt-1 is not `±`) —
//! entered once, and always left: on quit, on error (a guard's drop), on panic (a hook
//! that restores first, then chains to the previous hook) and around Ctrl-Z and the
//! editor.
//!
//! xterm's `modifyOtherKeys` is left off: it sends keys as `CSI 27;…~`, which crossterm
//! 0.29 does not decode, so it would turn Ctrl and Shift keys into nothing. Every action
//! keeps a key that works without any of these (Ctrl-J for a new line, Shift-Tab for
//! panes, Ctrl-←/→ for words).

use std::io::{self, Stdout, Write};

use crossterm::cursor::Show;
use crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, DisableMouseCapture, EnableBracketedPaste,
    EnableFocusChange, EnableMouseCapture, KeyboardEnhancementFlags, PopKeyboardEnhancementFlags,
    PushKeyboardEnhancementFlags,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// xterm's meta-sends-escape (private mode 1036), saved first and restored after
/// (XTSAVE, XTRESTORE), so the person's own setting comes back. Terminals without it
/// ignore both.
const META_ESCAPE_ON: &str = "\x1b[?1036s\x1b[?1036h";
const META_ESCAPE_RESTORE: &str = "\x1b[?1036r";

/// Whether the terminal answered that it speaks the kitty keyboard protocol: asked once,
/// the first time the modes are entered (the answer does not change).
static KITTY_KEYS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
/// Set while oat has pushed kitty keyboard flags, so only a push is ever popped.
static KEYS_PUSHED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether keys arrive whole (the kitty keyboard protocol is on): Shift-Enter is told
/// apart from Enter only then. False until the modes are entered.
pub fn keys_disambiguated() -> bool {
    KITTY_KEYS.get().copied().unwrap_or(false)
}

fn enter_modes() -> io::Result<()> {
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        EnableMouseCapture,
        EnableFocusChange
    )?;
    // In raw mode already: the answer is read, not echoed. A terminal that answers the
    // device-attributes query but not this one is told apart at once.
    let kitty = *KITTY_KEYS
        .get_or_init(|| crossterm::terminal::supports_keyboard_enhancement().unwrap_or(false));
    let mut out = io::stdout();
    if kitty {
        // Only the disambiguation: Shift-Enter, Ctrl-J, Alt-keys and Esc arrive as
        // themselves; no release events, no remapped text.
        execute!(
            out,
            PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
        )?;
        KEYS_PUSHED.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    out.write_all(META_ESCAPE_ON.as_bytes())?;
    out.flush()
}

/// Leaves every mode oat entered. Safe to call more than once.
pub fn restore() {
    let mut out = io::stdout();
    if KEYS_PUSHED.swap(false, std::sync::atomic::Ordering::SeqCst) {
        let _ = execute!(out, PopKeyboardEnhancementFlags);
    }
    let _ = out.write_all(META_ESCAPE_RESTORE.as_bytes());
    let _ = execute!(
        out,
        DisableFocusChange,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        Show
    );
    let _ = disable_raw_mode();
}

/// Restores the terminal when dropped, whatever way the app ends.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

pub fn enter() -> io::Result<(Term, Guard)> {
    install_panic_hook();
    enter_modes()?;
    let guard = Guard;
    let term = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok((term, guard))
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Clears the screen and forgets what was drawn, so the next frame paints everything.
/// (`Terminal::clear` would first ask the terminal where its cursor is, and that answer
/// can be lost while the input reader restarts.)
fn redraw_all(term: &mut Term) -> io::Result<()> {
    let size = term.size()?;
    term.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

/// Ctrl-Z: give the terminal back, stop like any job, and take it again on `fg`.
pub fn suspend(term: &mut Term) -> io::Result<()> {
    restore();
    #[cfg(unix)]
    // SAFETY: raising a signal on our own process has no memory-safety preconditions.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    enter_modes()?;
    term.clear()
}

/// Puts text on the clipboard of the terminal the person sits at (OSC 52), which works
/// over SSH and needs no clipboard daemon.
pub fn copy_osc52(text: &str) -> io::Result<()> {
    let mut out = io::stdout();
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
}

/// The OSC 52 sequence that puts `text` on the clipboard, byte for byte.
pub fn osc52(text: &str) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{encoded}\x07")
}

/// Hands the terminal to `$VISUAL`, else `$EDITOR`, else `vi`, on a private temporary file
/// holding `text`, and takes it back exactly as it was. The edited text, or why not
/// (`Err` only for the editor; a terminal that cannot be restored is an `io::Error`).
pub fn edit(term: &mut Term, text: &str) -> io::Result<Result<String, String>> {
    let editor = ["VISUAL", "EDITOR"]
        .into_iter()
        .filter_map(std::env::var_os)
        .map(|v| v.to_string_lossy().trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "vi".into());
    let path = std::env::temp_dir().join(format!(
        "oat-prompt-{}-{}.md",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    let written = {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        o.open(&path).and_then(|mut f| f.write_all(text.as_bytes()))
    };
    if let Err(e) = written {
        return Ok(Err(format!("{}: {e}", path.display())));
    }
    restore();
    // `EDITOR="code --wait"` is a program and its arguments.
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(words)
        .arg(&path)
        .status();
    enter_modes()?;
    redraw_all(term)?;
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path)
            .map(|t| t.strip_suffix('\n').unwrap_or(&t).to_string())
            .map_err(|e| e.to_string()),
        Ok(s) => Err(format!("{editor} exited with {s}; the text is unchanged")),
        Err(e) => Err(format!("could not start {editor}: {e}")),
    };
    let _ = std::fs::remove_file(&path);
    Ok(result)
}
