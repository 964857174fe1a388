//! What crosses the channel between the UI and the worker: requests (imperative:
//! `ListModels`) and events (past tense: `ModelsLoaded`). Plain data, no behaviour.

use std::time::Duration;

use serde_json::Value;

use super::conversations::ConversationRow;
use crate::api::{Delta, MessageRequest, Model, RateLimits};
use crate::config::Backend;
use crate::credentials::keys::KeyEntry;
use crate::status::StatusReport;

pub type RequestId = u64;

#[derive(Debug, PartialEq)]
pub struct ApiRequest {
    pub id: RequestId,
    pub kind: RequestKind,
}

#[derive(Debug, PartialEq)]
pub enum RequestKind {
    ListModels,
    /// Check a key live (`None`: the one in use).
    ValidateKey {
        name: Option<String>,
    },
    /// Count the input tokens a request would use, for the context meter.
    CountTokens {
        request: Box<MessageRequest>,
        /// The conversation's MCP tools choice (`None`: the credential's default): the
        /// definitions of servers already running are counted with the request.
        tools: Option<bool>,
    },
    /// Stream a reply; with `save`, keep the exchange in the history as it goes.
    StreamChat {
        request: Box<MessageRequest>,
        save: Option<Box<crate::conversation::PromptTarget>>,
        /// MCP tools: the conversation's choice (`None`: the credential's default), and
        /// the tools the person allowed for the whole conversation.
        tools: Option<bool>,
        allowed_tools: Vec<String>,
    },
    /// The person's answer to `ToolAsked` for the chat request `chat`.
    ApproveTool {
        chat: RequestId,
        approval: crate::conversation::tools::Approval,
    },
    Cancel {
        target: RequestId,
    },
    /// The chat request whose reply is on screen now (`None`: none is). Replies not on
    /// screen are read a few times a second instead of every frame (`tick::Pace`).
    Showing {
        chat: Option<RequestId>,
    },
    LoadKeys,
    /// The secret is the raw paste; the worker repairs and checks it.
    AddKey {
        name: Option<String>,
        secret: crate::credentials::Secret,
        backend: Option<Backend>,
    },
    RemoveKey {
        name: String,
    },
    RenameKey {
        old: String,
        new: String,
    },
    UseKey {
        name: String,
    },
    AcknowledgeTerms,
    /// Conversations, newest first; with a query, full-text matches.
    ListConversations {
        query: String,
    },
    OpenConversation {
        id: i64,
    },
    DeleteConversation {
        id: i64,
    },
    /// Whether conversation `id` is still saved (it may have been deleted elsewhere);
    /// answered only when it is not, by `ConversationDeleted`.
    CheckConversation {
        id: i64,
    },
    RenameConversation {
        id: i64,
        title: String,
    },
    /// Read a file to attach: its type and the per-file limits are checked.
    ReadAttachment {
        path: std::path::PathBuf,
    },
    /// An image from the system clipboard, attached like a file (Ctrl-V).
    ReadClipboardImage,
    /// Files under the current folder, for the `@` popup.
    ListFiles,
    /// Complete the path being typed after `/attach`.
    CompletePath {
        partial: String,
    },
    /// Whether a paste names one existing file (then the app offers to attach it).
    CheckPaste {
        text: String,
    },
    /// The app now shows the branch that ends at `leaf`: resuming opens it.
    ShowBranch {
        conversation: i64,
        leaf: i64,
    },
}

/// Why a reply did not come, typed to the screen: the view chooses the words and the
/// key hints (and can act on the kind: open the Keys pane, offer a retry).
#[derive(Debug)]
pub enum ChatError {
    /// No usable key: none at all, an unknown name, a broken config or key store.
    Key(crate::credentials::keys::KeyError),
    /// The worker itself failed (a task or lock lost): not the person's to fix.
    Internal(String),
    /// The API refused or the stream broke.
    Api(crate::api::ApiError),
    /// The conversation the prompt continues was deleted: nothing was sent.
    ConversationGone(i64),
}

impl std::fmt::Display for ChatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Key(e) => write!(f, "{e}"),
            Self::Internal(e) => f.write_str(e),
            Self::Api(e) => write!(f, "{e}"),
            Self::ConversationGone(c) => write!(f, "conversation {c} was deleted"),
        }
    }
}

/// Why a key was not added.
#[derive(Debug)]
pub enum AddKeyError {
    /// The paste is not a key or token.
    Malformed(crate::credentials::TokenError),
    /// The name is not usable or taken.
    Name(crate::credentials::keys::KeyError),
    /// No OS keyring here, and no store was chosen: the file store is the way on.
    NoKeyring,
    /// Anthropic refused the key.
    Refused(crate::api::ApiError),
    /// Storing it failed.
    Store(String),
}

/// A key as the Keys pane shows it (no secret, only its masked form).
#[derive(Debug, Clone)]
pub struct KeyView {
    pub entry: KeyEntry,
    pub masked: String,
}

#[derive(Debug)]
pub enum ApiEvent {
    ModelsLoaded {
        id: RequestId,
        models: Vec<Model>,
        /// Set when the list is the shipped fallback: why, and the list's date.
        offline: Option<String>,
    },
    ModelsFailed {
        id: RequestId,
        error: String,
    },
    KeysLoaded {
        id: RequestId,
        keys: Vec<KeyView>,
        /// The key requests use now, if any.
        in_use: Option<String>,
        keyring: Result<(), String>,
    },
    KeyValidated {
        id: RequestId,
        report: Box<StatusReport>,
    },
    KeyValidationFailed {
        id: RequestId,
        error: String,
    },
    /// A key was added, removed, renamed or chosen: a line to show.
    KeyChanged {
        id: RequestId,
        notice: String,
    },
    KeyChangeFailed {
        id: RequestId,
        error: String,
    },
    /// A key was not added: why, typed (the view says what to do, in its own keys).
    KeyAddFailed {
        id: RequestId,
        error: AddKeyError,
    },
    ChatDelta {
        id: RequestId,
        delta: Delta,
    },
    /// A content block ended that the UI shows whole: a server-tool call or result, or a
    /// text block with citations.
    ChatBlockStopped {
        id: RequestId,
        block: Value,
    },
    /// Claude asks to run a tool: the reply waits for `ApproveTool`.
    ToolAsked {
        id: RequestId,
        call: Box<crate::conversation::tools::Call>,
    },
    /// A line about the reply's tools: a call running, its result (collapsed), a
    /// server that failed, a call not run, the round limit.
    ToolTold {
        id: RequestId,
        line: String,
    },
    /// The request went with the MCP tools' definitions: what the reply's thinking is
    /// bound to (the UI, which planned it without them, records this instead).
    ChatBound {
        id: RequestId,
        binding: crate::api::binding::Binding,
    },
    /// A round of tool calls is answered and the reply goes on: the reply so far (whole,
    /// as the history keeps it), what its thinking is bound to, and the results sent,
    /// kept as the message `prompt`.
    ToolRound {
        id: RequestId,
        message: Value,
        binding: Option<crate::api::binding::Binding>,
        results: Vec<Value>,
        prompt: Option<i64>,
    },
    /// The reply paused (`pause_turn`) and the engine sends it again to continue.
    ChatContinuing {
        id: RequestId,
        attempt: u32,
        limit: u32,
    },
    ChatFinished {
        id: RequestId,
        message: Value,
        first_token: Option<Duration>,
        /// The kind of credential that paid: money for an API key, usage for a subscription.
        paid_by: crate::credentials::CredentialKind,
        /// The subscription's 5-hour and 7-day utilisation the reply's headers reported.
        utilization: Option<(Option<f64>, Option<f64>)>,
    },
    ChatFailed {
        id: RequestId,
        error: ChatError,
        /// What arrived before the failure, kept.
        partial: Value,
    },
    Retrying {
        id: RequestId,
        notice: crate::api::RetryNotice,
    },
    /// The exact count for a `CountTokens` request, or `None` when the API would not
    /// count (the meter then shows an estimate).
    TokensCounted {
        id: RequestId,
        tokens: Option<u64>,
    },
    RateLimitsSeen {
        limits: Box<RateLimits>,
    },
    /// The prompt of request `id` is on disk, in `conversation`, as message `prompt`.
    ConversationSaved {
        id: RequestId,
        conversation: i64,
        prompt: i64,
    },
    /// The reply of request `id` has its row: message `message`.
    ReplySaved {
        id: RequestId,
        message: i64,
    },
    ConversationsListed {
        id: RequestId,
        items: Vec<ConversationRow>,
    },
    ConversationOpened {
        id: RequestId,
        conversation: Box<crate::history::Conversation>,
        messages: Vec<crate::history::StoredMessage>,
    },
    AttachmentRead {
        id: RequestId,
        file: Box<crate::attach::Attachment>,
    },
    AttachmentFailed {
        id: RequestId,
        error: String,
    },
    /// The image in the clipboard, read and checked like a file.
    ClipboardImageRead {
        id: RequestId,
        file: Box<crate::attach::Attachment>,
    },
    ClipboardFailed {
        id: RequestId,
        error: crate::attach::clipboard::ClipboardError,
    },
    FilesListed {
        id: RequestId,
        files: Vec<String>,
    },
    PathCompleted {
        id: RequestId,
        partial: String,
        completion: Option<String>,
        candidates: Vec<String>,
    },
    /// The paste `text` names the file `path`.
    PasteIsFile {
        id: RequestId,
        text: String,
        path: std::path::PathBuf,
    },
    /// History could not be used: the app goes on without it.
    HistoryFailed {
        id: RequestId,
        error: String,
    },
    HistoryChanged {
        id: RequestId,
        notice: String,
    },
    /// Conversation `conversation` is gone: deleted by this request, or found missing
    /// (another process deleted it).
    ConversationDeleted {
        id: RequestId,
        conversation: i64,
    },
    /// Another process wrote to the history database (a conversation saved, renamed or
    /// deleted elsewhere): the list shown may be out of date.
    HistoryChangedElsewhere,
    /// The config or credentials file changed on disk (this process or another): the keys
    /// shown may be out of date.
    ConfigChanged,
}
