//! `App::update` when the key in use changes or goes, here or in another shell (the
//! watcher reloads the keys): every pane and the status bar follow, and Status re-checks.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod tui_common;

use crossterm::event::{KeyCode, KeyModifiers};
use oat::tui::app::{App, Msg};
use oat::worker::{ApiEvent, KeyView};
use tui_common::*;

fn app() -> App {
    tui_common::app_with("claude-sonnet-5-5")
}

/// The whole screen as text.
fn render(a: &App) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    t.draw(|f| oat::tui::view::draw(f, a)).unwrap();
    t.backend().to_string()
}

fn key_view(name: &str, kind: oat::credentials::CredentialKind, masked: &str) -> KeyView {
    tui_common::key_view(name, kind, oat::config::Backend::File, masked)
}

/// The config changed (here or in another shell): the watcher's event asks for the keys
/// again and the worker answers that read with `keys`.
fn keys_loaded(a: &mut App, keys: &[&KeyView], in_use: Option<&str>) -> Vec<String> {
    let fx = a.update(Msg::Api(ApiEvent::ConfigChanged));
    let [(id, oat::worker::RequestKind::LoadKeys)] = requests(&fx)[..] else {
        panic!("a change of the config reads the keys: {fx:?}")
    };
    let fx = a.update(Msg::Api(ApiEvent::KeysLoaded {
        id,
        keys: keys.iter().map(|k| (*k).clone()).collect(),
        in_use: in_use.map(str::to_string),
        keyring: Ok(()),
    }));
    requests(&fx)
        .iter()
        .map(|(_, k)| format!("{k:?}"))
        .collect()
}

/// The status line at the bottom of the screen.
fn status_bar(a: &App) -> String {
    // TestBackend's text quotes each line.
    let last = render(a).lines().last().unwrap_or("").to_string();
    last.trim_matches('"').to_string()
}

#[test]
fn the_key_in_use_changing_elsewhere_moves_every_pane_and_status_rechecks() {
    use oat::credentials::CredentialKind::{ApiKey, Oauth};
    let mut a = app();
    let token = key_view("token", Oauth, "sk-ant-oat01-TOKE…AAAA");
    let api = key_view("api", ApiKey, "sk-ant-api03-APIK…BBBB");
    keys_loaded(&mut a, &[&token, &api], Some("token"));
    // The check of the setup token: valid, a year left.
    let check = a.check_status(None);
    let (id, _) = requests(std::slice::from_ref(&check))[0];
    let mut report = oat::status::StatusReport::new(
        &token.entry.meta,
        true,
        token.masked.clone(),
        chrono::Local::now().date_naive(),
    );
    report.check = None;
    a.update(Msg::Api(ApiEvent::KeyValidated {
        id,
        report: Box::new(report),
    }));
    assert!(status_bar(&a).contains("d left"), "{}", status_bar(&a));

    // `oat key use api` in another shell; the watcher reloads the keys.
    let asked = keys_loaded(&mut a, &[&token, &api], Some("api"));
    assert!(
        asked
            .iter()
            .any(|k| k.starts_with("ValidateKey { name: None }")),
        "Status checks the new key: {asked:?}"
    );
    assert!(
        asked.iter().any(|k| k.starts_with("ListModels")),
        "{asked:?}"
    );
    let bar = status_bar(&a);
    assert!(bar.contains("api sk-ant-api03-APIK…BBBB"), "{bar}");
    assert!(
        !bar.contains("d left") && !bar.contains("valid"),
        "nothing of the old key's check beside the new key: {bar}"
    );
    a.update(with(KeyCode::Char('2'), KeyModifiers::ALT));
    let screen = render(&a);
    assert!(!screen.contains("token (active)"), "{screen}");

    // `oat key remove api` in another shell: no key is chosen, one is still stored.
    let asked = keys_loaded(&mut a, &[&token], None);
    assert!(asked.is_empty(), "nothing to check: {asked:?}");
    let bar = status_bar(&a);
    assert!(bar.starts_with("no key │"), "{bar}");
    assert!(!bar.contains("valid") && !bar.contains("d left"), "{bar}");
    let screen = render(&a);
    assert!(
        screen.contains("No key is chosen (1 stored)") && !screen.contains("no credential found"),
        "{screen}"
    );
    assert!(
        a.update(key(KeyCode::Char('r'))).is_empty(),
        "a check could only fail"
    );
}
