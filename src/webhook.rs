//! Strapi's webhooks (feature `webhook`): a delivery's body parsed into a typed [`Event`],
//! and a constant-time check of a shared-secret header.
//!
//! Strapi 4 and 5 send the same envelope, `{"event", "createdAt", "model", "uid",
//! "entry"}` (media events carry the file in `media`). The entry is decoded into the type
//! the caller asks for after the same normalisation as REST answers (Strapi 4's
//! `attributes`/`data` wrappers removed at every depth), so one struct reads both
//! versions. Events this crate does not know are kept raw ([`Event::Other`]), never an
//! error: a Strapi upgrade that adds events does not break a handler.
//!
//! This module does no I/O: a service's HTTP handler calls it with the request's body and
//! header.
//!
//! ```
//! use strapi_kit::webhook::{self, EntryAction, Event};
//!
//! let body = br#"{"event":"entry.publish","createdAt":"2026-01-01T00:00:00.000Z",
//!   "model":"article","uid":"api::article.article",
//!   "entry":{"id":1,"documentId":"abc","title":"Hello"}}"#;
//! // The header Strapi sends, as set on the webhook (Settings → Webhooks → headers).
//! assert!(webhook::secret_matches(b"s3cret", "s3cret"));
//! match webhook::parse::<serde_json::Value>(body)? {
//!     Event::Entry(e) if e.action == EntryAction::Publish => {
//!         assert_eq!(e.model, "article");
//!         assert_eq!(e.entry["title"], "Hello");
//!     }
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), strapi_kit::Error>(())
//! ```

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::models::MediaFile;

/// What happened to an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntryAction {
    /// `entry.create`
    Create,
    /// `entry.update`
    Update,
    /// `entry.delete`
    Delete,
    /// `entry.publish`
    Publish,
    /// `entry.unpublish`
    Unpublish,
}

/// What happened to a media file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaAction {
    /// `media.create`
    Create,
    /// `media.update`
    Update,
    /// `media.delete`
    Delete,
}

/// An entry event.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EntryEvent<T> {
    /// The action.
    pub action: EntryAction,
    /// The content type's singular name (`article`).
    pub model: String,
    /// The content type's uid (`api::article.article`), when sent (Strapi 5 always sends
    /// it; Strapi 4 leaves it out of some events).
    pub uid: Option<String>,
    /// When Strapi emitted it (ISO 8601, as sent).
    pub created_at: Option<String>,
    /// The entry, normalised and decoded.
    pub entry: T,
}

/// A media event.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MediaEvent {
    /// The action.
    pub action: MediaAction,
    /// When Strapi emitted it (ISO 8601, as sent).
    pub created_at: Option<String>,
    /// The file.
    pub media: MediaFile,
}

/// A webhook delivery; see the [module docs](self).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Event<T = Value> {
    /// `entry.*`
    Entry(EntryEvent<T>),
    /// `media.*` (boxed: a file's record is large)
    Media(Box<MediaEvent>),
    /// Any other event (e.g. `review-workflows.updateEntryStage`, `releases.publish`):
    /// its name and the whole payload, as sent.
    Other {
        /// The `event` field.
        event: String,
        /// The whole body.
        payload: Value,
    },
}

impl<T> Event<T> {
    /// The event's name as Strapi sent it (`entry.publish`).
    pub fn name(&self) -> &str {
        match self {
            Event::Entry(e) => match e.action {
                EntryAction::Create => "entry.create",
                EntryAction::Update => "entry.update",
                EntryAction::Delete => "entry.delete",
                EntryAction::Publish => "entry.publish",
                EntryAction::Unpublish => "entry.unpublish",
            },
            Event::Media(m) => match m.action {
                MediaAction::Create => "media.create",
                MediaAction::Update => "media.update",
                MediaAction::Delete => "media.delete",
            },
            Event::Other { event, .. } => event,
        }
    }
}

/// The largest body [`parse`] reads (Strapi's entries are far smaller): 16 MiB.
pub const MAX_WEBHOOK_BODY: usize = 16 * 1024 * 1024;

/// Parses a delivery's body. Fails with [`Error::Webhook`] when the body is not a JSON
/// object with a string `event`, or an `entry.*` / `media.*` event lacks its `entry` /
/// `media`; with [`Error::Decode`] (the JSON path named) when the entry does not fit `T`.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<Event<T>> {
    if body.len() > MAX_WEBHOOK_BODY {
        return Err(Error::Webhook(format!(
            "the body is larger than {MAX_WEBHOOK_BODY} bytes"
        )));
    }
    let payload: Value = serde_json::from_slice(body)
        .map_err(|e| Error::Webhook(format!("the body is not JSON: {e}")))?;
    let Some(event) = payload.get("event").and_then(Value::as_str) else {
        return Err(Error::Webhook("the body has no `event` name".into()));
    };
    let event = event.to_owned();
    let text = |k: &str| payload.get(k).and_then(Value::as_str).map(str::to_owned);
    let created_at = text("createdAt");
    let entry_action = match event.as_str() {
        "entry.create" => Some(EntryAction::Create),
        "entry.update" => Some(EntryAction::Update),
        "entry.delete" => Some(EntryAction::Delete),
        "entry.publish" => Some(EntryAction::Publish),
        "entry.unpublish" => Some(EntryAction::Unpublish),
        _ => None,
    };
    if let Some(action) = entry_action {
        let model = text("model").unwrap_or_default();
        let uid = text("uid");
        let Some(mut entry) = payload.get("entry").cloned() else {
            return Err(Error::Webhook(format!("`{event}` without an `entry`")));
        };
        crate::version::normalize_v4_value(&mut entry, 0);
        let entry = decode(entry)?;
        return Ok(Event::Entry(EntryEvent {
            action,
            model,
            uid,
            created_at,
            entry,
        }));
    }
    let media_action = match event.as_str() {
        "media.create" => Some(MediaAction::Create),
        "media.update" => Some(MediaAction::Update),
        "media.delete" => Some(MediaAction::Delete),
        _ => None,
    };
    if let Some(action) = media_action {
        let Some(mut media) = payload.get("media").cloned() else {
            return Err(Error::Webhook(format!("`{event}` without `media`")));
        };
        crate::version::normalize_v4_value(&mut media, 0);
        return Ok(Event::Media(Box::new(MediaEvent {
            action,
            created_at,
            media: decode(media)?,
        })));
    }
    Ok(Event::Other { event, payload })
}

fn decode<T: DeserializeOwned>(value: Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        Error::Decode {
            path,
            source: e.into_inner(),
        }
    })
}

/// Whether a received shared-secret header equals the expected secret, in time that does
/// not depend on where they differ (an attacker timing the answers learns nothing about
/// the secret but, at most, its length). An empty `expected` never matches.
pub fn secret_matches(received: &[u8], expected: &str) -> bool {
    let expected = expected.as_bytes();
    if expected.is_empty() {
        return false;
    }
    let mut diff = (received.len() ^ expected.len()) as u64;
    for (i, e) in expected.iter().enumerate() {
        // Compares against every expected byte, whatever the received length.
        let r = received.get(i).copied().unwrap_or(!e);
        diff |= u64::from(r ^ e);
    }
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(serde::Deserialize, Debug)]
    struct Article {
        title: String,
        author: Option<Author>,
    }
    #[derive(serde::Deserialize, Debug)]
    struct Author {
        name: String,
    }

    #[test]
    fn v4_wrappers_are_normalised_like_rest() {
        let body = json!({"event":"entry.update","model":"article","uid":"api::article.article",
            "entry":{"id":3,"title":"T","author":{"data":{"id":2,"attributes":{"name":"Ada"}}}}});
        let Event::Entry(e) = parse::<Article>(body.to_string().as_bytes()).unwrap() else {
            panic!()
        };
        assert_eq!(e.action, EntryAction::Update);
        assert_eq!(e.entry.title, "T");
        assert_eq!(e.entry.author.unwrap().name, "Ada");
    }

    #[test]
    fn unknown_events_are_kept_raw_and_bad_bodies_typed() {
        let body = br#"{"event":"releases.publish","release":{"id":1}}"#;
        match parse::<Value>(body).unwrap() {
            Event::Other { event, payload } => {
                assert_eq!(event, "releases.publish");
                assert_eq!(payload["release"]["id"], 1);
            }
            other => panic!("{other:?}"),
        }
        for bad in [&b"nope"[..], br#"{"x":1}"#, br#"{"event":"entry.create"}"#] {
            assert!(
                matches!(parse::<Value>(bad), Err(Error::Webhook(_))),
                "{bad:?}"
            );
        }
        let e = parse::<Article>(br#"{"event":"entry.create","model":"a","entry":{"title":5}}"#)
            .unwrap_err();
        assert!(
            matches!(e, Error::Decode { ref path, .. } if path == "title"),
            "{e:?}"
        );
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(secret_matches(b"abc", "abc"));
        for bad in [&b""[..], b"ab", b"abd", b"abcd", b"xbc"] {
            assert!(!secret_matches(bad, "abc"), "{bad:?}");
        }
        assert!(!secret_matches(b"", ""));
    }
}
