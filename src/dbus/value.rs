//! D-Bus values on the wire: each type with its signature, written little-endian and read
//! in either byte order, with the padding the format requires. Knows nothing of messages,
//! sockets or services. File descriptors are read as their index and never passed.

use std::fmt;

/// The largest message accepted (the specification allows 128 MiB; no answer oat asks
/// for comes near this).
pub const MAX_MESSAGE: usize = 64 << 20;
/// Variants inside variants: a hostile peer could nest them without end.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Byte(u8),
    Bool(bool),
    I16(i16),
    U16(u16),
    I32(i32),
    U32(u32),
    I64(i64),
    U64(u64),
    Double(f64),
    /// A file descriptor's index in the message's out-of-band list.
    Fd(u32),
    Str(String),
    Path(String),
    Sig(String),
    /// The element signature is kept so that an empty array still has a type.
    Array(String, Vec<Value>),
    Struct(Vec<Value>),
    /// A dictionary entry: only ever an array's element.
    Entry(Box<Value>, Box<Value>),
    Variant(Box<Value>),
}

impl Value {
    pub fn signature(&self) -> String {
        let mut s = String::new();
        self.push_signature(&mut s);
        s
    }

    fn push_signature(&self, s: &mut String) {
        match self {
            Value::Byte(_) => s.push('y'),
            Value::Bool(_) => s.push('b'),
            Value::I16(_) => s.push('n'),
            Value::U16(_) => s.push('q'),
            Value::I32(_) => s.push('i'),
            Value::U32(_) => s.push('u'),
            Value::I64(_) => s.push('x'),
            Value::U64(_) => s.push('t'),
            Value::Double(_) => s.push('d'),
            Value::Fd(_) => s.push('h'),
            Value::Str(_) => s.push('s'),
            Value::Path(_) => s.push('o'),
            Value::Sig(_) => s.push('g'),
            Value::Array(elem, _) => {
                s.push('a');
                s.push_str(elem);
            }
            Value::Struct(fields) => {
                s.push('(');
                fields.iter().for_each(|f| f.push_signature(s));
                s.push(')');
            }
            Value::Entry(k, v) => {
                s.push('{');
                k.push_signature(s);
                v.push_signature(s);
                s.push('}');
            }
            Value::Variant(_) => s.push('v'),
        }
    }

    /// `ay` from bytes.
    pub fn bytes(b: &[u8]) -> Value {
        Value::Array("y".into(), b.iter().map(|&b| Value::Byte(b)).collect())
    }

    /// `a{ss}` from pairs.
    pub fn string_dict<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Value {
        let entries = pairs
            .into_iter()
            .map(|(k, v)| Value::Entry(Box::new(k.into()), Box::new(v.into())))
            .collect();
        Value::Array("{ss}".into(), entries)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) | Value::Path(s) | Value::Sig(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_u32(&self) -> Option<u32> {
        match self {
            Value::U32(u) => Some(*u),
            _ => None,
        }
    }

    /// The elements of an array (of any element type).
    pub fn items(&self) -> Option<&[Value]> {
        match self {
            Value::Array(_, items) => Some(items),
            _ => None,
        }
    }

    /// The bytes of an `ay`.
    pub fn as_bytes(&self) -> Option<Vec<u8>> {
        self.items()?
            .iter()
            .map(|v| match v {
                Value::Byte(b) => Some(*b),
                _ => None,
            })
            .collect()
    }

    /// What a variant holds (the value itself when it is not one).
    pub fn unwrap_variant(&self) -> &Value {
        match self {
            Value::Variant(inner) => inner.unwrap_variant(),
            other => other,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}

/// Malformed or unexpected bytes. The text never contains a value read: a reply may
/// carry a secret.
#[derive(Debug, Clone, PartialEq)]
pub struct WireError(pub String);

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed D-Bus message: {}", self.0)
    }
}

impl std::error::Error for WireError {}

pub(super) fn bad<T>(what: impl Into<String>) -> Result<T, WireError> {
    Err(WireError(what.into()))
}

/// The length of the first complete type in a signature.
pub(super) fn complete_type(sig: &[u8]) -> Result<usize, WireError> {
    match sig.first() {
        None => bad("an empty type"),
        Some(b'a') => Ok(1 + complete_type(&sig[1..])?),
        Some(open @ (b'(' | b'{')) => {
            let close = if *open == b'(' { b')' } else { b'}' };
            let mut n = 1;
            loop {
                match sig.get(n) {
                    None => return bad("an unclosed container type"),
                    Some(c) if *c == close => return Ok(n + 1),
                    Some(_) => n += complete_type(&sig[n..])?,
                }
            }
        }
        Some(b'y' | b'b' | b'n' | b'q' | b'i' | b'u' | b'x' | b't' | b'd' | b'h' | b's' | b'o')
        | Some(b'g' | b'v') => Ok(1),
        Some(other) => bad(format!("type code {:?}", *other as char)),
    }
}

fn alignment(code: u8) -> usize {
    match code {
        b'y' | b'g' | b'v' => 1,
        b'n' | b'q' => 2,
        b'x' | b't' | b'd' | b'(' | b'{' => 8,
        _ => 4, // b i u h s o a
    }
}

#[derive(Default)]
pub(super) struct Writer {
    pub(super) buf: Vec<u8>,
}

impl Writer {
    pub(super) fn align(&mut self, n: usize) {
        let len = self.buf.len().next_multiple_of(n);
        self.buf.resize(len, 0);
    }

    pub(super) fn u32(&mut self, v: u32) {
        self.align(4);
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn text(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(0);
    }

    pub(super) fn value(&mut self, v: &Value) {
        match v {
            Value::Byte(b) => self.buf.push(*b),
            Value::Bool(b) => self.u32(u32::from(*b)),
            Value::I16(n) => self.fixed(2, &n.to_le_bytes()),
            Value::U16(n) => self.fixed(2, &n.to_le_bytes()),
            Value::I32(n) => self.fixed(4, &n.to_le_bytes()),
            Value::U32(n) | Value::Fd(n) => self.u32(*n),
            Value::I64(n) => self.fixed(8, &n.to_le_bytes()),
            Value::U64(n) => self.fixed(8, &n.to_le_bytes()),
            Value::Double(d) => self.fixed(8, &d.to_le_bytes()),
            Value::Str(s) | Value::Path(s) => self.text(s),
            Value::Sig(s) => {
                self.buf.push(s.len() as u8);
                self.buf.extend_from_slice(s.as_bytes());
                self.buf.push(0);
            }
            Value::Array(elem, items) => {
                self.u32(0);
                let at = self.buf.len() - 4;
                self.align(alignment(elem.as_bytes().first().copied().unwrap_or(b'y')));
                let start = self.buf.len();
                items.iter().for_each(|i| self.value(i));
                let len = (self.buf.len() - start) as u32;
                self.buf[at..at + 4].copy_from_slice(&len.to_le_bytes());
            }
            Value::Struct(fields) => {
                self.align(8);
                fields.iter().for_each(|f| self.value(f));
            }
            Value::Entry(k, v) => {
                self.align(8);
                self.value(k);
                self.value(v);
            }
            Value::Variant(inner) => {
                self.value(&Value::Sig(inner.signature()));
                self.value(inner);
            }
        }
    }

    fn fixed(&mut self, align: usize, bytes: &[u8]) {
        self.align(align);
        self.buf.extend_from_slice(bytes);
    }
}

pub(super) struct Reader<'a> {
    pub(super) buf: &'a [u8],
    pub(super) pos: usize,
    pub(super) big: bool,
    pub(super) depth: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], WireError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else {
            return bad("the message ends early");
        };
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    pub(super) fn align(&mut self, n: usize) -> Result<(), WireError> {
        let pad = self.pos.next_multiple_of(n) - self.pos;
        if self.take(pad)?.iter().any(|&b| b != 0) {
            return bad("non-zero padding");
        }
        Ok(())
    }

    pub(super) fn byte(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        self.align(N)?;
        let mut b = [0; N];
        b.copy_from_slice(self.take(N)?);
        if self.big {
            b.reverse();
        }
        Ok(b) // little-endian from here on
    }

    pub(super) fn u32(&mut self) -> Result<u32, WireError> {
        Ok(u32::from_le_bytes(self.fixed()?))
    }

    fn text(&mut self, len: usize) -> Result<String, WireError> {
        let bytes = self.take(len)?.to_vec();
        if self.byte()? != 0 {
            return bad("a string without its terminating nul");
        }
        String::from_utf8(bytes).or_else(|_| bad("a string that is not UTF-8"))
    }

    pub(super) fn value(&mut self, t: &[u8]) -> Result<Value, WireError> {
        Ok(match t[0] {
            b'y' => Value::Byte(self.byte()?),
            b'b' => match self.u32()? {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                _ => return bad("a boolean that is neither 0 nor 1"),
            },
            b'n' => Value::I16(i16::from_le_bytes(self.fixed()?)),
            b'q' => Value::U16(u16::from_le_bytes(self.fixed()?)),
            b'i' => Value::I32(i32::from_le_bytes(self.fixed()?)),
            b'u' => Value::U32(self.u32()?),
            b'h' => Value::Fd(self.u32()?),
            b'x' => Value::I64(i64::from_le_bytes(self.fixed()?)),
            b't' => Value::U64(u64::from_le_bytes(self.fixed()?)),
            b'd' => Value::Double(f64::from_le_bytes(self.fixed()?)),
            b's' => {
                let len = self.u32()? as usize;
                Value::Str(self.text(len)?)
            }
            b'o' => {
                let len = self.u32()? as usize;
                Value::Path(self.text(len)?)
            }
            b'g' => {
                let len = self.byte()? as usize;
                Value::Sig(self.text(len)?)
            }
            b'v' => {
                let len = self.byte()? as usize;
                let sig = self.text(len)?;
                if sig.is_empty() || complete_type(sig.as_bytes())? != sig.len() {
                    return bad("a variant whose signature is not one type");
                }
                if self.depth >= MAX_DEPTH {
                    return bad("variants nested too deep");
                }
                self.depth += 1;
                let inner = self.value(sig.as_bytes());
                self.depth -= 1;
                Value::Variant(Box::new(inner?))
            }
            b'a' => {
                let len = self.u32()? as usize;
                let elem = &t[1..];
                self.align(alignment(elem[0]))?;
                let end = self.pos.saturating_add(len);
                if end > self.buf.len() {
                    return bad("an array longer than the message");
                }
                let mut items = Vec::new();
                while self.pos < end {
                    items.push(self.value(elem)?);
                }
                if self.pos != end {
                    return bad("an array's length");
                }
                Value::Array(String::from_utf8_lossy(elem).into_owned(), items)
            }
            b'(' => {
                self.align(8)?;
                let mut inner = &t[1..t.len() - 1];
                let mut fields = Vec::new();
                while !inner.is_empty() {
                    let n = complete_type(inner)?;
                    fields.push(self.value(&inner[..n])?);
                    inner = &inner[n..];
                }
                Value::Struct(fields)
            }
            b'{' => {
                self.align(8)?;
                let inner = &t[1..t.len() - 1];
                let n = complete_type(inner)?;
                let k = self.value(&inner[..n])?;
                let v = self.value(&inner[n..])?;
                Value::Entry(Box::new(k), Box::new(v))
            }
            other => return bad(format!("type code {:?}", other as char)),
        })
    }
}
