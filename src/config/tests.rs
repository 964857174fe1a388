//! Tests of `config`.

use super::*;

#[test]
fn round_trip_and_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/config.toml");
    let mut f = ConfigFile::load(&path).unwrap();
    assert_eq!(f.config, Config::default());
    let meta = KeyMeta {
        name: "work".into(),
        kind: CredentialKind::Oauth,
        backend: Backend::Keyring,
        added: "2026-11-01T10:00:00Z".parse().unwrap(),
        created: None,
        label: Some("laptop".into()),
        base_url: Some("https://gateway.example".into()),
        model: None,
        last_validation: Some(LastValidation {
            at: "2026-11-02T10:00:00Z".parse().unwrap(),
            result: "valid".into(),
            latency: Some(Duration::from_millis(231)),
            request_id: Some("req_1".into()),
            message: None,
        }),
    };
    f.edit(|c| {
        c.active_key = Some("work".into());
        c.keys.push(meta);
        Ok::<_, ConfigError>(())
    })
    .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("latency = 231"), "{text}");
    assert_eq!(ConfigFile::load(&path).unwrap().config, f.config);
}

#[test]
fn unknown_keys_and_broken_files_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "active_key = \"a\"\ncolour = \"blue\"\n").unwrap();
    let e = ConfigFile::load(&path).unwrap_err().to_string();
    assert!(
        e.contains("config.toml") && e.contains("line 2") && e.contains("colour"),
        "{e}"
    );
    std::fs::write(&path, "active_key = \n").unwrap();
    let e = ConfigFile::load(&path).unwrap_err().to_string();
    assert!(e.contains("line 1"), "{e}");
}

#[test]
fn an_edit_applies_to_the_file_as_it_is_now_not_to_a_stale_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let mut app = ConfigFile::load(&path).unwrap();
    // Another process changes the file after the app read it.
    let mut cli = ConfigFile::load(&path).unwrap();
    cli.edit(|c| {
        c.default_model = Some("claude-x".into());
        Ok::<_, ConfigError>(())
    })
    .unwrap();
    app.edit(|c| {
        c.terms_notice_seen = true;
        Ok::<_, ConfigError>(())
    })
    .unwrap();
    let now = ConfigFile::load(&path).unwrap().config;
    assert_eq!(now.default_model.as_deref(), Some("claude-x"));
    assert!(now.terms_notice_seen);
    assert_eq!(app.config, now, "the edit leaves the copy up to date");
}

#[test]
fn a_failed_change_writes_nothing_and_a_broken_file_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let mut f = ConfigFile::load(&path).unwrap();
    let r: Result<(), ConfigError> = f.edit(|c| {
        c.active_key = Some("x".into());
        Err(ConfigError::Parse {
            path: "p".into(),
            message: "no".into(),
        })
    });
    assert!(r.is_err());
    assert!(!path.exists(), "nothing written");
    std::fs::write(&path, "colour = 1\n").unwrap();
    let r = f.edit(|c| {
        c.terms_notice_seen = true;
        Ok::<_, ConfigError>(())
    });
    assert!(r.unwrap_err().to_string().contains("colour"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "colour = 1\n");
}
