//! Filters: every Strapi operator, relation paths and nested `$and`/`$or`/`$not` groups.

use serde_json::Value;

use super::encode::{KeyWriter, NotScalar, scalar_to_string};

/// A Strapi filter operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operator {
    /// `$eq`: equal.
    Eq,
    /// `$eqi`: equal, case-insensitive.
    Eqi,
    /// `$ne`: not equal.
    Ne,
    /// `$nei`: not equal, case-insensitive.
    Nei,
    /// `$lt`: less than.
    Lt,
    /// `$lte`: less than or equal.
    Lte,
    /// `$gt`: greater than.
    Gt,
    /// `$gte`: greater than or equal.
    Gte,
    /// `$in`: in the list.
    In,
    /// `$notIn`: not in the list.
    NotIn,
    /// `$contains`: contains (case-sensitive).
    Contains,
    /// `$notContains`: does not contain.
    NotContains,
    /// `$containsi`: contains, case-insensitive.
    Containsi,
    /// `$notContainsi`: does not contain, case-insensitive.
    NotContainsi,
    /// `$startsWith`.
    StartsWith,
    /// `$startsWithi`: case-insensitive.
    StartsWithi,
    /// `$endsWith`.
    EndsWith,
    /// `$endsWithi`: case-insensitive.
    EndsWithi,
    /// `$null`: is null.
    Null,
    /// `$notNull`: is not null.
    NotNull,
    /// `$between`: between two values, inclusive.
    Between,
}

impl Operator {
    /// Every operator this version knows, in Strapi's documentation order (for parsers,
    /// completions and generators).
    pub const ALL: [Operator; 21] = [
        Operator::Eq,
        Operator::Eqi,
        Operator::Ne,
        Operator::Nei,
        Operator::Lt,
        Operator::Lte,
        Operator::Gt,
        Operator::Gte,
        Operator::In,
        Operator::NotIn,
        Operator::Contains,
        Operator::NotContains,
        Operator::Containsi,
        Operator::NotContainsi,
        Operator::StartsWith,
        Operator::StartsWithi,
        Operator::EndsWith,
        Operator::EndsWithi,
        Operator::Null,
        Operator::NotNull,
        Operator::Between,
    ];

    /// The operator Strapi spells `s` (`"$containsi"`), if any.
    ///
    /// ```
    /// use strapi_kit::query::Operator;
    /// assert_eq!(Operator::parse("$containsi"), Some(Operator::Containsi));
    /// assert_eq!(Operator::parse("$like"), None);
    /// for op in Operator::ALL {
    ///     assert_eq!(Operator::parse(op.as_str()), Some(op));
    /// }
    /// ```
    pub fn parse(s: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The operator as Strapi spells it (`$containsi`).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "$eq",
            Operator::Eqi => "$eqi",
            Operator::Ne => "$ne",
            Operator::Nei => "$nei",
            Operator::Lt => "$lt",
            Operator::Lte => "$lte",
            Operator::Gt => "$gt",
            Operator::Gte => "$gte",
            Operator::In => "$in",
            Operator::NotIn => "$notIn",
            Operator::Contains => "$contains",
            Operator::NotContains => "$notContains",
            Operator::Containsi => "$containsi",
            Operator::NotContainsi => "$notContainsi",
            Operator::StartsWith => "$startsWith",
            Operator::StartsWithi => "$startsWithi",
            Operator::EndsWith => "$endsWith",
            Operator::EndsWithi => "$endsWithi",
            Operator::Null => "$null",
            Operator::NotNull => "$notNull",
            Operator::Between => "$between",
        }
    }
}

/// The value of a condition: one scalar, or a list for `$in`, `$notIn` and `$between`.
///
/// Encoding refuses ([`Error::InvalidInput`](crate::Error::InvalidInput)) what the query
/// string cannot carry as given: a list for a one-value operator (`$eq`, `$contains`, …), a
/// JSON object or array as a value (or inside a list), and NaN or an infinite number.
#[derive(Clone, Debug, PartialEq)]
pub enum FilterValue {
    /// A string, number, boolean or null.
    Scalar(Value),
    /// A list of scalars, sent with array indices (`[$in][0]=a&[$in][1]=b`).
    List(Vec<Value>),
    /// NaN or ±infinity, which JSON cannot hold. Kept as given (where
    /// `serde_json::Value::from` would make it `null`, sent as "is null") so that encoding
    /// refuses it.
    NonFinite(f64),
}

macro_rules! scalar_from {
    ($($t:ty),*) => {$(
        impl From<$t> for FilterValue {
            fn from(v: $t) -> Self { FilterValue::Scalar(Value::from(v)) }
        }
    )*};
}
scalar_from!(
    &str, String, bool, i8, i16, i32, i64, u8, u16, u32, u64, isize, usize
);

impl From<f64> for FilterValue {
    fn from(v: f64) -> Self {
        match serde_json::Number::from_f64(v) {
            Some(n) => FilterValue::Scalar(Value::Number(n)),
            None => FilterValue::NonFinite(v),
        }
    }
}

impl From<f32> for FilterValue {
    /// The `f32`'s own shortest decimal (`0.1f32` is sent as `0.1`, not as the widened
    /// `0.10000000149011612`).
    fn from(v: f32) -> Self {
        if !v.is_finite() {
            return FilterValue::NonFinite(f64::from(v));
        }
        // The shortest digits that round-trip to this f32 always parse as an f64.
        let widened = v.to_string().parse::<f64>().unwrap_or(f64::from(v));
        FilterValue::from(widened)
    }
}

impl From<&String> for FilterValue {
    fn from(v: &String) -> Self {
        FilterValue::Scalar(Value::from(v.as_str()))
    }
}

impl From<Value> for FilterValue {
    fn from(v: Value) -> Self {
        match v {
            Value::Array(items) => FilterValue::List(items),
            other => FilterValue::Scalar(other),
        }
    }
}

/// One condition: a field path (dots for relations: `author.name`), an operator, a value.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// Field path; `.` separates relation hops.
    pub field: String,
    /// Operator.
    pub op: Operator,
    /// Value.
    pub value: FilterValue,
}

/// A filter tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    /// One condition.
    Condition(Condition),
    /// All must hold.
    And(Vec<Filter>),
    /// At least one must hold.
    Or(Vec<Filter>),
    /// Must not hold.
    Not(Box<Filter>),
}

/// Builds filters fluently. Conditions added to one builder are ANDed.
///
/// Unlike the Python client, nothing is ever dropped: two `or_group`s at one level, or the
/// same field and operator twice, are all sent (as `$and` members where their keys would
/// otherwise collide).
///
/// ```
/// use strapi_kit::{FilterBuilder, StrapiQuery};
/// let q = StrapiQuery::new().filter(
///     FilterBuilder::new()
///         .eq("published", true)
///         .gte("views", 100)
///         .or_group([
///             FilterBuilder::new().eq("author.name", "Ada"),
///             FilterBuilder::new().lt("publishedDate", "2026-06-01"),
///         ]),
/// );
/// assert_eq!(
///     q.to_query_string().unwrap(),
///     "filters%5Bpublished%5D%5B%24eq%5D=true&filters%5Bviews%5D%5B%24gte%5D=100\
///      &filters%5B%24or%5D%5B0%5D%5Bauthor%5D%5Bname%5D%5B%24eq%5D=Ada\
///      &filters%5B%24or%5D%5B1%5D%5BpublishedDate%5D%5B%24lt%5D=2026-06-01"
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FilterBuilder {
    items: Vec<Filter>,
}

macro_rules! ops {
    ($($(#[$doc:meta])* $name:ident => $op:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(self, field: impl Into<String>, value: impl Into<FilterValue>) -> Self {
            self.condition(field, Operator::$op, value)
        }
    )*};
}

impl FilterBuilder {
    /// An empty builder (matches everything).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a condition with any operator.
    pub fn condition(
        mut self,
        field: impl Into<String>,
        op: Operator,
        value: impl Into<FilterValue>,
    ) -> Self {
        self.items.push(Filter::Condition(Condition {
            field: field.into(),
            op,
            value: value.into(),
        }));
        self
    }

    ops! {
        /// `$eq`
        eq => Eq;
        /// `$eqi` (case-insensitive equality)
        eqi => Eqi;
        /// `$ne`
        ne => Ne;
        /// `$nei` (case-insensitive inequality)
        nei => Nei;
        /// `$lt`
        lt => Lt;
        /// `$lte`
        lte => Lte;
        /// `$gt`
        gt => Gt;
        /// `$gte`
        gte => Gte;
        /// `$contains`
        contains => Contains;
        /// `$notContains`
        not_contains => NotContains;
        /// `$containsi`
        containsi => Containsi;
        /// `$notContainsi`
        not_containsi => NotContainsi;
        /// `$startsWith`
        starts_with => StartsWith;
        /// `$startsWithi`
        starts_withi => StartsWithi;
        /// `$endsWith`
        ends_with => EndsWith;
        /// `$endsWithi`
        ends_withi => EndsWithi;
    }

    /// `$in`: the field equals one of `values`.
    pub fn in_<V: Into<FilterValue>>(
        self,
        field: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        let list = collect_list(values);
        self.condition(field, Operator::In, list)
    }

    /// `$notIn`: the field equals none of `values`.
    pub fn not_in<V: Into<FilterValue>>(
        self,
        field: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        let list = collect_list(values);
        self.condition(field, Operator::NotIn, list)
    }

    /// `$between`: `low <= field <= high`.
    pub fn between(
        self,
        field: impl Into<String>,
        low: impl Into<FilterValue>,
        high: impl Into<FilterValue>,
    ) -> Self {
        let list = collect_list([low.into(), high.into()]);
        self.condition(field, Operator::Between, list)
    }

    /// `$null`: the field is null.
    pub fn null(self, field: impl Into<String>) -> Self {
        self.condition(field, Operator::Null, true)
    }

    /// `$notNull`: the field is not null.
    pub fn not_null(self, field: impl Into<String>) -> Self {
        self.condition(field, Operator::NotNull, true)
    }

    /// `$or`: at least one of the builders holds (each builder is an AND of its conditions).
    ///
    /// Encoding fails ([`Error::InvalidInput`](crate::Error::InvalidInput)) if there are no
    /// builders or one of them is empty.
    pub fn or_group(mut self, builders: impl IntoIterator<Item = FilterBuilder>) -> Self {
        self.items.push(Filter::Or(
            builders.into_iter().map(FilterBuilder::member).collect(),
        ));
        self
    }

    /// `$and`: all of the builders hold. Sent as written, `[$and][0]…&[$and][1]…` (empty
    /// builders, which match everything, are left out of the list).
    ///
    /// ```
    /// use strapi_kit::{FilterBuilder, StrapiQuery};
    /// let q = StrapiQuery::new().filter(FilterBuilder::new().and_group([
    ///     FilterBuilder::new().eq("a", 1),
    ///     FilterBuilder::new().eq("b", 2),
    /// ]));
    /// let keys: Vec<String> = q.to_pairs().unwrap().into_iter().map(|(k, _)| k).collect();
    /// assert_eq!(keys, ["filters[$and][0][a][$eq]", "filters[$and][1][b][$eq]"]);
    /// ```
    pub fn and_group(mut self, builders: impl IntoIterator<Item = FilterBuilder>) -> Self {
        self.items.push(Filter::And(
            builders.into_iter().map(FilterBuilder::member).collect(),
        ));
        self
    }

    /// `$not`: the builder does not hold. Encoding fails if the builder is empty.
    pub fn not_group(mut self, builder: FilterBuilder) -> Self {
        self.items.push(Filter::Not(Box::new(builder.member())));
        self
    }

    /// A group member: always the `And` of the builder's items, so that a member that is
    /// itself one explicit `and_group` keeps its own `$and` level on the wire.
    fn member(self) -> Filter {
        Filter::And(self.items)
    }

    /// Adds a prepared [`Filter`].
    pub fn push(mut self, filter: Filter) -> Self {
        self.items.push(filter);
        self
    }

    /// Whether no condition was added.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The filter tree: one item as itself, several as an `And`.
    pub fn build(mut self) -> Filter {
        if self.items.len() == 1 {
            self.items.remove(0)
        } else {
            Filter::And(self.items)
        }
    }

    pub(crate) fn into_items(self) -> Vec<Filter> {
        self.items
    }
}

/// The values as one list (nested lists spliced in); a non-finite number makes the whole
/// value non-finite, refused when encoded.
fn collect_list<V: Into<FilterValue>>(values: impl IntoIterator<Item = V>) -> FilterValue {
    let mut out = Vec::new();
    for v in values {
        match v.into() {
            FilterValue::Scalar(s) => out.push(s),
            FilterValue::List(l) => out.extend(l),
            FilterValue::NonFinite(f) => return FilterValue::NonFinite(f),
        }
    }
    FilterValue::List(out)
}

/// Writes a conjunction (a builder's items, the query's filters) under the current key:
/// each member at this level, except members that write nothing (an empty `And`, which
/// matches everything).
pub(crate) fn write_conjunction(w: &mut KeyWriter<'_>, items: &[Filter], scratch: &mut String) {
    let live: Vec<&Filter> = items.iter().filter(|f| !is_empty(f)).collect();
    if has_collision(&live) {
        // Members whose keys would merge in `qs` (the same field and operator, two `$or`s)
        // are each given their own `$and` slot, so none is lost.
        let m = w.seg("$and");
        for (i, f) in live.iter().enumerate() {
            let mi = w.index(i);
            write_one(w, f, scratch);
            w.reset(mi);
        }
        w.reset(m);
    } else {
        for f in live {
            write_one(w, f, scratch);
        }
    }
}

/// Writes one group member (an `And` is the conjunction of a builder: written in place).
fn write_member(w: &mut KeyWriter<'_>, f: &Filter, scratch: &mut String) {
    match f {
        Filter::And(items) => write_conjunction(w, items, scratch),
        other => write_one(w, other, scratch),
    }
}

/// The key a member occupies at its level; two equal keys would merge in `qs`.
fn slot_key(f: &Filter) -> (&str, &str) {
    match f {
        Filter::Condition(c) => (c.field.as_str(), c.op.as_str()),
        Filter::Or(_) => ("", "$or"),
        Filter::Not(_) => ("", "$not"),
        Filter::And(_) => ("", "$and"),
    }
}

fn has_collision(flat: &[&Filter]) -> bool {
    if flat.len() < 2 {
        return false;
    }
    if flat.len() <= 32 {
        for (i, a) in flat.iter().enumerate() {
            let ka = slot_key(a);
            if flat[i + 1..].iter().any(|b| slot_key(b) == ka) {
                return true;
            }
        }
        false
    } else {
        let mut seen = std::collections::HashSet::with_capacity(flat.len());
        !flat.iter().all(|f| seen.insert(slot_key(f)))
    }
}

fn write_one(w: &mut KeyWriter<'_>, f: &Filter, scratch: &mut String) {
    if w.error.is_some() {
        // The query is already refused (e.g. nested past `qs`' depth): stop descending, so
        // that a very deep tree costs neither time nor stack.
        return;
    }
    match f {
        Filter::Condition(c) => write_condition(w, c, scratch),
        Filter::And(members) => {
            // An explicit `$and`, sent as written. Empty members match everything; left out,
            // they would leave gaps `qs` closes up anyway.
            let live: Vec<&Filter> = members.iter().filter(|f| !is_empty(f)).collect();
            if live.is_empty() {
                return;
            }
            let m = w.seg("$and");
            for (i, member) in live.into_iter().enumerate() {
                let mi = w.index(i);
                write_member(w, member, scratch);
                w.reset(mi);
            }
            w.reset(m);
        }
        Filter::Or(members) => {
            if members.is_empty() {
                w.error
                    .get_or_insert_with(|| "an `$or` group has no members".to_owned());
                return;
            }
            // An empty member matches everything but would write no key: `qs` would
            // renumber the others and Strapi would drop it from the `$or`.
            if members.iter().any(is_empty) {
                w.error.get_or_insert_with(|| {
                    "an `$or` member has no conditions (it would match everything)".to_owned()
                });
                return;
            }
            let m = w.seg("$or");
            for (i, member) in members.iter().enumerate() {
                let mi = w.index(i);
                write_member(w, member, scratch);
                w.reset(mi);
            }
            w.reset(m);
        }
        Filter::Not(inner) => {
            // `$not` of nothing (match nothing) has no `qs` form; it would vanish.
            if is_empty(inner) {
                w.error
                    .get_or_insert_with(|| "a `$not` group has no conditions".to_owned());
                return;
            }
            let m = w.seg("$not");
            write_member(w, inner, scratch);
            w.reset(m);
        }
    }
}

/// A filter that writes no key: an `And` of nothing (an empty builder), at any depth.
pub(crate) fn is_empty(f: &Filter) -> bool {
    matches!(f, Filter::And(items) if items.iter().all(is_empty))
}

fn write_condition(w: &mut KeyWriter<'_>, c: &Condition, scratch: &mut String) {
    if c.field.is_empty() || c.field.split('.').any(str::is_empty) {
        w.error
            .get_or_insert_with(|| format!("invalid filter field path {:?}", c.field));
        return;
    }
    let op = c.op.as_str();
    let takes_list = matches!(c.op, Operator::In | Operator::NotIn | Operator::Between);
    let start = w.seg_path(&c.field);
    let m = w.seg(op);
    match &c.value {
        FilterValue::Scalar(v) => {
            scratch.clear();
            match scalar_to_string(scratch, v) {
                Ok(present) => w.value(present.then_some(scratch.as_str())),
                Err(NotScalar) => w.fail(|| not_scalar(op, &c.field)),
            }
        }
        FilterValue::List(_) if !takes_list => {
            w.fail(|| format!("`{op}` on `{}` takes one value, not a list", c.field));
        }
        FilterValue::List(items) => {
            if items.is_empty() {
                w.fail(|| format!("`{op}` on `{}` needs at least one value", c.field));
            }
            if c.op == Operator::Between && items.len() != 2 {
                w.fail(|| format!("`$between` on `{}` needs exactly two values", c.field));
            }
            for (i, v) in items.iter().enumerate() {
                let mi = w.index(i);
                scratch.clear();
                match scalar_to_string(scratch, v) {
                    Ok(present) => w.value(present.then_some(scratch.as_str())),
                    Err(NotScalar) => w.fail(|| not_scalar(op, &c.field)),
                }
                w.reset(mi);
            }
        }
        FilterValue::NonFinite(f) => w.fail(|| {
            format!(
                "`{op}` on `{}`: {f} cannot be sent (the query string has no form for it; \
                 with no value Strapi would read \"is null\")",
                c.field
            )
        }),
    }
    w.reset(m);
    w.reset(start);
}

fn not_scalar(op: &str, field: &str) -> String {
    format!(
        "`{op}` on `{field}`: a JSON object or array cannot be sent as a value \
         (give a string, number, boolean or null; lists go to `$in`, `$notIn`, `$between`)"
    )
}

impl KeyWriter<'_> {
    /// Appends one `[segment]` per dot-separated part of a field path.
    pub(crate) fn seg_path(&mut self, path: &str) -> super::encode::Mark {
        let mut parts = path.split('.');
        let first = parts.next().unwrap_or_default();
        let mark = self.name(first);
        for p in parts {
            self.name(p);
        }
        mark
    }
}

#[cfg(test)]
mod operator_list {
    use super::Operator;

    /// A new operator fails to compile here until it has a place in `Operator::ALL`.
    fn place(op: Operator) -> usize {
        match op {
            Operator::Eq => 0,
            Operator::Eqi => 1,
            Operator::Ne => 2,
            Operator::Nei => 3,
            Operator::Lt => 4,
            Operator::Lte => 5,
            Operator::Gt => 6,
            Operator::Gte => 7,
            Operator::In => 8,
            Operator::NotIn => 9,
            Operator::Contains => 10,
            Operator::NotContains => 11,
            Operator::Containsi => 12,
            Operator::NotContainsi => 13,
            Operator::StartsWith => 14,
            Operator::StartsWithi => 15,
            Operator::EndsWith => 16,
            Operator::EndsWithi => 17,
            Operator::Null => 18,
            Operator::NotNull => 19,
            Operator::Between => 20,
        }
    }

    #[test]
    fn all_holds_every_operator_once() {
        for (i, op) in Operator::ALL.into_iter().enumerate() {
            assert_eq!(place(op), i, "{op:?}");
        }
    }
}
