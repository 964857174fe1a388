//! A local MCP server: its command as a child process in a process group of its own,
//! newline-delimited JSON-RPC on its stdin and stdout, its stderr kept (the last lines)
//! to explain a failure. One task reads its stdout and hands each answer to the request
//! waiting for it; the server's own requests are answered there. Knows nothing of what
//! the methods mean (`client.rs`).

use std::collections::HashMap;
use std::process::Stdio as Piped;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout};
use tokio::sync::{oneshot, watch};

use super::rpc::{self, Failure, Incoming};
use super::servers::ServerConfig;

/// The last lines of a server's stderr kept to explain a failure.
const STDERR_LINES: usize = 3;
/// How long a failed request waits for the server's stderr to end, so its last words
/// (written just before it exited) are in the message.
const LAST_WORDS: Duration = Duration::from_millis(500);

type Waiting = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, Failure>>>>>;

pub struct Stdio {
    child: Child,
    stdin: Arc<tokio::sync::Mutex<Option<ChildStdin>>>,
    waiting: Waiting,
    next_id: AtomicU64,
    closed: Arc<AtomicBool>,
    stderr: Arc<Mutex<Vec<String>>>,
    /// Turns true when the server's stderr has ended.
    stderr_done: watch::Receiver<bool>,
    /// The process group (its leader's pid), killed on stop and drop.
    pub group: Option<i32>,
}

impl Stdio {
    /// Starts `command` with the config's arguments and environment.
    pub fn spawn(command: &str, config: &ServerConfig) -> Result<Self, String> {
        let mut cmd = tokio::process::Command::new(command);
        cmd.args(&config.args)
            .envs(&config.env)
            .stdin(Piped::piped())
            .stdout(Piped::piped())
            .stderr(Piped::piped())
            // Its own group: stopping it stops whatever it started (npx's node, say).
            .process_group(0)
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("could not start `{command}`: {e}"))?;
        let group = child.id().and_then(|p| i32::try_from(p).ok());
        let (Some(stdin), Some(stdout), Some(err)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(format!("could not start `{command}`: no pipes"));
        };
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (done, stderr_done) = watch::channel(false);
        tokio::spawn(keep_tail(err, stderr.clone(), done));
        let conn = Self {
            child,
            stdin: Arc::new(tokio::sync::Mutex::new(Some(stdin))),
            waiting: Arc::default(),
            next_id: AtomicU64::new(1),
            closed: Arc::new(AtomicBool::new(false)),
            stderr,
            stderr_done,
            group,
        };
        tokio::spawn(read(
            stdout,
            conn.stdin.clone(),
            conn.waiting.clone(),
            conn.closed.clone(),
        ));
        Ok(conn)
    }

    /// Sends a request and waits for its answer (the caller bounds the wait).
    pub async fn request(&self, method: &str, params: Value) -> Result<Value, Failure> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        if let Ok(mut w) = self.waiting.lock() {
            w.insert(id, tx);
        }
        // Closed after the insert is checked: the reader drains the map when it ends.
        if self.is_closed() {
            self.forget(id);
            return Err(Failure::Closed);
        }
        if let Err(f) = write(&self.stdin, &rpc::request(id, method, params)).await {
            self.forget(id);
            return Err(f);
        }
        let answer = rx.await.unwrap_or(Err(Failure::Closed));
        if answer == Err(Failure::Closed) {
            self.last_words().await;
        }
        answer
    }

    pub async fn notify(&self, method: &str) -> Result<(), Failure> {
        write(&self.stdin, &rpc::notification(method)).await
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// `what`, with the server's last stderr line when it said something.
    pub fn explain(&self, what: &str) -> String {
        let last = self
            .stderr
            .lock()
            .ok()
            .and_then(|l| l.iter().rev().find(|s| !s.trim().is_empty()).cloned());
        match last {
            Some(line) => format!("{what} (it said: {})", line.trim()),
            None => what.to_string(),
        }
    }

    /// Waits (briefly) for the server's stderr to end: a server that exits writes its
    /// reason there a moment before its stdout closes.
    pub async fn last_words(&self) {
        let mut done = self.stderr_done.clone();
        let _ = tokio::time::timeout(LAST_WORDS, done.wait_for(|d| *d)).await;
    }

    /// Closes its stdin (how MCP asks a local server to end) and waits up to `wait` for
    /// it to exit; the caller kills the group after.
    pub async fn close(&mut self, wait: Duration) {
        self.stdin.lock().await.take();
        let _ = tokio::time::timeout(wait, self.child.wait()).await;
    }
}

impl Stdio {
    fn forget(&self, id: u64) {
        if let Ok(mut w) = self.waiting.lock() {
            w.remove(&id);
        }
    }
}

async fn write(stdin: &tokio::sync::Mutex<Option<ChildStdin>>, msg: &Value) -> Result<(), Failure> {
    let mut line = msg.to_string();
    line.push('\n');
    let mut guard = stdin.lock().await;
    let pipe = guard.as_mut().ok_or(Failure::Closed)?;
    let sent = pipe.write_all(line.as_bytes()).await;
    match sent {
        Ok(()) => pipe.flush().await.map_err(|_| Failure::Closed),
        Err(_) => Err(Failure::Closed),
    }
}

/// Reads the server's stdout to its end: each answer goes to the request waiting for it;
/// the server's requests are answered; anything else is logged and passed over. At the
/// end every request still waiting gets `Closed`.
async fn read(
    stdout: ChildStdout,
    stdin: Arc<tokio::sync::Mutex<Option<ChildStdin>>>,
    waiting: Waiting,
    closed: Arc<AtomicBool>,
) {
    let mut lines = BufReader::new(stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.trim().is_empty() {
            continue;
        }
        let Ok(msg) = serde_json::from_str::<Value>(&line) else {
            tracing::debug!(target: "mcp", "not JSON on stdout: {}", line.chars().take(120).collect::<String>());
            continue;
        };
        match rpc::sort(&msg) {
            Incoming::Response(id, answer) => {
                let tx = waiting.lock().ok().and_then(|mut w| w.remove(&id));
                if let Some(tx) = tx {
                    let _ = tx.send(answer);
                }
            }
            Incoming::Request(answer) => {
                let _ = write(&stdin, &answer).await;
            }
            Incoming::Notification | Incoming::Stray => {}
        }
    }
    closed.store(true, Ordering::Release);
    if let Ok(mut w) = waiting.lock() {
        for (_, tx) in w.drain() {
            let _ = tx.send(Err(Failure::Closed));
        }
    }
}

/// Reads a server's stderr to its end, keeping the last lines: the app owns the terminal,
/// so a server may not write to it.
async fn keep_tail(err: ChildStderr, tail: Arc<Mutex<Vec<String>>>, done: watch::Sender<bool>) {
    let mut lines = BufReader::new(err).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        tracing::debug!(target: "mcp", "{}", line.chars().take(300).collect::<String>());
        if let Ok(mut t) = tail.lock() {
            t.push(line.chars().take(200).collect());
            if t.len() > STDERR_LINES {
                t.remove(0);
            }
        }
    }
    let _ = done.send(true);
}
