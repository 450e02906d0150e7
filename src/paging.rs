//! The paging state machine behind `get_all` and `get_all_iter`, without I/O and compiled
//! once: which query to send next, how to read the server's echo of the page it answered,
//! when to stop.
//!
//! Strapi clamps `pageSize`/`limit` to its `maxLimit` (100 by default) without saying so
//! anywhere but in `meta.pagination`. A pager that trusts its own page size either stops
//! after the first short page or computes the wrong next offset; this one reads the echoed
//! size after every page and continues with it, and checks that the server answered the page
//! (or offset) it asked for.

use crate::error::{Error, Result, UnexpectedReason};
use crate::models::Pagination;
use crate::query::StrapiQuery;
use crate::version::ApiVersion;

/// Page size when the query gives none: Strapi's default `maxLimit`.
pub(crate) const DEFAULT_PAGE_SIZE: u64 = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// `pagination[page]`/`[pageSize]`: the caller's query paginates by page.
    Page { page: u64, size: u64 },
    /// `pagination[start]`/`[limit]`: the caller's query paginates by offset, or gives no
    /// pagination at all.
    Offset { start: u64, limit: u64 },
}

/// Walks every page of a list query.
#[derive(Clone, Debug)]
pub(crate) struct Pager {
    base: StrapiQuery,
    mode: Mode,
    done: bool,
    total: Option<u64>,
    pages: u64,
}

impl Pager {
    /// A pager for `query`: its filters, sort, populate, fields, locale and status are kept;
    /// its pagination (if any) gives the first page and the page size (default 100); `id:asc`
    /// is appended as the last sort key unless the query already sorts by `id`.
    ///
    /// Fails with [`Error::InvalidInput`] for a query that cannot be encoded.
    pub fn new(query: &StrapiQuery) -> Result<Pager> {
        // Encoding checks the query (mixed paginations, zero sizes, bad sort keys) before
        // anything is sent; the pairs also give what the builder has no getter for.
        let pairs = query.to_pairs_for(ApiVersion::V5)?;
        let get = |key: &str| -> Option<u64> {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.as_deref())
                .and_then(|v| v.parse().ok())
        };
        let size = query.requested_page_size().unwrap_or(DEFAULT_PAGE_SIZE);
        let mode = if let Some(page) = get("pagination[page]") {
            Mode::Page { page, size }
        } else {
            Mode::Offset {
                start: get("pagination[start]").unwrap_or(0),
                limit: size,
            }
        };
        let sorts_by_id = pairs.iter().any(|(k, v)| {
            k.starts_with("sort")
                && v.as_deref()
                    .is_some_and(|v| v == "id" || v.starts_with("id:"))
        });
        let base = if sorts_by_id {
            query.clone()
        } else {
            query.clone().sort_asc("id")
        };
        Ok(Pager {
            base,
            mode,
            done: false,
            total: None,
            pages: 0,
        })
    }

    /// The query for the next page, or `None` when every page has been read.
    pub fn next_query(&self) -> Option<StrapiQuery> {
        if self.done {
            return None;
        }
        Some(match self.mode {
            Mode::Page { page, size } => self.base.clone().paginate(page, size),
            Mode::Offset { start, limit } => self.base.clone().offset(start, limit),
        })
    }

    /// The query of the page `k` pages after [`next_query`](Self::next_query)'s (`k = 0`: that
    /// one), for fetching ahead: assumes the pages before it are full at the current page
    /// size. `None` before the first page, without a reported total, when that page would
    /// start at or past the total, or when the walk is over. The answer to it is used only
    /// if `next_query` gives the same query when its turn comes.
    pub fn query_ahead(&self, k: u64) -> Option<StrapiQuery> {
        if k == 0 {
            return self.next_query();
        }
        if self.done || self.pages == 0 {
            return None;
        }
        let total = self.total?;
        Some(match self.mode {
            Mode::Page { page, size } => {
                let page = page.checked_add(k)?;
                if (page - 1).saturating_mul(size) >= total {
                    return None;
                }
                self.base.clone().paginate(page, size)
            }
            Mode::Offset { start, limit } => {
                let start = start.checked_add(k.checked_mul(limit)?)?;
                if start >= total {
                    return None;
                }
                self.base.clone().offset(start, limit)
            }
        })
    }

    /// The total the server reported, once a page has arrived (absent with
    /// `with_count(false)`).
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// Pages taken in so far.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// The page size in use: the requested one until the server's echo shows another (its
    /// page-size cap).
    pub fn page_size(&self) -> u64 {
        match self.mode {
            Mode::Page { size, .. } => size,
            Mode::Offset { limit, .. } => limit,
        }
    }

    /// Whether every page has been read (or the walk was stopped).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Ends the walk (after an error).
    pub fn stop(&mut self) {
        self.done = true;
    }

    /// Takes in the answer to [`next_query`](Self::next_query): `received` entries and the
    /// echoed pagination. Adapts the page size to the one the server used; fails (and stops)
    /// when the server answered another page than the one asked for, or gave no pagination
    /// for a full page (continuing could skip or repeat entries).
    pub fn record(&mut self, echo: Option<&Pagination>, received: usize) -> Result<()> {
        let r = self.advance(echo, received as u64);
        if r.is_err() {
            self.done = true;
        }
        r
    }

    fn advance(&mut self, echo: Option<&Pagination>, received: u64) -> Result<()> {
        if self.done {
            return Ok(());
        }
        self.pages += 1;
        if let Some(t) = echo.and_then(|p| p.total) {
            self.total = Some(t);
        }
        match &mut self.mode {
            Mode::Page { page, size } => {
                let Some(p) = echo else {
                    let size = *size;
                    return self.without_echo(received, size);
                };
                if p.page.is_some_and(|echoed| echoed != *page) {
                    return Err(shape(
                        "the server answered another page than the one asked for",
                    ));
                }
                let used = p.page_size.unwrap_or(*size);
                if used == 0 {
                    return Err(shape("the server reported a page size of 0"));
                }
                if used != *size {
                    tracing::debug!(asked = *size, used, "strapi clamped the page size");
                    *size = used;
                }
                let end = (*page - 1).saturating_mul(used).saturating_add(received);
                let last_page = p.page_count.is_some_and(|count| *page >= count);
                let past_total = self.total.is_some_and(|t| end >= t);
                if received < used || last_page || past_total {
                    self.done = true;
                } else {
                    *page += 1;
                }
            }
            Mode::Offset { start, limit } => {
                let Some(p) = echo else {
                    let limit = *limit;
                    return self.without_echo(received, limit);
                };
                if p.start.is_some_and(|echoed| echoed != *start) {
                    return Err(shape(
                        "the server answered another offset than the one asked for",
                    ));
                }
                let used = p.limit.unwrap_or(*limit);
                if used == 0 {
                    return Err(shape("the server reported a limit of 0"));
                }
                if used != *limit {
                    tracing::debug!(asked = *limit, used, "strapi clamped the limit");
                    *limit = used;
                }
                let end = start.saturating_add(received);
                let past_total = self.total.is_some_and(|t| end >= t);
                if received < used || past_total {
                    self.done = true;
                } else {
                    *start = end;
                }
            }
        }
        Ok(())
    }

    /// A list answer without `meta.pagination` (a custom controller, say): a short page is
    /// the whole list; a full one cannot be continued safely.
    fn without_echo(&mut self, received: u64, size: u64) -> Result<()> {
        if received < size {
            self.done = true;
            Ok(())
        } else {
            Err(shape(
                "a full page without meta.pagination: cannot tell whether the server honoured \
                 the page size",
            ))
        }
    }
}

fn shape(what: &'static str) -> Error {
    Error::unexpected(200, UnexpectedReason::Shape(what), b"")
}

/// Pages fetched ahead of the one being consumed, at most (`get_all_iter`, both flavours).
pub(crate) const AHEAD: usize = 2;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::FilterBuilder;

    fn page(page: u64, size: u64, count: u64, total: u64) -> Pagination {
        Pagination {
            page: Some(page),
            page_size: Some(size),
            page_count: Some(count),
            total: Some(total),
            ..Pagination::default()
        }
    }

    fn offset(start: u64, limit: u64, total: Option<u64>) -> Pagination {
        Pagination {
            start: Some(start),
            limit: Some(limit),
            total,
            ..Pagination::default()
        }
    }

    fn pairs(q: &StrapiQuery) -> Vec<String> {
        q.to_pairs()
            .unwrap()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", v.unwrap_or_default()))
            .collect()
    }

    /// Simulates a server with `n` rows and `max` as maxLimit: pages until done, returns
    /// the rows seen (offsets) in order.
    fn walk(query: StrapiQuery, n: u64, max: u64) -> (Vec<u64>, usize) {
        let mut pager = Pager::new(&query).unwrap();
        let mut seen = Vec::new();
        let mut requests = 0;
        while let Some(q) = pager.next_query() {
            requests += 1;
            assert!(requests < 1000, "runaway pager");
            let p = pairs(&q);
            let get = |key: &str| {
                p.iter()
                    .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
                    .map(|v| v.parse::<u64>().unwrap())
            };
            let (from, size, echo) = if let Some(pg) = get("pagination[page]") {
                let size = get("pagination[pageSize]").unwrap().min(max);
                let count = n.div_ceil(size);
                ((pg - 1) * size, size, page(pg, size, count, n))
            } else {
                let start = get("pagination[start]").unwrap();
                let limit = get("pagination[limit]").unwrap().min(max);
                (start, limit, offset(start, limit, Some(n)))
            };
            let rows: Vec<u64> = (from..(from + size).min(n)).collect();
            pager.record(Some(&echo), rows.len()).unwrap();
            seen.extend(rows);
        }
        (seen, requests)
    }

    #[test]
    fn clamped_page_size_is_adapted_not_skipped() {
        // 250 rows, 500 asked, the server clamps to 100: every row exactly once.
        let (seen, requests) = walk(StrapiQuery::new().paginate(1, 500), 250, 100);
        assert_eq!(seen, (0..250).collect::<Vec<_>>());
        assert_eq!(requests, 3);
        let (seen, _) = walk(StrapiQuery::new().offset(0, 500), 250, 100);
        assert_eq!(seen, (0..250).collect::<Vec<_>>());
        let (seen, requests) = walk(StrapiQuery::new(), 250, 100);
        assert_eq!(seen, (0..250).collect::<Vec<_>>());
        assert_eq!(requests, 3);
    }

    #[test]
    fn exact_multiples_and_empty_lists_end() {
        let (seen, requests) = walk(StrapiQuery::new().paginate(1, 50), 200, 100);
        assert_eq!(seen.len(), 200);
        assert_eq!(requests, 4, "pageCount ends the walk without an empty page");
        let (seen, requests) = walk(StrapiQuery::new(), 0, 100);
        assert!(seen.is_empty());
        assert_eq!(requests, 1);
        let (seen, requests) = walk(StrapiQuery::new().offset(0, 10), 30, 100);
        assert_eq!(seen.len(), 30);
        assert_eq!(requests, 3, "the total ends the walk without an empty page");
    }

    #[test]
    fn starts_where_the_query_says() {
        let (seen, _) = walk(StrapiQuery::new().paginate(3, 10), 45, 100);
        assert_eq!(seen, (20..45).collect::<Vec<_>>());
        let (seen, _) = walk(StrapiQuery::new().offset(7, 5), 20, 100);
        assert_eq!(seen, (7..20).collect::<Vec<_>>());
    }

    #[test]
    fn id_is_appended_as_the_last_sort_key() {
        let p = Pager::new(&StrapiQuery::new()).unwrap();
        assert!(pairs(&p.next_query().unwrap()).contains(&"sort[0]=id:asc".to_owned()));
        let p = Pager::new(&StrapiQuery::new().sort_desc("views")).unwrap();
        let q = pairs(&p.next_query().unwrap());
        assert!(q.contains(&"sort[0]=views:desc".to_owned()));
        assert!(q.contains(&"sort[1]=id:asc".to_owned()));
        let p = Pager::new(&StrapiQuery::new().sort_desc("id")).unwrap();
        let q = pairs(&p.next_query().unwrap());
        assert!(q.contains(&"sort[0]=id:desc".to_owned()));
        assert!(!q.iter().any(|kv| kv.starts_with("sort[1]")), "{q:?}");
        // Filters and the rest of the query are kept.
        let p = Pager::new(
            &StrapiQuery::new()
                .filter(FilterBuilder::new().eq("title", "x"))
                .fields(["title"]),
        )
        .unwrap();
        let q = pairs(&p.next_query().unwrap());
        assert!(q.contains(&"filters[title][$eq]=x".to_owned()));
        assert!(q.contains(&"fields[0]=title".to_owned()));
        assert!(q.contains(&"pagination[start]=0".to_owned()));
        assert!(q.contains(&"pagination[limit]=100".to_owned()));
    }

    #[test]
    fn a_wrong_echo_stops_with_an_error() {
        let mut p = Pager::new(&StrapiQuery::new().paginate(1, 10)).unwrap();
        let err = p.record(Some(&page(2, 10, 5, 50)), 10).unwrap_err();
        assert!(matches!(err, Error::UnexpectedResponse { .. }), "{err:?}");
        assert!(p.next_query().is_none());
        let mut p = Pager::new(&StrapiQuery::new()).unwrap();
        assert!(p.record(Some(&offset(5, 100, None)), 100).is_err());
        // No pagination at all: a short page is the whole list, a full one an error.
        let mut p = Pager::new(&StrapiQuery::new()).unwrap();
        p.record(None, 3).unwrap();
        assert!(p.is_done());
        let mut p = Pager::new(&StrapiQuery::new()).unwrap();
        assert!(p.record(None, 100).is_err());
        let mut p = Pager::new(&StrapiQuery::new().paginate(1, 10)).unwrap();
        assert!(p.record(Some(&page(1, 0, 0, 0)), 0).is_err());
    }

    #[test]
    fn without_count_short_pages_end_the_walk() {
        let mut p = Pager::new(&StrapiQuery::new().paginate(1, 10).with_count(false)).unwrap();
        let echo = Pagination {
            page: Some(1),
            page_size: Some(10),
            ..Pagination::default()
        };
        p.record(Some(&echo), 10).unwrap();
        assert!(!p.is_done());
        assert_eq!(p.total(), None);
        let echo = Pagination {
            page: Some(2),
            page_size: Some(10),
            ..Pagination::default()
        };
        p.record(Some(&echo), 4).unwrap();
        assert!(p.is_done());
    }

    #[test]
    fn bad_queries_fail_before_paging() {
        assert!(Pager::new(&StrapiQuery::new().paginate(1, 10).offset(0, 5)).is_err());
        assert!(Pager::new(&StrapiQuery::new().paginate(0, 10)).is_err());
    }

    #[test]
    fn queries_ahead_stop_at_the_total() {
        let mut p = Pager::new(&StrapiQuery::new().paginate(1, 10)).unwrap();
        assert_eq!(p.query_ahead(0), p.next_query());
        assert_eq!(
            p.query_ahead(1),
            None,
            "nothing ahead before the first page"
        );
        p.record(Some(&page(1, 10, 3, 25)), 10).unwrap();
        let mut at_3 = p.clone();
        at_3.record(Some(&page(2, 10, 3, 25)), 10).unwrap();
        assert_eq!(p.query_ahead(1), at_3.next_query());
        assert_eq!(p.query_ahead(2), None, "page 4 would start past 25");
        let mut o = Pager::new(&StrapiQuery::new().offset(0, 3)).unwrap();
        let echo = Pagination {
            start: Some(0),
            limit: Some(3),
            total: Some(7),
            ..Default::default()
        };
        o.record(Some(&echo), 3).unwrap();
        let mut at_6 = o.clone();
        let echo = Pagination {
            start: Some(3),
            ..echo
        };
        at_6.record(Some(&echo), 3).unwrap();
        assert_eq!(o.query_ahead(1), at_6.next_query());
        assert_ne!(o.query_ahead(0), o.query_ahead(1));
        assert_eq!(o.query_ahead(2), None);
        let mut n = Pager::new(&StrapiQuery::new().paginate(1, 10).with_count(false)).unwrap();
        n.record(
            Some(&Pagination {
                page: Some(1),
                page_size: Some(10),
                ..Default::default()
            }),
            10,
        )
        .unwrap();
        assert!(n.query_ahead(0).is_some());
        assert_eq!(n.query_ahead(1), None, "no total, no guess");
    }
}
