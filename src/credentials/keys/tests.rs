use super::*;
use crate::credentials::store::InMemoryStoreForTests;

fn keys(dir: &std::path::Path) -> Keys {
    let config = ConfigFile::load(&dir.join("config.toml")).unwrap();
    Keys::with_stores(
        config,
        Box::new(InMemoryStoreForTests::default()),
        Box::new(FileStore::new(dir)),
        None,
    )
}

fn new_key(name: &str, kind: CredentialKind, backend: Backend) -> NewKey {
    NewKey {
        name: name.into(),
        credential: cred(kind),
        backend,
        created: None,
        label: None,
        base_url: None,
        model: None,
        last_validation: None,
    }
}

fn cred(kind: CredentialKind) -> Credential {
    let prefix = match kind {
        CredentialKind::Oauth => "sk-ant-oat01-",
        CredentialKind::ApiKey => "sk-ant-api03-",
    };
    parse_credential(&format!("{prefix}{}", "k".repeat(95)), None).unwrap()
}

#[test]
fn add_use_rename_remove() {
    let dir = tempfile::tempdir().unwrap();
    let mut k = keys(dir.path());
    k.add(new_key("work", CredentialKind::Oauth, Backend::Keyring))
        .unwrap();
    k.add(new_key("ci", CredentialKind::ApiKey, Backend::File))
        .unwrap();
    assert_eq!(
        k.config.config.active_key.as_deref(),
        Some("work"),
        "first key is active"
    );
    assert!(matches!(
        k.add(new_key("ci", CredentialKind::ApiKey, Backend::File)),
        Err(KeyError::Exists(_))
    ));
    assert_eq!(k.resolve(None).unwrap().name, "work");
    assert_eq!(
        k.resolve(Some("ci")).unwrap().credential.kind,
        CredentialKind::ApiKey
    );
    k.set_active("ci").unwrap();
    k.rename("ci", "build").unwrap();
    assert_eq!(k.config.config.active_key.as_deref(), Some("build"));
    assert!(matches!(k.secret("ci"), Err(KeyError::Unknown(_))));
    assert_eq!(
        k.secret("build").unwrap(),
        cred(CredentialKind::ApiKey).secret
    );
    assert_eq!(k.remove("build").unwrap(), Removed::Key(Backend::File));
    assert!(k.config.config.active_key.is_none());
    // The metadata survives a reload; the secret never reaches the config file.
    let text = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    assert!(
        text.contains("name = \"work\"") && !text.contains("kkkkkkkk"),
        "{text}"
    );
}

#[test]
fn bad_names_are_refused() {
    for bad in ["", "env:x", "a b", "é", &"x".repeat(65)] {
        assert!(check_name(bad).is_err(), "{bad}");
    }
    assert!(check_name("work-laptop_2.b").is_ok());
}

#[test]
fn default_names_do_not_collide() {
    let dir = tempfile::tempdir().unwrap();
    let mut k = keys(dir.path());
    assert_eq!(k.free_name(CredentialKind::Oauth), "setup-token");
    k.add(new_key(
        "setup-token",
        CredentialKind::Oauth,
        Backend::Keyring,
    ))
    .unwrap();
    assert_eq!(k.free_name(CredentialKind::Oauth), "setup-token-2");
}

#[test]
fn a_secret_is_taken_back_when_its_metadata_cannot_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut k = keys(dir.path());
    // The config's temp file cannot be created, so the metadata write fails after the
    // secret is in.
    let tmp = format!(".config.toml.{}.tmp", std::process::id());
    std::fs::create_dir(dir.path().join(tmp)).unwrap();
    assert!(
        k.add(new_key("ci", CredentialKind::ApiKey, Backend::File))
            .is_err()
    );
    assert!(k.orphans().is_empty(), "no secret left behind");
    assert!(matches!(
        k.store(Backend::File).get("ci"),
        Err(StoreError::NotFound(..))
    ));
}

#[test]
fn orphans_are_listed_and_removable() {
    let dir = tempfile::tempdir().unwrap();
    let mut k = keys(dir.path());
    k.add(new_key("kept", CredentialKind::ApiKey, Backend::File))
        .unwrap();
    // What a process killed between storing the secret and its metadata leaves.
    k.store(Backend::File)
        .set("lost", &cred(CredentialKind::Oauth).secret)
        .unwrap();
    assert_eq!(k.orphans(), vec!["lost".to_string()]);
    assert_eq!(k.remove("lost").unwrap(), Removed::Orphan(Backend::File));
    assert!(k.orphans().is_empty());
    assert_eq!(k.list().len(), 1, "the real key is untouched");
    assert!(matches!(k.remove("lost"), Err(KeyError::Unknown(_))));
}

#[test]
fn two_handles_on_one_file_keep_each_others_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = keys(dir.path());
    let mut cli = keys(dir.path());
    cli.add(new_key("from-shell", CredentialKind::ApiKey, Backend::File))
        .unwrap();
    // The app's copy is stale; its own changes must not drop the shell's key.
    app.acknowledge_terms().unwrap();
    app.add(new_key("from-app", CredentialKind::ApiKey, Backend::File))
        .unwrap();
    app.set_active("from-shell").unwrap();
    cli.refresh().unwrap();
    let names: Vec<_> = cli.list().into_iter().map(|e| e.meta.name).collect();
    assert_eq!(names, ["from-shell", "from-app"]);
    assert_eq!(cli.config.config.active_key.as_deref(), Some("from-shell"));
    assert!(cli.config.config.terms_notice_seen);
}

/// A keyring that stores but never answers a lookup in time, and counts the lookups.
struct SilentKeyring(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl SecretStore for SilentKeyring {
    fn describe(&self) -> &'static str {
        "OS keyring"
    }
    fn get(&self, _: &str) -> Result<Secret, StoreError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Err(StoreError::KeyringTimeout(std::time::Duration::from_secs(
            5,
        )))
    }
    fn set(&self, _: &str, _: &Secret) -> Result<(), StoreError> {
        Ok(())
    }
    fn delete(&self, _: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

#[test]
fn a_keyring_that_did_not_answer_is_asked_once_per_listing_and_files_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let lookups = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let config = ConfigFile::load(&dir.path().join("config.toml")).unwrap();
    let mut k = Keys::with_stores(
        config,
        Box::new(SilentKeyring(lookups.clone())),
        Box::new(FileStore::new(dir.path())),
        None,
    );
    for (name, backend) in [
        ("a", Backend::Keyring),
        ("b", Backend::Keyring),
        ("c", Backend::File),
        ("d", Backend::Keyring),
    ] {
        k.add(new_key(name, CredentialKind::ApiKey, backend))
            .unwrap();
    }
    let entries: Vec<_> = k
        .list()
        .into_iter()
        .filter(|e| e.meta.name.len() == 1)
        .collect();
    let masked = k.masked_secrets(&entries);
    assert_eq!(lookups.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(masked.len(), 4);
    for (e, m) in entries.iter().zip(&masked) {
        if e.meta.backend == Backend::File {
            assert!(
                m.as_ref().unwrap().starts_with("sk-ant-api03-kkkk"),
                "{m:?}"
            );
        } else {
            assert!(m.as_ref().unwrap_err().contains("did not answer"), "{m:?}");
        }
    }
}
