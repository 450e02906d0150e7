//! The query builder: filters, sort, pagination, populate, fields, locale and
//! draft/publish status, encoded exactly as Strapi's `qs` parser reads them.
//!
//! One [`StrapiQuery`] works on Strapi 4 and 5: the few parameters that differ by version
//! (`status` vs `publicationState`, `locale=*` vs `locale=all`) are written for the server's
//! version when the request is sent.

mod encode;
mod filter;
mod populate;

use crate::error::{Error, Result};
use crate::version::ApiVersion;

use encode::{Encoder, KeyWriter, Pairs, Sink};
pub use filter::{Condition, Filter, FilterBuilder, FilterValue, Operator};
pub use populate::{Populate, PopulateField};

/// Sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SortDirection {
    /// Ascending (`:asc`).
    #[default]
    Asc,
    /// Descending (`:desc`).
    Desc,
}

impl SortDirection {
    fn as_str(self) -> &'static str {
        match self {
            SortDirection::Asc => "asc",
            SortDirection::Desc => "desc",
        }
    }
}

/// Which version of documents to read: the draft or the published one.
///
/// Sent as `status=draft|published` to Strapi 5 and as `publicationState=preview|live` to
/// Strapi 4 (where `preview` returns drafts and published entries alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentStatus {
    /// Draft versions (v5 `status=draft`, v4 `publicationState=preview`).
    Draft,
    /// Published versions, Strapi's default (v5 `status=published`, v4 `publicationState=live`).
    Published,
}

/// Strapi 4's name for [`DocumentStatus`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PublicationState {
    /// Published entries only.
    Live,
    /// Drafts and published entries.
    Preview,
}

/// Which locale to read or write.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    /// One locale code (`fr`, `en-US`).
    Code(String),
    /// Every locale (v5 `locale=*`, v4 `locale=all`).
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Paging {
    Page { page: u64, page_size: u64 },
    Offset { start: u64, limit: u64 },
}

/// A query for list, get and write calls.
///
/// Build it fluently; nothing is checked until it is encoded, and encoding errors
/// ([`Error::InvalidInput`]) come back before any request is sent.
///
/// ```
/// use strapi_kit::{FilterBuilder, SortDirection, StrapiQuery};
/// let q = StrapiQuery::new()
///     .filter(FilterBuilder::new().containsi("title", "rust").eq("author.name", "Ada"))
///     .sort_by("publishedDate", SortDirection::Desc)
///     .paginate(1, 20)
///     .populate(["author", "cover"])
///     .fields(["title", "slug"])
///     .locale("fr");
/// let pairs = q.to_pairs().unwrap();
/// assert_eq!(pairs[0], ("filters[title][$containsi]".into(), Some("rust".into())));
/// assert!(pairs.contains(&("sort[0]".into(), Some("publishedDate:desc".into()))));
/// assert!(pairs.contains(&("populate[1]".into(), Some("cover".into()))));
///
/// // Mixing page and offset pagination is an error, reported before sending.
/// assert!(StrapiQuery::new().paginate(1, 10).offset(0, 10).to_query_string().is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StrapiQuery {
    filters: Vec<Filter>,
    sort: Vec<(String, SortDirection)>,
    paging: Option<Paging>,
    paging_conflict: bool,
    with_count: Option<bool>,
    populate: Option<Populate>,
    fields: Vec<String>,
    locale: Option<Locale>,
    status: Option<DocumentStatus>,
    extra: Vec<(String, String)>,
}

impl StrapiQuery {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the builder's conditions (ANDed with any added before; nothing is replaced).
    pub fn filter(mut self, filter: FilterBuilder) -> Self {
        self.filters.extend(filter.into_items());
        self
    }

    /// Adds a sort key; call again for secondary keys.
    pub fn sort_by(mut self, field: impl Into<String>, direction: SortDirection) -> Self {
        self.sort.push((field.into(), direction));
        self
    }

    /// Adds an ascending sort key.
    pub fn sort_asc(self, field: impl Into<String>) -> Self {
        self.sort_by(field, SortDirection::Asc)
    }

    /// Adds a descending sort key.
    pub fn sort_desc(self, field: impl Into<String>) -> Self {
        self.sort_by(field, SortDirection::Desc)
    }

    /// Page-based pagination: `page` from 1, `page_size` from 1 (Strapi clamps it to its
    /// `maxLimit`, 100 by default).
    pub fn paginate(mut self, page: u64, page_size: u64) -> Self {
        if matches!(self.paging, Some(Paging::Offset { .. })) {
            self.paging_conflict = true;
        }
        self.paging = Some(Paging::Page { page, page_size });
        self
    }

    /// Offset-based pagination: skip `start` entries, return at most `limit`.
    pub fn offset(mut self, start: u64, limit: u64) -> Self {
        if matches!(self.paging, Some(Paging::Page { .. })) {
            self.paging_conflict = true;
        }
        self.paging = Some(Paging::Offset { start, limit });
        self
    }

    /// Whether Strapi counts the total (`pagination[withCount]`); Strapi's default is on.
    pub fn with_count(mut self, on: bool) -> Self {
        self.with_count = Some(on);
        self
    }

    /// Populates these fields (`populate[0]=author&populate[1]=cover`).
    pub fn populate<S: Into<String>>(self, fields: impl IntoIterator<Item = S>) -> Self {
        self.populate_with(Populate::fields(fields))
    }

    /// `populate=*`. It stands alone: combined with named fields (before or after) the query
    /// is refused when encoded (see [`Populate::all`]).
    pub fn populate_all(self) -> Self {
        self.populate_with(Populate::all())
    }

    /// Populates with a full tree (fields, filters, sort, nested populate per relation).
    pub fn populate_with(mut self, populate: Populate) -> Self {
        match &mut self.populate {
            Some(p) => p.merge(populate),
            None => self.populate = Some(populate),
        }
        self
    }

    /// Returns only these fields (`id` and `documentId` always come back).
    pub fn fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.fields.extend(fields.into_iter().map(Into::into));
        self
    }

    /// Reads or writes this locale.
    pub fn locale(mut self, code: impl Into<String>) -> Self {
        self.locale = Some(Locale::Code(code.into()));
        self
    }

    /// Reads every locale (v5 `*`, v4 `all`).
    pub fn all_locales(mut self) -> Self {
        self.locale = Some(Locale::All);
        self
    }

    /// Reads draft or published versions (see [`DocumentStatus`]).
    pub fn status(mut self, status: DocumentStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Strapi 4 spelling of [`status`](Self::status): `Preview` is `Draft`, `Live` is
    /// `Published`.
    pub fn publication_state(self, state: PublicationState) -> Self {
        self.status(match state {
            PublicationState::Live => DocumentStatus::Published,
            PublicationState::Preview => DocumentStatus::Draft,
        })
    }

    /// Adds a raw parameter, sent as given (encoded). For plugin parameters the builder does
    /// not know.
    pub fn param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((key.into(), value.into()));
        self
    }

    /// The document status requested, if any.
    pub fn get_status(&self) -> Option<DocumentStatus> {
        self.status
    }

    /// The locale requested, if any.
    pub fn get_locale(&self) -> Option<&Locale> {
        self.locale.as_ref()
    }

    /// Whether any sort key is set.
    pub fn has_sort(&self) -> bool {
        !self.sort.is_empty()
    }

    /// The page size or limit requested, if any.
    pub fn requested_page_size(&self) -> Option<u64> {
        match self.paging {
            Some(Paging::Page { page_size, .. }) => Some(page_size),
            Some(Paging::Offset { limit, .. }) => Some(limit),
            None => None,
        }
    }

    /// Whether the encoding depends on the server version (status, all locales).
    pub(crate) fn needs_version(&self) -> bool {
        self.status.is_some() || self.locale == Some(Locale::All)
    }

    /// Encodes for Strapi 5 (see [`encode`](Self::encode)).
    pub fn to_query_string(&self) -> Result<String> {
        self.encode(ApiVersion::V5)
    }

    /// Encodes the query string (without `?`) for a server version.
    pub fn encode(&self, version: ApiVersion) -> Result<String> {
        let mut enc = Encoder {
            out: String::with_capacity(256),
        };
        self.write(&mut enc, version)?;
        Ok(enc.out)
    }

    /// Encodes for `GET /api/upload/files`, which ignores `pagination[…]` but reads
    /// top-level `start` and `limit`: the page is sent that way.
    pub(crate) fn encode_for_upload_files(&self, version: ApiVersion) -> Result<String> {
        let mut enc = Encoder {
            out: String::with_capacity(128),
        };
        self.write_with(&mut enc, version, true)?;
        Ok(enc.out)
    }

    /// The raw, unencoded `(key, value)` pairs for Strapi 5; a `None` value is `qs`' null
    /// (key without `=`).
    pub fn to_pairs(&self) -> Result<Vec<(String, Option<String>)>> {
        self.to_pairs_for(ApiVersion::V5)
    }

    /// The raw pairs for a server version.
    pub fn to_pairs_for(&self, version: ApiVersion) -> Result<Vec<(String, Option<String>)>> {
        let mut pairs = Pairs(Vec::new());
        self.write(&mut pairs, version)?;
        Ok(pairs.0)
    }

    fn write(&self, sink: &mut dyn Sink, version: ApiVersion) -> Result<()> {
        self.write_with(sink, version, false)
    }

    fn write_with(
        &self,
        sink: &mut dyn Sink,
        version: ApiVersion,
        top_level_paging: bool,
    ) -> Result<()> {
        self.check()?;
        let mut w = KeyWriter::new(sink, version);
        let mut scratch = String::new();
        if !self.filters.is_empty() {
            let m = w.root("filters");
            filter::write_conjunction(&mut w, &self.filters, &mut scratch);
            w.reset(m);
        }
        if !self.sort.is_empty() {
            let m = w.root("sort");
            write_sort(&mut w, &self.sort, &mut scratch);
            w.reset(m);
        }
        if top_level_paging {
            let (start, limit) = match self.paging {
                Some(Paging::Page { page, page_size }) => (
                    Some(page.saturating_sub(1).saturating_mul(page_size)),
                    Some(page_size),
                ),
                Some(Paging::Offset { start, limit }) => (Some(start), Some(limit)),
                None => (None, None),
            };
            for (key, v) in [("start", start), ("limit", limit)] {
                if let Some(v) = v {
                    let m = w.root(key);
                    w.value(Some(itoa(v).as_str()));
                    w.reset(m);
                }
            }
        } else if self.paging.is_some() || self.with_count.is_some() {
            let m = w.root("pagination");
            match self.paging {
                Some(Paging::Page { page, page_size }) => {
                    w.leaf("page", Some(itoa(page).as_str()));
                    w.leaf("pageSize", Some(itoa(page_size).as_str()));
                }
                Some(Paging::Offset { start, limit }) => {
                    w.leaf("start", Some(itoa(start).as_str()));
                    w.leaf("limit", Some(itoa(limit).as_str()));
                }
                None => {}
            }
            if let Some(c) = self.with_count {
                w.leaf("withCount", Some(if c { "true" } else { "false" }));
            }
            w.reset(m);
        }
        if let Some(p) = &self.populate {
            let m = w.root("populate");
            p.write(&mut w, true, &mut scratch);
            w.reset(m);
        }
        if !self.fields.is_empty() {
            let m = w.root("fields");
            for f in &self.fields {
                w.check_value_name(f, "field");
            }
            w.list(&self.fields);
            w.reset(m);
        }
        if let Some(locale) = &self.locale {
            let m = w.root("locale");
            w.value(Some(match (locale, version) {
                (Locale::Code(c), _) => c.as_str(),
                (Locale::All, ApiVersion::V5) => "*",
                (Locale::All, ApiVersion::V4) => "all",
            }));
            w.reset(m);
        }
        if let Some(status) = self.status {
            let (key, value) = match (version, status) {
                (ApiVersion::V5, DocumentStatus::Draft) => ("status", "draft"),
                (ApiVersion::V5, DocumentStatus::Published) => ("status", "published"),
                (ApiVersion::V4, DocumentStatus::Draft) => ("publicationState", "preview"),
                (ApiVersion::V4, DocumentStatus::Published) => ("publicationState", "live"),
            };
            let m = w.root(key);
            w.value(Some(value));
            w.reset(m);
        }
        for (k, v) in &self.extra {
            let m = w.root(k);
            w.value(Some(v));
            w.reset(m);
        }
        match w.error {
            Some(e) => Err(Error::InvalidInput(e)),
            None => Ok(()),
        }
    }

    fn check(&self) -> Result<()> {
        if self.paging_conflict {
            return Err(Error::InvalidInput(
                "page pagination (paginate) and offset pagination (offset) cannot be mixed".into(),
            ));
        }
        match self.paging {
            Some(Paging::Page { page, page_size }) if page == 0 || page_size == 0 => {
                return Err(Error::InvalidInput("page and page_size start at 1".into()));
            }
            Some(Paging::Offset { limit: 0, .. }) => {
                return Err(Error::InvalidInput("limit must be at least 1".into()));
            }
            _ => {}
        }
        for (k, _) in &self.extra {
            if k.is_empty() {
                return Err(Error::InvalidInput("empty query parameter name".into()));
            }
            // `qs` splits the raw key at its brackets; a part named like a prototype member
            // would make it drop the parameter.
            if let Some(part) = k.split(['[', ']']).find(|p| encode::is_prototype_name(p)) {
                return Err(Error::InvalidInput(encode::prototype_name_error(
                    part,
                    "query parameter name part",
                )));
            }
        }
        Ok(())
    }
}

pub(crate) fn write_sort(
    w: &mut KeyWriter<'_>,
    sort: &[(String, SortDirection)],
    scratch: &mut String,
) {
    for (i, (field, dir)) in sort.iter().enumerate() {
        // Checked here, not in `check`, so that a populate's sort is checked too.
        if field.is_empty() || field.contains(':') {
            w.error.get_or_insert_with(|| {
                format!("invalid sort field {field:?} (give the direction separately)")
            });
        }
        w.check_value_name(field, "sort field");
        scratch.clear();
        scratch.push_str(field);
        scratch.push(':');
        scratch.push_str(dir.as_str());
        let m = w.index(i);
        w.value(Some(scratch));
        w.reset(m);
    }
}

fn itoa(n: u64) -> encode::IdxBuf {
    encode::itoa_u64(n)
}

#[cfg(test)]
mod tests;
