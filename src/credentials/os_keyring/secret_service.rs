//! The freedesktop Secret Service (gnome-keyring, KeePassXC, KWallet 6) over oat's own
//! D-Bus client: an item per key, found by the attributes `service = oat` and
//! `username = <key name>`. Blocking; `deadline.rs` runs each call on a thread with a
//! deadline.
//!
//! The attributes, label and default collection are those the `keyring` crate's zbus
//! store used, so secrets saved by earlier versions of oat are found where they are, and
//! `secret-tool lookup service oat username <name>` finds oat's.

use std::time::Duration;

use super::encrypted::{ALGORITHM, Exchange, SessionKey};
use crate::credentials::Secret;
use crate::credentials::store::{KEYRING_SERVICE, StoreError};
use crate::dbus::{Bus, BusError, Message, Value};

const DEST: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE: &str = "org.freedesktop.Secret.Service";
const COLLECTION: &str = "org.freedesktop.Secret.Collection";
const ITEM: &str = "org.freedesktop.Secret.Item";
const PROMPT: &str = "org.freedesktop.Secret.Prompt";
/// "No object": what the service returns where no prompt (or item) is needed.
const NONE: &str = "/";
/// An unlock prompt waits for a person; the deadline in `deadline.rs` stops waiting for it
/// sooner, and this only keeps the abandoned thread from waiting forever.
const SOCKET_TIMEOUT: Duration = Duration::from_secs(180);

/// An open session with the service. Secrets travel encrypted (`encrypted.rs`), as
/// libsecret's do, so none shows in a capture of the bus (`dbus-monitor`); a service that
/// offers only the spec's "plain" session gets them in the clear over the user's own bus
/// socket, which only that user's processes can reach.
struct Session<'a> {
    bus: Bus,
    path: String,
    /// The encrypted session's key; `None` in a plain session.
    key: Option<SessionKey>,
    /// Told before a prompt is shown: the caller's deadline is a person's from then on.
    on_prompt: &'a dyn Fn(),
}

pub fn probe(on_prompt: &dyn Fn()) -> Result<(), StoreError> {
    Session::open(on_prompt)?.find("oat-probe").map(|_| ())
}

pub fn get(name: &str, on_prompt: &dyn Fn()) -> Result<Secret, StoreError> {
    let mut s = Session::open(on_prompt)?;
    let Some(item) = s.find(name)?.into_iter().next() else {
        return Err(StoreError::NotFound(name.into(), "OS keyring"));
    };
    let reply = s.call(ITEM, &item, "GetSecret", vec![Value::Path(s.path.clone())])?;
    String::from_utf8(s.open_secret(&reply, name)?)
        .map(Secret::new)
        .map_err(|_| StoreError::Keyring(format!("the secret of `{name}` is not text")))
}

/// Replaces the secret of every item of this name, or makes one in the default
/// collection.
pub fn set(name: &str, secret: &Secret, on_prompt: &dyn Fn()) -> Result<(), StoreError> {
    let mut s = Session::open(on_prompt)?;
    let items = s.find(name)?;
    let value = s.secret(secret)?;
    for item in &items {
        s.call(ITEM, item, "SetSecret", vec![value.clone()])?;
    }
    if !items.is_empty() {
        return Ok(());
    }
    let reply = s.call(SERVICE, SERVICE_PATH, "ReadAlias", vec!["default".into()])?;
    let collection = path_at(&reply, 0, "ReadAlias")?;
    if collection == NONE {
        return Err(StoreError::Keyring(
            "the keyring has no default collection to keep the key in".into(),
        ));
    }
    s.unlock(vec![collection.clone()])?;
    let label = format!("keyring:{name}@{KEYRING_SERVICE}");
    let properties = Value::Array(
        "{sv}".into(),
        vec![
            property("org.freedesktop.Secret.Item.Label", label.as_str().into()),
            // With the generic schema's name, as libsecret and the `keyring` crate mark
            // theirs (Seahorse groups by it); searches leave it out, so any item with
            // the two attributes is found.
            property(
                "org.freedesktop.Secret.Item.Attributes",
                Value::string_dict([
                    ("service", KEYRING_SERVICE),
                    ("username", name),
                    ("xdg:schema", "org.freedesktop.Secret.Generic"),
                ]),
            ),
        ],
    );
    let reply = s.call(
        COLLECTION,
        &collection,
        "CreateItem",
        vec![properties, value, Value::Bool(true)],
    )?;
    let prompt = path_at(&reply, 1, "CreateItem")?;
    if path_at(&reply, 0, "CreateItem")? == NONE && prompt != NONE {
        s.prompt(&prompt)?;
    }
    Ok(())
}

pub fn delete(name: &str, on_prompt: &dyn Fn()) -> Result<(), StoreError> {
    let mut s = Session::open(on_prompt)?;
    let items = s.find(name)?;
    if items.is_empty() {
        return Err(StoreError::NotFound(name.into(), "OS keyring"));
    }
    for item in &items {
        let reply = s.call(ITEM, item, "Delete", vec![])?;
        let prompt = path_at(&reply, 0, "Delete")?;
        if prompt != NONE {
            s.prompt(&prompt)?;
        }
    }
    Ok(())
}

impl<'a> Session<'a> {
    /// Opens the encrypted session, or the plain one where the service has no other.
    fn open(on_prompt: &'a dyn Fn()) -> Result<Session<'a>, StoreError> {
        let bus = Bus::session(SOCKET_TIMEOUT)
            .map_err(|e| StoreError::KeyringUnavailable(e.to_string()))?;
        let mut s = Session {
            bus,
            path: String::new(),
            key: None,
            on_prompt,
        };
        let exchange = Exchange::new()
            .map_err(|e| StoreError::Keyring(format!("no random bytes for the session: {e}")))?;
        let input = Value::Variant(Box::new(Value::bytes(&exchange.public())));
        let reply = match s.open_session(ALGORITHM, input) {
            Err(BusError::Remote { ref name, .. })
                if name == "org.freedesktop.DBus.Error.NotSupported" =>
            {
                tracing::info!("the Secret Service has no encrypted session; using the plain one");
                let reply = s.open_session("plain", Value::Variant(Box::new("".into())));
                reply.map_err(|e| unavailable(e, "OpenSession"))?
            }
            reply => {
                let reply = reply.map_err(|e| unavailable(e, "OpenSession"))?;
                let peer = reply.first().map(Value::unwrap_variant);
                let peer = peer
                    .and_then(Value::as_bytes)
                    .ok_or_else(|| unexpected("OpenSession"))?;
                let key = exchange.key(&peer).map_err(|why| {
                    StoreError::Keyring(format!("the Secret Service's encrypted session: {why}"))
                })?;
                s.key = Some(key);
                reply
            }
        };
        s.path = path_at(&reply, 1, "OpenSession")?;
        Ok(s)
    }

    fn open_session(&mut self, algorithm: &str, input: Value) -> Result<Vec<Value>, BusError> {
        let call = Message::call(DEST, SERVICE_PATH, SERVICE, "OpenSession");
        self.bus.call(call.with_body(vec![algorithm.into(), input]))
    }

    fn call(
        &mut self,
        interface: &str,
        path: &str,
        member: &str,
        body: Vec<Value>,
    ) -> Result<Vec<Value>, StoreError> {
        self.bus
            .call(Message::call(DEST, path, interface, member).with_body(body))
            .map_err(|e| store_error(e, member))
    }

    /// Every item of this key name, locked ones unlocked first.
    fn find(&mut self, name: &str) -> Result<Vec<String>, StoreError> {
        let reply = self.call(SERVICE, SERVICE_PATH, "SearchItems", vec![attributes(name)])?;
        let unlocked = paths_at(&reply, 0, "SearchItems")?;
        let locked = paths_at(&reply, 1, "SearchItems")?;
        if !locked.is_empty() {
            self.unlock(locked.clone())?;
        }
        Ok(unlocked.into_iter().chain(locked).collect())
    }

    /// Unlocks items or collections, through the service's prompt where it asks for one.
    fn unlock(&mut self, objects: Vec<String>) -> Result<(), StoreError> {
        let objects = Value::Array("o".into(), objects.into_iter().map(Value::Path).collect());
        let reply = self.call(SERVICE, SERVICE_PATH, "Unlock", vec![objects])?;
        let prompt = path_at(&reply, 1, "Unlock")?;
        if prompt != NONE {
            self.prompt(&prompt)?;
        }
        Ok(())
    }

    /// Shows the service's prompt (an unlock dialog, say) and waits for its answer.
    fn prompt(&mut self, path: &str) -> Result<(), StoreError> {
        let rule = format!("type='signal',interface='{PROMPT}',member='Completed',path='{path}'");
        self.bus
            .call(
                Message::call(
                    "org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus",
                    "AddMatch",
                )
                .with_body(vec![rule.as_str().into()]),
            )
            .map_err(|e| store_error(e, "AddMatch"))?;
        (self.on_prompt)();
        self.call(PROMPT, path, "Prompt", vec!["".into()])?;
        let done = self
            .bus
            .wait_signal(path, PROMPT, "Completed")
            .map_err(|e| store_error(e, "Prompt"))?;
        match done.first().and_then(Value::as_bool) {
            Some(false) => Ok(()),
            Some(true) => Err(StoreError::Keyring(
                "the keyring is locked, and its unlock prompt was dismissed or could not be \
                 shown (unlock it, for example by logging in to the desktop, and try again)"
                    .into(),
            )),
            None => Err(unexpected("Completed")),
        }
    }

    /// The secret as the service takes it in this session.
    fn secret(&self, secret: &Secret) -> Result<Value, StoreError> {
        let plain = secret.expose().as_bytes();
        let (parameters, value) = match &self.key {
            Some(key) => key
                .encrypt(plain)
                .map_err(|e| StoreError::Keyring(format!("no random bytes for the IV: {e}")))?,
            None => (Vec::new(), plain.to_vec()),
        };
        Ok(Value::Struct(vec![
            Value::Path(self.path.clone()),
            Value::bytes(&parameters),
            Value::bytes(&value),
            "text/plain".into(),
        ]))
    }

    /// The bytes of a secret the service sent in this session.
    fn open_secret(&self, reply: &[Value], name: &str) -> Result<Vec<u8>, StoreError> {
        // (o session, ay parameters, ay value, s content type)
        let Some(Value::Struct(fields)) = reply.first() else {
            return Err(unexpected("GetSecret"));
        };
        let field = |at: usize| fields.get(at).and_then(Value::as_bytes);
        let (Some(parameters), Some(value)) = (field(1), field(2)) else {
            return Err(unexpected("GetSecret"));
        };
        match &self.key {
            Some(key) => key.decrypt(&parameters, &value).map_err(|why| {
                StoreError::Keyring(format!("the secret of `{name}` came garbled: {why}"))
            }),
            None => Ok(value),
        }
    }
}

fn attributes(name: &str) -> Value {
    Value::string_dict([("service", KEYRING_SERVICE), ("username", name)])
}

fn property(key: &str, value: Value) -> Value {
    Value::Entry(
        Box::new(key.into()),
        Box::new(Value::Variant(Box::new(value))),
    )
}

fn path_at(reply: &[Value], at: usize, member: &str) -> Result<String, StoreError> {
    match reply.get(at) {
        Some(Value::Path(p)) => Ok(p.clone()),
        _ => Err(unexpected(member)),
    }
}

fn paths_at(reply: &[Value], at: usize, member: &str) -> Result<Vec<String>, StoreError> {
    let items = reply.get(at).and_then(Value::items);
    let paths = items.map(|i| i.iter().filter_map(|p| p.as_str().map(str::to_string)));
    paths
        .map(Iterator::collect)
        .ok_or_else(|| unexpected(member))
}

fn unexpected(member: &str) -> StoreError {
    StoreError::Keyring(format!(
        "the Secret Service answered {member} in a shape oat does not know"
    ))
}

/// A session that cannot be opened means no usable keyring, whatever the reason.
fn unavailable(e: BusError, member: &str) -> StoreError {
    match store_error(e, member) {
        StoreError::Keyring(m) => StoreError::KeyringUnavailable(m),
        other => other,
    }
}

fn store_error(e: BusError, member: &str) -> StoreError {
    match e {
        BusError::NoBus(_) => StoreError::KeyringUnavailable(e.to_string()),
        // Nobody owns the service's name, and no .service file starts one.
        BusError::Remote { ref name, .. }
            if name == "org.freedesktop.DBus.Error.ServiceUnknown"
                || name == "org.freedesktop.DBus.Error.NameHasNoOwner" =>
        {
            StoreError::KeyringUnavailable(format!("no Secret Service on the session bus ({e})"))
        }
        BusError::Remote { .. } => StoreError::Keyring(format!("{member}: {e}")),
        BusError::Io(ref io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            StoreError::KeyringTimeout(SOCKET_TIMEOUT)
        }
        other => StoreError::Keyring(other.to_string()),
    }
}
