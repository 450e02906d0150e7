//! Entry ids and content-type names: what may go into a URL path, checked before anything
//! is sent.
//!
//! An id reaches the server as exactly that id, or the call is refused with
//! [`Error::InvalidInput`]: ids are sent as one percent-encoded path segment, and ids the
//! URL parser would silently change (control characters, which it drops) or that the
//! server would refuse to read (longer than [`MAX_ID_LEN`]) are refused.

use crate::error::{Error, Result};

/// The longest id accepted, in bytes (UTF-8, before percent-encoding).
///
/// Real ids are short (a v5 `documentId` has 24 characters); the limit keeps the request
/// line well inside what Node, which Strapi runs on, accepts (16 KiB of headers by default,
/// request line included) even when every byte is percent-encoded to three.
pub const MAX_ID_LEN: usize = 1024;

/// The longest request URL the client sends, in bytes. Longer ones (a huge query, say) are
/// refused with [`Error::InvalidInput`] before sending: Node answers them with a bare 431
/// or drops the connection. 12 KiB leaves room for the headers within Node's 16 KiB.
pub const MAX_URL_LEN: usize = 12 * 1024;

/// The id of an entry: a v5 `documentId` or a v4 numeric id.
///
/// Built from strings and integers; it is always sent as one percent-encoded path segment,
/// so an id containing `/`, `?` or `#` can never change the path or the query. A call
/// refuses, before sending, an id that is blank, `.` or `..`, contains a control character
/// (tab, CR, LF, …: URL parsers drop some of them, which would address another entry) or
/// is longer than [`MAX_ID_LEN`] bytes.
///
/// ```
/// use strapi_kit::EntryId;
/// assert_eq!(EntryId::from(42u64).as_str(), "42");
/// assert!(EntryId::from("doc\r\n1").check().is_err());
/// assert!(EntryId::from("a/b?c").check().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EntryId(String);

impl EntryId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a call would accept this id; the error says why not (see the type's docs).
    pub fn check(&self) -> Result<()> {
        self.checked().map(|_| ())
    }

    pub(crate) fn checked(&self) -> Result<&str> {
        let s = self.0.as_str();
        if s.trim().is_empty() {
            return Err(Error::InvalidInput("the id is empty".into()));
        }
        if s == "." || s == ".." {
            return Err(Error::InvalidInput(format!("{s:?} is not a valid id")));
        }
        if s.len() > MAX_ID_LEN {
            return Err(Error::InvalidInput(format!(
                "the id is {} bytes long; at most {MAX_ID_LEN} are accepted",
                s.len()
            )));
        }
        if s.chars().any(char::is_control) {
            // Debug formatting escapes the control characters in the message.
            return Err(Error::InvalidInput(format!(
                "the id {s:?} contains a control character"
            )));
        }
        Ok(s)
    }
}

impl std::fmt::Display for EntryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! id_from {
    ($($t:ty),*) => {$(
        impl From<$t> for EntryId {
            fn from(v: $t) -> Self { EntryId(v.to_string()) }
        }
    )*};
}
id_from!(&str, String, &String, u32, u64, i32, i64, usize, &EntryId);

/// Checks a content-type (or other path) name: one segment of `A-Za-z0-9-_.`, not `.`/`..`.
pub(crate) fn check_name(kind: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_ID_LEN
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{kind} name {:?} must be one path segment of at most {MAX_ID_LEN} letters, digits, '-', '_' or '.'",
            crate::error::clip(name)
        )))
    }
}

/// Refuses a URL longer than [`MAX_URL_LEN`].
pub(crate) fn check_url_len(url: &str) -> Result<()> {
    if url.len() > MAX_URL_LEN {
        return Err(Error::InvalidInput(format!(
            "the request URL would be {} bytes long; at most {MAX_URL_LEN} are sent (a smaller query, or several calls)",
            url.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_ids_are_refused() {
        for bad in [
            "", " ", ".", "..", "doc\r\n1", "doc\t1", "a\u{0b}b", "\u{7f}", "a\u{85}b",
        ] {
            assert!(EntryId::from(bad).check().is_err(), "{bad:?}");
        }
        let long = "x".repeat(MAX_ID_LEN + 1);
        let err = EntryId::from(long.as_str()).check().unwrap_err();
        // The message names the length, not 1 KiB of the id.
        assert!(err.to_string().len() < 200, "{err}");
        assert!(
            EntryId::from("x".repeat(MAX_ID_LEN).as_str())
                .check()
                .is_ok()
        );
        for good in ["abc", "a b", "a/b?c#d%e", "é😀", "%2e%2e", "...", " x "] {
            assert!(EntryId::from(good).check().is_ok(), "{good:?}");
        }
        let err = EntryId::from("a\r\nX-Injected: 1").check().unwrap_err();
        assert!(!err.to_string().contains('\n'), "{err}");
    }

    #[test]
    fn names_and_urls() {
        assert!(check_name("collection", "articles").is_ok());
        for bad in ["", "a/b", "a?b", "..", "a b", "a\nb"] {
            assert!(check_name("collection", bad).is_err(), "{bad}");
        }
        let err = check_name("collection", &"a".repeat(100_000)).unwrap_err();
        assert!(err.to_string().len() < 400, "{err}");
        assert!(check_url_len(&"u".repeat(MAX_URL_LEN)).is_ok());
        assert!(check_url_len(&"u".repeat(MAX_URL_LEN + 1)).is_err());
    }
}
