//! The error-body parser: `parse_error_body` on any status and any bytes, then
//! `Error::from_api`, the predicates and `Display`.
//!
//! Input layout (so that seeds are easy to write by hand):
//! `[status: u16 big-endian][flags: u8][retry-after secs: u32 BE, if flags & 8][body…]`;
//! `flags & 7` picks the method, `flags & 16` takes the URL from the body's first line.
//!
//! Properties: the status, method, URL and Retry-After come back unchanged; a body that is
//! not JSON becomes a non-empty, bounded message (for UTF-8, the body itself or a prefix of
//! it cut at a character boundary); the variant and every predicate agree with the status;
//! `Display` of the error is the `ApiError`'s.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use strapi_kit::error::parse_error_body;
use strapi_kit::Error;

const METHODS: [&str; 8] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "", "GÉT\0"];
const URL: &str = "http://127.0.0.1:1337/api/articles?filters%5Btitle%5D%5B%24eq%5D=x";

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<3>() else {
        return;
    };
    let status = u16::from_be_bytes([head[0], head[1]]);
    let flags = head[2];
    let method = METHODS[usize::from(flags & 7)];
    let (retry_after, rest) = match rest.split_first_chunk::<4>() {
        Some((secs, rest)) if flags & 8 != 0 => (
            Some(Duration::from_secs(u64::from(u32::from_be_bytes(*secs)))),
            rest,
        ),
        _ => (None, rest),
    };
    let owned_url;
    let (url, body) = if flags & 16 != 0 {
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        owned_url = String::from_utf8_lossy(&rest[..end]).into_owned();
        (owned_url.as_str(), rest.get(end + 1..).unwrap_or_default())
    } else {
        (URL, rest)
    };

    let api = parse_error_body(status, method, url, retry_after, body);
    assert_eq!(api.status, status);
    assert_eq!(api.retry_after, retry_after);
    assert_eq!(api.method, method);
    assert_eq!(api.url, url);
    if serde_json::from_slice::<Value>(body).is_err() {
        // Not JSON: the message is the body's first 512 bytes, lossily decoded (each
        // invalid byte may become a 3-byte U+FFFD), plus an ellipsis; never empty.
        assert!(!api.message.is_empty(), "empty message for a non-JSON body");
        assert!(
            api.message.len() <= 512 * 3 + '…'.len_utf8(),
            "unbounded message: {} bytes",
            api.message.len()
        );
        assert!(api.details.is_null());
        assert!(api.field_errors.is_empty());
        // A UTF-8 body is shown as it is: all of it, or a prefix cut at a character
        // boundary (no U+FFFD made up by the cut) and an ellipsis.
        if let Ok(text) = std::str::from_utf8(body) {
            if !text.trim().is_empty() {
                match api.message.strip_suffix('…') {
                    Some(prefix) if text.len() > 512 => {
                        assert!(text.starts_with(prefix), "{:?}", api.message);
                        assert!(prefix.len() > 512 - 4, "cut too short: {}", prefix.len());
                    }
                    _ => assert_eq!(api.message, text),
                }
            }
        }
    }
    let shown = api.to_string();
    assert!(shown.starts_with(&format!("HTTP {status}")), "{shown}");

    let err = Error::from_api(api.clone());
    assert_eq!(err.status(), Some(status));
    assert_eq!(err.retry_after(), retry_after);
    assert_eq!(err.field_errors().len(), api.field_errors.len());
    assert_eq!(err.is_validation(), matches!(status, 400 | 422));
    assert_eq!(err.is_authentication(), status == 401);
    assert_eq!(err.is_authorization(), status == 403);
    assert_eq!(err.is_not_found(), status == 404);
    assert_eq!(err.is_payload_too_large(), status == 413);
    assert_eq!(err.is_rate_limited(), status == 429);
    assert_eq!(err.is_server(), (500..=599).contains(&status));
    assert_eq!(err.is_retryable(), matches!(status, 429 | 502 | 503 | 504));
    assert!(!err.is_timeout() && !err.is_connect());
    assert!(err.api_error().is_some());
    // Display goes through the variant's `#[error("{0}")]` to the ApiError.
    assert_eq!(err.to_string(), shown);
    let _ = format!("{err:?}");
    let _ = std::error::Error::source(&err);
});
