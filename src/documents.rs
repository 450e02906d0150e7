//! Draft & publish and i18n, the parts without I/O: how a write differs per version, the
//! query for "drafts only", the shape of Strapi 4's localization answer, and the model of
//! a configured locale.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::{ApiError, Error, Result};
use crate::query::{DocumentStatus, FilterBuilder, Locale, StrapiQuery};
use crate::version::ApiVersion;

/// A locale configured in Strapi's i18n plugin (`GET /api/i18n/locales`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct I18nLocale {
    /// Numeric id.
    #[serde(default)]
    pub id: Option<u64>,
    /// Strapi 5 document id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// The code to use in queries (`en`, `fr`, `en-US`).
    pub code: String,
    /// Display name (`French (fr)`).
    #[serde(default)]
    pub name: String,
    /// Whether it is the default locale (what a query without `locale` reads and writes).
    #[serde(default)]
    pub is_default: bool,
}

/// Checks a locale code before it goes into a query or a body.
pub(crate) fn check_locale(code: &str) -> Result<()> {
    let ok = !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{code:?} is not a locale code (like en, fr or en-US)"
        )))
    }
}

/// The data of a Strapi 4 write, when the query asks for something Strapi 4 reads from the
/// body rather than from the query: `status(Draft)` becomes `"publishedAt": null` and
/// `locale("fr")` becomes `"locale": "fr"` (fields the caller set are kept). `None` when
/// nothing changes.
pub(crate) fn v4_create_data<D: Serialize + ?Sized>(
    data: &D,
    query: &StrapiQuery,
) -> Result<Option<Value>> {
    let draft = query.get_status() == Some(DocumentStatus::Draft);
    let locale = match query.get_locale() {
        Some(Locale::Code(c)) => Some(c.as_str()),
        _ => None,
    };
    if !draft && locale.is_none() {
        return Ok(None);
    }
    let mut obj = data_object(data)?;
    if draft {
        obj.entry("publishedAt").or_insert(Value::Null);
    }
    if let Some(code) = locale {
        obj.entry("locale").or_insert_with(|| json!(code));
    }
    Ok(Some(Value::Object(obj)))
}

/// The data serialised as a JSON object (Strapi's `data` must be one).
pub(crate) fn data_object<D: Serialize + ?Sized>(data: &D) -> Result<Map<String, Value>> {
    match serde_json::to_value(data) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(Error::InvalidInput(format!(
            "entry data must be a JSON object, not {}",
            kind(&other)
        ))),
        Err(e) => Err(Error::InvalidInput(format!(
            "the data cannot be serialised: {e}"
        ))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `query` restricted to entries without a published version: Strapi 5
/// `status=draft&publicationFilter=never-published` (per document and locale), Strapi 4
/// `publicationState=preview&filters[publishedAt][$null]=true`.
pub(crate) fn drafts_query(query: &StrapiQuery, version: ApiVersion) -> StrapiQuery {
    let q = query.clone().status(DocumentStatus::Draft);
    match version {
        ApiVersion::V5 => q.param("publicationFilter", "never-published"),
        ApiVersion::V4 => q.filter(FilterBuilder::new().null("publishedAt")),
    }
}

/// The current time as Strapi writes it: `2026-11-27T04:56:00.123Z`.
pub(crate) fn now_iso8601() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    iso8601(now.as_secs(), now.subsec_millis())
}

fn iso8601(secs: u64, millis: u32) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

/// Strapi 4's `POST /api/{c}/:id/localizations` answers the new entry bare (no `data`, no
/// `attributes`); this turns it into the `{data, meta}` envelope of every other answer.
pub(crate) fn v4_localization_envelope(mut body: Value) -> Value {
    crate::version::normalize_v4_value(&mut body, 0);
    json!({"data": body, "meta": {}})
}

/// In a normalised Strapi 4 entry with `localizations` populated, the id of the entry in
/// `locale` (the entry itself or one of its localizations).
pub(crate) fn v4_localized_id(entry: &Value, locale: &str) -> Option<u64> {
    if entry.get("locale").and_then(Value::as_str) == Some(locale) {
        return entry.get("id").and_then(Value::as_u64);
    }
    entry
        .get("localizations")?
        .as_array()?
        .iter()
        .find(|l| l.get("locale").and_then(Value::as_str) == Some(locale))?
        .get("id")?
        .as_u64()
}

/// A 404 made by the client (a locale that an entry does not have on Strapi 4).
pub(crate) fn not_found(method: &str, url: &str, message: String) -> Error {
    Error::NotFound(Box::new(ApiError {
        status: 404,
        name: Some("NotFoundError".into()),
        message,
        details: Value::Null,
        field_errors: Vec::new(),
        retry_after: None,
        method: method.to_owned(),
        url: url.to_owned(),
    }))
}

/// A conflict the client found itself (the entry's state does not allow the call, or
/// concurrent writes kept undoing it); `method` and `url` name the call it concerns.
pub(crate) fn conflict(method: &str, url: &str, message: String) -> Error {
    Error::Conflict(Box::new(ApiError {
        status: 409,
        name: None,
        message,
        details: Value::Null,
        field_errors: Vec::new(),
        retry_after: None,
        method: method.to_owned(),
        url: url.to_owned(),
    }))
}

/// Strapi 5's REST API cannot unpublish; the admin route that can refuses API tokens with a
/// bare 401. Says so in the error, which names the unpublish call (`POST {url}`) even when
/// the refusal came from the uid lookup before it (`lookup` is then that request's URL).
pub(crate) fn explain_unpublish_refusal(err: Error, url: &str, lookup: Option<&str>) -> Error {
    let name_the_call = |api: &mut ApiError| {
        if let Some(lookup) = lookup {
            api.message = format!(
                "{} (refused already at the uid lookup, {} {lookup})",
                api.message, api.method
            );
        }
        api.method = "POST".into();
        api.url = url.to_owned();
    };
    match err {
        Error::Authentication(mut api) => {
            name_the_call(&mut api);
            api.message = format!(
                "{} — Strapi 5 can unpublish only through its admin API \
                 (/content-manager/…/actions/unpublish), which takes an admin token \
                 (Settings → Admin Tokens, with Publish permission on the type), not an API \
                 token: call unpublish on a client built with the admin token",
                api.message
            );
            Error::Authentication(api)
        }
        Error::Authorization(mut api) => {
            name_the_call(&mut api);
            api.message = format!(
                "{} — the admin token needs the content manager's Publish permission on this \
                 type (and its locales, for a localized type)",
                api.message
            );
            Error::Authorization(api)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_create_data_moves_status_and_locale_into_the_body() {
        let q = StrapiQuery::new()
            .status(DocumentStatus::Draft)
            .locale("fr");
        assert_eq!(
            v4_create_data(&json!({"title": "t"}), &q).unwrap(),
            Some(json!({"title": "t", "publishedAt": null, "locale": "fr"}))
        );
        // The caller's own fields win.
        assert_eq!(
            v4_create_data(
                &json!({"locale": "de", "publishedAt": "2024-01-01T00:00:00Z"}),
                &q
            )
            .unwrap(),
            Some(json!({"locale": "de", "publishedAt": "2024-01-01T00:00:00Z"}))
        );
        assert_eq!(
            v4_create_data(&json!({"title": "t"}), &StrapiQuery::new()).unwrap(),
            None
        );
        assert_eq!(
            v4_create_data(&json!({}), &StrapiQuery::new().all_locales()).unwrap(),
            None
        );
        let published = StrapiQuery::new().status(DocumentStatus::Published);
        assert_eq!(v4_create_data(&json!({}), &published).unwrap(), None);
        assert!(matches!(
            v4_create_data(&json!([1]), &q),
            Err(Error::InvalidInput(_))
        ));
    }

    #[test]
    fn drafts_query_per_version() {
        let base = StrapiQuery::new().fields(["title"]);
        let v5 = drafts_query(&base, ApiVersion::V5)
            .to_pairs_for(ApiVersion::V5)
            .unwrap();
        assert!(v5.contains(&("status".into(), Some("draft".into()))));
        assert!(v5.contains(&("publicationFilter".into(), Some("never-published".into()))));
        let v4 = drafts_query(&base, ApiVersion::V4)
            .to_pairs_for(ApiVersion::V4)
            .unwrap();
        assert!(v4.contains(&("publicationState".into(), Some("preview".into()))));
        assert!(v4.contains(&("filters[publishedAt][$null]".into(), Some("true".into()))));
        assert!(!v4.iter().any(|(k, _)| k == "publicationFilter"));
    }

    #[test]
    fn locale_codes() {
        for ok in ["en", "fr", "en-US", "zh_Hans"] {
            check_locale(ok).unwrap();
        }
        for bad in ["", "f r", "fr&x=1", "../en", "*"] {
            assert!(
                matches!(check_locale(bad), Err(Error::InvalidInput(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(iso8601(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(iso8601(1_795_755_143, 999), "2026-11-27T04:52:23.999Z");
        assert_eq!(iso8601(4_102_444_799, 0), "2099-12-31T23:59:59.000Z");
        assert_eq!(now_iso8601().len(), 24);
    }

    #[test]
    fn localization_helpers() {
        let body = json!({"id": 5, "title": "Bonjour", "locale": "fr",
            "localizations": [{"id": 4, "locale": "en"}]});
        let env = v4_localization_envelope(body);
        assert_eq!(env["data"]["id"], json!(5));
        assert_eq!(env["meta"], json!({}));
        let entry = &env["data"];
        assert_eq!(v4_localized_id(entry, "fr"), Some(5));
        assert_eq!(v4_localized_id(entry, "en"), Some(4));
        assert_eq!(v4_localized_id(entry, "de"), None);
        assert_eq!(v4_localized_id(&json!({"id": 1}), "de"), None);
    }
}
