//! Transfers against curl, one process per measured transfer so that the peak RSS is that
//! transfer's own (read from `wait4`'s rusage of the child, for our client and curl alike).
//! Linux only. `benches/run.sh` starts the servers and runs every part; by hand:
//!
//! ```sh
//! # a static server with BASE/uploads/ and an upload sink at BASE/api/upload (see run.sh):
//! cargo bench --bench transfer --features sync -- files --base http://127.0.0.1:8088 \
//!     --dir target/bench-transfer --size-mib 1024 --rounds 5
//! # the bundled Strapi 5 (scripts/demo.sh shows how to start it):
//! cargo bench --bench transfer --features sync -- batch --base http://127.0.0.1:1337 \
//!     --token TOKEN --dir target/bench-transfer --rounds 5
//! cargo bench --bench transfer --features sync -- list --base … --token … --entries 2000
//! ```
//!
//! The driver re-executes this binary as `child <what> <flavour> …` for each measurement
//! of ours, and runs curl the same way. Rounds alternate the order of the tools. Tables
//! (Markdown) go to stdout, progress to stderr.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use strapi_kit::{AsyncClient, BatchOptions, StrapiConfig, StrapiQuery, SyncClient, UploadOptions};

// ---------------------------------------------------------------------------------------
// Children: one measured transfer each.

fn config(base: &str, token: &str) -> StrapiConfig {
    StrapiConfig::builder(base)
        .api_token(token)
        .timeout(Duration::from_secs(600))
        .build()
        .expect("valid configuration")
}

fn child(args: &[String]) {
    let (what, flavour) = (args[0].as_str(), args[1].as_str());
    let rest = &args[2..];
    match flavour {
        "sync" => child_sync(what, rest),
        "async" => {
            // What `#[tokio::main]` gives an application: the multi-thread runtime.
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            rt.block_on(child_async(what, rest));
        }
        other => panic!("unknown flavour {other}"),
    }
}

fn child_sync(what: &str, a: &[String]) {
    match what {
        // download BASE TOKEN URL OUT
        "download" => {
            let client = SyncClient::new(config(&a[0], &a[1])).unwrap();
            let n = client.download_file_to(&a[2], &a[3]).expect("download");
            println!("{n}");
        }
        // upload BASE TOKEN FILE
        "upload" => {
            let client = SyncClient::new(config(&a[0], &a[1])).unwrap();
            let f = client
                .upload_file(&a[2], &UploadOptions::new())
                .expect("upload");
            println!("{}", f.id);
        }
        // batch BASE TOKEN CONCURRENCY FILE…
        "batch" => {
            let client = SyncClient::new(config(&a[0], &a[1])).unwrap();
            let concurrency: usize = a[2].parse().unwrap();
            let report = client
                .upload_batch(
                    &a[3..],
                    &UploadOptions::new(),
                    &BatchOptions::new().concurrency(concurrency),
                )
                .expect("batch");
            let files = report.into_result().expect("every file uploaded");
            println!("{}", files.len());
        }
        // list BASE TOKEN COLLECTION
        "list" => {
            let client = SyncClient::new(config(&a[0], &a[1])).unwrap();
            let started = Instant::now();
            let mut n = 0usize;
            for e in client
                .get_all_iter::<serde_json::Value>(&a[2], &StrapiQuery::new())
                .expect("query")
            {
                e.expect("entry");
                n += 1;
            }
            println!("{n} {}", started.elapsed().as_secs_f64());
        }
        other => panic!("unknown child {other}"),
    }
}

async fn child_async(what: &str, a: &[String]) {
    match what {
        "download" => {
            let client = AsyncClient::new(config(&a[0], &a[1])).unwrap();
            let n = client
                .download_file_to(&a[2], &a[3])
                .await
                .expect("download");
            println!("{n}");
        }
        "upload" => {
            let client = AsyncClient::new(config(&a[0], &a[1])).unwrap();
            let f = client
                .upload_file(&a[2], &UploadOptions::new())
                .await
                .expect("upload");
            println!("{}", f.id);
        }
        "batch" => {
            let client = AsyncClient::new(config(&a[0], &a[1])).unwrap();
            let concurrency: usize = a[2].parse().unwrap();
            let report = client
                .upload_batch(
                    &a[3..],
                    &UploadOptions::new(),
                    &BatchOptions::new().concurrency(concurrency),
                )
                .await
                .expect("batch");
            let files = report.into_result().expect("every file uploaded");
            println!("{}", files.len());
        }
        "list" => {
            let client = AsyncClient::new(config(&a[0], &a[1])).unwrap();
            let started = Instant::now();
            let mut all = client
                .get_all_iter::<serde_json::Value>(&a[2], &StrapiQuery::new())
                .expect("query");
            let mut n = 0usize;
            while let Some(e) = all.next().await {
                e.expect("entry");
                n += 1;
            }
            println!("{n} {}", started.elapsed().as_secs_f64());
        }
        other => panic!("unknown child {other}"),
    }
}

// ---------------------------------------------------------------------------------------
// Measuring a child: wall time, CPU time and peak RSS from wait4.

#[repr(C)]
#[derive(Default)]
struct Timeval {
    sec: i64,
    usec: i64,
}

/// `struct rusage` of Linux on 64-bit targets.
#[repr(C)]
#[derive(Default)]
struct Rusage {
    utime: Timeval,
    stime: Timeval,
    maxrss_kib: i64,
    rest: [i64; 13],
}

unsafe extern "C" {
    fn wait4(pid: i32, status: *mut i32, options: i32, rusage: *mut Rusage) -> i32;
}

#[derive(Clone, Debug)]
struct Sample {
    wall: f64,
    cpu: f64,
    rss_mib: f64,
}

/// Runs `cmd` to its end; panics (with its stderr) if it fails.
fn measure(mut cmd: Command) -> (Sample, String) {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    // Drain the pipes on threads so a chatty child never blocks.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).ok();
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).ok();
        s
    });
    let mut status = 0i32;
    let mut ru = Rusage::default();
    // SAFETY: the pid is our own child, not yet waited for (std's Child is never waited on:
    // it is forgotten below); `status` and `ru` are valid for writes.
    let r = unsafe { wait4(child.id() as i32, &mut status, 0, &mut ru) };
    let wall = started.elapsed().as_secs_f64();
    std::mem::forget(child);
    let stdout = out_t.join().unwrap();
    let stderr = err_t.join().unwrap();
    // WIFEXITED && WEXITSTATUS == 0
    assert!(
        r > 0 && status & 0x7f == 0 && (status >> 8) & 0xff == 0,
        "{cmd:?} failed (wait status {status:#x}): {stderr}{stdout}"
    );
    let cpu = ru.utime.sec as f64
        + ru.utime.usec as f64 / 1e6
        + ru.stime.sec as f64
        + ru.stime.usec as f64 / 1e6;
    (
        Sample {
            wall,
            cpu,
            rss_mib: ru.maxrss_kib as f64 / 1024.0,
        },
        stdout,
    )
}

fn self_cmd(args: &[&str]) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.arg("child").args(args);
    c
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

/// The results of one tool on one transfer.
struct Row {
    tool: String,
    samples: Vec<Sample>,
}

impl Row {
    fn wall(&self) -> f64 {
        median(&self.samples.iter().map(|s| s.wall).collect::<Vec<_>>())
    }
    fn cpu(&self) -> f64 {
        median(&self.samples.iter().map(|s| s.cpu).collect::<Vec<_>>())
    }
    fn rss(&self) -> f64 {
        max(&self.samples.iter().map(|s| s.rss_mib).collect::<Vec<_>>())
    }
    fn walls(&self) -> String {
        self.samples
            .iter()
            .map(|s| format!("{:.2}", s.wall))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

// ---------------------------------------------------------------------------------------
// Driver: big-file download and upload against curl.

struct Opts {
    base: String,
    token: String,
    dir: PathBuf,
    size_mib: u64,
    rounds: usize,
    files: usize,
    file_kib: u64,
    entries: usize,
    collection: String,
    keep: bool,
    /// Where the served file goes (`<www>/uploads/`); default `<dir>/www`.
    www: Option<PathBuf>,
    /// Delete every file of the media library after each upload (real Strapi).
    cleanup_media: bool,
    /// The server, for the table.
    label: String,
    /// A Python with strapi-kit 0.6.0, for the list comparison.
    python: Option<String>,
}

fn parse_opts(args: &[String]) -> Opts {
    let mut o = Opts {
        base: String::new(),
        token: "bench".into(),
        dir: PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/bench-transfer"
        )),
        size_mib: 1024,
        rounds: 5,
        files: 100,
        file_kib: 8,
        entries: 2000,
        collection: "articles".into(),
        keep: false,
        www: None,
        cleanup_media: false,
        label: "nginx".into(),
        python: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || {
            it.next()
                .cloned()
                .unwrap_or_else(|| panic!("{a} needs a value"))
        };
        match a.as_str() {
            "--base" => o.base = val(),
            "--token" => o.token = val(),
            "--dir" => o.dir = PathBuf::from(val()),
            "--size-mib" => o.size_mib = val().parse().expect("--size-mib N"),
            "--rounds" => o.rounds = val().parse().expect("--rounds N"),
            "--files" => o.files = val().parse().expect("--files N"),
            "--file-kib" => o.file_kib = val().parse().expect("--file-kib N"),
            "--entries" => o.entries = val().parse().expect("--entries N"),
            "--collection" => o.collection = val(),
            "--keep" => o.keep = true,
            "--www" => o.www = Some(PathBuf::from(val())),
            "--cleanup-media" => o.cleanup_media = true,
            "--label" => o.label = val(),
            "--python" => o.python = Some(val()),
            _ => {} // `--bench` from cargo
        }
    }
    assert!(!o.base.is_empty(), "--base URL is required");
    o.base = o.base.trim_end_matches('/').to_owned();
    std::fs::create_dir_all(&o.dir).expect("bench dir");
    o
}

/// Writes `size` bytes of incompressible, non-sparse data.
fn make_file(path: &Path, size: u64) {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == size) {
        return;
    }
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        for c in buf.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            c.copy_from_slice(&x.to_le_bytes());
        }
        let n = left.min(buf.len() as u64) as usize;
        f.write_all(&buf[..n]).unwrap();
        left -= n as u64;
    }
    f.flush().unwrap();
}

fn curl() -> Command {
    let mut c = Command::new("curl");
    c.args(["-sS", "--fail"]);
    c
}

fn run_files(o: &Opts) {
    let size = o.size_mib << 20;
    let name = format!("big-{}m.bin", o.size_mib);
    let www = o.www.clone().unwrap_or_else(|| o.dir.join("www"));
    let served = www.join("uploads").join(&name);
    let cleanup = o
        .cleanup_media
        .then(|| SyncClient::new(config(&o.base, &o.token)).unwrap());
    std::fs::create_dir_all(served.parent().unwrap()).unwrap();
    eprintln!("files: writing {} ({} MiB)", served.display(), o.size_mib);
    make_file(&served, size);
    let url = format!("{}/uploads/{name}", o.base);
    let out = o.dir.join("download.out");
    let upload_url = format!("{}/api/upload", o.base);
    let auth = format!("Authorization: Bearer {}", o.token);

    let tools = ["curl", "sync", "async"];
    let mut down: Vec<Row> = tools
        .iter()
        .map(|t| Row {
            tool: t.to_string(),
            samples: vec![],
        })
        .collect();
    let mut up: Vec<Row> = tools
        .iter()
        .map(|t| Row {
            tool: t.to_string(),
            samples: vec![],
        })
        .collect();
    let out_s = out.to_str().unwrap().to_owned();
    let served_s = served.to_str().unwrap().to_owned();
    for round in 0..o.rounds {
        // Rotate the order: curl first, then ours first, …
        let order: Vec<usize> = (0..tools.len())
            .map(|i| (i + round) % tools.len())
            .collect();
        for &t in &order {
            let _ = std::fs::remove_file(&out);
            let cmd = match tools[t] {
                "curl" => {
                    let mut c = curl();
                    c.args(["-H", &auth, "-o", &out_s, &url]);
                    c
                }
                fl => self_cmd(&["download", fl, &o.base, &o.token, &url, &out_s]),
            };
            let (s, _) = measure(cmd);
            let got = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
            assert_eq!(got, size, "{}: downloaded {got} of {size} bytes", tools[t]);
            let _ = std::fs::remove_file(&out);
            eprintln!(
                "files: round {} download {:5}: {:.2} s, {:.1} MiB RSS",
                round + 1,
                tools[t],
                s.wall,
                s.rss_mib
            );
            down[t].samples.push(s);
        }
        for &t in &order {
            let cmd = match tools[t] {
                "curl" => {
                    let mut c = curl();
                    c.args([
                        "-H",
                        &auth,
                        "-o",
                        "/dev/null",
                        "-F",
                        &format!("files=@{served_s}"),
                        &upload_url,
                    ]);
                    c
                }
                fl => self_cmd(&["upload", fl, &o.base, &o.token, &served_s]),
            };
            let (s, _) = measure(cmd);
            if let Some(c) = &cleanup {
                assert_eq!(delete_all_media(c), 1, "one file uploaded");
            }
            eprintln!(
                "files: round {} upload   {:5}: {:.2} s, {:.1} MiB RSS",
                round + 1,
                tools[t],
                s.wall,
                s.rss_mib
            );
            up[t].samples.push(s);
        }
    }
    if !o.keep {
        let _ = std::fs::remove_file(&served);
    }

    println!(
        "| {} MiB from/to {} on loopback | tool | wall s (median of {}) | MiB/s | time vs curl | CPU s (user+sys) | peak RSS MiB (max) | runs, s |",
        o.size_mib, o.label, o.rounds
    );
    println!("|---|---|--:|--:|--:|--:|--:|---|");
    for (label, rows) in [("download to a file", &down), ("upload (multipart)", &up)] {
        let curl_wall = rows[0].wall();
        for r in rows.iter() {
            let tool = match r.tool.as_str() {
                "curl" if label.starts_with("down") => "curl -o".to_owned(),
                "curl" => "curl -F files=@…".to_owned(),
                "sync" => "strapi-kit SyncClient".to_owned(),
                _ => "strapi-kit AsyncClient".to_owned(),
            };
            println!(
                "| {label} | {tool} | {:.2} | {:.0} | {:.2}× | {:.2} | {:.1} | {} |",
                r.wall(),
                o.size_mib as f64 / r.wall(),
                r.wall() / curl_wall,
                r.cpu(),
                r.rss(),
                r.walls()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Driver: batch upload of many small files to a real Strapi.

fn delete_all_media(client: &SyncClient) -> usize {
    let mut n = 0;
    loop {
        let files = client
            .list_media(&StrapiQuery::new().offset(0, 100))
            .expect("list media");
        if files.is_empty() {
            return n;
        }
        for f in files {
            client.delete_media(f.id).expect("delete media");
            n += 1;
        }
    }
}

fn run_batch(o: &Opts) {
    let client = SyncClient::new(config(&o.base, &o.token)).unwrap();
    let dir = o.dir.join("batch");
    std::fs::create_dir_all(&dir).unwrap();
    let paths: Vec<String> = (0..o.files)
        .map(|i| {
            let p = dir.join(format!("small-{i:03}.txt"));
            let line = format!("strapi-kit batch bench, file {i}\n");
            let body: String = line.repeat((o.file_kib as usize * 1024) / line.len() + 1);
            std::fs::write(&p, &body.as_bytes()[..o.file_kib as usize * 1024]).unwrap();
            p.to_str().unwrap().to_owned()
        })
        .collect();
    let removed = delete_all_media(&client);
    if removed > 0 {
        eprintln!("batch: removed {removed} files left from before");
    }
    let url = format!("{}/api/upload", o.base);
    let auth = format!("Authorization: Bearer {}", o.token);
    let curl_batch = |parallel: usize| {
        let mut c = curl();
        if parallel > 1 {
            c.args(["--parallel", "--parallel-max", &parallel.to_string()]);
        }
        for (i, p) in paths.iter().enumerate() {
            if i > 0 {
                c.arg("--next");
            }
            c.args([
                "-sS",
                "--fail",
                "-o",
                "/dev/null",
                "-H",
                &auth,
                "-F",
                &format!("files=@{p}"),
                &url,
            ]);
        }
        c
    };
    let tools: [(&str, usize); 6] = [
        ("curl", 1),
        ("curl", 4),
        ("sync", 1),
        ("sync", 4),
        ("async", 1),
        ("async", 4),
    ];
    let mut rows: Vec<Row> = tools
        .iter()
        .map(|(t, c)| Row {
            tool: format!("{t}/{c}"),
            samples: vec![],
        })
        .collect();
    for round in 0..o.rounds {
        for k in 0..tools.len() {
            let t = (k + round) % tools.len();
            let (tool, conc) = tools[t];
            let cmd = match tool {
                "curl" => curl_batch(conc),
                fl => {
                    let mut c = self_cmd(&["batch", fl, &o.base, &o.token, &conc.to_string()]);
                    c.args(&paths);
                    c
                }
            };
            let (s, _) = measure(cmd);
            let n = delete_all_media(&client);
            assert_eq!(n, o.files, "{tool}/{conc}: {n} files on the server");
            eprintln!(
                "batch: round {} {tool}/{conc}: {:.2} s, {:.1} MiB RSS",
                round + 1,
                s.wall,
                s.rss_mib
            );
            rows[t].samples.push(s);
        }
    }
    println!(
        "| {} files of {} KiB to Strapi 5 | concurrency | wall s (median of {}) | files/s | vs same tool at 1 | vs curl at same concurrency | peak RSS MiB (max) | runs, s |",
        o.files, o.file_kib, o.rounds
    );
    println!("|---|--:|--:|--:|--:|--:|--:|---|");
    for (i, (tool, conc)) in tools.iter().enumerate() {
        let r = &rows[i];
        let one = &rows[i - (i % 2)];
        let curl_same = &rows[i % 2];
        let name = match *tool {
            "curl" if *conc > 1 => "curl --parallel-max 4 (one process)".to_owned(),
            "curl" => "curl, one request after another (one process)".to_owned(),
            "sync" => "strapi-kit SyncClient::upload_batch".to_owned(),
            _ => "strapi-kit AsyncClient::upload_batch".to_owned(),
        };
        println!(
            "| {name} | {conc} | {:.2} | {:.0} | {:.2}× faster | {:.2}× the time | {:.1} | {} |",
            r.wall(),
            o.files as f64 / r.wall(),
            one.wall() / r.wall(),
            r.wall() / curl_same.wall(),
            r.rss(),
            r.walls()
        );
    }
    if !o.keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

// ---------------------------------------------------------------------------------------
// Driver: every entry of a collection through the paging iterator / stream.

fn run_list(o: &Opts) {
    let client = SyncClient::new(config(&o.base, &o.token)).unwrap();
    let have = client
        .get_many::<serde_json::Value>(&o.collection, &StrapiQuery::new().paginate(1, 1))
        .expect("count")
        .meta
        .pagination
        .and_then(|p| p.total)
        .unwrap_or(0) as usize;
    if have < o.entries {
        eprintln!("list: creating {} {}", o.entries - have, o.collection);
        for i in have..o.entries {
            let body = serde_json::json!({
                "title": format!("Paging bench {i:05}"),
                "content": "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(8),
                "views": i,
            });
            client
                .create::<serde_json::Value, _>(&o.collection, &body)
                .expect("create");
        }
    }
    // curl: the same pages (100 per page, Strapi's default maxLimit), one connection.
    let pages = o.entries.div_ceil(100);
    let auth = format!("Authorization: Bearer {}", o.token);
    let mut tools = vec!["curl", "sync", "async"];
    if o.python.is_some() {
        tools.push("python");
    }
    let mut rows: Vec<Row> = tools
        .iter()
        .map(|t| Row {
            tool: t.to_string(),
            samples: vec![],
        })
        .collect();
    // In-process listing time (children print "<count> <seconds>"); curl: its wall time.
    let mut inner: Vec<Vec<f64>> = vec![vec![]; tools.len()];
    for round in 0..o.rounds {
        for k in 0..tools.len() {
            let t = (k + round) % tools.len();
            let cmd = match tools[t] {
                "curl" => {
                    let mut c = curl();
                    c.args(["-H", &auth]);
                    for p in 1..=pages {
                        c.arg(format!(
                            "{}/api/{}?pagination%5Bpage%5D={p}&pagination%5BpageSize%5D=100&sort%5B0%5D=id%3Aasc",
                            o.base, o.collection
                        ));
                        c.args(["-o", "/dev/null"]);
                    }
                    c
                }
                "python" => {
                    let mut c = Command::new(o.python.as_ref().unwrap());
                    c.arg(concat!(
                        env!("CARGO_MANIFEST_DIR"),
                        "/benches/python_list.py"
                    ))
                    .args([&o.base, &o.token, &o.collection]);
                    c
                }
                fl => self_cmd(&["list", fl, &o.base, &o.token, &o.collection]),
            };
            let (s, out) = measure(cmd);
            let secs = if tools[t] == "curl" {
                s.wall
            } else {
                let mut it = out.split_whitespace();
                let n: Option<usize> = it.next().and_then(|v| v.parse().ok());
                assert_eq!(n, Some(o.entries), "{}: {out}", tools[t]);
                it.next().and_then(|v| v.parse().ok()).expect("seconds")
            };
            eprintln!(
                "list: round {} {}: {:.3} s listing, {:.2} s process, {:.1} MiB RSS",
                round + 1,
                tools[t],
                secs,
                s.wall,
                s.rss_mib
            );
            inner[t].push(secs);
            rows[t].samples.push(s);
        }
    }
    println!(
        "| list {} entries ({pages} pages of 100) | tool | listing s (median of {}) | entries/s | time vs curl | process wall s | peak RSS MiB (max) | listing runs, s |",
        o.entries, o.rounds
    );
    println!("|---|---|--:|--:|--:|--:|--:|---|");
    let curl_secs = median(&inner[0]);
    for (t, r) in rows.iter().enumerate() {
        let tool = match r.tool.as_str() {
            "curl" => "curl, the same pages on one connection (no decoding; process time)",
            "sync" => "strapi-kit SyncClient::get_all_iter",
            "async" => "strapi-kit AsyncClient::get_all_iter (prefetching stream)",
            _ => "Python strapi-kit 0.6.0 stream_entities",
        };
        let secs = median(&inner[t]);
        println!(
            "| `{}` | {tool} | {:.3} | {:.0} | {:.2}× | {:.2} | {:.1} | {} |",
            o.collection,
            secs,
            o.entries as f64 / secs,
            secs / curl_secs,
            r.wall(),
            r.rss(),
            inner[t]
                .iter()
                .map(|v| format!("{v:.3}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a: OsString| a.into_string().expect("UTF-8 arguments"))
        .filter(|a| a != "--bench")
        .collect();
    match args.first().map(String::as_str) {
        Some("child") => child(&args[1..]),
        Some("files") => run_files(&parse_opts(&args[1..])),
        Some("batch") => run_batch(&parse_opts(&args[1..])),
        Some("list") => run_list(&parse_opts(&args[1..])),
        _ => {
            eprintln!(
                "usage: transfer files|batch|list --base URL [--token T] [--dir D] [--rounds N] \
                 [--size-mib N] [--files N --file-kib N] [--entries N --collection C] [--keep]\n\
                 (benches/run.sh starts the servers and runs all of them)"
            );
        }
    }
}
