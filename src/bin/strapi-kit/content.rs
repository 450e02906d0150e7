//! `content`: ls, get, create, update, delete, publish, unpublish; and the `--filter` parser.

use std::collections::BTreeMap;
use std::io::Read;

use clap::{Args, Subcommand};
use serde_json::{Value, json};
use strapi_kit::{DocumentStatus, FilterBuilder, FilterValue, Operator, StrapiQuery};

use crate::Ctx;
use crate::exit::{CmdResult, Failure, OK};
use crate::output::Format;

#[derive(Subcommand, Debug)]
pub enum ContentCmd {
    /// List entries of a collection (its plural API name, e.g. `articles`).
    Ls(LsArgs),
    /// Show one entry.
    Get {
        collection: String,
        id: String,
        #[command(flatten)]
        shape: Shape,
    },
    /// Create an entry from JSON: `--data '{"title":"Hi"}'`, `--data @file.json` or `--data -` (stdin).
    Create {
        collection: String,
        #[arg(long)]
        data: String,
    },
    /// Change an entry (only the fields given).
    Update {
        collection: String,
        id: String,
        #[arg(long)]
        data: String,
    },
    /// Delete an entry (asks for --yes).
    Delete {
        collection: String,
        id: String,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Publish an entry's draft.
    Publish { collection: String, id: String },
    /// Unpublish an entry (v5: needs admin credentials).
    Unpublish { collection: String, id: String },
}

/// What to read of each entry.
#[derive(Args, Debug, Default)]
pub struct Shape {
    /// Fields to return, comma separated.
    #[arg(long, value_delimiter = ',')]
    pub fields: Vec<String>,
    /// Relations/media/components to populate, comma separated, or `*`.
    #[arg(long, value_delimiter = ',')]
    pub populate: Vec<String>,
    /// Locale code, or `all`.
    #[arg(long)]
    pub locale: Option<String>,
    /// draft or published.
    #[arg(long, value_parser = ["draft", "published"])]
    pub status: Option<String>,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    pub collection: String,
    /// Filter in Strapi's bracket syntax: `title[$containsi]=hello`,
    /// `author[name][$eq]=Ann`, `id[$in][0]=1`, `$or[0][title][$eq]=a` (repeatable; all must hold).
    #[arg(long)]
    pub filter: Vec<String>,
    /// Sort: `field` or `field:desc`, comma separated.
    #[arg(long, value_delimiter = ',')]
    pub sort: Vec<String>,
    #[command(flatten)]
    pub shape: Shape,
    #[arg(long, default_value_t = 1)]
    pub page: u64,
    #[arg(long, default_value_t = 25)]
    pub page_size: u64,
    /// Every page.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(ctx: &Ctx, cmd: ContentCmd) -> CmdResult {
    match cmd {
        ContentCmd::Ls(a) => ls(ctx, a),
        ContentCmd::Get {
            collection,
            id,
            shape,
        } => {
            let q = shape_query(StrapiQuery::new(), &shape)?;
            let client = ctx.client()?;
            let got = client.get_one::<Value>(&collection, id.as_str(), &q)?;
            ctx.out.json_value(&got.data);
            Ok(OK)
        }
        ContentCmd::Create { collection, data } => {
            let body = read_data(&data)?;
            let got = ctx.client()?.create::<Value, _>(&collection, &body)?;
            ctx.out.json_value(&got.data);
            Ok(OK)
        }
        ContentCmd::Update {
            collection,
            id,
            data,
        } => {
            let body = read_data(&data)?;
            let got = ctx
                .client()?
                .update::<Value, _>(&collection, id.as_str(), &body)?;
            ctx.out.json_value(&got.data);
            Ok(OK)
        }
        ContentCmd::Delete {
            collection,
            id,
            yes,
        } => {
            if !yes {
                return Err(Failure::usage(format!(
                    "would delete {collection}/{id}; pass --yes to delete"
                )));
            }
            ctx.client()?.remove(&collection, id.as_str())?;
            ctx.out.note(format!("deleted {collection}/{id}"));
            if ctx.out.json {
                ctx.out.json_value(&json!({"deleted": id}));
            }
            Ok(OK)
        }
        ContentCmd::Publish { collection, id } => {
            let got = ctx.client()?.publish::<Value>(&collection, id.as_str())?;
            ctx.out.json_value(&got.data);
            Ok(OK)
        }
        ContentCmd::Unpublish { collection, id } => {
            ctx.client()?.unpublish(&collection, id.as_str())?;
            ctx.out.note(format!("unpublished {collection}/{id}"));
            if ctx.out.json {
                ctx.out.json_value(&json!({"unpublished": id}));
            }
            Ok(OK)
        }
    }
}

fn ls(ctx: &Ctx, a: LsArgs) -> CmdResult {
    let mut q = StrapiQuery::new();
    if let Some(f) = parse_filters(&a.filter)? {
        q = q.filter(f);
    }
    for s in &a.sort {
        q = add_sort(q, s)?;
    }
    q = shape_query(q, &a.shape)?;
    if !a.all {
        q = q.paginate(a.page, a.page_size);
    }
    // Refuses what the query string cannot carry, before anything is sent.
    q.to_query_string()?;
    let client = ctx.client()?;
    let rows: Vec<Value> = if a.all {
        client.get_all::<Value>(&a.collection, &q)?
    } else {
        let got = client.get_many::<Value>(&a.collection, &q)?;
        if let Some(p) = got.meta.pagination {
            if let (Some(page), Some(count), Some(total)) = (p.page, p.page_count, p.total) {
                ctx.out
                    .note(format!("page {page} of {count} ({total} entries)"));
            }
        }
        got.data
    };
    let mut cols: Vec<&str> = Vec::new();
    if !a.shape.fields.is_empty() {
        cols.push("id");
        if rows.first().is_some_and(|r| r.get("documentId").is_some()) {
            cols.push("documentId");
        }
        cols.extend(a.shape.fields.iter().map(String::as_str));
    }
    ctx.out.rows(a.format, &rows, &cols);
    Ok(OK)
}

fn shape_query(mut q: StrapiQuery, s: &Shape) -> Result<StrapiQuery, Failure> {
    if !s.fields.is_empty() {
        q = q.fields(s.fields.clone());
    }
    if s.populate.iter().any(|p| p == "*") {
        q = q.populate_all();
    } else if !s.populate.is_empty() {
        q = q.populate(s.populate.clone());
    }
    match s.locale.as_deref() {
        Some("all" | "*") => q = q.all_locales(),
        Some(code) => q = q.locale(code),
        None => {}
    }
    match s.status.as_deref() {
        Some("draft") => q = q.status(DocumentStatus::Draft),
        Some("published") => q = q.status(DocumentStatus::Published),
        Some(other) => {
            return Err(Failure::usage(format!(
                "--status: {other:?} is not draft or published"
            )));
        }
        None => {}
    }
    Ok(q)
}

pub fn add_sort(q: StrapiQuery, spec: &str) -> Result<StrapiQuery, Failure> {
    let (field, dir) = spec.split_once(':').unwrap_or((spec, "asc"));
    if field.is_empty() {
        return Err(Failure::usage(format!("--sort {spec:?}: no field")));
    }
    match dir.to_ascii_lowercase().as_str() {
        "asc" => Ok(q.sort_asc(field)),
        "desc" => Ok(q.sort_desc(field)),
        _ => Err(Failure::usage(format!(
            "--sort {spec:?}: direction must be asc or desc"
        ))),
    }
}

/// `--data`: inline JSON, `@file` or `-` (stdin).
fn read_data(arg: &str) -> Result<Value, Failure> {
    let text = if arg == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Failure::other(format!("stdin: {e}")))?;
        s
    } else if let Some(path) = arg.strip_prefix('@') {
        std::fs::read_to_string(path).map_err(|e| Failure::usage(format!("{path}: {e}")))?
    } else {
        arg.to_owned()
    };
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| Failure::usage(format!("--data is not JSON: {e}")))?;
    if !v.is_object() {
        return Err(Failure::usage("--data must be a JSON object"));
    }
    Ok(v)
}

fn is_list_op(op: Operator) -> bool {
    matches!(op, Operator::In | Operator::NotIn | Operator::Between)
}

/// Conditions are merged by group, field and operator.
type CondKey = (Option<(String, usize)>, String, Operator);

/// One parsed `--filter`.
#[derive(Debug, PartialEq)]
struct Cond {
    /// `$or` / `$and` group and index, when inside one.
    group: Option<(String, usize)>,
    field: String,
    op: Operator,
    value: String,
}

/// Splits `a[b][$op][0]` into `["a", "b", "$op", "0"]`.
fn segments(key: &str) -> Result<Vec<String>, String> {
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    let mut segs = vec![head.to_owned()];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[').ok_or("expected `[`")?;
        let end = inner.find(']').ok_or("a `[` without `]`")?;
        segs.push(inner[..end].to_owned());
        rest = &inner[end + 1..];
    }
    if segs.iter().any(|s| s.is_empty()) {
        return Err("an empty name".into());
    }
    Ok(segs)
}

fn parse_one(spec: &str) -> Result<Cond, String> {
    let (key, value) = spec.split_once('=').ok_or("expected KEY=VALUE")?;
    let mut segs = segments(key)?;
    if segs.first().is_some_and(|s| s == "filters") {
        segs.remove(0);
    }
    let mut group = None;
    if segs.first().is_some_and(|s| s == "$or" || s == "$and") {
        let g = segs.remove(0);
        let idx = segs
            .first()
            .and_then(|s| s.parse::<usize>().ok())
            .ok_or_else(|| format!("`{g}` needs an index: `{g}[0][field][$eq]=...`"))?;
        segs.remove(0);
        group = Some((g, idx));
    }
    // A trailing index belongs to a list operator.
    if segs.last().is_some_and(|s| s.parse::<usize>().is_ok()) && segs.len() >= 2 {
        segs.pop();
    }
    let op = match segs.last() {
        Some(s) if s.starts_with('$') => {
            let found = Operator::parse(s);
            let op = found.ok_or_else(|| format!("unknown operator `{s}`"))?;
            segs.pop();
            op
        }
        _ => Operator::Eq,
    };
    if segs.is_empty() {
        return Err("no field".into());
    }
    if let Some(s) = segs.iter().find(|s| s.starts_with('$')) {
        return Err(format!("`{s}` cannot appear there"));
    }
    Ok(Cond {
        group,
        field: segs.join("."),
        op,
        value: value.to_owned(),
    })
}

/// Parses `--filter` arguments into one builder (all conditions must hold). Values of the
/// same field and list operator (`$in`, `$notIn`, `$between`) form one list.
pub fn parse_filters(specs: &[String]) -> Result<Option<FilterBuilder>, Failure> {
    if specs.is_empty() {
        return Ok(None);
    }
    // (group, field, op) → values, in first-seen order.
    let mut order: Vec<CondKey> = Vec::new();
    let mut values: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for spec in specs {
        let c = parse_one(spec).map_err(|e| Failure::usage(format!("--filter {spec:?}: {e}")))?;
        let key = (c.group.clone(), c.field.clone(), c.op);
        let pos = match order
            .iter()
            .position(|k| *k == key)
            .filter(|_| is_list_op(c.op))
        {
            Some(p) => p,
            None => {
                order.push(key);
                order.len() - 1
            }
        };
        values.entry(pos).or_default().push(c.value);
    }
    let cond = |b: FilterBuilder,
                field: &str,
                op: Operator,
                vals: Vec<String>|
     -> Result<FilterBuilder, Failure> {
        Ok(match op {
            Operator::Between if vals.len() != 2 => {
                return Err(Failure::usage(format!(
                    "--filter {field}[$between] needs two values"
                )));
            }
            Operator::Null | Operator::NotNull => {
                let v = vals.first().map(String::as_str).unwrap_or("true");
                let on = match v {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    _ => {
                        return Err(Failure::usage(format!(
                            "--filter {field}[{}]: true or false",
                            op.as_str()
                        )));
                    }
                };
                b.condition(field, op, on)
            }
            op if is_list_op(op) => b.condition(
                field,
                op,
                FilterValue::List(vals.into_iter().map(Value::String).collect()),
            ),
            op => b.condition(field, op, vals.into_iter().next().unwrap_or_default()),
        })
    };
    let mut top = FilterBuilder::new();
    let mut groups: BTreeMap<String, BTreeMap<usize, FilterBuilder>> = BTreeMap::new();
    for (pos, (group, field, op)) in order.into_iter().enumerate() {
        let vals = values.remove(&pos).unwrap_or_default();
        match group {
            None => top = cond(top, &field, op, vals)?,
            Some((g, idx)) => {
                let slot = groups.entry(g).or_default().entry(idx).or_default();
                *slot = cond(std::mem::take(slot), &field, op, vals)?;
            }
        }
    }
    for (g, members) in groups {
        let members = members.into_values();
        top = if g == "$or" {
            top.or_group(members)
        } else {
            top.and_group(members)
        };
    }
    Ok(Some(top))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qs(specs: &[&str]) -> String {
        let specs: Vec<String> = specs.iter().map(|s| (*s).to_owned()).collect();
        let f = parse_filters(&specs).ok().flatten().expect("parses");
        let q = StrapiQuery::new()
            .filter(f)
            .to_query_string()
            .expect("encodes");
        percent_encoding::percent_decode_str(&q)
            .decode_utf8_lossy()
            .into_owned()
    }

    #[test]
    fn bracket_syntax_round_trips() {
        assert_eq!(
            qs(&["title[$containsi]=hello"]),
            "filters[title][$containsi]=hello"
        );
        assert_eq!(
            qs(&["filters[author][name][$eq]=Ann"]),
            "filters[author][name][$eq]=Ann"
        );
        assert_eq!(qs(&["title=x"]), "filters[title][$eq]=x");
        assert_eq!(
            qs(&["id[$in][0]=1", "id[$in][1]=2"]),
            "filters[id][$in][0]=1&filters[id][$in][1]=2"
        );
        assert_eq!(
            qs(&["$or[0][title][$eq]=a", "$or[1][title][$eq]=b"]),
            "filters[$or][0][title][$eq]=a&filters[$or][1][title][$eq]=b"
        );
    }

    #[test]
    fn malformed_filters_are_refused() {
        for bad in [
            "title",
            "title[$nope]=1",
            "title[$eq=1",
            "[$eq]=1",
            "$or[title][$eq]=1",
            "a[$eq][b]=1",
            "d[$between][0]=1",
        ] {
            let r = parse_filters(&[bad.to_owned()]);
            assert!(r.is_err(), "{bad} was accepted");
        }
    }
}
