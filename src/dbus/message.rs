//! D-Bus messages: the header (kind, serial, fields) around a body of values. Knows
//! nothing of sockets; oat sends method calls and reads replies, errors and signals.

use super::value::{MAX_MESSAGE, Reader, Value, WireError, Writer, bad, complete_type};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Call = 1,
    Return = 2,
    Error = 3,
    Signal = 4,
}

/// A message without its serial, which the connection assigns when it sends one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    pub kind: Option<Kind>,
    pub serial: u32,
    pub path: Option<String>,
    pub interface: Option<String>,
    pub member: Option<String>,
    pub error_name: Option<String>,
    pub reply_serial: Option<u32>,
    pub destination: Option<String>,
    pub sender: Option<String>,
    pub body: Vec<Value>,
}

impl Message {
    pub fn call(destination: &str, path: &str, interface: &str, member: &str) -> Self {
        Message {
            kind: Some(Kind::Call),
            path: Some(path.into()),
            interface: Some(interface.into()),
            member: Some(member.into()),
            destination: Some(destination.into()),
            ..Message::default()
        }
    }

    pub fn with_body(mut self, body: Vec<Value>) -> Self {
        self.body = body;
        self
    }

    /// The bytes of this message, little-endian, numbered `serial`.
    pub fn encode(&self, serial: u32) -> Vec<u8> {
        let mut body = Writer::default();
        self.body.iter().for_each(|v| body.value(v));
        let signature: String = self.body.iter().map(Value::signature).collect();

        let mut fields = Vec::new();
        let mut field = |code: u8, v: Option<Value>| {
            if let Some(v) = v {
                fields.push(Value::Struct(vec![
                    Value::Byte(code),
                    Value::Variant(Box::new(v)),
                ]));
            }
        };
        // In libdbus's order, so that a call is byte for byte what `dbus-send` sends.
        field(1, self.path.clone().map(Value::Path));
        field(6, self.destination.as_deref().map(Value::from));
        field(2, self.interface.as_deref().map(Value::from));
        field(3, self.member.as_deref().map(Value::from));
        field(4, self.error_name.as_deref().map(Value::from));
        field(5, self.reply_serial.map(Value::U32));
        field(7, self.sender.as_deref().map(Value::from));
        if !signature.is_empty() {
            field(8, Some(Value::Sig(signature)));
        }

        let mut head = Writer::default();
        head.buf.push(b'l');
        head.buf.push(self.kind.unwrap_or(Kind::Call) as u8);
        head.buf.push(0); // flags: a reply is wanted
        head.buf.push(1); // protocol version
        head.u32(body.buf.len() as u32);
        head.u32(serial);
        head.value(&Value::Array("(yv)".into(), fields));
        head.align(8);
        head.buf.extend_from_slice(&body.buf);
        head.buf
    }

    /// The whole length of the message whose first 16 bytes these are.
    pub fn length(first: &[u8; 16]) -> Result<usize, WireError> {
        let big = match first[0] {
            b'l' => false,
            b'B' => true,
            _ => return bad("unknown byte order"),
        };
        let word = |at: usize| {
            let b = [first[at], first[at + 1], first[at + 2], first[at + 3]];
            if big {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        };
        let fields = word(12) as usize;
        let body = word(4) as usize;
        let total = (16 + fields).next_multiple_of(8).saturating_add(body);
        if total > MAX_MESSAGE {
            return bad(format!("a message of {total} bytes"));
        }
        Ok(total)
    }

    pub fn decode(buf: &[u8]) -> Result<Message, WireError> {
        let mut r = Reader {
            buf,
            pos: 0,
            big: buf.first() == Some(&b'B'),
            depth: 0,
        };
        if !matches!(buf.first(), Some(b'l' | b'B')) {
            return bad("unknown byte order");
        }
        r.pos = 1;
        let kind = match r.byte()? {
            1 => Kind::Call,
            2 => Kind::Return,
            3 => Kind::Error,
            4 => Kind::Signal,
            other => return bad(format!("message type {other}")),
        };
        let _flags = r.byte()?;
        if r.byte()? != 1 {
            return bad("protocol version");
        }
        let body_len = r.u32()? as usize;
        let serial = r.u32()?;
        let fields = r.value(b"a(yv)")?;
        r.align(8)?;
        let mut m = Message {
            kind: Some(kind),
            serial,
            ..Message::default()
        };
        let mut signature = String::new();
        for f in fields.items().unwrap_or_default() {
            let Value::Struct(pair) = f else { continue };
            let (Some(Value::Byte(code)), Some(v)) = (pair.first(), pair.get(1)) else {
                continue;
            };
            let v = v.unwrap_variant();
            let text = v.as_str().map(str::to_string);
            match code {
                1 => m.path = text,
                2 => m.interface = text,
                3 => m.member = text,
                4 => m.error_name = text,
                5 => m.reply_serial = v.as_u32(),
                6 => m.destination = text,
                7 => m.sender = text,
                8 => signature = text.unwrap_or_default(),
                _ => {} // unknown fields are to be ignored
            }
        }
        if r.buf.len() != r.pos + body_len {
            return bad("the body's length");
        }
        let mut rest = signature.as_bytes();
        while !rest.is_empty() {
            let n = complete_type(rest)?;
            m.body.push(r.value(&rest[..n])?);
            rest = &rest[n..];
        }
        if r.pos != r.buf.len() {
            return bad("bytes after the body");
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dbus::value::complete_type;

    /// `dbus-send --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus
    /// org.freedesktop.DBus.Hello`, as libdbus wrote it (serial 1), captured byte for byte
    /// from a socket standing in for the bus.
    const HELLO: &[u8] = b"l\x01\x00\x01\x00\x00\x00\x00\x01\x00\x00\x00n\x00\x00\x00\
\x01\x01o\x00\x15\x00\x00\x00/org/freedesktop/DBus\x00\x00\x00\
\x06\x01s\x00\x14\x00\x00\x00org.freedesktop.DBus\x00\x00\x00\x00\
\x02\x01s\x00\x14\x00\x00\x00org.freedesktop.DBus\x00\x00\x00\x00\
\x03\x01s\x00\x05\x00\x00\x00Hello\x00\x00\x00";

    #[test]
    fn a_call_is_encoded_as_libdbus_encodes_it() {
        let hello = Message::call(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "Hello",
        );
        assert_eq!(hello.encode(1), HELLO);
        let back = Message::decode(HELLO).unwrap();
        assert_eq!(back.member.as_deref(), Some("Hello"));
        assert_eq!(back.serial, 1);
    }

    #[test]
    fn every_type_oat_sends_reads_back_the_same() {
        let body = vec![
            Value::string_dict([("service", "oat"), ("username", "work")]),
            Value::Struct(vec![
                Value::Path("/org/freedesktop/secrets/session/1".into()),
                Value::bytes(&[]),
                Value::bytes(b"sk-ant-api03-x"),
                "text/plain".into(),
            ]),
            Value::Bool(true),
            Value::Variant(Box::new(Value::Array(
                "o".into(),
                vec![Value::Path("/a".into()), Value::Path("/b".into())],
            ))),
            Value::Array("{sv}".into(), vec![]),
            Value::Byte(7),
            Value::U64(1 << 40),
            Value::I16(-2),
            Value::Double(0.5),
        ];
        let m = Message::call("d.e", "/p", "i.f", "M").with_body(body.clone());
        let bytes = m.encode(9);
        let mut first = [0u8; 16];
        first.copy_from_slice(&bytes[..16]);
        assert_eq!(Message::length(&first).unwrap(), bytes.len());
        let back = Message::decode(&bytes).unwrap();
        assert_eq!(back.body, body);
        assert_eq!(back.interface.as_deref(), Some("i.f"));
        assert_eq!(back.body[1].signature(), "(oayays)");
    }

    #[test]
    fn a_big_endian_reply_is_read() {
        // A method return (serial 2, reply to 1) carrying one string, written big-endian.
        let mut m = b"B\x02\x00\x01\x00\x00\x00\x0a\x00\x00\x00\x02\x00\x00\x00\x0f".to_vec();
        m.extend_from_slice(b"\x05\x01u\x00\x00\x00\x00\x01\x08\x01g\x00\x01s\x00\x00");
        m.extend_from_slice(b"\x00\x00\x00\x05hello\x00");
        let back = Message::decode(&m).unwrap();
        assert_eq!(back.kind, Some(Kind::Return));
        assert_eq!(back.reply_serial, Some(1));
        assert_eq!(back.body, vec!["hello".into()]);
    }

    #[test]
    fn garbage_is_an_error_that_shows_no_value() {
        let m = Message::call("d", "/p", "i.f", "M")
            .with_body(vec![Value::bytes(b"sk-ant-api03-secret")]);
        let good = m.encode(3);
        for cut in [0, 1, 15, 16, good.len() - 1] {
            assert!(Message::decode(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut long_array = good.clone();
        let at = long_array.len() - 19 - 4; // the array's length word
        long_array[at] = 0xff;
        let e = Message::decode(&long_array).unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
        let mut first = [0u8; 16];
        first.copy_from_slice(&good[..16]);
        first[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Message::length(&first).is_err());
        assert!(complete_type(b"a{sv").is_err());
        assert!(complete_type(b"z").is_err());
    }

    #[test]
    fn variants_nested_without_end_are_refused() {
        let mut v = Value::U32(1);
        for _ in 0..100 {
            v = Value::Variant(Box::new(v));
        }
        let bytes = Message::call("d", "/p", "i.f", "M")
            .with_body(vec![v])
            .encode(1);
        assert!(Message::decode(&bytes).is_err());
    }
}
