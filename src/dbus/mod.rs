//! A blocking client for the D-Bus session bus, as small as oat's one use of it (the
//! Secret Service) allows: find the bus, authenticate, call methods, wait for a signal.
//! It knows no service; callers run it on a thread of their own with a deadline.
//!
//! Written here rather than taken from zbus, which brought an async runtime of its own,
//! proc macros and 1.3 MB of an 11.8 MB binary for these few calls (README, "Build size").

mod message;
mod value;

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

pub use message::{Kind, Message};
pub use value::{Value, WireError};

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// No session bus to talk to: not set, or nothing listening.
    #[error("no D-Bus session bus ({0})")]
    NoBus(String),
    /// The bus or a service answered with an error.
    #[error("{name}: {message}")]
    Remote { name: String, message: String },
    #[error("the D-Bus connection failed: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Wire(#[from] WireError),
}

pub struct Bus {
    stream: UnixStream,
    serial: u32,
    /// Signals that arrived while a reply was awaited, for `wait_signal`.
    signals: VecDeque<Message>,
}

impl Bus {
    /// Connects to the session bus named by `DBUS_SESSION_BUS_ADDRESS` (or
    /// `$XDG_RUNTIME_DIR/bus`, where systemd puts it), authenticated as this user. Every
    /// read and write gives up after `timeout`.
    pub fn session(timeout: Duration) -> Result<Bus, BusError> {
        let address = match std::env::var("DBUS_SESSION_BUS_ADDRESS") {
            Ok(a) if !a.is_empty() => a,
            _ => match std::env::var_os("XDG_RUNTIME_DIR") {
                Some(dir) if std::path::Path::new(&dir).join("bus").exists() => {
                    format!("unix:path={}/bus", std::path::Path::new(&dir).display())
                }
                _ => {
                    return Err(BusError::NoBus(
                        "DBUS_SESSION_BUS_ADDRESS is not set".into(),
                    ));
                }
            },
        };
        Bus::open(&address, timeout)
    }

    /// Connects to the first address of the list that answers.
    pub fn open(address: &str, timeout: Duration) -> Result<Bus, BusError> {
        let mut last = BusError::NoBus(format!("no address oat can use in `{address}`"));
        for one in address.split(';') {
            match connect(one) {
                Ok(Some(stream)) => return Bus::start(stream, timeout),
                Ok(None) => {}
                Err(e) => last = BusError::NoBus(format!("{one}: {e}")),
            }
        }
        Err(last)
    }

    fn start(stream: UnixStream, timeout: Duration) -> Result<Bus, BusError> {
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        let mut bus = Bus {
            stream,
            serial: 0,
            signals: VecDeque::new(),
        };
        bus.authenticate()?;
        bus.call(Message::call(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "Hello",
        ))?;
        Ok(bus)
    }

    /// SASL EXTERNAL: the bus checks the socket's peer credentials against the uid sent.
    fn authenticate(&mut self) -> Result<(), BusError> {
        // SAFETY: getuid cannot fail and touches no memory.
        let uid = unsafe { libc::getuid() }.to_string();
        let hex: String = uid.bytes().map(|b| format!("{b:02x}")).collect();
        self.stream
            .write_all(format!("\0AUTH EXTERNAL {hex}\r\n").as_bytes())?;
        let line = self.line()?;
        if !line.starts_with("OK ") {
            return Err(BusError::NoBus(format!("the bus refused oat: {line}")));
        }
        self.stream.write_all(b"BEGIN\r\n")?;
        Ok(())
    }

    /// One line of the authentication dialogue, read a byte at a time so that nothing
    /// past it is consumed.
    fn line(&mut self) -> Result<String, BusError> {
        let mut line = Vec::new();
        let mut byte = [0u8];
        while !line.ends_with(b"\r\n") {
            self.stream.read_exact(&mut byte)?;
            line.push(byte[0]);
            if line.len() > 512 {
                return Err(WireError("an authentication line without end".into()).into());
            }
        }
        line.truncate(line.len() - 2);
        Ok(String::from_utf8_lossy(&line).into_owned())
    }

    /// Sends a method call and returns the reply's body; an error reply is `Remote`.
    pub fn call(&mut self, call: Message) -> Result<Vec<Value>, BusError> {
        self.serial += 1;
        let serial = self.serial;
        self.stream.write_all(&call.encode(serial))?;
        loop {
            let m = self.receive()?;
            match m.kind {
                Some(Kind::Return) if m.reply_serial == Some(serial) => return Ok(m.body),
                Some(Kind::Error) if m.reply_serial == Some(serial) => {
                    return Err(BusError::Remote {
                        name: m.error_name.unwrap_or_default(),
                        message: m
                            .body
                            .first()
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    });
                }
                Some(Kind::Signal) => self.signals.push_back(m),
                _ => {} // a reply to nothing oat still waits for, or a call oat does not serve
            }
        }
    }

    /// Waits for the signal `interface.member` from the object `path` and returns its
    /// body. The caller has asked the bus for it (`AddMatch`) before causing it.
    pub fn wait_signal(
        &mut self,
        path: &str,
        interface: &str,
        member: &str,
    ) -> Result<Vec<Value>, BusError> {
        let wanted = |m: &Message| {
            m.path.as_deref() == Some(path)
                && m.interface.as_deref() == Some(interface)
                && m.member.as_deref() == Some(member)
        };
        if let Some(at) = self.signals.iter().position(wanted) {
            return Ok(self.signals.remove(at).map(|m| m.body).unwrap_or_default());
        }
        loop {
            let m = self.receive()?;
            if m.kind == Some(Kind::Signal) && wanted(&m) {
                return Ok(m.body);
            }
        }
    }

    fn receive(&mut self) -> Result<Message, BusError> {
        let mut first = [0u8; 16];
        self.stream.read_exact(&mut first)?;
        let mut buf = vec![0u8; Message::length(&first)?];
        buf[..16].copy_from_slice(&first);
        self.stream.read_exact(&mut buf[16..])?;
        Ok(Message::decode(&buf)?)
    }
}

/// A stream for one address of the list (`unix:path=…` or, on Linux, `unix:abstract=…`);
/// `None` for a transport oat does not speak.
fn connect(address: &str) -> std::io::Result<Option<UnixStream>> {
    let Some(params) = address.strip_prefix("unix:") else {
        return Ok(None);
    };
    for pair in params.split(',') {
        let Some((key, raw)) = pair.split_once('=') else {
            continue;
        };
        let value = unescape(raw);
        match key {
            "path" => return UnixStream::connect(value).map(Some),
            #[cfg(any(target_os = "linux", target_os = "android"))]
            "abstract" => {
                use std::os::linux::net::SocketAddrExt;
                let addr = std::os::unix::net::SocketAddr::from_abstract_name(value.as_bytes())?;
                return UnixStream::connect_addr(&addr).map(Some);
            }
            _ => {}
        }
    }
    Ok(None)
}

/// Addresses escape bytes as `%xx`.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_unescaped_and_unknown_transports_passed_over() {
        assert_eq!(unescape("/tmp/a%20b%2c"), "/tmp/a b,");
        assert_eq!(unescape("100%"), "100%");
        assert!(matches!(connect("tcp:host=localhost,port=1"), Ok(None)));
        assert!(connect("unix:path=/nonexistent/oat-bus").is_err());
    }

    #[test]
    fn without_a_bus_the_error_says_so() {
        let e = Bus::open("unix:path=/nonexistent/bus", Duration::from_secs(1)).err();
        let text = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.starts_with("no D-Bus session bus"), "{text}");
        let e = Bus::open("tcp:host=localhost,port=1", Duration::from_secs(1)).err();
        let text = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("no address oat can use"), "{text}");
    }
}
