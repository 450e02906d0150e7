//! The query encoder: a small builder program, driven by `arbitrary`, builds a
//! `StrapiQuery` (filters with dotted paths and nested `$or`/`$and`/`$not`, populate trees
//! with fields/filters/sort/`on`, pagination including 0 and huge values, locale, status,
//! raw parameters with odd bytes), then every encoder is called.
//!
//! Properties, checked whenever encoding succeeds:
//! - `to_query_string`, `encode` and `to_pairs` agree on success or failure;
//! - the output has only `A-Z a-z 0-9 - . _ ~ % + = & *`;
//! - split on `&` and `=` and percent-decoded, it gives back exactly the raw pairs of
//!   `to_pairs` / `to_pairs_for` (a key without `=` is a null value);
//! - at most 1000 parameters (`qs`' parameterLimit), and, when no name given to the builder
//!   contains a bracket, no key nested deeper than 20 levels (`qs`' depth);
//! - when no name has a bracket, every sort value the encoder writes (top level or inside
//!   populate) is `field:asc` or `field:desc`, the field non-empty and without `:`;
//! - when every name is an ordinary one (not empty, no brackets, no leading `$`, not all
//!   digits) and no raw parameter was added, the pairs are what `qs` reads back without
//!   merging or renumbering anything: no key twice, no key that is also the prefix of
//!   another key, and the indices under each array run 0, 1, 2, … without a gap.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use strapi_kit::query::Condition;
use strapi_kit::{
    ApiVersion, DocumentStatus, Filter, FilterBuilder, FilterValue, Operator, Populate,
    PopulateField, PublicationState, SortDirection, StrapiQuery,
};

const NAMES: &[&str] = &[
    "title",
    "author",
    "name",
    "cover",
    "views",
    "publishedDate",
    "seo",
    "metaTitle",
    "articles",
    "shared.quote",
    "id",
    "documentId",
    "$eq",
    "*",
    "",
    "a b",
    "é",
    "0",
    "99",
    "100",
    "%",
    "+",
    "&",
    "=",
    "#",
    "a:b",
];

/// Nesting of generated filter groups and populate trees (past `qs`' depth of 20).
const MAX_NEST: usize = 24;
/// Longest generated `$not` chain.
const MAX_CHAIN: usize = 3000;

struct Gen<'a, 'b> {
    u: &'b mut Unstructured<'a>,
    /// Whether any name handed to the builder has `[` or `]` (then the depth check is off).
    brackets: bool,
    /// Whether any name could be read by `qs` as something else (brackets, a leading `$`,
    /// all digits) or a raw parameter was added (then the `qs` shape check is off).
    odd: bool,
}

impl Gen<'_, '_> {
    fn note(&mut self, s: String) -> String {
        if s.contains(['[', ']']) {
            self.brackets = true;
            self.odd = true;
        }
        // `[]` is an array push for `qs`, `[0]` an index, `[$x]` an operator.
        let odd_part = |p: &str| p.starts_with('$') || p.bytes().all(|b| b.is_ascii_digit());
        if s.is_empty() || s.split('.').any(|p| !p.is_empty() && odd_part(p)) {
            self.odd = true;
        }
        s
    }

    /// A name: mostly from the list, sometimes any string, sometimes any bytes (lossy).
    fn name(&mut self) -> Result<String> {
        let s = match self.u.int_in_range(0..=9)? {
            0 => self.u.arbitrary::<String>()?,
            1 => {
                let b: &[u8] = self.u.arbitrary()?;
                String::from_utf8_lossy(b).into_owned()
            }
            _ => (*self.u.choose(NAMES)?).to_owned(),
        };
        Ok(self.note(s))
    }

    /// A field path: names joined with dots (empty segments included).
    fn path(&mut self) -> Result<String> {
        let n = self.u.int_in_range(1..=4)?;
        let mut parts = Vec::with_capacity(n);
        for _ in 0..n {
            parts.push(self.name()?);
        }
        Ok(parts.join("."))
    }

    fn names(&mut self) -> Result<Vec<String>> {
        let n = self.count(0..=6, 130)?;
        (0..n).map(|_| self.name()).collect()
    }

    /// A small count, or now and then a large one (past `qs`' array limit of 100).
    fn count(&mut self, small: std::ops::RangeInclusive<usize>, large: usize) -> Result<usize> {
        if self.u.ratio(1, 16)? {
            self.u.int_in_range(0..=large)
        } else {
            self.u.int_in_range(small)
        }
    }

    fn number(&mut self) -> Result<u64> {
        Ok(match self.u.int_in_range(0..=7)? {
            0 => 0,
            1 => 1,
            2 => 100,
            3 => u64::MAX,
            4 => u64::from(u32::MAX) + 1,
            _ => self.u.arbitrary()?,
        })
    }

    fn scalar(&mut self) -> Result<Value> {
        Ok(match self.u.int_in_range(0..=8)? {
            0 => Value::Null,
            1 => Value::Bool(self.u.arbitrary()?),
            2 => Value::from(self.u.arbitrary::<i64>()?),
            3 => Value::from(self.u.arbitrary::<u64>()?),
            4 => Value::from(self.u.arbitrary::<f64>()?),
            5 => Value::String(self.u.arbitrary()?),
            6 => Value::String(self.name()?),
            // Not scalars, but a `Value` can hold them.
            7 => Value::Array(vec![Value::from(1), Value::String(self.u.arbitrary()?)]),
            _ => serde_json::json!({ "k": self.u.arbitrary::<String>()? }),
        })
    }

    fn list(&mut self) -> Result<Vec<Value>> {
        let n = self.count(0..=4, 120)?;
        (0..n).map(|_| self.scalar()).collect()
    }

    fn value(&mut self) -> Result<FilterValue> {
        Ok(if self.u.ratio(1, 4)? {
            FilterValue::List(self.list()?)
        } else {
            FilterValue::Scalar(self.scalar()?)
        })
    }

    fn filter(&mut self, depth: usize) -> Result<FilterBuilder> {
        let mut f = FilterBuilder::new();
        let n = self.count(0..=4, 40)?;
        for _ in 0..n {
            if self.u.is_empty() {
                break;
            }
            let nested = depth < MAX_NEST;
            f = match self.u.int_in_range(0..=12)? {
                0..=3 => {
                    let op = *self.u.choose(&Operator::ALL)?;
                    f.condition(self.path()?, op, self.value()?)
                }
                4 => f.in_(self.path()?, self.list()?),
                5 => f.not_in(self.path()?, self.list()?),
                6 => f.between(self.path()?, self.scalar()?, self.scalar()?),
                7 => match self.u.int_in_range(0..=2)? {
                    0 => f.null(self.path()?),
                    1 => f.not_null(self.path()?),
                    _ => f.eq(self.path()?, self.scalar()?),
                },
                8 if nested => {
                    let k = self.count(0..=3, 8)?;
                    let members = (0..k)
                        .map(|_| self.filter(depth + 1))
                        .collect::<Result<Vec<_>>>()?;
                    f.or_group(members)
                }
                9 if nested => {
                    let k = self.count(0..=3, 8)?;
                    let members = (0..k)
                        .map(|_| self.filter(depth + 1))
                        .collect::<Result<Vec<_>>>()?;
                    f.and_group(members)
                }
                10 if nested => f.not_group(self.filter(depth + 1)?),
                11 if nested => f.push(self.raw_filter(depth + 1)?),
                12 if depth == 0 => {
                    // A long `$not` chain, built without recursion.
                    let n = self.u.int_in_range(0..=MAX_CHAIN)?;
                    let mut inner = Filter::Condition(Condition {
                        field: self.path()?,
                        op: Operator::Eq,
                        value: FilterValue::Scalar(self.scalar()?),
                    });
                    for _ in 0..n {
                        inner = Filter::Not(Box::new(inner));
                    }
                    f.push(inner)
                }
                _ => f.eq(self.path()?, self.scalar()?),
            };
        }
        Ok(f)
    }

    /// A `Filter` tree built directly (empty groups included).
    fn raw_filter(&mut self, depth: usize) -> Result<Filter> {
        if depth >= MAX_NEST {
            return Ok(Filter::Condition(Condition {
                field: self.path()?,
                op: *self.u.choose(&Operator::ALL)?,
                value: self.value()?,
            }));
        }
        Ok(match self.u.int_in_range(0..=4)? {
            0 => Filter::Condition(Condition {
                field: self.path()?,
                op: *self.u.choose(&Operator::ALL)?,
                value: self.value()?,
            }),
            1 => Filter::And(self.raw_filters(depth)?),
            2 => Filter::Or(self.raw_filters(depth)?),
            3 => Filter::Not(Box::new(self.raw_filter(depth + 1)?)),
            _ => self.filter(depth + 1)?.build(),
        })
    }

    fn raw_filters(&mut self, depth: usize) -> Result<Vec<Filter>> {
        let k = self.count(0..=3, 8)?;
        (0..k).map(|_| self.raw_filter(depth + 1)).collect()
    }

    fn direction(&mut self) -> Result<SortDirection> {
        Ok(if self.u.arbitrary()? {
            SortDirection::Asc
        } else {
            SortDirection::Desc
        })
    }

    fn populate(&mut self, depth: usize) -> Result<Populate> {
        if self.u.ratio(1, 10)? {
            return Ok(Populate::all());
        }
        let mut p = Populate::new();
        let n = self.count(0..=3, 110)?;
        for _ in 0..n {
            if self.u.is_empty() {
                break;
            }
            p = if depth < MAX_NEST && self.u.arbitrary()? {
                p.field_with(self.name()?, self.populate_field(depth + 1)?)
            } else {
                p.field(self.name()?)
            };
        }
        Ok(p)
    }

    fn populate_field(&mut self, depth: usize) -> Result<PopulateField> {
        let mut o = PopulateField::new();
        let n = self.count(0..=3, 10)?;
        for _ in 0..n {
            if self.u.is_empty() {
                break;
            }
            let nested = depth < MAX_NEST;
            o = match self.u.int_in_range(0..=5)? {
                0 => o.fields(self.names()?),
                1 => o.filter(self.filter(depth + 1)?),
                2 => o.sort_by(self.path()?, self.direction()?),
                3 if nested => o.populate(self.populate(depth + 1)?),
                4 if nested => o.on(self.name()?, self.populate_field(depth + 1)?),
                _ => o.count(),
            };
        }
        Ok(o)
    }

    fn query(&mut self) -> Result<StrapiQuery> {
        let mut q = StrapiQuery::new();
        let n = self.count(0..=10, 64)?;
        for _ in 0..n {
            if self.u.is_empty() {
                break;
            }
            q = match self.u.int_in_range(0..=17)? {
                0..=2 => q.filter(self.filter(0)?),
                3 => q.sort_by(self.path()?, self.direction()?),
                4 => q.sort_asc(self.path()?),
                5 => q.sort_desc(self.path()?),
                6 => q.paginate(self.number()?, self.number()?),
                7 => q.offset(self.number()?, self.number()?),
                8 => q.with_count(self.u.arbitrary()?),
                9 => q.populate(self.names()?),
                10 => q.populate_all(),
                11 => q.populate_with(self.populate(0)?),
                12 => q.fields(self.names()?),
                13 => q.locale(self.name()?),
                14 => q.all_locales(),
                15 => q.status(if self.u.arbitrary()? {
                    DocumentStatus::Draft
                } else {
                    DocumentStatus::Published
                }),
                16 => q.publication_state(if self.u.arbitrary()? {
                    PublicationState::Live
                } else {
                    PublicationState::Preview
                }),
                _ => {
                    let k = self.name()?;
                    let v = self.name()?;
                    self.odd = true;
                    q.param(k, v)
                }
            };
        }
        Ok(q)
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let mut g = Gen {
        u: &mut u,
        brackets: false,
        odd: false,
    };
    let Ok(q) = g.query() else {
        return;
    };
    let (brackets, odd) = (g.brackets, g.odd);
    if debug() {
        eprintln!("{q:#?}");
    }

    // Getters never fail.
    let _ = (q.get_status(), q.get_locale(), q.has_sort());
    let _ = q.requested_page_size();
    assert_eq!(q.clone(), q);

    let v5 = q.to_query_string();
    let v5_explicit = q.encode(ApiVersion::V5);
    let v5_pairs = q.to_pairs();
    match (&v5, &v5_explicit) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(_), Err(_)) => {}
        _ => panic!("to_query_string and encode(V5) disagree: {v5:?} / {v5_explicit:?}"),
    }
    check(&v5, &v5_pairs, brackets, odd);
    check(
        &q.encode(ApiVersion::V4),
        &q.to_pairs_for(ApiVersion::V4),
        brackets,
        odd,
    );
    if let Err(e) = &v5 {
        // Errors are InvalidInput, reported before sending; Display must work.
        assert!(matches!(e, strapi_kit::Error::InvalidInput(_)), "{e:?}");
        let _ = e.to_string();
    }
});

/// `FUZZ_DEBUG=1 cargo fuzz run query <artifact>` prints the query the input builds.
fn debug() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("FUZZ_DEBUG").is_some())
}

type Pairs = Vec<(String, Option<String>)>;

fn check(
    encoded: &strapi_kit::Result<String>,
    pairs: &strapi_kit::Result<Pairs>,
    brackets: bool,
    odd: bool,
) {
    let (s, pairs) = match (encoded, pairs) {
        (Ok(s), Ok(p)) => (s, p),
        (Err(_), Err(_)) => return,
        _ => panic!(
            "encoding and to_pairs disagree: {:?} / {:?}",
            encoded.as_ref().map(|_| ()),
            pairs.as_ref().map(|_| ())
        ),
    };
    if let Some(bad) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-._~%+=&*".contains(*c)))
    {
        panic!("character {bad:?} left unencoded in {s:?}");
    }
    let decoded: Pairs = if s.is_empty() {
        Vec::new()
    } else {
        s.split('&')
            .map(|part| match part.split_once('=') {
                Some((k, v)) => (decode(k), Some(decode(v))),
                None => (decode(part), None),
            })
            .collect()
    };
    assert_eq!(&decoded, pairs, "encoded: {s:?}");
    assert!(pairs.len() <= 1000, "{} parameters", pairs.len());
    if !brackets {
        for (k, _) in pairs {
            let depth = k.matches('[').count();
            assert!(depth <= 20, "key nested {depth} deep: {k:?}");
        }
    }
    for (k, v) in pairs.iter().filter(|_| !brackets) {
        if let Some((parent, last)) = split_last(k) {
            if (parent == "sort" || parent.ends_with("[sort]")) && is_index(last) {
                let v = v.as_deref().unwrap_or_default();
                let ok = v.rsplit_once(':').is_some_and(|(f, d)| {
                    !f.is_empty() && !f.contains(':') && (d == "asc" || d == "desc")
                });
                assert!(ok, "malformed sort value {v:?} at {k:?}");
            }
        }
    }
    if !odd {
        check_qs_shape(pairs);
    }
}

/// `a[b][c]` → (`a[b]`, `c`).
fn split_last(key: &str) -> Option<(&str, &str)> {
    let inner = key.strip_suffix(']')?;
    let open = inner.rfind('[')?;
    Some((&inner[..open], &inner[open + 1..]))
}

fn is_index(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// No duplicate key, no key that is a prefix of another (`qs` would merge a value and an
/// object), and the indices under every array prefix are exactly 0..n.
fn check_qs_shape(pairs: &Pairs) {
    use std::collections::{BTreeMap, BTreeSet};
    let keys: BTreeSet<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys.len(), pairs.len(), "duplicate keys in {pairs:?}");
    let mut arrays: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for (k, _) in pairs {
        // Walk every bracket prefix of the key.
        let mut end = k.find('[').unwrap_or(k.len());
        while end < k.len() {
            let prefix = &k[..end];
            assert!(
                !keys.contains(prefix),
                "{prefix:?} is both a value and a parent of {k:?}"
            );
            let close = end + k[end..].find(']').expect("unclosed bracket");
            let seg = &k[end + 1..close];
            if is_index(seg) {
                arrays
                    .entry(prefix)
                    .or_default()
                    .insert(seg.parse().expect("index fits usize"));
            }
            end = close + 1;
        }
    }
    for (prefix, idx) in arrays {
        let n = idx.len();
        assert!(
            idx.iter().copied().eq(0..n),
            "indices under {prefix:?} are {idx:?}, not 0..{n}: `qs` would renumber them"
        );
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XY` a byte.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3).expect("truncated %-escape");
                out.push(u8::from_str_radix(hex, 16).expect("bad %-escape"));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).expect("decoded bytes are UTF-8")
}
