//! The `qs`-style query-string writer.
//!
//! Strapi parses query strings with `qs` (`arrayLimit: 100`, `depth: 20`, the default
//! `parameterLimit` of 1000, `strictNullHandling`). Past those limits `qs` silently turns
//! arrays into objects, merges deep keys into one, or drops parameters; the writer counts
//! them and the encoder reports a typed error instead of sending a query Strapi would misread.

use crate::version::ApiVersion;

/// `qs`' `parameterLimit` default: later parameters are dropped.
pub(crate) const MAX_PARAMS: usize = 1000;
/// Strapi's `depth`: bracket segments beyond it are merged into one key.
pub(crate) const MAX_DEPTH: usize = 20;

/// The longest array `qs` reads as an array with Strapi's `arrayLimit: 100`. The two
/// versions' `qs` differ by one: 6.11.1 (Strapi 4) accepts indices up to and including the
/// limit, 6.15.3 (Strapi 5) only below it; past that the array becomes an object.
pub(crate) fn max_array_len(version: ApiVersion) -> usize {
    match version {
        ApiVersion::V4 => 101,
        ApiVersion::V5 => 100,
    }
}

/// The names `qs` drops without `allowPrototypes` (every own property of
/// `Object.prototype`): a key segment with one of them vanishes, and the filter with it.
/// As values (fields, sort, the populate list) they would reach Strapi's
/// `attributes[name]` lookups, which find the prototype's member; refused there too.
const PROTOTYPE_NAMES: [&str; 12] = [
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "hasOwnProperty",
    "__lookupGetter__",
    "__lookupSetter__",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toString",
    "valueOf",
    "__proto__",
    "toLocaleString",
];

/// Whether `qs` (with Strapi's options) drops a key segment spelled `name`.
pub(crate) fn is_prototype_name(name: &str) -> bool {
    PROTOTYPE_NAMES.contains(&name)
}

/// The error for a name `qs` would drop.
pub(crate) fn prototype_name_error(name: &str, what: &str) -> String {
    format!(
        "{what} {name:?} cannot be sent: Strapi's query parser drops keys named like \
         `Object.prototype` members"
    )
}

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
    max_array_len: usize,
    pub params: usize,
    pub error: Option<String>,
    sink: &'s mut dyn Sink,
}

impl<'s> KeyWriter<'s> {
    pub fn new(sink: &'s mut dyn Sink, version: ApiVersion) -> Self {
        KeyWriter {
            key: String::with_capacity(64),
            enc: String::with_capacity(128),
            depth: 0,
            max_array_len: max_array_len(version),
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
    /// or all digits, which `qs` takes for an array index), or drop it (a prototype name).
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
        if is_prototype_name(name) {
            self.fail(|| prototype_name_error(name, "name"));
        }
        self.seg(name)
    }

    /// Records the first error; later ones are not built.
    pub fn fail(&mut self, message: impl FnOnce() -> String) {
        self.error.get_or_insert_with(message);
    }

    /// Checks a name sent as a value (a field, a sort field, a populate list entry): each
    /// dot-separated part is looked up by Strapi as an attribute.
    pub fn check_value_name(&mut self, name: &str, what: &str) {
        if self.error.is_none() {
            if let Some(part) = name.split('.').find(|p| is_prototype_name(p)) {
                self.error = Some(prototype_name_error(part, what));
            }
        }
    }

    /// Appends an array index `[i]`, checking Strapi's array limit.
    pub fn index(&mut self, i: usize) -> Mark {
        if i >= self.max_array_len && self.error.is_none() {
            self.error = Some(format!(
                "`{}` has more than {} elements; Strapi's parser would read it as an object (split the request)",
                self.key, self.max_array_len
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

/// A value with no query-string form.
pub(crate) struct NotScalar;

/// Formats a JSON scalar the way `qs.stringify` does (numbers as JavaScript's `String(n)`).
/// `Ok(false)` is null (written as a key without `=`); arrays and objects are refused.
pub(crate) fn scalar_to_string(out: &mut String, v: &serde_json::Value) -> Result<bool, NotScalar> {
    use serde_json::Value;
    match v {
        Value::String(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => out.push_str(itoa_u64(u).as_str()),
            (None, Some(i), _) => {
                out.push('-');
                out.push_str(itoa_u64(i.unsigned_abs()).as_str());
            }
            (None, None, Some(f)) => push_js_number(out, f),
            // Only with serde_json's `arbitrary_precision`: the number as written.
            (None, None, None) => out.push_str(&n.to_string()),
        },
        Value::Null => return Ok(false),
        Value::Array(_) | Value::Object(_) => return Err(NotScalar),
    }
    Ok(true)
}

/// Writes a finite `f` as JavaScript's `Number.prototype.toString()` does (ECMA-262
/// Number::toString): the shortest digits that round-trip, `1` for 1.0, `0` for -0.0,
/// plain notation from 1e-6 up to below 1e21 and `d.ddde±x` outside.
pub(crate) fn push_js_number(out: &mut String, f: f64) {
    use std::fmt::Write as _;
    if f == 0.0 {
        out.push('0');
        return;
    }
    if f < 0.0 {
        out.push('-');
    }
    // Rust's `{:e}` gives the fewest digits that round-trip (`d.ddde±x`), but when several
    // spellings of that length round-trip it may not pick JavaScript's one, the closest to
    // `f` (ties to even: 277893921871438.125 is `…438.12`). Rounding `f` exactly to that
    // many digits gives the closest, which round-trips too.
    let mut sci = String::with_capacity(32);
    let _ = write!(sci, "{:e}", f.abs());
    let k = sci
        .split('e')
        .next()
        .unwrap_or("")
        .bytes()
        .filter(u8::is_ascii_digit)
        .count();
    sci.clear();
    let _ = write!(sci, "{:.*e}", k.saturating_sub(1), f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i32;
    // The value is 0.d1d2…dk × 10^n.
    let n = exp + 1;
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if n - 1 < 0 { '-' } else { '+' });
        let _ = write!(out, "{}", (n - 1).abs());
    }
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

    #[test]
    fn numbers_are_spelled_like_javascript() {
        // Checked against node's `String(x)`; tests/it/cases/qs.rs compares many more.
        let cases: [(f64, &str); 17] = [
            // Exactly …438.125, halfway between two 17-digit spellings.
            (277893921871438.0 + 0.125, "277893921871438.12"),
            (1.0, "1"),
            (-0.0, "0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e16, "10000000000000000"),
            (1.5e20, "150000000000000000000"),
            (1e21, "1e+21"),
            (1.2345e21, "1.2345e+21"),
            (0.000001, "0.000001"),
            (1.5e-6, "0.0000015"),
            (1e-7, "1e-7"),
            (-1.25e-7, "-1.25e-7"),
            (123.456, "123.456"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
        ];
        for (f, want) in cases {
            let mut s = String::new();
            push_js_number(&mut s, f);
            assert_eq!(s, want, "{f:e}");
        }
    }
}
