//! A real Secret Service for the keyring tests: a private D-Bus session bus and an
//! unlocked gnome-keyring on it, both in a temp dir and both stopped on drop. Nothing
//! touches the developer's own keyring.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct PrivateKeyring {
    pub dir: tempfile::TempDir,
    pub bus_address: String,
    children: Vec<Child>,
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl PrivateKeyring {
    /// Starts the service, or says why it cannot. Under CI a missing service fails the
    /// test instead, so CI can never pass by skipping.
    pub fn start_or_skip(test: &str) -> Option<Self> {
        Self::or_skip(test, Self::start)
    }

    /// `start_or_skip` for any of the ways to start one.
    pub fn or_skip(test: &str, start: fn() -> Result<Self, String>) -> Option<Self> {
        match start() {
            Ok(k) => Some(k),
            Err(reason) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "{test}: no Secret Service in CI: {reason}"
                );
                eprintln!("SKIPPED {test}: {reason}");
                None
            }
        }
    }

    /// A session bus with no Secret Service on it and none to start on demand: what a
    /// desktop-less machine with a systemd user session has.
    pub fn start_bus_only() -> Result<Self, String> {
        Self::start_bus(false)
    }

    /// A desktop-like bus that starts gnome-keyring on demand, locked, with nobody to
    /// answer its unlock prompt: a machine reached over SSH.
    pub fn start_locked() -> Result<Self, String> {
        let me = Self::start_bus(true)?;
        // Started here, not by oat's first call: on a loaded machine the start alone can
        // outlast oat's deadline, and the test is about the lock.
        let _ = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.secrets",
            ])
            .args(["/org/freedesktop/secrets", "org.freedesktop.DBus.Peer.Ping"])
            .envs(me.env())
            .output();
        me.wait_for_service()?;
        Ok(me)
    }

    /// The bus alone; `activation` lets it start services from the system's .service
    /// files, as a desktop session's bus does.
    fn start_bus(activation: bool) -> Result<Self, String> {
        for tool in [
            "dbus-daemon",
            "gnome-keyring-daemon",
            "dbus-send",
            "dbus-monitor",
        ] {
            if !have(tool) {
                return Err(format!(
                    "`{tool}` is not installed (apt-get install dbus gnome-keyring)"
                ));
            }
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let socket = dir.path().join("bus");
        let bus_address = format!("unix:path={}", socket.display());
        let mut children = Vec::new();
        let mut dbus = Command::new("dbus-daemon");
        if activation {
            dbus.arg("--session");
        } else {
            // The session policy without its <standard_session_servicedirs/>.
            let config = dir.path().join("bus.conf");
            std::fs::write(
                &config,
                "<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen>\
                 <policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>\
                 <allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>",
            )
            .map_err(|e| e.to_string())?;
            dbus.arg(format!("--config-file={}", config.display()));
        }
        // Services it starts (gnome-keyring's prompter) find no display, wherever the
        // tests run: "nobody to answer the prompt" stays true, and nothing appears.
        let dbus = dbus
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .args(["--nofork", "--nopidfile"])
            .arg(format!("--address={bus_address}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("dbus-daemon: {e}"))?;
        children.push(dbus);
        let me = Self {
            dir,
            bus_address,
            children,
        };
        me.wait_for(|| socket.exists(), "the bus socket")?;
        Ok(me)
    }

    pub fn start() -> Result<Self, String> {
        let mut me = Self::start_bus(true)?;
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets", "--foreground"])
            .envs(me.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("gnome-keyring-daemon: {e}"))?;
        {
            use std::io::Write;
            let mut stdin = keyring.stdin.take().ok_or("no stdin")?;
            stdin
                .write_all(b"test-password")
                .map_err(|e| e.to_string())?;
            // Dropping stdin ends the password.
        }
        me.children.push(keyring);
        me.wait_for_service()?;
        Ok(me)
    }

    /// Waits until the Secret Service's name is owned on this bus.
    fn wait_for_service(&self) -> Result<(), String> {
        let env = self.env();
        self.wait_for(
            || {
                Command::new("dbus-send")
                    .args([
                        "--session",
                        "--print-reply",
                        "--dest=org.freedesktop.DBus",
                        "/org/freedesktop/DBus",
                        "org.freedesktop.DBus.NameHasOwner",
                        "string:org.freedesktop.secrets",
                    ])
                    .envs(env.clone())
                    .output()
                    .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
            },
            "the Secret Service",
        )
    }

    fn wait_for(&self, mut ready: impl FnMut() -> bool, what: &str) -> Result<(), String> {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if ready() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("{what} did not come up within 30 s"))
    }

    /// Freezes the Secret Service for `pause` (SIGSTOP, then SIGCONT from a thread), as a
    /// service stuck behind a slow disk is: calls wait, and none is refused.
    pub fn freeze_service_for(&self, pause: Duration) {
        let pid = self.children.last().expect("a service").id().to_string();
        let signal = |sig: &str| {
            let ok = Command::new("kill").args([sig, &pid]).status();
            assert!(ok.is_ok_and(|s| s.success()), "kill {sig} {pid}");
        };
        signal("-STOP");
        std::thread::spawn(move || {
            std::thread::sleep(pause);
            let _ = Command::new("kill").args(["-CONT", &pid]).status();
        });
    }

    /// Starts `dbus-monitor` on this bus; what it saw is `Capture::text` once stopped.
    pub fn capture(&self) -> Capture {
        let path = self.dir.path().join("monitor.txt");
        let out = std::fs::File::create(&path).expect("monitor file");
        let child = Command::new("dbus-monitor")
            .arg("--session")
            .envs(self.env())
            .stdout(out)
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-monitor");
        // It prints its own NameAcquired/NameLost as it becomes a monitor.
        self.wait_for(
            || std::fs::metadata(&path).is_ok_and(|m| m.len() > 0),
            "dbus-monitor",
        )
        .expect("the monitor started");
        Capture { child, path }
    }

    /// The environment a process needs to reach this keyring.
    pub fn env(&self) -> Vec<(String, String)> {
        let d: &Path = self.dir.path();
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.bus_address.clone()),
            ("XDG_RUNTIME_DIR".into(), d.display().to_string()),
            ("XDG_DATA_HOME".into(), d.join("data").display().to_string()),
            ("HOME".into(), d.display().to_string()),
        ]
    }

    /// Just what oat needs to reach this keyring's bus (the rest of `env` is for the
    /// services themselves).
    pub fn bus_env(&self) -> Vec<(String, String)> {
        self.env()
            .into_iter()
            .filter(|(k, _)| k == "DBUS_SESSION_BUS_ADDRESS" || k == "XDG_RUNTIME_DIR")
            .collect()
    }

    /// Stores a secret under service `oat`, account `name` with `secret-tool`, as another
    /// program (or an earlier oat, through the `keyring` crate) would.
    pub fn store(&self, name: &str, secret: &str) {
        use std::io::Write;
        let mut child = Command::new("secret-tool")
            .args(["store", "--label", &format!("keyring:{name}@oat")])
            .args(["service", "oat", "username", name])
            .envs(self.env())
            .stdin(Stdio::piped())
            .spawn()
            .expect("secret-tool");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(secret.as_bytes()).expect("write");
        drop(stdin);
        assert!(child.wait().expect("secret-tool").success());
    }

    /// What `secret-tool` finds under service `oat`, account `name` (None when absent).
    pub fn lookup(&self, name: &str) -> Option<String> {
        let out = Command::new("secret-tool")
            .args(["lookup", "service", "oat", "username", name])
            .envs(self.env())
            .output()
            .ok()?;
        let s = String::from_utf8_lossy(&out.stdout).to_string();
        (out.status.success() && !s.is_empty()).then_some(s)
    }
}

/// A running `dbus-monitor`.
pub struct Capture {
    child: Child,
    path: std::path::PathBuf,
}

impl Capture {
    /// Stops the monitor and returns everything it printed.
    pub fn text(mut self) -> String {
        // What it has seen is flushed as it goes; a moment for the last message.
        std::thread::sleep(Duration::from_millis(300));
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.path).unwrap_or_default()
    }
}

impl Drop for PrivateKeyring {
    fn drop(&mut self) {
        for c in self.children.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
