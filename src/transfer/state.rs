//! The import's state file: an append-only journal, one JSON event per line.
//!
//! Every step the import completes (a file uploaded, an entry created, its relations set)
//! is one line, written with one `write` as soon as the server has answered, and read back
//! on the next run so that nothing is done twice. A line cut short by a crash (kill -9
//! during the write) is ignored and removed. Before a create, an `intent` line is written:
//! a rerun that finds an intent without its result looks the entry up on the target
//! before creating it again, so a crash between the server's answer and the journal line
//! does not leave a duplicate.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One journal line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "lowercase")]
#[non_exhaustive]
pub enum StateEvent {
    /// The first line: the target the journal belongs to.
    Target {
        /// The target's base URL.
        url: String,
    },
    /// `key` (`m|<old media id>`, `e|<uid>|<doc>|<locale>`, `d|<uid>|<doc>`) now maps to
    /// `new` on the target (a media id, a documentId).
    Map {
        /// The source key.
        k: String,
        /// The new id on the target.
        v: String,
    },
    /// A create for `k` is about to be sent.
    Intent {
        /// The source key.
        k: String,
    },
    /// A step without a new id (relations set, a draft written) is done.
    Done {
        /// The step.
        k: String,
    },
}

impl StateEvent {
    /// The line to append (with its newline).
    pub fn line(&self) -> String {
        // Serialising these plain string enums cannot fail.
        let mut s = serde_json::to_string(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// What a journal says has been done.
#[derive(Clone, Debug, Default)]
pub struct ImportState {
    /// The target recorded in the journal.
    pub target: Option<String>,
    /// Source key → new id.
    pub map: HashMap<String, String>,
    /// Keys with an intent and no result yet.
    pub pending: HashSet<String>,
    /// Steps done.
    pub done: HashSet<String>,
    /// The new ids already given to some key (a lookup after a crash must not adopt an
    /// entry that another record made).
    pub taken: HashSet<String>,
}

impl ImportState {
    /// Reads a journal. Returns the state and the length of the valid prefix (the caller
    /// truncates the file there: a torn last line must not be glued to the next append).
    pub fn parse(bytes: &[u8]) -> Result<(ImportState, usize)> {
        let mut state = ImportState::default();
        let mut valid = 0;
        let mut rest = bytes;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            let line = &rest[..nl];
            rest = &rest[nl + 1..];
            let event: StateEvent = match serde_json::from_slice(line) {
                Ok(e) => e,
                // Only the last line can be torn; garbage in the middle is not ours.
                Err(e) if rest.is_empty() => {
                    let _ = e;
                    break;
                }
                Err(e) => {
                    return Err(Error::InvalidInput(format!(
                        "the import state file has a bad line at byte {valid}: {e}"
                    )));
                }
            };
            valid += nl + 1;
            state.apply(event);
        }
        Ok((state, valid))
    }

    /// Records an event (as the journal will say once it is written).
    pub fn apply(&mut self, event: StateEvent) {
        match event {
            StateEvent::Target { url } => self.target = Some(url),
            StateEvent::Map { k, v } => {
                self.pending.remove(&k);
                self.taken.insert(v.clone());
                self.map.insert(k, v);
            }
            StateEvent::Intent { k } => {
                if !self.map.contains_key(&k) {
                    self.pending.insert(k);
                }
            }
            StateEvent::Done { k } => {
                self.done.insert(k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_dropped_and_the_rest_kept() {
        let mut j = String::new();
        j += &StateEvent::Target {
            url: "http://t".into(),
        }
        .line();
        j += &StateEvent::Intent {
            k: "e|a|1|en".into(),
        }
        .line();
        j += &StateEvent::Map {
            k: "e|a|1|en".into(),
            v: "doc1".into(),
        }
        .line();
        j += &StateEvent::Intent {
            k: "e|a|2|en".into(),
        }
        .line();
        j += &StateEvent::Done {
            k: "r|a|1|en".into(),
        }
        .line();
        let full = j.len();
        j += "{\"t\":\"map\",\"k\":\"e|a|2";
        let (s, valid) = ImportState::parse(j.as_bytes()).unwrap();
        assert_eq!(valid, full);
        assert_eq!(s.target.as_deref(), Some("http://t"));
        assert_eq!(s.map["e|a|1|en"], "doc1");
        assert!(s.pending.contains("e|a|2|en") && !s.pending.contains("e|a|1|en"));
        assert!(s.done.contains("r|a|1|en") && s.taken.contains("doc1"));
        // Garbage before the end is an error, not silently skipped.
        let bad = format!("nonsense\n{}", StateEvent::Done { k: "x".into() }.line());
        assert!(ImportState::parse(bad.as_bytes()).is_err());
        assert_eq!(ImportState::parse(b"").unwrap().1, 0);
    }
}
