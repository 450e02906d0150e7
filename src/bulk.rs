//! Bulk writes, and the per-item report that bulk writes and batch uploads share.
//!
//! [`BulkReport`] is the one report of every call that does many things at once:
//! `bulk_create`, `bulk_update` and `bulk_delete` (input: the data, `(id, data)` or the id)
//! and `upload_batch` (input: the file's path, answer: the [`MediaFile`](crate::MediaFile);
//! [`BatchReport`](crate::BatchReport) names that case).
//!
//! Strapi has no bulk REST route, so a bulk call is one request per item, with at most
//! [`BulkOptions::concurrency`] in flight (async: on the calling task; blocking: on as many
//! scoped threads sharing the client). Every item gets an outcome; a failure never hides the
//! others.

use crate::error::Error;
use crate::query::StrapiQuery;

/// How a bulk call runs.
///
/// ```
/// use strapi_kit::{BulkOptions, DocumentStatus, StrapiQuery};
/// let opts = BulkOptions::new()
///     .concurrency(8)
///     .stop_on_error(true)
///     .query(StrapiQuery::new().status(DocumentStatus::Draft));
/// # let _ = opts;
/// ```
#[derive(Clone, Debug)]
pub struct BulkOptions {
    pub(crate) concurrency: usize,
    pub(crate) stop_on_error: bool,
    pub(crate) query: StrapiQuery,
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions {
            concurrency: 4,
            stop_on_error: false,
            query: StrapiQuery::new(),
        }
    }
}

impl BulkOptions {
    /// Four requests at a time, every item attempted, no query parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests in flight at once (at least 1; default 4).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Whether a failure stops the scheduling of further items (default off: every item is
    /// attempted). Requests in flight always finish; items never started are
    /// [`BulkOutcome::Skipped`].
    pub fn stop_on_error(mut self, on: bool) -> Self {
        self.stop_on_error = on;
        self
    }

    /// Query parameters sent with every request (status, locale, fields or populate of
    /// the answers).
    pub fn query(mut self, query: StrapiQuery) -> Self {
        self.query = query;
        self
    }
}

/// What happened to one item.
#[derive(Debug)]
#[non_exhaustive]
pub enum BulkOutcome<T> {
    /// Done; Strapi's answer (the entry; `()` for deletes).
    Done(T),
    /// Failed with this error (for a validation error,
    /// [`Error::field_errors`] lists the fields).
    Failed(Error),
    /// Not attempted: the call stopped at an earlier failure
    /// ([`BulkOptions::stop_on_error`], [`BatchOptions::stop_on_error`](crate::BatchOptions::stop_on_error)).
    Skipped,
    /// Done, then undone because another item failed
    /// ([`BatchOptions::rollback`](crate::BatchOptions::rollback): the uploaded file was
    /// deleted again); the answer is what it was before.
    RolledBack(T),
}

/// One item of a bulk call or batch: its position, its input and its outcome.
#[derive(Debug)]
pub struct BulkItem<I, T> {
    /// Position in the input.
    pub index: usize,
    /// The input (data, `(id, data)`, id, or a batch upload's file path), given back so that
    /// failures can be retried.
    pub input: I,
    /// What happened.
    pub outcome: BulkOutcome<T>,
}

/// The result of a bulk call or batch upload: one item per input, in input order.
///
/// ```
/// # fn show(report: strapi_kit::BulkReport<serde_json::Value, serde_json::Value>) {
/// for (index, input, error) in report.failures() {
///     eprintln!("#{index} {input}: {error}");
///     for f in error.field_errors() {
///         eprintln!("  {}: {}", f.path, f.message);
///     }
/// }
/// println!("{} created", report.successes().len());
/// # }
/// ```
#[derive(Debug)]
pub struct BulkReport<I, T> {
    /// Per-item outcomes, in input order.
    pub items: Vec<BulkItem<I, T>>,
}

impl<I, T> BulkReport<I, T> {
    /// The answers of the items that succeeded (and were not rolled back), in input order.
    pub fn done(&self) -> Vec<&T> {
        self.items
            .iter()
            .filter_map(|i| match &i.outcome {
                BulkOutcome::Done(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    /// The successes: index, input and answer, in input order.
    pub fn successes(&self) -> Vec<(usize, &I, &T)> {
        self.items
            .iter()
            .filter_map(|i| match &i.outcome {
                BulkOutcome::Done(t) => Some((i.index, &i.input, t)),
                _ => None,
            })
            .collect()
    }

    /// The failures: index, input and error, in input order.
    pub fn failures(&self) -> Vec<(usize, &I, &Error)> {
        self.items
            .iter()
            .filter_map(|i| match &i.outcome {
                BulkOutcome::Failed(e) => Some((i.index, &i.input, e)),
                _ => None,
            })
            .collect()
    }

    /// The indexes of the items not attempted.
    pub fn skipped(&self) -> Vec<usize> {
        self.items
            .iter()
            .filter(|i| matches!(i.outcome, BulkOutcome::Skipped))
            .map(|i| i.index)
            .collect()
    }

    /// Whether every item succeeded.
    pub fn is_complete(&self) -> bool {
        self.items
            .iter()
            .all(|i| matches!(i.outcome, BulkOutcome::Done(_)))
    }

    /// The answers in input order if every item succeeded, else the first error (by index;
    /// the other outcomes are dropped: look at [`successes`](Self::successes) first if the
    /// items done matter, or use [`BatchReport::into_uploaded`](crate::BatchReport) for a
    /// batch upload).
    pub fn into_result(self) -> crate::Result<Vec<T>> {
        let mut out = Vec::with_capacity(self.items.len());
        let mut skipped = 0;
        for item in self.items {
            match item.outcome {
                BulkOutcome::Done(t) => out.push(t),
                BulkOutcome::Failed(e) => return Err(e),
                BulkOutcome::Skipped | BulkOutcome::RolledBack(_) => skipped += 1,
            }
        }
        if skipped > 0 {
            return Err(Error::InvalidInput(format!(
                "{skipped} items were not attempted"
            )));
        }
        Ok(out)
    }

    pub(crate) fn from_outcomes(
        inputs: Vec<I>,
        results: Vec<Option<crate::Result<T>>>,
    ) -> BulkReport<I, T> {
        let items = inputs
            .into_iter()
            .zip(results.into_iter().chain(std::iter::repeat_with(|| None)))
            .enumerate()
            .map(|(index, (input, r))| BulkItem {
                index,
                input,
                outcome: match r {
                    Some(Ok(t)) => BulkOutcome::Done(t),
                    Some(Err(e)) => BulkOutcome::Failed(e),
                    None => BulkOutcome::Skipped,
                },
            })
            .collect();
        BulkReport { items }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_sorts_outcomes() {
        let r: BulkReport<&str, u32> = BulkReport::from_outcomes(
            vec!["a", "b", "c", "d"],
            vec![
                Some(Ok(1)),
                Some(Err(Error::InvalidInput("bad".into()))),
                None,
                Some(Ok(4)),
            ],
        );
        assert_eq!(r.successes(), vec![(0, &"a", &1), (3, &"d", &4)]);
        let f = r.failures();
        assert_eq!((f.len(), f[0].0, *f[0].1), (1, 1, "b"));
        assert_eq!(r.skipped(), vec![2]);
        assert!(!r.is_complete());
        assert!(r.into_result().is_err());
        let ok: BulkReport<&str, u32> =
            BulkReport::from_outcomes(vec!["a", "b"], vec![Some(Ok(1)), Some(Ok(2))]);
        assert!(ok.is_complete());
        assert_eq!(ok.into_result().unwrap(), vec![1, 2]);
        // Fewer results than inputs (never happens) reads as skipped, not a panic.
        let short: BulkReport<&str, u32> = BulkReport::from_outcomes(vec!["a", "b"], vec![]);
        assert_eq!(short.skipped(), vec![0, 1]);
    }
}
