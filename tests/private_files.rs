//! Conversations are what people ask Claude: oat's folders are 0700 and its database (with
//! `-wal`/`-shm`), log and credentials 0600 whatever the umask, the real binary run under
//! `umask 000`. Looser ones made before are tightened on start, said once; exports follow
//! the person's umask.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// The built binary under `umask`, through a real shell: `sh -c 'umask 000; exec oat …'`.
fn oat_umask(home: &Path, mock: &MockServer, umask: &str, args: &[&str]) -> Command {
    let plain = oat_process(home);
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(plain.get_program())
        .args(args)
        .env_clear()
        .current_dir(home);
    for (k, v) in plain.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    cmd.env("ANTHROPIC_BASE_URL", &mock.url)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    cmd
}

fn run(home: &Path, mock: &MockServer, umask: &str, args: &[&str], stdin: &str) -> Out {
    let mut cmd = assert_cmd::Command::from_std(oat_umask(home, mock, umask, args));
    cmd.write_stdin(stdin);
    output(&mut cmd, false)
}

fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn side(db: &Path, ext: &str) -> PathBuf {
    PathBuf::from(format!("{}{ext}", db.display()))
}

#[test]
fn files_oat_creates_are_private_under_a_permissive_umask_and_exports_are_not() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let mock = MockServer::start();
    let mut spec = StreamSpec::text(&["Kept ", "while ", "we look", " never"]);
    spec.fault = Fault::StallAfter(3, Duration::from_secs(60));
    mock.set_stream(spec);
    // A reply that stalls mid-stream keeps the database open, `-wal` and `-shm` with it.
    let mut child = oat_umask(h, &mock, "000", &["ask", "--save", "a private question"])
        .env("ANTHROPIC_API_KEY", API_KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The prompt is saved before it is sent: once the mock has it, the database is written.
    let deadline = Instant::now() + Duration::from_secs(20);
    while mock.requests_to("/v1/messages").is_empty() {
        assert!(Instant::now() < deadline, "oat never sent the prompt");
        std::thread::sleep(Duration::from_millis(10));
    }
    let db = h.join("data/oat/history.db");
    for path in [db.clone(), side(&db, "-wal"), side(&db, "-shm")] {
        wait_for(&path);
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(mode(&h.join("data/oat")), 0o700);
    assert_eq!(mode(&h.join("state/oat")), 0o700);
    assert_eq!(mode(&h.join("state/oat/oat.log")), 0o600);

    let o = run(
        h,
        &mock,
        "000",
        &["key", "add", "mine", "--store", "file"],
        API_KEY,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(mode(&h.join("config/oat")), 0o700);
    assert_eq!(mode(&h.join("config/oat/credentials")), 0o600);
    assert!(
        !o.stderr.contains("made private"),
        "nothing to tighten: {}",
        o.stderr
    );

    // An export is the person's own file: it follows their umask.
    for (umask, want) in [("000", 0o666), ("022", 0o644)] {
        let out = h.join(format!("export-{umask}.md"));
        let o = run(
            h,
            &mock,
            umask,
            &["history", "export", "1", "-o", out.to_str().unwrap()],
            "",
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_eq!(mode(&out), want, "umask {umask}");
    }
}

#[test]
fn looser_files_from_before_are_tightened_on_start_and_said_once() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let mock = MockServer::start();
    let db = h.join("data/oat/history.db");
    oat::history::History::open(&db).unwrap();
    let log = h.join("state/oat/oat.log");
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    std::fs::write(&log, "").unwrap();
    std::fs::create_dir_all(h.join("config/oat")).unwrap();
    let open = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    };
    for dir in ["data/oat", "state/oat", "config/oat"] {
        open(&h.join(dir), 0o755);
    }
    open(&db, 0o644);
    open(&log, 0o644);

    let o = run(h, &mock, "022", &["history", "list"], "");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let said: Vec<&str> = o
        .stderr
        .lines()
        .filter(|l| l.contains("made private"))
        .collect();
    assert_eq!(said.len(), 1, "{}", o.stderr);
    for p in ["data/oat", "state/oat", "config/oat"] {
        assert!(
            said[0].contains(&h.join(p).display().to_string()),
            "{p}: {}",
            said[0]
        );
        assert_eq!(mode(&h.join(p)), 0o700, "{p}");
    }
    assert!(said[0].contains(&db.display().to_string()), "{}", said[0]);
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&log), 0o600);

    let o = run(h, &mock, "022", &["history", "list"], "");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stderr.contains("made private"), "once: {}", o.stderr);
}
