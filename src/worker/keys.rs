//! The worker's key handling: listing keys (with masked secrets), adding one (checked
//! live first), recording live checks. Keyring calls go through `with_keys`, on tokio's
//! blocking pool, since a keyring may take seconds to answer.

use std::time::Instant;

use chrono::Local;

use super::{AddKeyError, ApiEvent, KeyView, RequestId, TaskContext};
use crate::api::{ApiError, Client};
use crate::config::Backend;
use crate::credentials::keys::NewKey;
use crate::credentials::store::KeyringStore;
use crate::credentials::{Secret, parse_credential};
use crate::status::{Check, StatusReport};

impl TaskContext {
    pub(super) async fn changed(&self, id: RequestId, r: Result<String, String>) {
        match r {
            Ok(notice) => self.send(ApiEvent::KeyChanged { id, notice }),
            Err(error) => self.send(ApiEvent::KeyChangeFailed { id, error }),
        }
        self.load_keys(id).await;
    }

    pub(super) async fn validate(&self, id: RequestId, name: Option<String>) {
        let (client, resolved) = match self.client(name).await {
            Ok(c) => c,
            Err(error) => return self.send(ApiEvent::KeyValidationFailed { id, error }),
        };
        let started = Instant::now();
        let result = client.validate().await;
        let (check, limits) = Check::from_result(&result, started.elapsed());
        let key_name = resolved.name.clone();
        let last = check.to_last_validation();
        let active = self
            .with_keys(move |k| {
                let _ = k.record_validation(&key_name, last);
                k.config.config.active_key.clone()
            })
            .await
            .ok()
            .flatten();
        let mut report = StatusReport::new(
            &resolved.meta,
            active.as_deref() == Some(resolved.name.as_str()),
            resolved.credential.secret.masked(),
            Local::now().date_naive(),
        );
        report.check = Some(check);
        report.limits = limits;
        self.send(ApiEvent::KeyValidated {
            id,
            report: Box::new(report),
        });
    }

    pub(super) async fn load_keys(&self, id: RequestId) {
        let explicit = self.explicit_key.clone();
        let loaded = self
            .with_keys(move |k| {
                let entries = k.list();
                let masked = k.masked_secrets(&entries);
                let keys: Vec<KeyView> = entries
                    .into_iter()
                    .zip(masked)
                    .map(|(entry, m)| KeyView {
                        entry,
                        masked: m.unwrap_or_else(|why| format!("(unavailable: {why})")),
                    })
                    .collect();
                let in_use = k.resolve(explicit.as_deref()).ok().map(|r| r.name);
                (keys, in_use)
            })
            .await;
        let keyring = tokio::task::spawn_blocking(KeyringStore::probe)
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()));
        if let Err(detail) = &keyring {
            tracing::info!(%detail, "no OS keyring");
        }
        match loaded {
            Ok((keys, in_use)) => self.send(ApiEvent::KeysLoaded {
                id,
                keys,
                in_use,
                keyring,
            }),
            Err(error) => self.send(ApiEvent::KeyChangeFailed { id, error }),
        }
    }

    pub(super) async fn add_key(
        &self,
        id: RequestId,
        name: Option<String>,
        secret: Secret,
        backend: Option<Backend>,
    ) {
        let fail = |error: AddKeyError| ApiEvent::KeyAddFailed { id, error };
        let credential = match parse_credential(secret.expose(), None) {
            Ok(c) => c,
            Err(e) => return self.send(fail(AddKeyError::Malformed(e))),
        };
        // The name first, as `oat key add` does: a clash costs no live check.
        if let Some(n) = name.clone() {
            let checked = self.with_keys(move |k| k.check_new_name(&n)).await;
            match checked {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return self.send(fail(AddKeyError::Name(e))),
                Err(e) => return self.send(fail(AddKeyError::Store(e))),
            }
        }
        let backend = match backend {
            Some(b) => b,
            None => match tokio::task::spawn_blocking(KeyringStore::probe).await {
                Ok(Ok(())) => Backend::Keyring,
                _ => return self.send(fail(AddKeyError::NoKeyring)),
            },
        };
        // Checked where it will be used, and the key remembers that endpoint, as
        // `oat key add` does (`--base-url` / `ANTHROPIC_BASE_URL`, else Anthropic's).
        let endpoint = self.config.base_url.clone();
        let started = Instant::now();
        let result = match Client::new(self.config.clone(), credential.clone()) {
            Ok(c) => c.validate().await,
            Err(e) => Err(e),
        };
        let (check, _) = Check::from_result(&result, started.elapsed());
        if let Err(e) = &result
            && !check.verdict.may_store()
        {
            return self.send(fail(AddKeyError::Refused(e.clone())));
        }
        let verdict = match &result {
            Ok(v) => format!("valid ({} ms)", v.latency.as_millis()),
            Err(ApiError::Network(_) | ApiError::Stalled(_)) => "not checked (offline)".to_string(),
            Err(e) => e.to_string(),
        };
        let last = check.to_last_validation();
        let r = self
            .with_keys(move |k| {
                let name = name.unwrap_or_else(|| k.free_name(credential.kind));
                k.add(NewKey {
                    name: name.clone(),
                    credential: credential.clone(),
                    backend,
                    created: None,
                    label: None,
                    base_url: endpoint,
                    model: None,
                    last_validation: Some(last),
                })
                .map_err(|e| e.to_string())?;
                Ok::<_, String>(format!(
                    "Stored `{name}` ({}) in the {}: {verdict}.",
                    credential.secret,
                    crate::status::backend_label(backend)
                ))
            })
            .await
            .and_then(|r| r);
        match r {
            Ok(notice) => self.changed(id, Ok(notice)).await,
            Err(e) => {
                self.send(fail(AddKeyError::Store(e)));
                self.load_keys(id).await;
            }
        }
    }
}
