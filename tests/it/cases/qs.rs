//! The query encoder held against Strapi's own `qs`: generated queries are encoded by the
//! crate and decoded by the test server's query middleware (`tests/it/support/qs_decode.js`,
//! run once per test with Node, no server started), and what Strapi would read is compared
//! with what the builder calls asked for. Mounted as `v5` (qs 6.15.3) and `v4` (qs 6.11.1).
//!
//! The expected object comes from a model kept by the generator beside the builder calls,
//! not from the crate: a regression in the encoder's structure (a lost `$and`, a dropped
//! populate, a misspelt number) shows as a difference.

use super::*;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::Map;
use strapi_kit::{ApiVersion, FilterValue, Operator};

/// This module's version, from its name (no server is started for the `qs` tests).
fn version() -> ApiVersion {
    if module_path!().contains("::v4::") {
        ApiVersion::V4
    } else {
        ApiVersion::V5
    }
}

/// Runs every line through one Node process with the server's query middleware; returns
/// the `qs` version and one JSON answer per line.
fn node(lines: &[Value]) -> (String, Vec<Value>) {
    let (app, pkg, want) = match version() {
        ApiVersion::V5 => ("tests/strapi/v5", "@strapi/core", "6.15.3"),
        ApiVersion::V4 => ("tests/strapi/v4", "@strapi/strapi", "6.11.1"),
    };
    let root = env!("CARGO_MANIFEST_DIR");
    let mut child = Command::new("node")
        .arg(format!("{root}/tests/it/support/qs_decode.js"))
        .arg(format!("{root}/{app}"))
        .arg(pkg)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node (run /work/wt/link-node.sh or npm ci in tests/strapi first)");
    let mut stdin = child.stdin.take().expect("stdin");
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut out = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let head: Value = serde_json::from_str(&out.next().expect("header").expect("read")).unwrap();
    let answers: Vec<Value> = out
        .map(|l| serde_json::from_str(&l.expect("read")).expect("JSON from node"))
        .collect();
    writer.join().unwrap().expect("write to node");
    assert!(child.wait().unwrap().success(), "qs_decode.js failed");
    assert_eq!(answers.len(), lines.len(), "one answer per line");
    let qs = head["qs"].as_str().unwrap_or_default().to_owned();
    assert_eq!(qs, want, "the qs Strapi {} resolves", version());
    (qs, answers)
}

// ----- a small deterministic generator ------------------------------------------------

struct Rng(u64);

impl Rng {
    /// SplitMix64.
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// True `num` times in `den`.
    fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next() % den < num
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Names `qs` and Strapi read as names (digits, dashes, spaces, escapes, non-ASCII).
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
    "categories",
    "slug",
    "seo2",
    "x-y",
    "a b",
    "é",
    "日本",
    "%",
    "+",
    "&",
    "=",
    "#",
    "_",
    "~",
    // Near the prototype names, but kept by `qs`.
    "length",
    "prototype",
    "Constructor",
    "toStringTag",
];

/// Every name `qs` drops without `allowPrototypes`.
const PROTOTYPE_NAMES: &[&str] = &[
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "hasOwnProperty",
    "__lookupGetter__",
    "__lookupSetter__",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toString",
    "valueOf",
    "__proto__",
    "toLocaleString",
];

const STRINGS: &[&str] = &[
    "",
    " ",
    "Ada",
    "a&b=c",
    "50%",
    "1+1",
    "x]y[0]",
    "null",
    "true",
    "é 日本語 😀",
    "a,b",
    "#hash/slash?",
    "2026-06-01T00:00:00.000Z",
];

const SCALAR_OPS: [Operator; 16] = [
    Operator::Eq,
    Operator::Eqi,
    Operator::Ne,
    Operator::Nei,
    Operator::Lt,
    Operator::Lte,
    Operator::Gt,
    Operator::Gte,
    Operator::Contains,
    Operator::NotContains,
    Operator::Containsi,
    Operator::NotContainsi,
    Operator::StartsWith,
    Operator::StartsWithi,
    Operator::EndsWith,
    Operator::EndsWithi,
];

/// A scalar as the user gives it.
#[derive(Clone, Debug)]
enum Sc {
    Str(String),
    I(i64),
    U(u64),
    F(f64),
    F32(f32),
    B(bool),
    Null,
}

impl Sc {
    fn to_value(&self) -> FilterValue {
        match self {
            Sc::Str(s) => s.as_str().into(),
            Sc::I(i) => (*i).into(),
            Sc::U(u) => (*u).into(),
            Sc::F(f) => (*f).into(),
            Sc::F32(f) => (*f).into(),
            Sc::B(b) => (*b).into(),
            Sc::Null => Value::Null.into(),
        }
    }

    /// The decimal a float stands for, as text Node reads back to the same number.
    fn number_text(&self) -> Option<String> {
        match self {
            Sc::F(f) if f.is_finite() => Some(format!("{f:e}")),
            // The f32's own shortest digits: the number the user wrote.
            Sc::F32(f) => Some(format!("{f:e}")),
            _ => None,
        }
    }

    /// What `qs` should give back: the string, JavaScript's spelling of a number, or null.
    fn expected(&self, js: &HashMap<String, String>) -> Value {
        match self {
            Sc::Str(s) => json!(s),
            Sc::I(i) => json!(i.to_string()),
            Sc::U(u) => json!(u.to_string()),
            Sc::B(b) => json!(b.to_string()),
            Sc::Null => Value::Null,
            f => json!(js[&f.number_text().expect("finite")]),
        }
    }
}

/// A filter as the user writes it.
#[derive(Clone, Debug)]
enum F {
    Scalar(String, Operator, Sc),
    List(String, Operator, Vec<Sc>),
    Null(String, bool),
    Or(Vec<Vec<F>>),
    And(Vec<Vec<F>>),
    Not(Vec<F>),
}

/// Populate as the user writes it: the calls in order (a repeated name replaces).
#[derive(Clone, Debug, Default)]
struct P {
    all: bool,
    entries: Vec<(String, Pf)>,
}

#[derive(Clone, Debug, Default)]
struct Pf {
    fields: Vec<String>,
    filters: Vec<F>,
    sort: Vec<(String, SortDirection)>,
    populate: Vec<P>,
    on: Vec<(String, Pf)>,
    count: bool,
}

struct Gen {
    rng: Rng,
    /// Something the encoder must refuse was put in (a prototype name, NaN, a list on a
    /// one-value operator, a JSON object, `*` beside named fields).
    bad: bool,
    /// Decimals whose JavaScript spelling is needed.
    numbers: Vec<String>,
}

impl Gen {
    fn name(&mut self) -> String {
        if self.rng.chance(1, 150) {
            self.bad = true;
            return (*self.rng.pick(PROTOTYPE_NAMES)).to_owned();
        }
        (*self.rng.pick(NAMES)).to_owned()
    }

    fn path(&mut self) -> String {
        let n = 1 + self.rng.below(3);
        (0..n).map(|_| self.name()).collect::<Vec<_>>().join(".")
    }

    fn float(&mut self) -> f64 {
        match self.rng.below(6) {
            0 => f64::from_bits(self.rng.next()),
            1 => (self.rng.next() % 2_000_001) as f64 / 1000.0 - 1000.0,
            2 => *self
                .rng
                .pick(&[0.0, -0.0, 1.0, 0.1, 1e21, 1e-7, 1e-6, 123e20, 5e-324]),
            3 => (self.rng.next() >> 11) as f64 * 10f64.powi(self.rng.below(40) as i32 - 20),
            _ => self.rng.next() as f64 / 3.0,
        }
    }

    fn scalar(&mut self) -> Sc {
        let s = match self.rng.below(10) {
            0 => Sc::I(self.rng.next() as i64),
            1 => Sc::U(self.rng.next()),
            2 => {
                let f = self.float();
                if !f.is_finite() || self.rng.chance(1, 80) {
                    self.bad = true;
                    Sc::F(*self.rng.pick(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY]))
                } else {
                    Sc::F(f)
                }
            }
            3 => {
                let f = f32::from_bits(self.rng.next() as u32);
                if f.is_finite() {
                    Sc::F32(f)
                } else {
                    Sc::F32(0.1)
                }
            }
            4 => Sc::B(self.rng.chance(1, 2)),
            5 => Sc::Null,
            _ => Sc::Str((*self.rng.pick(STRINGS)).to_owned()),
        };
        if let Some(t) = s.number_text() {
            self.numbers.push(t);
        }
        s
    }

    /// A list, now and then exactly at or one past either version's array limit.
    fn list(&mut self) -> Vec<Sc> {
        let n = match self.rng.below(40) {
            0 => 100,
            1 => 101,
            2 => 102,
            _ => 1 + self.rng.below(4),
        };
        (0..n).map(|_| self.scalar()).collect()
    }

    fn filters(&mut self, depth: usize) -> Vec<F> {
        let n = self.rng.below(4);
        let mut out = Vec::new();
        for _ in 0..n {
            let group = depth < 3;
            let f = match self.rng.below(10) {
                0..=3 => {
                    let (path, op) = (self.path(), *self.rng.pick(&SCALAR_OPS));
                    if self.rng.chance(1, 60) {
                        // A list or an object where one value goes.
                        self.bad = true;
                        let v = if self.rng.chance(1, 2) {
                            Sc::Str("[1,2]".into())
                        } else {
                            Sc::Str("{}".into())
                        };
                        F::List(path, op, vec![v.clone(), v])
                    } else {
                        F::Scalar(path, op, self.scalar())
                    }
                }
                4 => {
                    let op = *self.rng.pick(&[Operator::In, Operator::NotIn]);
                    F::List(self.path(), op, self.list())
                }
                5 => F::List(
                    self.path(),
                    Operator::Between,
                    vec![self.scalar(), self.scalar()],
                ),
                6 => F::Null(self.path(), self.rng.chance(1, 2)),
                7 if group => F::Or(
                    (0..1 + self.rng.below(3))
                        .map(|_| self.nonempty_filters(depth + 1))
                        .collect(),
                ),
                8 if group => F::And(
                    (0..self.rng.below(4))
                        .map(|_| self.filters(depth + 1))
                        .collect(),
                ),
                9 if group => F::Not(self.nonempty_filters(depth + 1)),
                _ => F::Scalar(self.path(), Operator::Eq, self.scalar()),
            };
            out.push(f);
        }
        out
    }

    /// `$or` members and `$not` need a condition (empty ones are refused, tested elsewhere).
    fn nonempty_filters(&mut self, depth: usize) -> Vec<F> {
        let mut f = self.filters(depth);
        if f.iter().all(empty) {
            f.push(F::Scalar(self.path(), Operator::Eq, self.scalar()));
        }
        f
    }

    fn sort(&mut self) -> Vec<(String, SortDirection)> {
        (0..1 + self.rng.below(3))
            .map(|_| {
                let dir = if self.rng.chance(1, 2) {
                    SortDirection::Asc
                } else {
                    SortDirection::Desc
                };
                (self.path(), dir)
            })
            .collect()
    }

    fn names(&mut self) -> Vec<String> {
        let n = match self.rng.below(40) {
            0 => 101,
            _ => 1 + self.rng.below(4),
        };
        (0..n).map(|_| self.name()).collect()
    }

    fn populate(&mut self, depth: usize) -> P {
        if self.rng.chance(1, 8) {
            return P {
                all: true,
                entries: Vec::new(),
            };
        }
        let n = self.rng.below(4);
        let entries = (0..n)
            .map(|_| {
                let opts = if depth < 2 && self.rng.chance(1, 2) {
                    self.populate_field(depth + 1)
                } else {
                    Pf::default()
                };
                (self.name(), opts)
            })
            .collect();
        P {
            all: false,
            entries,
        }
    }

    fn populate_field(&mut self, depth: usize) -> Pf {
        let mut o = Pf::default();
        for _ in 0..self.rng.below(4) {
            match self.rng.below(7) {
                0 => o.fields.extend(self.names()),
                1 => o.filters.extend(self.filters(1)),
                2 => o.sort.extend(self.sort()),
                3 => o.populate.push(self.populate(depth)),
                4 => {
                    let c = self
                        .rng
                        .pick(&["shared.quote", "shared.seo", "blocks.hero"]);
                    let opts = if self.rng.chance(1, 2) {
                        self.populate_field(depth + 1)
                    } else {
                        Pf::default()
                    };
                    o.on.push(((*c).to_owned(), opts));
                }
                5 => o.count = true,
                // Options that write nothing: the field is still populated.
                _ => o.populate.push(P::default()),
            }
        }
        o
    }
}

// ----- builder calls from the model ---------------------------------------------------

fn builder(items: &[F]) -> FilterBuilder {
    items.iter().fold(FilterBuilder::new(), |b, f| match f {
        F::Scalar(path, Operator::Eq, v) => b.eq(path, v.to_value()),
        F::Scalar(path, op, v) => b.condition(path, *op, v.to_value()),
        F::List(path, Operator::In, vs) => b.in_(path, vs.iter().map(Sc::to_value)),
        F::List(path, Operator::NotIn, vs) => b.not_in(path, vs.iter().map(Sc::to_value)),
        F::List(path, Operator::Between, vs) => b.between(path, vs[0].to_value(), vs[1].to_value()),
        // Only the generator's bad cases: a list or an object for a one-value operator.
        F::List(path, op, vs) => match &vs[0] {
            Sc::Str(s) if s == "{}" => b.condition(path, *op, json!({"a": 1})),
            _ => b.condition(path, *op, json!([1, 2])),
        },
        F::Null(path, true) => b.null(path),
        F::Null(path, false) => b.not_null(path),
        F::Or(ms) => b.or_group(ms.iter().map(|m| builder(m))),
        F::And(ms) => b.and_group(ms.iter().map(|m| builder(m))),
        F::Not(m) => b.not_group(builder(m)),
    })
}

fn populate(p: &P) -> Populate {
    let start = if p.all {
        Populate::all()
    } else {
        Populate::new()
    };
    p.entries.iter().fold(start, |acc, (name, o)| {
        acc.field_with(name, populate_field(o))
    })
}

fn populate_field(o: &Pf) -> PopulateField {
    let mut b = PopulateField::new();
    if !o.fields.is_empty() {
        b = b.fields(o.fields.clone());
    }
    if !o.filters.is_empty() {
        b = b.filter(builder(&o.filters));
    }
    for (f, d) in &o.sort {
        b = b.sort_by(f, *d);
    }
    for p in &o.populate {
        b = b.populate(populate(p));
    }
    for (c, opts) in &o.on {
        b = b.on(c, populate_field(opts));
    }
    if o.count {
        b = b.count();
    }
    b
}

// ----- what `qs` should read -----------------------------------------------------------

fn empty(f: &F) -> bool {
    matches!(f, F::And(ms) if ms.iter().all(|m| m.iter().all(empty)))
}

/// The key a filter takes at its level; two alike would merge, so the level becomes `$and`.
fn slot(f: &F) -> (String, &'static str) {
    match f {
        F::Scalar(p, op, _) | F::List(p, op, _) => (p.clone(), op.as_str()),
        F::Null(p, true) => (p.clone(), "$null"),
        F::Null(p, false) => (p.clone(), "$notNull"),
        F::Or(_) => (String::new(), "$or"),
        F::And(_) => (String::new(), "$and"),
        F::Not(_) => (String::new(), "$not"),
    }
}

/// Sets `obj[path…] = value`, making the objects on the way.
fn put(obj: &mut Map<String, Value>, path: &[&str], value: Value) {
    let (last, parents) = path.split_last().expect("non-empty path");
    let mut cur = obj;
    for p in parents {
        cur = cur
            .entry(p.to_string())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("an object on the way");
    }
    cur.insert(last.to_string(), value);
}

/// A conjunction (a builder's items): in place, or as `$and` slots when keys collide.
fn conj(items: &[F], js: &HashMap<String, String>) -> Map<String, Value> {
    let live: Vec<&F> = items.iter().filter(|f| !empty(f)).collect();
    let mut slots: Vec<_> = live.iter().map(|f| slot(f)).collect();
    slots.sort();
    slots.dedup();
    let mut out = Map::new();
    if slots.len() < live.len() {
        let members = live
            .iter()
            .map(|f| Value::Object(one(f, Map::new(), js)))
            .collect();
        out.insert("$and".into(), Value::Array(members));
    } else {
        for f in live {
            out = one(f, out, js);
        }
    }
    out
}

fn one(f: &F, mut out: Map<String, Value>, js: &HashMap<String, String>) -> Map<String, Value> {
    let at = |p: &str, op: &str| -> Vec<String> {
        p.split('.')
            .map(str::to_owned)
            .chain([op.to_owned()])
            .collect()
    };
    let mut set = |path: Vec<String>, v: Value| {
        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
        put(&mut out, &refs, v);
    };
    match f {
        F::Scalar(p, op, v) => set(at(p, op.as_str()), v.expected(js)),
        F::List(p, op, vs) => set(
            at(p, op.as_str()),
            Value::Array(vs.iter().map(|v| v.expected(js)).collect()),
        ),
        F::Null(p, is_null) => set(
            at(p, if *is_null { "$null" } else { "$notNull" }),
            json!("true"),
        ),
        F::Or(ms) => set(
            vec!["$or".into()],
            Value::Array(ms.iter().map(|m| Value::Object(conj(m, js))).collect()),
        ),
        F::And(ms) => {
            let live: Vec<Value> = ms
                .iter()
                .filter(|m| !m.iter().all(empty))
                .map(|m| Value::Object(conj(m, js)))
                .collect();
            if !live.is_empty() {
                set(vec!["$and".into()], Value::Array(live));
            }
        }
        F::Not(m) => set(vec!["$not".into()], Value::Object(conj(m, js))),
    }
    out
}

/// Later entries for the same name replace earlier ones, in the first one's place.
fn effective<T: Clone>(entries: &[(String, T)]) -> Vec<(String, T)> {
    let mut out: Vec<(String, T)> = Vec::new();
    for (n, v) in entries {
        match out.iter_mut().find(|(m, _)| m == n) {
            Some(slot) => slot.1 = v.clone(),
            None => out.push((n.clone(), v.clone())),
        }
    }
    out
}

fn merged(ps: &[P]) -> P {
    let mut all = false;
    let mut entries = Vec::new();
    for p in ps {
        all |= p.all;
        entries.extend(p.entries.iter().cloned());
    }
    P {
        all,
        entries: effective(&entries),
    }
}

fn writes_nothing(p: &P) -> bool {
    !p.all && p.entries.is_empty()
}

fn plain(o: &Pf) -> bool {
    o.fields.is_empty()
        && o.filters.iter().all(empty)
        && o.sort.is_empty()
        && writes_nothing(&merged(&o.populate))
        && o.on.is_empty()
        && !o.count
}

/// `None` when the populate cannot be sent (`*` beside named fields).
fn populate_obj(p: &P, top: bool, js: &HashMap<String, String>) -> Option<Value> {
    let entries = effective(&p.entries);
    if p.all {
        return entries.is_empty().then(|| json!("*"));
    }
    if top && entries.iter().all(|(_, o)| plain(o)) {
        return Some(json!(
            entries.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()
        ));
    }
    let mut out = Map::new();
    for (n, o) in &entries {
        out.insert(n.clone(), field_obj(o, js)?);
    }
    Some(Value::Object(out))
}

fn sort_obj(sort: &[(String, SortDirection)]) -> Value {
    let dir = |d: &SortDirection| match d {
        SortDirection::Asc => "asc",
        SortDirection::Desc => "desc",
    };
    json!(
        sort.iter()
            .map(|(f, d)| format!("{f}:{}", dir(d)))
            .collect::<Vec<_>>()
    )
}

fn field_obj(o: &Pf, js: &HashMap<String, String>) -> Option<Value> {
    if plain(o) {
        return Some(json!("true"));
    }
    let mut out = Map::new();
    if !o.fields.is_empty() {
        out.insert("fields".into(), json!(o.fields));
    }
    let filters = conj(&o.filters, js);
    if !filters.is_empty() {
        out.insert("filters".into(), Value::Object(filters));
    }
    if !o.sort.is_empty() {
        out.insert("sort".into(), sort_obj(&o.sort));
    }
    let p = merged(&o.populate);
    if !writes_nothing(&p) {
        out.insert("populate".into(), populate_obj(&p, false, js)?);
    }
    if !o.on.is_empty() {
        let mut on = Map::new();
        for (c, opts) in effective(&o.on) {
            on.insert(c, field_obj(&opts, js)?);
        }
        out.insert("on".into(), Value::Object(on));
    }
    if o.count {
        out.insert("count".into(), json!("true"));
    }
    Some(Value::Object(out))
}

/// Whether `qs` (with Strapi's options) would misread the object once encoded: an array
/// past the version's limit, a key deeper than 20 brackets, more than 1000 parameters.
fn past_limits(v: &Value) -> bool {
    let max_len = match version() {
        ApiVersion::V4 => 101,
        ApiVersion::V5 => 100,
    };
    fn walk(v: &Value, depth: usize, max_len: usize, leaves: &mut usize) -> bool {
        match v {
            Value::Object(m) => m.values().any(|c| walk(c, depth + 1, max_len, leaves)),
            Value::Array(a) => {
                a.len() > max_len || a.iter().any(|c| walk(c, depth + 1, max_len, leaves))
            }
            _ => {
                *leaves += 1;
                depth > 21 // the root key and 20 brackets
            }
        }
    }
    let mut leaves = 0;
    walk(v, 0, max_len, &mut leaves) || leaves > 1000
}

// ----- one generated query ---------------------------------------------------------------

#[derive(Default)]
struct Model {
    filters: Vec<F>,
    sort: Vec<(String, SortDirection)>,
    paging: Option<(bool, u64, u64)>,
    with_count: Option<bool>,
    populate: Vec<P>,
    fields: Vec<String>,
    locale: Option<Option<String>>,
    draft: Option<bool>,
    params: Vec<(&'static [&'static str], String)>,
}

impl Model {
    /// The object Strapi should read, or `None` if the query must be refused.
    fn expected(&self, js: &HashMap<String, String>) -> Option<Value> {
        let mut out = Map::new();
        let filters = conj(&self.filters, js);
        if !filters.is_empty() {
            out.insert("filters".into(), Value::Object(filters));
        }
        if !self.sort.is_empty() {
            out.insert("sort".into(), sort_obj(&self.sort));
        }
        let mut pagination = Map::new();
        match self.paging {
            Some((true, a, b)) => {
                pagination.insert("page".into(), json!(a.to_string()));
                pagination.insert("pageSize".into(), json!(b.to_string()));
            }
            Some((false, a, b)) => {
                pagination.insert("start".into(), json!(a.to_string()));
                pagination.insert("limit".into(), json!(b.to_string()));
            }
            None => {}
        }
        if let Some(c) = self.with_count {
            pagination.insert("withCount".into(), json!(c.to_string()));
        }
        if !pagination.is_empty() {
            out.insert("pagination".into(), Value::Object(pagination));
        }
        let p = merged(&self.populate);
        if !writes_nothing(&p) {
            out.insert("populate".into(), populate_obj(&p, true, js)?);
        }
        if !self.fields.is_empty() {
            out.insert("fields".into(), json!(self.fields));
        }
        let v5 = version() == ApiVersion::V5;
        match &self.locale {
            Some(Some(code)) => {
                out.insert("locale".into(), json!(code));
            }
            Some(None) => {
                out.insert("locale".into(), json!(if v5 { "*" } else { "all" }));
            }
            None => {}
        }
        if let Some(d) = self.draft {
            let (key, value) = match (v5, d) {
                (true, true) => ("status", "draft"),
                (true, false) => ("status", "published"),
                (false, true) => ("publicationState", "preview"),
                (false, false) => ("publicationState", "live"),
            };
            out.insert(key.into(), json!(value));
        }
        for (path, v) in &self.params {
            put(&mut out, path, json!(v));
        }
        let out = Value::Object(out);
        (!past_limits(&out)).then_some(out)
    }
}

/// Raw parameters: the key as sent and the path `qs` reads it as.
const PARAMS: &[(&str, &[&str])] = &[
    ("meta", &["meta"]),
    ("plugin[opt]", &["plugin", "opt"]),
    ("x y", &["x y"]),
];

fn generate(g: &mut Gen) -> (StrapiQuery, Model) {
    let mut q = StrapiQuery::new();
    let mut m = Model::default();
    let mut used_params = Vec::new();
    for _ in 0..1 + g.rng.below(7) {
        match g.rng.below(12) {
            0..=2 => {
                let items = g.filters(0);
                q = q.filter(builder(&items));
                m.filters.extend(items);
            }
            3 => {
                for (f, d) in g.sort() {
                    q = match (d, g.rng.below(3)) {
                        (SortDirection::Asc, 0) => q.sort_asc(&f),
                        (SortDirection::Desc, 0) => q.sort_desc(&f),
                        _ => q.sort_by(&f, d),
                    };
                    m.sort.push((f, d));
                }
            }
            4 if m.paging.is_none() => {
                let (a, b) = (1 + g.rng.next() % 1000, 1 + g.rng.next() % 200);
                if g.rng.chance(1, 2) {
                    q = q.paginate(a, b);
                    m.paging = Some((true, a, b));
                } else {
                    q = q.offset(a - 1, b);
                    m.paging = Some((false, a - 1, b));
                }
                if g.rng.chance(1, 2) {
                    let c = g.rng.chance(1, 2);
                    q = q.with_count(c);
                    m.with_count = Some(c);
                }
            }
            5 => {
                let names = g.names();
                q = q.populate(names.clone());
                m.populate.push(P {
                    all: false,
                    entries: names.into_iter().map(|n| (n, Pf::default())).collect(),
                });
            }
            6 => {
                if m.populate.iter().any(|p| !p.entries.is_empty()) {
                    g.bad = true; // `*` beside named fields
                }
                q = q.populate_all();
                m.populate.push(P {
                    all: true,
                    entries: Vec::new(),
                });
            }
            7 | 8 => {
                let p = g.populate(0);
                q = q.populate_with(populate(&p));
                m.populate.push(p);
            }
            9 => {
                let names = g.names();
                q = q.fields(names.clone());
                m.fields.extend(names);
            }
            10 => {
                if g.rng.chance(1, 3) {
                    q = q.all_locales();
                    m.locale = Some(None);
                } else {
                    let code = (*g.rng.pick(&["fr", "en-US", "", "zh-Hans"])).to_owned();
                    q = q.locale(&code);
                    m.locale = Some(Some(code));
                }
                let d = g.rng.chance(1, 2);
                q = q.status(if d {
                    DocumentStatus::Draft
                } else {
                    DocumentStatus::Published
                });
                m.draft = Some(d);
            }
            _ => {
                let i = g.rng.below(PARAMS.len());
                if !used_params.contains(&i) {
                    used_params.push(i);
                    let v = (*g.rng.pick(STRINGS)).to_owned();
                    q = q.param(PARAMS[i].0, &v);
                    m.params.push((PARAMS[i].1, v));
                }
            }
        }
    }
    if m.populate.iter().any(|p| p.all) && m.populate.iter().any(|p| !p.entries.is_empty()) {
        g.bad = true;
    }
    (q, m)
}

/// How many generated queries each version checks.
const CASES: usize = 700;

#[test]
fn generated_queries_decode_as_built() {
    let mut g = Gen {
        rng: Rng(0x5EED_0019),
        bad: false,
        numbers: Vec::new(),
    };
    let (mut queries, mut refused_ok) = (Vec::new(), 0);
    for i in 0..CASES {
        g.bad = false;
        let (q, m) = generate(&mut g);
        match q.encode(version()) {
            Ok(s) => queries.push((i, q, m, g.bad, s)),
            Err(Error::InvalidInput(_)) if g.bad => refused_ok += 1,
            // Past a limit (decided below, with the expected object), or a wrong refusal.
            Err(Error::InvalidInput(e)) => queries.push((i, q, m, false, format!("\u{0}{e}"))),
            Err(e) => panic!("case {i}: not InvalidInput: {e:?}"),
        }
    }
    // Numbers first, then the query strings, all through one Node process.
    let mut lines: Vec<Value> = g.numbers.iter().map(|n| json!({ "n": n })).collect();
    lines.extend(
        queries
            .iter()
            .filter(|(.., s)| !s.starts_with('\u{0}'))
            .map(|(.., s)| json!({ "q": s })),
    );
    let (_, answers) = node(&lines);
    let (nums, mut decoded) = answers.split_at(g.numbers.len());
    let js: HashMap<String, String> = g
        .numbers
        .iter()
        .zip(nums)
        .map(|(n, a)| (n.clone(), a.as_str().expect("a string").to_owned()))
        .collect();
    let (mut compared, mut limits) = (0, 0);
    for (i, q, m, bad, s) in &queries {
        assert!(
            !bad,
            "case {i}: sent although it must be refused: {s}\n{q:?}"
        );
        let expected = m.expected(&js);
        if let Some(error) = s.strip_prefix('\u{0}') {
            // Refused: right only if `qs` would misread it.
            assert!(
                expected.is_none(),
                "case {i}: refused ({error}) but fine for qs: {q:?}"
            );
            limits += 1;
            continue;
        }
        let Some(expected) = expected else {
            panic!("case {i}: sent past qs' limits: {s}");
        };
        let (got, rest) = decoded.split_first().expect("an answer");
        decoded = rest;
        assert_eq!(
            got,
            &expected,
            "case {i}: Strapi {} reads {s}\nnot as built by {q:?}",
            version()
        );
        compared += 1;
    }
    // The generator reaches every kind of case.
    assert!(compared > CASES / 2, "{compared} compared");
    assert!(refused_ok > 10, "{refused_ok} refused for bad input");
    assert!(limits > 5, "{limits} refused at qs' limits");
}

#[test]
fn numbers_are_spelled_like_javascript() {
    let mut rng = Rng(0x4E55_4D42);
    let mut floats: Vec<f64> = (0..3000)
        .map(|i| match i % 3 {
            0 => f64::from_bits(rng.next()),
            1 => (rng.next() >> 11) as f64 * 10f64.powi(rng.below(60) as i32 - 30),
            _ => f64::from(f32::from_bits(rng.next() as u32)),
        })
        .filter(|f| f.is_finite())
        .collect();
    // Both sides of every switch between plain and exponent notation.
    for e in -9..=23 {
        floats.extend([10f64.powi(e), 10f64.powi(e) * 1.5, -(10f64.powi(e)) * 9.999]);
    }
    floats.extend([
        0.0,
        -0.0,
        1.0,
        0.1 + 0.2,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
    ]);
    let ours: Vec<String> = floats
        .iter()
        .map(|&f| {
            let q = StrapiQuery::new().filter(FilterBuilder::new().eq("x", f));
            q.to_pairs().unwrap()[0].1.clone().expect("a value")
        })
        .collect();
    let lines: Vec<Value> = floats
        .iter()
        .map(|f| json!({ "n": format!("{f:e}") }))
        .collect();
    let (_, js) = node(&lines);
    for ((f, ours), js) in floats.iter().zip(&ours).zip(&js) {
        assert_eq!(Some(ours.as_str()), js.as_str(), "{f:e}");
    }
}

#[maybe]
#[the_test]
async fn populate_count_returns_the_count_on_both_versions() {
    let c = client();
    let n = unique("count");
    let mut cats = Vec::new();
    for i in 0..3 {
        let created: EntryResponse<Value> = c
            .create("categories", &json!({"name": format!("{n} c{i}")}))
            .await
            .unwrap();
        cats.push(key(&created.data));
    }
    let rel = strapi_kit::Relation::connect(cats.iter().map(String::as_str));
    let rel = c.relation(&rel).await.unwrap();
    let created: EntryResponse<Value> = c
        .create("articles", &json!({"title": n, "categories": rel}))
        .await
        .unwrap();
    let q = StrapiQuery::new()
        .populate_with(Populate::new().field_with("categories", PopulateField::new().count()));
    let got: EntryResponse<Value> = c.get_one("articles", key(&created.data), &q).await.unwrap();
    assert_eq!(got.data["categories"], json!({"count": 3}));
}
