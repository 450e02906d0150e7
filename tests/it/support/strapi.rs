//! Real Strapi v5 and v4 servers for the tests, each started at most once per test run.
//!
//! A server runs `node start.js` from its fixture app (`tests/strapi/v5`, `tests/strapi/v4`)
//! on a free loopback port with a fresh database and uploads folder under
//! `target/tmp/strapi-it/`. The launcher exits when its stdin closes; the harness keeps the
//! pipe open for the life of the test process, so the server goes away with the process,
//! also when a test panics or the process is killed.
//!
//! `STRAPI_V5_URL` + `STRAPI_V5_TOKEN` (and `STRAPI_V4_*`) point the tests at a running
//! server instead; `STRAPI_V5_READ_TOKEN` and `STRAPI_V5_FOLDER_ID` are optional there.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use strapi_kit::ApiVersion;

/// A running Strapi server.
pub struct Strapi {
    pub version: ApiVersion,
    pub url: String,
    pub full_token: String,
    pub read_token: Option<String>,
    pub folder_id: Option<u64>,
    pub user_email: String,
    pub user_password: String,
    /// An admin user (created at boot; `STRAPI_V5_ADMIN_EMAIL` / `_PASSWORD` for an
    /// external server).
    pub admin_email: String,
    pub admin_password: String,
    /// Where uploads land (None for an external server).
    pub public_dir: Option<PathBuf>,
    /// The server's temp folder (`TMPDIR`), inside this run's work folder: Strapi keeps the
    /// temp file of an upload it refuses, and it goes with the run (None when external).
    pub tmp_dir: Option<PathBuf>,
    /// Held for the whole run: closing it stops the server.
    _stdin: Option<Mutex<ChildStdin>>,
    _child: Option<Mutex<Child>>,
}

static V5: OnceLock<Result<Strapi, String>> = OnceLock::new();
static V4: OnceLock<Result<Strapi, String>> = OnceLock::new();
static INSTALL: OnceLock<Result<(), String>> = OnceLock::new();

/// The Strapi 5 server.
pub fn v5() -> &'static Strapi {
    match V5.get_or_init(|| start(ApiVersion::V5)) {
        Ok(s) => s,
        Err(e) => panic!("Strapi 5 test server unavailable: {e}"),
    }
}

/// The Strapi 4 server.
pub fn v4() -> &'static Strapi {
    match V4.get_or_init(|| start(ApiVersion::V4)) {
        Ok(s) => s,
        Err(e) => panic!("Strapi 4 test server unavailable: {e}"),
    }
}

type Instances = Mutex<HashMap<String, &'static Result<Strapi, String>>>;
static INSTANCES: OnceLock<Instances> = OnceLock::new();

/// Another server of the same fixture app, started once per run under `name` with extra
/// environment (e.g. a v5 in refresh-token mode, or a fresh, empty v5 to import into).
///
/// The first call for a name starts it (others wait for it); the same name always gives the
/// same server, so the `env` of the first call wins. Not available against external servers.
pub fn instance(version: ApiVersion, name: &str, env: &[(&str, &str)]) -> &'static Strapi {
    let map = INSTANCES.get_or_init(Default::default);
    // One lock for the whole start keeps two first calls from starting two servers; the
    // servers start in a few seconds and named instances are few.
    let mut guard = map.lock().unwrap_or_else(|p| p.into_inner());
    let key = format!("{version:?}-{name}");
    let entry = *guard
        .entry(key)
        .or_insert_with(|| Box::leak(Box::new(launch(version, name, env))));
    drop(guard);
    match entry {
        Ok(s) => s,
        Err(e) => panic!("Strapi {version:?} test server {name:?} unavailable: {e}"),
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn start(version: ApiVersion) -> Result<Strapi, String> {
    let tag = match version {
        ApiVersion::V4 => "V4",
        ApiVersion::V5 => "V5",
    };
    if let (Ok(url), Ok(token)) = (
        std::env::var(format!("STRAPI_{tag}_URL")),
        std::env::var(format!("STRAPI_{tag}_TOKEN")),
    ) {
        return Ok(Strapi {
            version,
            url,
            full_token: token,
            read_token: std::env::var(format!("STRAPI_{tag}_READ_TOKEN")).ok(),
            folder_id: std::env::var(format!("STRAPI_{tag}_FOLDER_ID"))
                .ok()
                .and_then(|v| v.parse().ok()),
            user_email: "itest@example.com".into(),
            user_password: "itest-password-1".into(),
            admin_email: std::env::var(format!("STRAPI_{tag}_ADMIN_EMAIL"))
                .unwrap_or_else(|_| "itest-admin@example.com".into()),
            admin_password: std::env::var(format!("STRAPI_{tag}_ADMIN_PASSWORD"))
                .unwrap_or_else(|_| "Itest-admin-Passw0rd".into()),
            public_dir: None,
            tmp_dir: None,
            _stdin: None,
            _child: None,
        });
    }
    launch(version, "", &[])
}

/// Starts a server of the fixture app for `version`; `name` tells apart extra instances
/// (its work folder and log), `env` is added to (and overrides) the standard environment.
fn launch(version: ApiVersion, name: &str, env: &[(&str, &str)]) -> Result<Strapi, String> {
    let app_tag = match version {
        ApiVersion::V4 => "V4",
        ApiVersion::V5 => "V5",
    };
    let tag = if name.is_empty() {
        app_tag.to_owned()
    } else {
        format!("{app_tag}-{name}")
    };
    let tag = tag.as_str();
    check_node()?;
    INSTALL.get_or_init(install).clone()?;

    let app = repo_root()
        .join("tests/strapi")
        .join(app_tag.to_ascii_lowercase());
    let work = work_dir(tag)?;
    let public = work.join("public");
    std::fs::create_dir_all(public.join("uploads")).map_err(|e| e.to_string())?;
    let tmp = work.join("tmp");
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let port = free_port()?;
    let full = random_token();
    let read = random_token();
    let info_file = work.join("info.json");
    let log_path = work.join("strapi.log");
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let log2 = log.try_clone().map_err(|e| e.to_string())?;

    let started = Instant::now();
    let mut child = Command::new("node")
        .arg("start.js")
        .current_dir(&app)
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .env("DATABASE_FILENAME", work.join("data.db"))
        .env("ITEST_PUBLIC_DIR", &public)
        .env("TMPDIR", &tmp)
        .env("ITEST_FULL_ACCESS_TOKEN", &full)
        .env("ITEST_READ_ONLY_TOKEN", &read)
        .env("ITEST_INFO_FILE", &info_file)
        .env("STRAPI_TELEMETRY_DISABLED", "true")
        .env("STRAPI_DISABLE_UPDATE_NOTIFICATION", "true")
        .env("BROWSER", "none")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log2))
        .spawn()
        .map_err(|e| format!("cannot start node: {e}"))?;
    let stdin = child.stdin.take();
    let url = format!("http://127.0.0.1:{port}");

    let deadline = started + Duration::from_secs(300);
    loop {
        if health(port) {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "Strapi {tag} exited with {status} before it was ready; log:\n{}",
                tail(&log_path)
            ));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(format!(
                "Strapi {tag} not ready after 300 s; log:\n{}",
                tail(&log_path)
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!(
        "[strapi-it] Strapi {tag} ready at {url} in {:.1} s (log: {})",
        started.elapsed().as_secs_f64(),
        log_path.display()
    );
    let info: serde_json::Value = std::fs::read(&info_file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    Ok(Strapi {
        version,
        url,
        full_token: full,
        read_token: Some(read),
        folder_id: info.get("folderId").and_then(serde_json::Value::as_u64),
        user_email: info
            .get("userEmail")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("itest@example.com")
            .to_owned(),
        user_password: info
            .get("userPassword")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("itest-password-1")
            .to_owned(),
        admin_email: info
            .get("adminEmail")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("itest-admin@example.com")
            .to_owned(),
        admin_password: info
            .get("adminPassword")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("Itest-admin-Passw0rd")
            .to_owned(),
        public_dir: Some(public),
        tmp_dir: Some(tmp),
        _stdin: stdin.map(Mutex::new),
        _child: Some(Mutex::new(child)),
    })
}

fn check_node() -> Result<(), String> {
    let ok = |cmd: &str| {
        Command::new(cmd)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if ok("node") && ok("npm") {
        Ok(())
    } else {
        Err(
            "the real-server tests need Node.js 20+ and npm on PATH: install them \
             (e.g. `apt-get install nodejs npm`, or from nodejs.org), or point the tests at \
             running servers with STRAPI_V5_URL/STRAPI_V5_TOKEN and STRAPI_V4_URL/STRAPI_V4_TOKEN"
                .into(),
        )
    }
}

/// Runs `tests/strapi/install.sh` once per test process (it is a no-op when up to date).
fn install() -> Result<(), String> {
    let started = Instant::now();
    let out = Command::new("bash")
        .arg(repo_root().join("tests/strapi/install.sh"))
        .output()
        .map_err(|e| format!("cannot run install.sh: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "tests/strapi/install.sh failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    eprintln!(
        "[strapi-it] fixture apps installed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A fresh directory for this process; directories of finished runs are removed.
fn work_dir(tag: &str) -> Result<PathBuf, String> {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("strapi-it");
    std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    if let Ok(entries) = std::fs::read_dir(&root) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid = name.rsplit('-').next().and_then(|p| p.parse::<u32>().ok());
            if let Some(pid) = pid {
                if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    }
    let dir = root.join(format!(
        "{}-{}",
        tag.to_ascii_lowercase(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn health(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    if s.write_all(b"GET /_health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = [0u8; 32];
    let n = s.read(&mut buf).unwrap_or(0);
    buf[..n].starts_with(b"HTTP/1.1 204")
}

fn random_token() -> String {
    use std::hash::{BuildHasher, RandomState};
    (0..4)
        .map(|i| format!("{:016x}", RandomState::new().hash_one(i)))
        .collect()
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
