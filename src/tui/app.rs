//! `App`: all UI state and the one pure `update` that changes it. Input and worker events
//! come in as `Msg`; what must happen outside (requests to the worker, a clipboard write,
//! suspending, quitting) goes out as `Effect`s. No I/O here, so every action is testable.

use crate::tui::state::load::Load;
use crossterm::event::KeyEvent;

use super::keymap::Context;
use super::state::chat::ChatState;
use super::state::composer::Composer;
use super::state::history::HistoryState;
use super::state::keys::KeysMode;
use super::state::keys::KeysState;
use super::state::models::ModelsState;
use super::state::status::StatusState;
use crate::api::RateLimits;
use crate::worker::{ApiEvent, ApiRequest, RequestId, RequestKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Keys,
    Status,
    Models,
    Chat,
    History,
}

pub const PANES: [Pane; 5] = [
    Pane::Keys,
    Pane::Status,
    Pane::Models,
    Pane::Chat,
    Pane::History,
];

impl Pane {
    pub fn title(self) -> &'static str {
        match self {
            Self::Keys => "Keys",
            Self::Status => "Status",
            Self::Models => "Models",
            Self::Chat => "Chat",
            Self::History => "History",
        }
    }

    pub(crate) fn index(self) -> usize {
        PANES.iter().position(|p| *p == self).unwrap_or(0)
    }
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    /// A bracketed paste: arrives whole.
    Paste(String),
    /// Mouse wheel: positive scrolls toward older lines.
    Scroll(i32),
    Resize(u16, u16),
    Api(ApiEvent),
    /// Animation frame while something loads.
    Tick,
    /// The composer has not changed for a moment: time to count its tokens.
    ComposerSettled,
    /// Back from `$EDITOR`: the edited text, or why it failed.
    Edited(Result<String, String>),
    /// A picture for the file with this SHA-256 is ready to draw.
    PictureReady(String, Box<super::pictures::Picture>),
    /// Information notices up to this id have been seen long enough.
    NoticeFaded(u64),
    /// The terminal gained (`true`) or lost the focus (focus reporting).
    Focus(bool),
}

#[derive(Debug, PartialEq)]
pub enum Effect {
    Request(ApiRequest),
    /// Put text on the clipboard (OSC 52, so it works over SSH).
    Copy(String),
    /// Hand the composer's text to `$VISUAL`/`$EDITOR`; the result comes back as
    /// `Msg::Edited`.
    Edit(String),
    /// Make the picture of an attached image (off the UI thread).
    Picture(crate::attach::Attachment),
    Suspend,
    /// Ring the bell (and show a desktop notification where the terminal has one): a
    /// reply ended while the person looked elsewhere.
    Notify(Notification),
    Quit,
}

/// What to tell of a reply that ended unwatched.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub body: String,
    /// A desktop notification too (`notify = "auto"`), where the terminal shows one.
    pub desktop: bool,
}

pub use super::notice::{Level, Notice};

pub struct App {
    pub pane: Pane,
    pub keys: KeysState,
    pub status: StatusState,
    pub models: ModelsState,
    pub chat: ChatState,
    pub composer: Composer,
    /// The conversations open as tabs; the one on screen is `chat`/`composer`.
    pub tabs: super::state::tabs::Tabs,
    /// A tab not on screen is swapped in to take its worker's answer: nobody watches it.
    pub in_background: bool,
    /// Quitting was asked for while replies stream: `y` confirms.
    pub confirm_quit: bool,
    /// The last update changed nothing on screen (an answer for a tab not on screen that
    /// left its marker as it was): the event loop owes no frame for it.
    pub quiet: bool,
    pub history: HistoryState,
    pub help: bool,
    /// Lines the help overlay is scrolled down by (the view keeps it in range).
    pub help_scroll: usize,
    /// Opened by `/help`: the commands come first.
    pub help_commands_first: bool,
    /// No credential anywhere at start: the Keys pane shows a welcome.
    pub first_run: bool,
    /// The note on setup tokens and Anthropic's terms, until acknowledged once.
    pub terms_notice: bool,
    /// What tools may cost with a setup token was said (in this run, or in the config).
    pub tools_notice_said: bool,
    pub notice: Option<Notice>,
    pub limits: Option<RateLimits>,
    pub size: (u16, u16),
    pub spinner: usize,
    pub api_version: String,
    /// Whether thinking is asked for as a summary or left out (config `thinking_display`).
    pub thinking_display: crate::api::messages::ThinkingDisplay,
    /// Whether the web tools may run code server-side (config `web_code_execution`).
    pub web_code_execution: bool,
    /// How a reply that ended unwatched is told (config `notify`).
    pub notify: crate::config::Notify,
    /// The terminal has the focus (as far as it reports: one that never says keeps `true`).
    pub focused: bool,
    /// Prompt caching for chat requests (`None`: off), from the config.
    pub cache: Option<crate::api::CacheTtl>,
    pub prices: crate::api::pricing::PriceTable,
    pub theme: super::theme::Theme,
    /// The terminal tells Shift-Enter from Enter (kitty keyboard protocol): the help
    /// names the keys that work in this terminal.
    pub keys_disambiguated: bool,
    pub pictures: super::pictures::Pictures,
    /// The time as the event loop last read it: what "retires within 30 days" counts from
    /// (update itself reads no clock, so tests set it).
    pub now: chrono::DateTime<chrono::Utc>,
    next_id: RequestId,
}

impl App {
    pub fn new(model: String, api_version: String, first_run: bool, terms_seen: bool) -> Self {
        Self {
            pane: if first_run { Pane::Keys } else { Pane::Chat },
            keys: KeysState::default(),
            status: StatusState::default(),
            models: ModelsState::default(),
            chat: ChatState::new(model),
            composer: Composer::new(),
            tabs: Default::default(),
            in_background: false,
            confirm_quit: false,
            quiet: false,
            history: HistoryState::default(),
            help: false,
            help_scroll: 0,
            help_commands_first: false,
            first_run,
            terms_notice: !terms_seen,
            tools_notice_said: false,
            notice: None,
            limits: None,
            size: (80, 24),
            spinner: 0,
            api_version,
            thinking_display: Default::default(),
            web_code_execution: false,
            notify: crate::config::Notify::Auto,
            focused: true,
            cache: Some(crate::api::CacheTtl::default()),
            prices: crate::api::pricing::PriceTable::shipped(),
            theme: super::theme::Theme::from_env(),
            keys_disambiguated: false,
            pictures: Default::default(),
            now: chrono::Utc::now(),
            next_id: 1,
        }
    }

    /// What to ask the worker for when the app opens.
    pub fn startup(&mut self) -> Vec<Effect> {
        let mut fx = vec![
            self.load_keys(),
            self.list_models(),
            self.list_conversations(),
        ];
        if !self.first_run {
            fx.push(self.check_status(None));
        }
        fx
    }

    /// Something is loading or streaming: the loop keeps a slow animation clock running.
    pub fn animating(&self) -> bool {
        self.models.load.is_loading()
            || self.status.load.is_loading()
            || self.keys.load.is_loading()
            || self.keys.changing()
            || self.chat.in_flight()
    }

    /// The chat request whose reply is on screen: read every frame, the others slower.
    pub fn reply_on_screen(&self) -> Option<RequestId> {
        self.chat.streaming.filter(|_| self.pane == Pane::Chat)
    }

    pub fn request(&mut self, kind: RequestKind) -> (RequestId, Effect) {
        let id = self.next_id;
        self.next_id += 1;
        (id, Effect::Request(ApiRequest { id, kind }))
    }

    /// Reads the keys again. Once a list is shown the read is quiet (no "loading" flash
    /// for a change from another shell); a newer read makes any earlier one stale.
    pub(crate) fn load_keys(&mut self) -> Effect {
        let (id, fx) = self.request(RequestKind::LoadKeys);
        self.keys.load = if self.keys.keyring.is_some() {
            Load::Refreshing(id)
        } else {
            Load::Loading(id)
        };
        fx
    }

    pub fn list_models(&mut self) -> Effect {
        let (id, fx) = self.request(RequestKind::ListModels);
        self.models.load = Load::Loading(id);
        fx
    }

    pub fn check_status(&mut self, name: Option<String>) -> Effect {
        let (id, fx) = self.request(RequestKind::ValidateKey { name });
        self.status.load = Load::Loading(id);
        fx
    }

    /// The keymap context for the focused pane and its mode.
    pub fn context(&self) -> Context {
        match self.pane {
            Pane::Keys => match self.keys.mode {
                KeysMode::Browse => Context::Keys,
                KeysMode::ConfirmRemove => Context::KeysConfirm,
                _ => Context::KeysForm,
            },
            Pane::Status => Context::Status,
            Pane::Models => Context::Models,
            Pane::Chat => Context::Chat,
            Pane::History if self.history.confirm_delete => Context::HistoryConfirm,
            Pane::History => Context::History,
        }
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        self.quiet = false;
        match msg {
            Msg::Key(key) => self.on_key(key),
            Msg::Paste(text) => self.on_paste(&text),
            Msg::Scroll(lines) => {
                if self.pane == Pane::Chat {
                    self.scroll_chat(lines);
                }
                Vec::new()
            }
            Msg::Resize(w, h) => {
                self.size = (w, h);
                Vec::new()
            }
            Msg::Tick => {
                self.spinner = self.spinner.wrapping_add(1);
                Vec::new()
            }
            Msg::ComposerSettled => self.count_composer(),
            Msg::Edited(result) => {
                self.edited(result);
                Vec::new()
            }
            Msg::NoticeFaded(id) => {
                self.fade_notices(Some(id));
                Vec::new()
            }
            Msg::Focus(focused) => {
                self.focused = focused;
                Vec::new()
            }
            Msg::PictureReady(sha, picture) => {
                self.pictures.ready.insert(sha, *picture);
                // Turns showing it are taller now.
                *self.chat.render_cache.borrow_mut() = Default::default();
                Vec::new()
            }
            Msg::Api(event) => self.on_api(event),
        }
    }

    /// Opening the Keys pane re-reads the keys: the file watcher normally keeps them fresh,
    /// but where the platform gave no watcher this is how changes from the shell show up.
    /// Opening the History pane re-reads the list likewise (the database watcher normally
    /// says when another process wrote).
    pub(crate) fn show_pane(&mut self, pane: Pane) -> Vec<Effect> {
        let arriving = pane != self.pane;
        self.pane = pane;
        if arriving && pane == Pane::History {
            return vec![self.list_conversations()];
        }
        self.reload_keys(arriving && pane == Pane::Keys)
    }

    /// A read already running may have read the file before this change, so a new one
    /// goes out (newest wins) rather than waiting for it.
    pub(crate) fn reload_keys(&mut self, wanted: bool) -> Vec<Effect> {
        if wanted {
            vec![self.load_keys()]
        } else {
            Vec::new()
        }
    }
}
