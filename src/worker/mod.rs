//! The network worker: a tokio task that takes requests from the UI over a channel, runs
//! each as a task of its own (cancellable), and sends events back. It owns every slow
//! thing — HTTP calls, keyring and database access — so the UI thread never waits on I/O. It knows
//! nothing of the terminal.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio_util::sync::CancellationToken;

use crate::api::models::{fallback, fallback_reason, offline_models};
use crate::api::{Client, ClientConfig};
use crate::credentials::keys::{Keys, Removed, Resolved};

mod chat;
mod conversations;
mod files;
mod keys;
mod thread;
mod tools;
mod watch;

mod messages;

pub use conversations::ConversationRow;
pub use files::expand_home;
pub use messages::{AddKeyError, ApiEvent, ApiRequest, ChatError, KeyView, RequestId, RequestKind};
pub use thread::WorkerThread;

pub struct Worker {
    keys: Arc<Mutex<Keys>>,
    history: crate::history::Shared,
    config: ClientConfig,
    explicit_key: Option<String>,
    events: UnboundedSender<ApiEvent>,
    running: HashMap<RequestId, CancellationToken>,
    /// Whether each running chat's reply is on screen (`RequestKind::Showing`).
    shown: HashMap<RequestId, Arc<AtomicBool>>,
    showing: Option<RequestId>,
    tools: Arc<tools::ToolState>,
    /// Held for its side effect: `ConfigChanged` events while the worker lives.
    _watcher: Option<notify::RecommendedWatcher>,
    /// Held for its side effect: a signal on `history_writes` at each database write.
    _history_watcher: Option<notify::RecommendedWatcher>,
    history_writes: Option<watch::Wakeups>,
}

impl Worker {
    /// `history_path`: where conversations are kept (opened lazily, off the UI thread).
    pub fn new(
        keys: Keys,
        config: ClientConfig,
        explicit_key: Option<String>,
        history_path: std::path::PathBuf,
        events: UnboundedSender<ApiEvent>,
    ) -> Self {
        let watcher = watch::watch_config_dir(&keys.config.dir(), events.clone());
        let (wakeup, history_writes) = watch::wakeup();
        let history_watcher = watch::watch_history(&history_path, move || wakeup.raise());
        Self {
            _watcher: watcher,
            _history_watcher: history_watcher,
            history_writes: Some(history_writes),
            keys: Arc::new(Mutex::new(keys)),
            history: crate::history::Shared::new(history_path),
            config,
            explicit_key,
            events,
            running: HashMap::new(),
            shown: HashMap::new(),
            showing: None,
            tools: Arc::default(),
        }
    }

    /// Runs until the UI drops its sender.
    pub async fn run(mut self, mut requests: UnboundedReceiver<ApiRequest>) {
        let mut writes = self.history_writes.take();
        // One checker at a time, started at the first write: writes noticed while it
        // checks leave it one more round (a `Notify` keeps a single permit). A check per
        // burst instead piled up under eight tabs streaming (each saves once a second):
        // dozens of checks a second, each a thread of the blocking pool.
        let check = Arc::new(tokio::sync::Notify::new());
        let mut checker = None;
        loop {
            let req = tokio::select! {
                req = requests.recv() => match req {
                    Some(req) => req,
                    None => break,
                },
                // A burst of file events is one check (one commit writes the log
                // several times; a checkpoint writes the database file).
                Some(()) = async { writes.as_mut()?.next().await } => {
                    checker.get_or_insert_with(|| {
                        let (ctx, check) = (self.context(), check.clone());
                        tokio::spawn(async move {
                            loop {
                                check.notified().await;
                                ctx.check_history_changed().await;
                            }
                        })
                    });
                    check.notify_one();
                    continue;
                }
            };
            self.running.retain(|_, t| !t.is_cancelled());
            let running = &self.running;
            self.shown.retain(|id, _| running.contains_key(id));
            if let RequestKind::Showing { chat } = req.kind {
                self.showing = chat;
                for (id, shown) in &self.shown {
                    shown.store(Some(*id) == chat, Ordering::Relaxed);
                }
                continue;
            }
            if let RequestKind::Cancel { target } = req.kind {
                if let Some(token) = self.running.remove(&target) {
                    token.cancel();
                }
                continue;
            }
            if let RequestKind::ApproveTool { chat, approval } = req.kind {
                self.tools.answer(chat, approval);
                continue;
            }
            let token = CancellationToken::new();
            self.running.insert(req.id, token.clone());
            let mut ctx = self.context();
            if matches!(req.kind, RequestKind::StreamChat { .. }) {
                let shown = Arc::new(AtomicBool::new(self.showing == Some(req.id)));
                ctx.config.pace = ctx.config.pace.map(|p| p.watched(shown.clone()));
                self.shown.insert(req.id, shown);
            }
            tokio::spawn(async move {
                // A chat stream watches the token itself, to save what arrived first.
                if let RequestKind::StreamChat {
                    request,
                    save,
                    tools,
                    allowed_tools,
                } = req.kind
                {
                    let tools = chat::ToolChoice {
                        on: tools,
                        allowed: allowed_tools,
                    };
                    ctx.stream_chat(req.id, *request, save.map(|s| *s), tools, token.clone())
                        .await;
                } else {
                    tokio::select! {
                        _ = token.cancelled() => {}
                        _ = ctx.handle(req.id, req.kind) => {}
                    }
                }
                token.cancel();
            });
        }
        for token in self.running.values() {
            token.cancel();
        }
        if let Some(c) = checker {
            c.abort();
        }
        // No orphans: every server oat started ends with it.
        self.tools.stop().await;
    }
}

impl Worker {
    fn context(&self) -> TaskContext {
        TaskContext {
            keys: self.keys.clone(),
            history: self.history.clone(),
            config: self.config.clone(),
            explicit_key: self.explicit_key.clone(),
            events: self.events.clone(),
            tools: self.tools.clone(),
        }
    }
}

#[derive(Clone)]
struct TaskContext {
    keys: Arc<Mutex<Keys>>,
    history: crate::history::Shared,
    config: ClientConfig,
    explicit_key: Option<String>,
    events: UnboundedSender<ApiEvent>,
    tools: Arc<tools::ToolState>,
}

impl TaskContext {
    fn send(&self, e: ApiEvent) {
        // The UI is gone when this fails; nothing is left to tell.
        let _ = self.events.send(e);
    }

    /// Runs keyring and config work off the async threads: a keyring may take seconds.
    /// The config is re-read first: the file is the truth, and the shell may have changed
    /// it while the app was open.
    async fn with_keys<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Keys) -> T + Send + 'static,
    ) -> Result<T, String> {
        let keys = self.keys.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = keys
                .lock()
                .map_err(|_| "the key store is unusable".to_string())?;
            guard.refresh().map_err(|e| e.to_string())?;
            Ok(f(&mut guard))
        })
        .await
        .map_err(|e| e.to_string())?
    }

    /// The client for the key `name` (`None`: the one in use), with a typed reason when
    /// there is none. The config is re-read first: the shell may have changed the keys.
    async fn chat_client(&self, name: Option<String>) -> Result<(Client, Resolved), ChatError> {
        let explicit = name.or_else(|| self.explicit_key.clone());
        let keys = self.keys.clone();
        let resolved = tokio::task::spawn_blocking(move || {
            let mut guard = keys
                .lock()
                .map_err(|_| ChatError::Internal("the key store is unusable".into()))?;
            guard.refresh().map_err(ChatError::Key)?;
            guard.resolve(explicit.as_deref()).map_err(ChatError::Key)
        })
        .await
        .map_err(|e| ChatError::Internal(e.to_string()))??;
        let config = self.config.clone().with_key(
            resolved.meta.base_url.as_deref(),
            resolved.meta.model.as_deref(),
        );
        let client = Client::new(config, resolved.credential.clone()).map_err(ChatError::Api)?;
        Ok((client, resolved))
    }

    /// The same, for requests whose failure is shown as a line of text.
    async fn client(&self, name: Option<String>) -> Result<(Client, Resolved), String> {
        self.chat_client(name).await.map_err(|e| e.to_string())
    }

    // Long by design: one arm per request.
    async fn handle(&self, id: RequestId, kind: RequestKind) {
        match kind {
            RequestKind::ListModels => self.list_models(id).await,
            RequestKind::CountTokens { mut request, tools } => {
                let tokens = match self.client(None).await {
                    Ok((client, resolved)) => {
                        self.tools
                            .count_with(&mut request, tools, resolved.credential.kind);
                        client.count_tokens(&request).await.map_err(|e| {
                            tracing::info!(error = %e, "count_tokens failed; the meter estimates");
                        })
                    }
                    Err(_) => Err(()),
                };
                self.send(ApiEvent::TokensCounted {
                    id,
                    tokens: tokens.ok(),
                });
            }
            RequestKind::ValidateKey { name } => self.validate(id, name).await,
            RequestKind::ListConversations { query } => self.list_conversations(id, query).await,
            RequestKind::OpenConversation { id: conv } => self.open_conversation(id, conv).await,
            RequestKind::DeleteConversation { id: conv } => {
                self.delete_conversation(id, conv).await
            }
            RequestKind::CheckConversation { id: conv } => self.check_conversation(id, conv).await,
            RequestKind::RenameConversation { id: conv, title } => {
                self.rename_conversation(id, conv, title).await
            }
            RequestKind::StreamChat { .. } | RequestKind::ApproveTool { .. } => {}
            RequestKind::ReadAttachment { path } => self.read_attachment(id, path).await,
            RequestKind::ReadClipboardImage => self.read_clipboard_image(id).await,
            RequestKind::ListFiles => self.list_files(id).await,
            RequestKind::CompletePath { partial } => self.complete_path(id, partial).await,
            RequestKind::CheckPaste { text } => self.check_paste(id, text).await,
            RequestKind::ShowBranch { conversation, leaf } => {
                self.show_branch(conversation, leaf).await;
            }
            RequestKind::LoadKeys => self.load_keys(id).await,
            RequestKind::AddKey {
                name,
                secret,
                backend,
            } => self.add_key(id, name, secret, backend).await,
            RequestKind::RemoveKey { name } => {
                let n = name.clone();
                let r = self
                    .with_keys(move |k| k.remove(&n).map_err(|e| e.to_string()))
                    .await
                    .and_then(|r| r);
                self.changed(
                    id,
                    r.map(|removed| match removed {
                        Removed::Key(b) => format!(
                            "Removed `{name}` and its secret from the {}.",
                            crate::status::backend_label(b)
                        ),
                        Removed::Orphan(b) => format!(
                            "Deleted the orphan secret `{name}` from the {}.",
                            crate::status::backend_label(b)
                        ),
                    }),
                )
                .await;
            }
            RequestKind::RenameKey { old, new } => {
                let (o, n) = (old.clone(), new.clone());
                let r = self
                    .with_keys(move |k| k.rename(&o, &n).map_err(|e| e.to_string()))
                    .await
                    .and_then(|r| r);
                self.changed(id, r.map(|()| format!("Renamed `{old}` to `{new}`.")))
                    .await;
            }
            RequestKind::UseKey { name } => {
                let n = name.clone();
                let r = self
                    .with_keys(move |k| k.set_active(&n).map_err(|e| e.to_string()))
                    .await
                    .and_then(|r| r);
                self.changed(id, r.map(|()| format!("`{name}` is now the active key.")))
                    .await;
            }
            RequestKind::AcknowledgeTerms => {
                let _ = self.with_keys(Keys::acknowledge_terms).await;
            }
            RequestKind::Cancel { .. } | RequestKind::Showing { .. } => {}
        }
    }

    async fn list_models(&self, id: RequestId) {
        let (client, resolved) = match self.client(None).await {
            Ok(c) => c,
            Err(error) => return self.send(ApiEvent::ModelsFailed { id, error }),
        };
        match client.list_models().await {
            Ok((models, limits)) => {
                if !limits.is_empty() {
                    self.send(ApiEvent::RateLimitsSeen {
                        limits: Box::new(limits),
                    });
                }
                self.send(ApiEvent::ModelsLoaded {
                    id,
                    models,
                    offline: None,
                });
            }
            Err(e) => match fallback_reason(&e, resolved.credential.kind) {
                Some(reason) => self.send(ApiEvent::ModelsLoaded {
                    id,
                    models: offline_models(resolved.meta.model.as_deref()),
                    offline: Some(format!("offline list of {} — {reason}", fallback().taken)),
                }),
                None => self.send(ApiEvent::ModelsFailed {
                    id,
                    error: format!("{e}. {}", e.advice()),
                }),
            },
        }
    }
}
