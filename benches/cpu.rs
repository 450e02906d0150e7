//! CPU paths against the Python strapi-kit 0.6.0, on the inputs of the shared bench
//! fixtures (copied to `benches/data/`): building and encoding a realistic query, v4/v5
//! normalisation (already parsed, and from the raw bytes) and error-body parsing.
//!
//! ```sh
//! cargo bench --bench cpu                                   # ours only, vs the fixture figures
//! cargo bench --bench cpu -- --python /tmp/pyenv-strapi/bin/python --rounds 5
//! ```
//!
//! With `--python`, each round runs our operations and `benches/python_cpu.py` (timeit) in
//! turn, alternating which goes first, so both see the same machine load; the table gives
//! the median over the rounds of each side's per-round median. Prints a Markdown table.
//! `--json FILE` also writes the raw per-round figures.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use strapi_kit::version::{detect, normalize_v4_body};
use strapi_kit::{ApiVersion, Entry, Error, FilterBuilder, ListResponse, StrapiQuery};

type List = ListResponse<Entry<Value>>;

/// The client's version module (pure: it needs nothing else of the crate), for the private
/// fast-path helpers it has.
#[path = "../src/version.rs"]
#[allow(dead_code, unused_imports)]
mod client_version;

/// (key, what it measures, the Python 0.6.0 figure from the shared fixtures' README, µs)
const OPS: &[(&str, &str, Option<f64>)] = &[
    (
        "query_a",
        "build `query_a` + encode it into a query string",
        Some(241.0),
    ),
    (
        "v4_norm",
        "normalise `v4_list_100.json` (already parsed)",
        Some(3636.0),
    ),
    (
        "v4_parse_norm",
        "JSON-parse + normalise `v4_list_100.json`",
        Some(7488.0),
    ),
    (
        "v5_norm",
        "normalise `v5_list_100.json` (already parsed)",
        Some(2190.0),
    ),
    (
        "v5_parse_norm",
        "JSON-parse + normalise `v5_list_100.json`",
        Some(5735.0),
    ),
    (
        "error_parse",
        "parse a 400 validation-error body into the typed error",
        None,
    ),
];

/// Rows measured on our side only (no Python counterpart): the client's fast path, a typed
/// struct, and the stages of the v4 path, to show where the time goes.
const EXTRA: &[(&str, &str)] = &[
    (
        "v5_parse_known",
        "JSON-parse + decode `v5_list_100.json` into `Entry<Value>`, version already known (the client's fast path, no tree)",
    ),
    (
        "v5_typed",
        "JSON-parse + decode `v5_list_100.json` into a user struct (title, slug, views, author name, cover url), version known",
    ),
    (
        "v4_typed",
        "JSON-parse + decode `v4_list_100.json` into the same user struct, flattened in one pass",
    ),
    (
        "v4_parse_tree",
        "JSON-parse + decode `v4_list_100.json`, version unknown, through the `Value` tree (the path before the one-pass flattening)",
    ),
    (
        "v5_parse_tree",
        "JSON-parse + decode `v5_list_100.json`, version unknown, through the `Value` tree (the path before the sniff)",
    ),
    (
        "v4_parse_only",
        "stage: JSON-parse `v4_list_100.json` into a `Value` tree",
    ),
    (
        "v4_flatten",
        "stage: `normalize_v4_body` on the parsed tree (the flattening itself, in place)",
    ),
    (
        "v4_decode_value",
        "stage: decode the flattened tree into `ListResponse<Value>` (no `Entry` split)",
    ),
    (
        "v4_decode_entry",
        "stage: decode the flattened tree into `ListResponse<Entry<Value>>`, no path tracking",
    ),
    (
        "v4_decode_tracked",
        "stage: the same with `serde_path_to_error` (what the client does)",
    ),
    (
        "v4_drop",
        "stage: dropping the parsed tree (the stage rows above exclude dropping their result; the main rows include it)",
    ),
];

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Article {
    title: String,
    slug: Option<String>,
    views: Option<u64>,
    author: Option<Author>,
    cover: Option<Cover>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Author {
    name: String,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Cover {
    url: String,
}

struct Inputs {
    v4_raw: Vec<u8>,
    v5_raw: Vec<u8>,
    err_raw: Vec<u8>,
    v4: Value,
    v5: Value,
    /// `v4` after `normalize_v4_body`.
    v4_flat: Value,
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data")
}

fn read(name: &str) -> Vec<u8> {
    let p = data_dir().join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn build_query_a() -> StrapiQuery {
    StrapiQuery::new()
        .filter(
            FilterBuilder::new()
                .eq("published", true)
                .gte("views", 100)
                .containsi("title", "article")
                .or_group([
                    FilterBuilder::new().eq("author.name", "Author 1"),
                    FilterBuilder::new().lt("publishedDate", "2026-06-01T00:00:00.000Z"),
                ]),
        )
        .sort_desc("publishedDate")
        .sort_asc("title")
        .paginate(2, 50)
        .with_count(true)
        .populate(["author", "cover"])
        .fields(["title", "slug", "views", "publishedDate"])
}

fn query_a() -> String {
    build_query_a()
        .encode(ApiVersion::V5)
        .expect("query_a encodes")
}

/// What the client does with a list body whose version it does not know yet: parse,
/// detect, normalise a v4 body, decode (the failing path is tracked only on a second,
/// failure-only pass, which this never takes).
fn decode_tree(mut value: Value) -> List {
    if detect(&value) == Some(ApiVersion::V4) {
        normalize_v4_body(&mut value);
    }
    serde::Deserialize::deserialize(value).expect("list decodes")
}

/// The client's decoding of a list body whose version it does not know yet: a body whose
/// first entry shows v5 straight from the bytes, one that shows v4 flattened in one pass
/// (`src/version.rs`'s `sniff` and `decode_v4`, compiled in here as the client compiles
/// them), any other through the tree.
fn parse_and_decode(raw: &[u8]) -> List {
    use client_version::ApiVersion as V;
    match client_version::sniff(raw) {
        Some((V::V5, true)) => return decode_known_v5(raw),
        Some((V::V4, true)) => {
            if let Some(list) = client_version::decode_v4(raw) {
                return list;
            }
        }
        _ => {}
    }
    decode_tree(serde_json::from_slice(raw).expect("valid JSON"))
}

/// What the client did before the sniff: every body of an unknown version through the tree.
fn parse_and_decode_tree(raw: &[u8]) -> List {
    decode_tree(serde_json::from_slice(raw).expect("valid JSON"))
}

/// The client's path for a server known to be v5: straight from the bytes.
fn decode_known_v5(raw: &[u8]) -> List {
    let mut de = serde_json::Deserializer::from_slice(raw);
    let list = serde::Deserialize::deserialize(&mut de).expect("list decodes");
    de.end().expect("nothing after the JSON");
    list
}

fn error_parse(raw: &[u8]) -> Error {
    let api = strapi_kit::error::parse_error_body(
        400,
        "POST",
        "http://127.0.0.1:1/api/articles",
        None,
        raw,
    );
    Error::from_api(api)
}

/// Checks that both sides do the same work: the query carries the fixture's parameters
/// (ours indexes lists, `sort[0]=…`, where httpx repeats keys), and both lists decode.
fn check(inputs: &Inputs) {
    let fixture: Value = serde_json::from_slice(&read("query_a.json")).unwrap();
    let want = fixture["to_query_params"].as_object().unwrap();
    let mut got: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (k, v) in build_query_a().to_pairs().unwrap() {
        let key = match k.rfind('[') {
            Some(i) if k[i + 1..k.len() - 1].bytes().all(|b| b.is_ascii_digit()) => {
                k[..i].to_owned()
            }
            _ => k,
        };
        got.entry(key).or_default().push(v.unwrap_or_default());
    }
    assert_eq!(got.len(), want.len(), "query_a: {got:?}");
    for (k, v) in want {
        let as_str = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let want: Vec<String> = match v {
            Value::Array(a) => a.iter().map(as_str).collect(),
            other => vec![as_str(other)],
        };
        assert_eq!(got.get(k), Some(&want), "query_a parameter {k}");
    }
    let v4 = parse_and_decode(&inputs.v4_raw);
    let v5 = parse_and_decode(&inputs.v5_raw);
    assert_eq!(v4.data.len(), 100);
    assert_eq!(v5.data.len(), 100);
    assert_eq!(decode_known_v5(&inputs.v5_raw), v5);
    // The fast paths are taken, and give what the tree gives.
    assert!(client_version::decode_v4::<List>(&inputs.v4_raw).is_some());
    assert_eq!(parse_and_decode_tree(&inputs.v4_raw), v4);
    assert_eq!(parse_and_decode_tree(&inputs.v5_raw), v5);
    // The v4 list flattens to the v5 shape at every depth (author and cover unwrapped).
    assert_eq!(
        v4.data[0].attributes["title"],
        v5.data[0].attributes["title"]
    );
    assert_eq!(
        v4.data[0].attributes["author"]["name"],
        v5.data[0].attributes["author"]["name"]
    );
    assert!(v4.data[0].attributes["author"].get("data").is_none());
    let e = error_parse(&inputs.err_raw);
    assert!(e.is_validation());
    assert_eq!(e.field_errors().len(), 3);
    assert_eq!(e.field_errors()[2].path, "author.id");
}

/// Median µs per call of `f`: 11 samples of about `sample` each, after a warm-up.
fn median_us(sample: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < sample / 4 || n < 3 {
        f();
        n += 1;
    }
    let per = start.elapsed().as_secs_f64() / n as f64;
    let iters = ((sample.as_secs_f64() / per) as u64).max(1);
    let mut samples: Vec<f64> = (0..11)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / iters as f64
        })
        .collect();
    median(&mut samples)
}

/// Median µs per call of `run` on a fresh copy of `input`: the copies are made outside the
/// timed part (for the operations that consume or change a parsed body).
fn median_us_on(sample: Duration, input: &Value, mut run: impl FnMut(Value) -> Kept) -> f64 {
    let t = Instant::now();
    let probe = input.clone();
    let clone_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    run(probe);
    let per = t.elapsed().as_secs_f64().max(1e-7);
    // Batches small enough to keep the copies' memory modest.
    let batch = ((sample.as_secs_f64() / (per + clone_s)) as usize).clamp(1, 32);
    let mut samples: Vec<f64> = (0..11)
        .map(|_| {
            let mut copies: Vec<Value> = (0..batch).map(|_| input.clone()).collect();
            let mut kept: Vec<Kept> = Vec::with_capacity(batch);
            let t = Instant::now();
            for v in copies.drain(..) {
                kept.push(run(v));
            }
            let us = t.elapsed().as_secs_f64() * 1e6 / batch as f64;
            drop(kept);
            us
        })
        .collect();
    median(&mut samples)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Every measured operation of ours, by key.
fn op<'a>(inputs: &'a Inputs, key: &str) -> Box<dyn FnMut() + 'a> {
    let i = inputs;
    match key {
        "query_a" => Box::new(|| drop(black_box(query_a()))),
        "v4_parse_norm" => Box::new(|| drop(black_box(parse_and_decode(black_box(&i.v4_raw))))),
        "v5_parse_norm" => Box::new(|| drop(black_box(parse_and_decode(black_box(&i.v5_raw))))),
        "error_parse" => Box::new(|| drop(black_box(error_parse(black_box(&i.err_raw))))),
        "v4_typed" => Box::new(|| {
            let l: ListResponse<Entry<Article>> =
                client_version::decode_v4(black_box(&i.v4_raw)).unwrap();
            drop(black_box(l))
        }),
        "v4_parse_tree" => {
            Box::new(|| drop(black_box(parse_and_decode_tree(black_box(&i.v4_raw)))))
        }
        "v5_parse_tree" => {
            Box::new(|| drop(black_box(parse_and_decode_tree(black_box(&i.v5_raw)))))
        }
        "v5_parse_known" => Box::new(|| drop(black_box(decode_known_v5(black_box(&i.v5_raw))))),
        "v5_typed" => Box::new(|| {
            let l: ListResponse<Entry<Article>> =
                serde_json::from_slice(black_box(&i.v5_raw)).unwrap();
            drop(black_box(l))
        }),
        "v4_parse_only" => Box::new(|| {
            let v: Value = serde_json::from_slice(black_box(&i.v4_raw)).unwrap();
            drop(black_box(v))
        }),
        other => panic!("unknown operation {other}"),
    }
}

/// What a timed call hands back to be dropped after the timer stops.
type Kept = Option<Box<dyn std::any::Any>>;

/// A parsed input and the operation run on a fresh copy of it.
type OnParsed = (Value, fn(Value) -> Kept);

/// The operations on an already parsed body, timed without the copy each call needs. The
/// main rows drop their result inside the timed part, as Python's timeit frees each result;
/// the stage rows keep theirs until the timer stops, so that a stage is only itself.
fn on_parsed(inputs: &Inputs, key: &str) -> Option<OnParsed> {
    let i = inputs;
    Some(match key {
        "v4_norm" => (i.v4.clone(), |v| {
            drop(black_box(decode_tree(v)));
            None
        }),
        "v5_norm" => (i.v5.clone(), |v| {
            drop(black_box(decode_tree(v)));
            None
        }),
        "v4_flatten" => (i.v4.clone(), |mut v| {
            normalize_v4_body(&mut v);
            Some(Box::new(black_box(v)))
        }),
        "v4_decode_value" => (i.v4_flat.clone(), |v| {
            let l: ListResponse<Value> = serde_json::from_value(v).unwrap();
            Some(Box::new(black_box(l)))
        }),
        "v4_decode_entry" => (i.v4_flat.clone(), |v| {
            let l: List = serde_json::from_value(v).unwrap();
            Some(Box::new(black_box(l)))
        }),
        "v4_decode_tracked" => (i.v4_flat.clone(), |v| {
            let l: List = serde_path_to_error::deserialize(v).unwrap();
            Some(Box::new(black_box(l)))
        }),
        "v4_drop" => (i.v4.clone(), |v| {
            drop(black_box(v));
            None
        }),
        _ => return None,
    })
}

fn run_ours(inputs: &Inputs, sample: Duration) -> Vec<(&'static str, f64)> {
    OPS.iter()
        .map(|(k, _, _)| *k)
        .chain(EXTRA.iter().map(|(k, _)| *k))
        .map(|k| {
            let us = match on_parsed(inputs, k) {
                Some((input, run)) => median_us_on(sample, &input, run),
                None => median_us(sample, op(inputs, k)),
            };
            (k, us)
        })
        .collect()
}

fn run_python(python: &str) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/python_cpu.py");
    let out = Command::new(python)
        .arg(&script)
        .arg(data_dir())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        out.status.success(),
        "{python} {}: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(line.trim()).expect("python_cpu.py prints one JSON object")
}

fn fmt_us(us: f64) -> String {
    if us >= 100.0 {
        format!("{us:.0}")
    } else if us >= 10.0 {
        format!("{us:.1}")
    } else {
        format!("{us:.2}")
    }
}

fn main() {
    let mut rounds = 5usize;
    let mut python: Option<String> = None;
    let mut json_out: Option<PathBuf> = None;
    let mut sample = Duration::from_millis(40);
    let mut profile: Option<(String, usize)> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rounds" => {
                rounds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--rounds N")
            }
            "--python" => python = args.next(),
            "--json" => json_out = args.next().map(PathBuf::from),
            // `--profile KEY N`: run one operation N times, untimed (for callgrind/perf).
            "--profile" => {
                let key = args.next().expect("--profile KEY N");
                let n: usize = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--profile KEY N");
                profile = Some((key, n));
            }
            "--quick" => {
                rounds = 1;
                sample = Duration::from_millis(5);
            }
            // `cargo bench` passes --bench; anything else unknown is ignored too.
            _ => {}
        }
    }
    let v4_raw = read("v4_list_100.json");
    let v5_raw = read("v5_list_100.json");
    let inputs = Inputs {
        v4: serde_json::from_slice(&v4_raw).unwrap(),
        v5: serde_json::from_slice(&v5_raw).unwrap(),
        v4_raw,
        v5_raw,
        err_raw: read("error_400.json"),
        v4_flat: Value::Null,
    };
    let mut inputs = inputs;
    inputs.v4_flat = {
        let mut v = inputs.v4.clone();
        normalize_v4_body(&mut v);
        v
    };
    let inputs = inputs;
    check(&inputs);
    if let Some((key, n)) = profile {
        if let Some((input, run)) = on_parsed(&inputs, &key) {
            for _ in 0..n {
                run(input.clone());
            }
        } else {
            let mut f = op(&inputs, &key);
            for _ in 0..n {
                f();
            }
        }
        return;
    }

    let mut ours: Vec<Vec<(&str, f64)>> = Vec::new();
    let mut py: Vec<Value> = Vec::new();
    for round in 0..rounds {
        let python_first = round % 2 == 1;
        if let (Some(p), true) = (&python, python_first) {
            py.push(run_python(p));
        }
        ours.push(run_ours(&inputs, sample));
        if let (Some(p), false) = (&python, python_first) {
            py.push(run_python(p));
        }
        eprintln!("cpu: round {}/{rounds} done", round + 1);
    }

    let ours_med = |key: &str| {
        let mut v: Vec<f64> = ours
            .iter()
            .map(|r| r.iter().find(|(k, _)| *k == key).unwrap().1)
            .collect();
        median(&mut v)
    };
    let py_med = |key: &str| {
        let mut v: Vec<f64> = py.iter().filter_map(|r| r[key].as_f64()).collect();
        (!v.is_empty()).then(|| median(&mut v))
    };

    let py_version = py
        .first()
        .map(|p| format!("Python {}", p["_python"].as_str().unwrap_or("?")))
        .unwrap_or_else(|| "not run".into());
    println!(
        "| operation | strapi-kit (Rust) µs | Python 0.6.0 here ({py_version}) µs | ratio | Python 0.6.0, fixture README µs | ratio | ≥ 50× |"
    );
    println!("|---|--:|--:|--:|--:|--:|:-:|");
    for (key, what, fixture) in OPS {
        let us = ours_med(key);
        let here = py_med(key);
        let ratio_here = here.map(|p| p / us);
        let ratio_fixture = fixture.map(|p| p / us);
        // The target is judged on the side-by-side figure when there is one.
        let verdict = match ratio_here.or(ratio_fixture) {
            Some(r) if r >= 50.0 => "yes",
            Some(_) => "**no**",
            None => "–",
        };
        println!(
            "| {what} | {} | {} | {} | {} | {} | {verdict} |",
            fmt_us(us),
            here.map_or("–".into(), fmt_us),
            ratio_here.map_or("–".into(), |r| format!("{r:.0}×")),
            fixture.map_or("–".into(), fmt_us),
            ratio_fixture.map_or("–".into(), |r| format!("{r:.0}×")),
        );
    }
    for (key, what) in EXTRA {
        println!("| {what} | {} | – | – | – | – | |", fmt_us(ours_med(key)));
    }
    println!();
    println!(
        "Medians of {rounds} round(s); each round's figure is the median of 11 samples (ours) or of 7 timeit repeats (Python). \
         Ours: `ListResponse<Entry<Value>>` as the client decodes it (system fields split off, v4 flattened at every depth); \
         Python: `VersionDetectingParser().parse_collection` (one level flattened) and `json.loads`. \
         \"Already parsed\" rows time the work from the parsed tree on (our copy of the tree for each call is made outside the timed part)."
    );

    if let Some(path) = json_out {
        let rounds_json: Vec<Value> = ours
            .iter()
            .map(|r| {
                Value::Object(
                    r.iter()
                        .map(|(k, v)| (k.to_string(), (*v).into()))
                        .collect(),
                )
            })
            .collect();
        let doc = serde_json::json!({"ours": rounds_json, "python": py});
        std::fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}
