//! The `qs`-style query-string writer.
//!
//! Strapi parses query strings with `qs` (`arrayLimit: 100`, `depth: 20`, the default
//! `parameterLimit` of 1000, `strictNullHandling`). Past those limits `qs` silently turns
//! arrays into objects, merges deep keys into one, or drops parameters; the writer counts
//! them and the encoder reports a typed error instead of sending a query Strapi would misread.

use std::fmt::Write as _;

/// `qs`' `parameterLimit` default: later parameters are dropped.
pub(crate) const MAX_PARAMS: usize = 1000;
/// Strapi's `arrayLimit`: an index above it turns the array into an object.
pub(crate) const MAX_ARRAY_LEN: usize = 100;
/// Strapi's `depth`: bracket segments beyond it are merged into one key.
pub(crate) const MAX_DEPTH: usize = 20;

/// Receives `(key, value)` pairs: the raw key (`filters[title][$eq]`) and the same key
/// already percent-encoded (kept up to date segment by segment, so that a shared prefix is
/// encoded once, not once per pair).
pub(crate) trait Sink {
    fn pair(&mut self, key: &str, encoded_key: &str, value: Option<&str>);
}

/// Writes `application/x-www-form-urlencoded` pairs, keys and values percent-encoded.
pub(crate) struct Encoder {
    pub out: String,
}

impl Sink for Encoder {
    fn pair(&mut self, _key: &str, encoded_key: &str, value: Option<&str>) {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        self.out.push_str(encoded_key);
        // strictNullHandling: a key without `=` is null, `key=` is the empty string.
        if let Some(v) = value {
            self.out.push('=');
            encode_component(&mut self.out, v);
        }
    }
}

/// Collects raw pairs (for inspection and tests).
pub(crate) struct Pairs(pub Vec<(String, Option<String>)>);

impl Sink for Pairs {
    fn pair(&mut self, key: &str, _encoded_key: &str, value: Option<&str>) {
        self.0.push((key.to_owned(), value.map(str::to_owned)));
    }
}

/// Percent-encodes like `encodeURIComponent`, with space as `+`: only `A-Z a-z 0-9 - . _ ~`
/// stay as they are.
pub(crate) fn encode_component(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    /// The bytes that stay as they are.
    const KEEP: [bool; 256] = {
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            let b = i as u8;
            t[i] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
            i += 1;
        }
        t
    };
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if KEEP[b as usize] {
            continue;
        }
        // A kept run is ASCII and starts after an encoded byte, so it is a char boundary;
        // between two bytes of one multi-byte char the run is empty.
        if start < i {
            out.push_str(&s[start..i]);
        }
        if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xF) as usize] as char);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// A key under construction, with the limits `qs` imposes tracked on the way.
pub(crate) struct KeyWriter<'s> {
    key: String,
    enc: String,
    depth: usize,
    pub params: usize,
    pub error: Option<String>,
    sink: &'s mut dyn Sink,
}

impl<'s> KeyWriter<'s> {
    pub fn new(sink: &'s mut dyn Sink) -> Self {
        KeyWriter {
            key: String::with_capacity(64),
            enc: String::with_capacity(128),
            depth: 0,
            params: 0,
            error: None,
            sink,
        }
    }

    /// Starts a top-level key (`filters`, `sort`, …).
    pub fn root(&mut self, name: &str) -> Mark {
        let mark = self.mark();
        self.key.push_str(name);
        encode_component(&mut self.enc, name);
        mark
    }

    /// Appends a `[segment]`.
    pub fn seg(&mut self, segment: &str) -> Mark {
        let mark = self.mark();
        self.key.push('[');
        self.key.push_str(segment);
        self.key.push(']');
        self.enc.push_str("%5B");
        encode_component(&mut self.enc, segment);
        self.enc.push_str("%5D");
        self.depth += 1;
        if self.depth > MAX_DEPTH && self.error.is_none() {
            self.error = Some(format!(
                "query key `{}` is nested deeper than the {MAX_DEPTH} levels Strapi's parser reads",
                self.key
            ));
        }
        mark
    }

    /// Appends a `[name]` given by the caller (field, relation, component): refused when
    /// `qs` would read it as structure instead of a name (empty, brackets, a leading `$`,
    /// or all digits, which `qs` takes for an array index).
    pub fn name(&mut self, name: &str) -> Mark {
        let structural = name.is_empty()
            || name.contains(['[', ']'])
            || name.starts_with('$')
            || name.bytes().all(|b| b.is_ascii_digit());
        if structural && self.error.is_none() {
            self.error = Some(format!(
                "{name:?} cannot be sent as a name: Strapi's query parser would read it as structure"
            ));
        }
        self.seg(name)
    }

    /// Appends an array index `[i]`, checking Strapi's array limit.
    pub fn index(&mut self, i: usize) -> Mark {
        if i >= MAX_ARRAY_LEN && self.error.is_none() {
            self.error = Some(format!(
                "`{}` has more than {MAX_ARRAY_LEN} elements; Strapi's parser would read it as an object (split the request)",
                self.key
            ));
        }
        let buf = itoa_buf(i);
        self.seg(buf.as_str())
    }

    /// Emits the current key with a value.
    pub fn value(&mut self, value: Option<&str>) {
        self.params += 1;
        if self.params > MAX_PARAMS && self.error.is_none() {
            self.error = Some(format!(
                "the query has more than {MAX_PARAMS} parameters; Strapi's parser ignores the rest"
            ));
        }
        self.sink.pair(&self.key, &self.enc, value);
    }

    fn mark(&self) -> Mark {
        Mark {
            len: self.key.len(),
            enc_len: self.enc.len(),
            depth: self.depth,
        }
    }

    /// Returns to a previous key.
    pub fn reset(&mut self, mark: Mark) {
        self.key.truncate(mark.len);
        self.enc.truncate(mark.enc_len);
        self.depth = mark.depth;
    }

    /// `key[segment]=value`, then back.
    pub fn leaf(&mut self, segment: &str, value: Option<&str>) {
        let m = self.seg(segment);
        self.value(value);
        self.reset(m);
    }

    /// `key[0]=a&key[1]=b…`, then back.
    pub fn list<S: AsRef<str>>(&mut self, items: &[S]) {
        for (i, item) in items.iter().enumerate() {
            let m = self.index(i);
            self.value(Some(item.as_ref()));
            self.reset(m);
        }
    }
}

/// A saved key position.
#[derive(Clone, Copy)]
pub(crate) struct Mark {
    len: usize,
    enc_len: usize,
    depth: usize,
}

/// A small stack buffer for formatting an index without allocating on the heap.
pub(crate) struct IdxBuf {
    buf: [u8; 20],
    len: usize,
}

impl IdxBuf {
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("0")
    }
}

pub(crate) fn itoa_buf(n: usize) -> IdxBuf {
    itoa_u64(n as u64)
}

pub(crate) fn itoa_u64(mut n: u64) -> IdxBuf {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let len = tmp.len() - i;
    let mut buf = [0u8; 20];
    buf[..len].copy_from_slice(&tmp[i..]);
    IdxBuf { buf, len }
}

/// Formats a JSON scalar the way `qs.stringify` does.
pub(crate) fn scalar_to_string(out: &mut String, v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::String(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => out.push_str(itoa_u64(u).as_str()),
            (None, Some(i)) => {
                out.push('-');
                out.push_str(itoa_u64(i.unsigned_abs()).as_str());
            }
            _ => {
                let _ = write!(out, "{n}");
            }
        },
        Value::Null => return false,
        // Objects and arrays have no scalar form; callers never pass them.
        other => {
            let _ = write!(out, "{other}");
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_qs() {
        let mut s = String::new();
        encode_component(&mut s, "filters[$or][0][title]");
        assert_eq!(s, "filters%5B%24or%5D%5B0%5D%5Btitle%5D");
        let mut s = String::new();
        encode_component(&mut s, "Author 1:é/*,~._-");
        assert_eq!(s, "Author+1%3A%C3%A9%2F%2A%2C~._-");
        assert_eq!(itoa_buf(0).as_str(), "0");
        assert_eq!(itoa_buf(1234567).as_str(), "1234567");
    }
}
