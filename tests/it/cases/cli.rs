//! The `strapi-kit` binary, run as a user would: stdout, stderr, exit codes, files on disk.
//! Mounted once (from the blocking flavour): the binary does not depend on the test's flavour.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::support::{TempDir, strapi::Strapi, unique};

const BIN: &str = env!("CARGO_BIN_EXE_strapi-kit");

/// The binary with a clean environment: no STRAPI_* from the caller, an empty config home.
fn cli(home: &Path) -> Command {
    let mut c = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("STRAPI_") || k == "NO_COLOR" {
            c.env_remove(k);
        }
    }
    c.env("XDG_CONFIG_HOME", home).stdin(Stdio::null());
    c
}

/// The binary pointed at `s` with its full-access token and admin credentials (through env).
fn on(s: &Strapi, home: &Path) -> Command {
    let mut c = cli(home);
    c.env("STRAPI_BASE_URL", &s.url)
        .env("STRAPI_API_TOKEN", &s.full_token)
        .env("STRAPI_ADMIN_EMAIL", &s.admin_email)
        .env("STRAPI_ADMIN_PASSWORD", &s.admin_password);
    c
}

fn run(c: &mut Command) -> Output {
    c.output().expect("run strapi-kit")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn config_shows_flags_env_and_profile_with_secrets_masked() {
    let home = TempDir::new("cli-config");
    let file = home.write(
        "other.toml",
        b"default_profile = \"staging\"\n[profiles.staging]\nurl = \"http://staging.example:1337\"\ntoken = \"profile-token-0123456789\"\nadmin_email = \"ops@example.com\"\nadmin_password = \"admin-secret-pass\"\n[profiles.prod]\nurl = \"https://prod.example\"\n",
    );
    let o = run(cli(home.path())
        .args(["--config"])
        .arg(&file)
        .args(["config", "--json"]));
    assert_eq!(code(&o), 0, "{}", show(&o));
    let v = stdout_json(&o);
    assert_eq!(v["profile"], "staging");
    let s = &v["settings"];
    assert_eq!(s["STRAPI_BASE_URL"]["value"], "http://staging.example:1337");
    assert_eq!(s["STRAPI_BASE_URL"]["source"], "profile staging");
    assert_eq!(s["STRAPI_ADMIN_EMAIL"]["value"], "ops@example.com");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        !text.contains("profile-token-0123456789") && !text.contains("admin-secret-pass"),
        "{text}"
    );
    assert_eq!(s["STRAPI_API_TOKEN"]["value"], "****89 (24 chars)");

    // env beats the profile, a flag beats env; --profile picks another profile.
    let o = run(cli(home.path())
        .env("STRAPI_API_TOKEN", "env-token-abcdefghijkl")
        .args(["--config"])
        .arg(&file)
        .args([
            "--profile",
            "prod",
            "--url",
            "http://flag.example",
            "config",
            "--json",
        ]));
    let v = stdout_json(&o);
    assert_eq!(v["settings"]["STRAPI_BASE_URL"]["source"], "flag");
    assert_eq!(v["settings"]["STRAPI_API_TOKEN"]["source"], "env");
    assert!(v["settings"].get("STRAPI_ADMIN_EMAIL").is_none());

    // The default file lives under XDG_CONFIG_HOME; `config set` writes it.
    let o = run(cli(home.path()).args(["--json", "config", "set", "url", "http://set.example"]));
    assert_eq!(code(&o), 0, "{}", show(&o));
    assert_eq!(stdout_json(&o)["key"], "url");
    let written = std::fs::read_to_string(home.path().join("strapi-kit/config.toml"))
        .expect("config written");
    assert!(written.contains("http://set.example"), "{written}");

    let o =
        run(cli(home.path())
            .args(["--config"])
            .arg(&file)
            .args(["--profile", "nope", "config"]));
    assert_eq!(code(&o), 2, "{}", show(&o));
}

#[test]
fn usage_errors_exit_2_before_sending() {
    let home = TempDir::new("cli-usage");
    // Port 9 (discard) is closed: had anything been sent, the exit would be 6.
    let base = |c: &mut Command| {
        c.env("STRAPI_BASE_URL", "http://127.0.0.1:9")
            .env("STRAPI_API_TOKEN", "t0123456789");
    };
    for args in [
        &["content", "ls", "articles", "--filter", "title[$nope]=x"][..],
        &["content", "ls", "articles", "--filter", "title[$eq=x"],
        &["content", "ls", "articles", "--sort", "title:sideways"],
        &["content", "create", "articles", "--data", "[1,2]"],
        &["media", "rm", "1"],
        &["content", "ls"],
        &["no-such-command"],
    ] {
        let mut c = cli(home.path());
        base(&mut c);
        let o = run(c.args(args));
        assert_eq!(code(&o), 2, "{args:?}: {}", show(&o));
        assert!(
            o.stdout.is_empty(),
            "{args:?}: data on stdout for an error: {}",
            show(&o)
        );
    }
    let o = run(cli(home.path()).args(["content", "ls", "articles"]));
    assert_eq!(code(&o), 2, "no URL: {}", show(&o));
    let mut c = cli(home.path());
    base(&mut c);
    let o = run(c.args(["info"]));
    assert_eq!(code(&o), 6, "unreachable server: {}", show(&o));
}

#[test]
fn completions_print_a_script() {
    let home = TempDir::new("cli-compl");
    let o = run(cli(home.path()).args(["completions", "bash"]));
    assert_eq!(code(&o), 0);
    assert!(String::from_utf8_lossy(&o.stdout).contains("strapi-kit"));
}

macro_rules! server_tests {
    ($version:ident, $server:path) => {
        mod $version {
            use super::*;

            fn server() -> &'static Strapi {
                $server()
            }

            #[test]
            fn info_reports_version_and_types() {
                let home = TempDir::new("cli-info");
                let o = run(on(server(), home.path()).args(["info", "--json"]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                let v = stdout_json(&o);
                assert_eq!(v["reachable"], true);
                assert_eq!(v["version"], stringify!($version));
                let types = v["content_types"].as_array().expect("types");
                let article = types.iter().find(|t| t["route"] == "articles").expect("articles listed");
                assert_eq!(article["read"], "yes", "{article}");
            }

            #[test]
            fn schema_lists_types_components_and_fields() {
                let home = TempDir::new("cli-schema");
                let o = run(on(server(), home.path()).args(["schema", "--format", "json"]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                let rows = stdout_json(&o);
                let rows = rows.as_array().expect("rows");
                assert!(rows.iter().any(|r| r["uid"] == "api::article.article" && r["kind"] == "collection"), "{rows:?}");
                assert!(rows.iter().any(|r| r["uid"] == "shared.seo" && r["kind"] == "component"), "{rows:?}");
                assert!(!rows.iter().any(|r| r["uid"] == "plugin::upload.file"), "plugin types only with --all");
                let o = run(on(server(), home.path()).args(["schema", "articles", "--format", "json"]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                let fields = stdout_json(&o);
                let title = fields.as_array().and_then(|f| f.iter().find(|f| f["field"] == "title")).cloned().expect("title");
                assert_eq!((title["type"].as_str(), title["required"].as_bool()), (Some("string"), Some(true)), "{title}");
                let o = run(on(server(), home.path()).args(["schema", "no-such-type"]));
                assert_eq!(code(&o), 5, "{}", show(&o));
            }

            #[test]
            fn codegen_writes_the_librarys_code_and_runs_from_a_saved_schema() {
                let home = TempDir::new("cli-codegen");
                let out = home.path().join("cms.rs");
                let saved = home.path().join("schema.json");
                let o = run(on(server(), home.path())
                    .args(["codegen", "--json", "--out"])
                    .arg(&out)
                    .arg("--save-schema")
                    .arg(&saved));
                assert_eq!(code(&o), 0, "{}", show(&o));
                let summary = stdout_json(&o);
                assert!(summary["content_types"].as_u64().unwrap_or(0) > 0, "{summary}");
                let written = std::fs::read_to_string(&out).unwrap();
                let schema = strapi_kit::codegen::Schema::load(&saved).unwrap();
                let want = strapi_kit::codegen::generate(&schema, &Default::default()).unwrap();
                assert_eq!(written, want, "the binary writes what the library generates");
                assert!(written.contains("pub struct Article {"), "{written}");
                // From the saved schema: no server asked (no URL set), the code on stdout.
                let o = run(cli(home.path()).args(["codegen", "--schema"]).arg(&saved));
                assert_eq!(code(&o), 0, "{}", show(&o));
                assert_eq!(String::from_utf8_lossy(&o.stdout), written);
                let o = run(cli(home.path())
                    .args(["codegen", "--exclude", "api::homepage.homepage", "--schema"])
                    .arg(&saved));
                assert_eq!(code(&o), 0, "{}", show(&o));
                let stdout = String::from_utf8_lossy(&o.stdout);
                assert!(!stdout.contains("pub struct Homepage {") && stdout.contains("pub struct Article {"));
                // Not a schema file: an error, nothing on stdout, the old output kept.
                let bad = home.write("bad.json", b"[1, 2");
                let o = run(cli(home.path()).args(["codegen", "--schema"]).arg(&bad).arg("--out").arg(&out));
                assert_ne!(code(&o), 0, "{}", show(&o));
                assert!(o.stdout.is_empty(), "{}", show(&o));
                assert_eq!(std::fs::read_to_string(&out).unwrap(), written);
            }

            #[test]
            fn bad_token_exits_4_missing_entry_exits_5() {
                let home = TempDir::new("cli-codes");
                let o = run(on(server(), home.path())
                    .env("STRAPI_API_TOKEN", "not-a-valid-token-0000")
                    .args(["content", "ls", "articles"]));
                assert_eq!(code(&o), 4, "{}", show(&o));
                assert!(!String::from_utf8_lossy(&o.stderr).contains("not-a-valid-token-0000"));
                let o = run(on(server(), home.path()).args(["content", "get", "articles", "999999999"]));
                assert_eq!(code(&o), 5, "{}", show(&o));
            }

            #[test]
            fn content_create_ls_with_filter_get_delete() {
                let home = TempDir::new("cli-content");
                let title = unique("cli article");
                let mut child = on(server(), home.path())
                    .args(["content", "create", "articles", "--data", "-"])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn");
                let body = serde_json::json!({"title": title, "content": "from the cli"}).to_string();
                child.stdin.take().expect("stdin").write_all(body.as_bytes()).expect("write");
                let o = child.wait_with_output().expect("wait");
                assert_eq!(code(&o), 0, "{}", show(&o));
                let created = stdout_json(&o);
                assert_eq!(created["title"], title.as_str());
                let id = created
                    .get("documentId")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| created["id"].to_string());

                let filter = format!("title[$containsi]={}", title.to_uppercase());
                let o = run(on(server(), home.path()).args([
                    "content", "ls", "articles", "--filter", &filter, "--fields", "title,content",
                    "--status", "draft", "--all", "--format", "jsonl",
                ]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .map(|l| serde_json::from_str(l).expect("a JSON line"))
                    .collect();
                assert_eq!(lines.len(), 1, "{}", show(&o));
                assert_eq!(lines[0]["content"], "from the cli");

                let o = run(on(server(), home.path()).args([
                    "content", "ls", "articles", "--filter", &format!("title[$eq]={title}"),
                    "--fields", "title", "--status", "draft", "--format", "csv",
                ]));
                let csv = String::from_utf8_lossy(&o.stdout).into_owned();
                let mut rows = csv.lines();
                assert!(rows.next().is_some_and(|h| h.starts_with("id,") && h.ends_with(",title")), "{csv}");
                assert!(rows.next().is_some_and(|r| r.ends_with(&title)), "{csv}");

                let o = run(on(server(), home.path()).args(["content", "get", "articles", &id, "--status", "draft"]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                assert_eq!(stdout_json(&o)["title"], title.as_str());

                let o = run(on(server(), home.path()).args(["content", "update", "articles", &id, "--data", r#"{"content":"changed"}"#]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                assert_eq!(stdout_json(&o)["content"], "changed");
                let published = || {
                    let o = run(on(server(), home.path()).args([
                        "content", "ls", "articles", "--filter", &format!("title[$eq]={title}"),
                        "--status", "published", "--format", "json",
                    ]));
                    assert_eq!(code(&o), 0, "{}", show(&o));
                    stdout_json(&o).as_array().map_or(0, Vec::len)
                };
                // REST creates publish by default (both versions).
                assert_eq!(published(), 1);
                let o = run(on(server(), home.path()).args(["--json", "content", "unpublish", "articles", &id]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                assert_eq!(stdout_json(&o)["unpublished"], id.as_str());
                assert_eq!(published(), 0);
                let o = run(on(server(), home.path()).args(["content", "publish", "articles", &id]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                assert!(stdout_json(&o)["publishedAt"].is_string(), "{}", show(&o));
                assert_eq!(published(), 1);

                let o = run(on(server(), home.path()).args(["content", "delete", "articles", &id]));
                assert_eq!(code(&o), 2, "delete without --yes: {}", show(&o));
                let o = run(on(server(), home.path()).args(["content", "delete", "articles", &id, "--yes"]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                let o = run(on(server(), home.path()).args(["content", "get", "articles", &id, "--status", "draft"]));
                assert_eq!(code(&o), 5, "{}", show(&o));
            }

            #[test]
            fn login_keeps_the_jwt_in_the_profile_and_uses_it() {
                let home = TempDir::new("cli-login");
                let s = server();
                let login = |password: &str| {
                    let mut child = cli(home.path())
                        .env("STRAPI_BASE_URL", &s.url)
                        .args(["login", &s.user_email, "--password-stdin"])
                        .stdin(Stdio::piped())
                        .stdout(Stdio::piped())
                        .stderr(Stdio::piped())
                        .spawn()
                        .expect("spawn");
                    child.stdin.take().expect("stdin").write_all(format!("{password}\n").as_bytes()).expect("write");
                    child.wait_with_output().expect("wait")
                };
                let o = login("not-the-password-42");
                assert_eq!(code(&o), 4, "{}", show(&o));
                assert!(!show(&o).contains("not-the-password-42"), "{}", show(&o));
                assert!(!home.path().join("strapi-kit/config.toml").exists());

                let o = login(&s.user_password);
                assert_eq!(code(&o), 0, "{}", show(&o));
                assert!(o.stdout.is_empty(), "{}", show(&o));
                let file = home.path().join("strapi-kit/config.toml");
                let text = std::fs::read_to_string(&file).expect("config written");
                assert!(text.contains("jwt = ") && text.contains(&s.url), "{text}");
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
                    assert_eq!(mode & 0o777, 0o600);
                }
                let o = run(cli(home.path()).args(["--json", "config"]));
                let v = stdout_json(&o);
                assert_eq!(v["settings"]["STRAPI_JWT"]["source"], "profile default", "{v}");
                let jwt = text.lines().find_map(|l| l.strip_prefix("jwt = ")).expect("jwt line").trim_matches('"').to_owned();
                assert!(jwt.len() > 20 && !String::from_utf8_lossy(&o.stdout).contains(&jwt), "{}", show(&o));
                // Authors are readable by logged-in users, not by the public role: the JWT is sent.
                let o = run(cli(home.path()).args(["content", "ls", "authors", "--format", "json"]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                let o = run(cli(home.path()).args(["config", "set", "jwt", "eyJhbGciOiJIUzI1NiJ9.e30.bm90LWEtcmVhbC1zaWc"]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                let o = run(cli(home.path()).args(["content", "ls", "authors"]));
                assert_eq!(code(&o), 4, "a bad JWT: {}", show(&o));
            }

            #[test]
            fn media_upload_mirrors_folders_skips_reruns_and_downloads() {
                let home = TempDir::new("cli-media");
                let src = TempDir::new("cli-media-src");
                let tag = unique("cli");
                let a = format!("{tag}-a.txt");
                let b = format!("{tag}-b.txt");
                src.write(&a, b"alpha file\n");
                std::fs::create_dir_all(src.path().join("sub")).expect("mkdir");
                std::fs::write(src.path().join("sub").join(&b), b"beta file, a bit longer\n").expect("write");
                let folder = format!("/{tag}");
                let upload = || {
                    run(on(server(), home.path())
                        .args(["--json", "media", "upload", "--recursive", "--skip-existing", "--folder", &folder])
                        .arg(src.path()))
                };
                let o = upload();
                assert_eq!(code(&o), 0, "{}", show(&o));
                let v = stdout_json(&o);
                let up = v["uploaded"].as_array().expect("uploaded");
                assert_eq!(up.len(), 2, "{v}");
                let sub = format!("{folder}/sub");
                assert!(up.iter().any(|u| u["folder"] == sub.as_str()), "{v}");
                let ids: Vec<String> = up.iter().map(|u| u["id"].to_string()).collect();

                // The folders exist, and hold the files.
                let in_folder = |f: &str| {
                    let o = run(on(server(), home.path()).args(["media", "ls", "--folder", f, "--format", "json"]));
                    assert_eq!(code(&o), 0, "{}", show(&o));
                    let names: Vec<String> = stdout_json(&o).as_array().map(|a| a.iter().map(|f| f["name"].as_str().unwrap_or("").to_owned()).collect()).unwrap_or_default();
                    names
                };
                assert_eq!(in_folder(&folder), vec![a.clone()]);
                assert_eq!(in_folder(&sub), vec![b.clone()]);
                assert!(!in_folder("/").iter().any(|n| n.starts_with(&tag)), "none at the root");
                let o = run(on(server(), home.path()).args(["media", "ls", "--folder", "/", "--filter", "name[$eq]=x"]));
                assert_eq!(code(&o), 2, "--folder with --filter: {}", show(&o));
                let o = run(on(server(), home.path()).args(["media", "ls", "--folder", &format!("{folder}/nope")]));
                assert_eq!(code(&o), 5, "{}", show(&o));

                // A rerun uploads nothing twice.
                let o = upload();
                assert_eq!(code(&o), 0, "{}", show(&o));
                let v = stdout_json(&o);
                assert_eq!(v["uploaded"].as_array().map(Vec::len), Some(0), "{v}");
                assert_eq!(v["skipped"].as_array().map(Vec::len), Some(2), "{v}");

                // mv: the top folder's file joins the other in the sub-folder.
                let a_id = up.iter().find(|u| u["folder"] == folder.as_str()).map(|u| u["id"].to_string()).expect("a's id");
                let o = run(on(server(), home.path()).args(["media", "mv", &a_id, "--folder", &sub]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                let mut names = in_folder(&sub);
                names.sort();
                assert_eq!(names, vec![a.clone(), b.clone()]);
                assert!(in_folder(&folder).is_empty());

                let out = TempDir::new("cli-media-out");
                let filter = format!("name[$startsWith]={tag}");
                let download = || {
                    run(on(server(), home.path())
                        .args(["--json", "media", "download", "--filter", &filter, "--out"])
                        .arg(out.path()))
                };
                let o = download();
                assert_eq!(code(&o), 0, "{}", show(&o));
                let v = stdout_json(&o);
                assert_eq!(v["downloaded"].as_array().map(Vec::len), Some(2), "{v}");
                let mut got: Vec<Vec<u8>> = std::fs::read_dir(out.path())
                    .expect("out dir")
                    .filter_map(|e| e.ok())
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .map(|e| std::fs::read(e.path()).expect("read"))
                    .collect();
                got.sort();
                assert_eq!(got, vec![b"alpha file\n".to_vec(), b"beta file, a bit longer\n".to_vec()]);
                // A mirror: the second run downloads nothing; a changed local file is fetched again.
                let o = download();
                let v = stdout_json(&o);
                assert_eq!(v["skipped"].as_array().map(Vec::len), Some(2), "{v}");
                let first = v["skipped"][0].as_str().expect("name").to_owned();
                std::fs::write(out.path().join(&first), b"tampered").expect("tamper");
                let v = stdout_json(&download());
                assert_eq!(v["downloaded"].as_array().map(Vec::len), Some(1), "{v}");

                // get and update one.
                let o = run(on(server(), home.path()).args(["media", "update", &ids[0], "--alt", "from the cli", "--caption", "a caption"]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                let o = run(on(server(), home.path()).args(["--json", "media", "get", &ids[0]]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                let got = stdout_json(&o);
                assert_eq!((got["alternativeText"].as_str(), got["caption"].as_str()), (Some("from the cli"), Some("a caption")), "{got}");
                let o = run(on(server(), home.path()).args(["media", "update", &ids[0]]));
                assert_eq!(code(&o), 2, "nothing to change: {}", show(&o));

                // ls sees them; rm asks for --yes, then deletes.
                let o = run(on(server(), home.path()).args(["media", "ls", "--filter", &filter, "--format", "json"]));
                let listed = stdout_json(&o);
                assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
                let mut rm = on(server(), home.path());
                rm.args(["media", "rm", "--yes"]).args(&ids);
                let o = run(&mut rm);
                assert_eq!(code(&o), 0, "{}", show(&o));
                let o = run(on(server(), home.path()).args(["media", "get", &ids[0]]));
                assert_eq!(code(&o), 5, "{}", show(&o));
            }

            #[test]
            fn a_batch_with_a_bad_file_exits_3() {
                let home = TempDir::new("cli-partial");
                let src = TempDir::new("cli-partial-src");
                let tag = unique("cli-partial");
                let good = src.write(&format!("{tag}.txt"), b"fine\n");
                // Refused by the server: the test apps cap uploads at 1 MB.
                let bad = src.write(&format!("{tag}-bad.txt"), &vec![b'x'; 1_500_000]);
                let o = run(on(server(), home.path()).args(["--json", "media", "upload"]).arg(&good).arg(&bad));
                assert_eq!(code(&o), 3, "{}", show(&o));
                let v = stdout_json(&o);
                assert_eq!(v["failed"].as_array().map(Vec::len), Some(1), "{v}");
                let id = v["uploaded"][0]["id"].to_string();
                let o = run(on(server(), home.path()).args(["media", "rm", "--yes", &id]));
                assert_eq!(code(&o), 0, "{}", show(&o));
            }

            #[test]
            fn export_then_import_into_a_fresh_v5_resumes_without_doubles() {
                let home = TempDir::new("cli-tx");
                let name = unique("cli category");
                let body = serde_json::json!({"name": name}).to_string();
                let o = run(on(server(), home.path()).args(["content", "create", "categories", "--data", &body]));
                assert_eq!(code(&o), 0, "{}", show(&o));
                let dir = TempDir::new("cli-export");
                let backup = dir.path().join("backup");
                let export = || run(on(server(), home.path()).args(["--json", "export", "--types", "categories"]).arg(&backup));
                let o = export();
                assert_eq!(code(&o), 0, "{}", show(&o));
                let v = stdout_json(&o);
                assert_eq!(v["server_version"], stringify!($version), "{v}");
                let cats = v["types"].as_array().and_then(|t| t.iter().find(|t| t["uid"] == "api::category.category")).cloned();
                assert!(cats.as_ref().is_some_and(|c| c["published"].as_u64() >= Some(1)), "{v}");
                assert!(backup.join("manifest.json").is_file());
                // Progress is one line per phase on stderr when it is not a terminal.
                let err = String::from_utf8_lossy(&o.stderr).into_owned();
                assert!(err.lines().any(|l| l.starts_with("export: entries")), "{err}");
                // A finished export is not overwritten.
                let o = export();
                assert_eq!(code(&o), 2, "{}", show(&o));
                assert!(o.stdout.is_empty(), "{}", show(&o));

                let target = crate::support::strapi::instance(strapi_kit::ApiVersion::V5, "cli-import", &[]);
                let import = |extra: &[&str]| {
                    run(on(target, home.path()).args(["--json", "--quiet", "import"]).arg(&backup).args(extra))
                };
                let o = import(&["--dry-run"]);
                assert_eq!(code(&o), 0, "{}", show(&o));
                assert!(o.stderr.is_empty(), "--quiet: {}", show(&o));
                let plan = stdout_json(&o);
                assert_eq!(plan["dry_run"], true);
                let would = plan["created"].as_u64().unwrap_or(0);
                assert!(would >= 1, "{plan}");
                assert!(!backup.join("import-state.jsonl").exists(), "a dry run wrote the journal");
                let listed = |t: &Strapi| {
                    let o = run(on(t, home.path()).args([
                        "content", "ls", "categories", "--filter", &format!("name[$eq]={name}"), "--format", "json",
                    ]));
                    assert_eq!(code(&o), 0, "{}", show(&o));
                    stdout_json(&o).as_array().map_or(0, Vec::len)
                };
                assert_eq!(listed(target), 0);

                let o = import(&[]);
                assert_eq!(code(&o), 0, "{}", show(&o));
                let done = stdout_json(&o);
                assert_eq!(done["created"].as_u64(), Some(would), "{done}");
                assert_eq!(listed(target), 1);
                // A rerun goes by the journal: nothing is created twice.
                let o = import(&["--conflict", "fail"]);
                assert_eq!(code(&o), 0, "{}", show(&o));
                let again = stdout_json(&o);
                assert_eq!(again["created"], 0, "{again}");
                assert!(again["resumed"].as_u64() >= Some(would), "{again}");
                assert_eq!(listed(target), 1);

                // An entry whose unique field (an article's slug) the target has already: with
                // --conflict fail the import stops with exit 7. On the import target, where
                // this is the only article: exported and imported into the same server.
                if stringify!($version) == "v5" {
                    let title = unique("cli conflict");
                    let body = serde_json::json!({"title": title, "slug": crate::support::slug(&title)}).to_string();
                    let o = run(on(target, home.path()).args(["content", "create", "articles", "--data", &body]));
                    assert_eq!(code(&o), 0, "{}", show(&o));
                    let arts = dir.path().join("articles");
                    let o = run(on(target, home.path()).args(["--quiet", "export", "--types", "articles"]).arg(&arts));
                    assert_eq!(code(&o), 0, "{}", show(&o));
                    let o = run(on(target, home.path()).args(["import", "--conflict", "fail"]).arg(&arts));
                    assert_eq!(code(&o), 7, "{}", show(&o));
                    assert!(o.stdout.is_empty(), "{}", show(&o));
                    // Nothing was written: the one article with that title is the original.
                    let o = run(on(target, home.path()).args([
                        "content", "ls", "articles", "--filter", &format!("title[$eq]={title}"),
                        "--status", "draft", "--format", "json",
                    ]));
                    let found = stdout_json(&o);
                    let ids: Vec<String> = found.as_array().map(|a| a.iter().filter_map(|e| e["documentId"].as_str().map(str::to_owned)).collect()).unwrap_or_default();
                    for id in &ids {
                        let o = run(on(target, home.path()).args(["content", "delete", "articles", id, "--yes"]));
                        assert_eq!(code(&o), 0, "{}", show(&o));
                    }
                    assert_eq!(ids.len(), 1, "{found}");
                }

                // Strapi 4 is no import target: refused before anything is written.
                let o = run(on(crate::support::strapi::v4(), home.path()).args(["import"]).arg(&backup).args(["--state-file"]).arg(dir.path().join("v4.jsonl")));
                assert_eq!(code(&o), 2, "{}", show(&o));
                assert!(!dir.path().join("v4.jsonl").exists());
                let o = import(&["--conflict", "sideways"]);
                assert_eq!(code(&o), 2, "{}", show(&o));
            }

            #[test]
            fn ctrl_c_stops_starting_uploads_and_reports_what_was_done() {
                let home = TempDir::new("cli-sigint");
                let src = TempDir::new("cli-sigint-src");
                let tag = unique("cli-sigint");
                const N: usize = 60;
                for i in 0..N {
                    src.write(&format!("{tag}-{i:02}.txt"), format!("file {i}\n").as_bytes());
                }
                let child = on(server(), home.path())
                    .args(["--json", "media", "upload", "--parallel", "1"])
                    .arg(src.path())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn");
                // Once the first file is on the server, interrupt.
                let filter = format!("name[$startsWith]={tag}");
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
                loop {
                    let o = run(on(server(), home.path()).args(["media", "ls", "--filter", &filter, "--format", "json"]));
                    if stdout_json(&o).as_array().is_some_and(|a| !a.is_empty()) {
                        break;
                    }
                    assert!(std::time::Instant::now() < deadline, "no upload started");
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
                assert!(kill.success());
                let o = child.wait_with_output().expect("wait");
                assert_eq!(code(&o), 130, "{}", show(&o));
                let v = stdout_json(&o);
                let up = v["uploaded"].as_array().cloned().unwrap_or_default();
                let not_started = v["not_started"].as_u64().unwrap_or(0) as usize;
                assert!(!up.is_empty() && not_started > 0, "{v}");
                assert_eq!(up.len() + not_started, N, "{v}");
                let err = String::from_utf8_lossy(&o.stderr);
                assert!(err.contains("interrupted") && err.contains(&format!("not started {not_started}")), "{err}");
                // What it says it uploaded is what the server has.
                let o = run(on(server(), home.path()).args(["media", "ls", "--filter", &filter, "--format", "json"]));
                let listed = stdout_json(&o);
                assert_eq!(listed.as_array().map(Vec::len), Some(up.len()), "{listed}");
                let mut rm = on(server(), home.path());
                rm.args(["media", "rm", "--yes"]).args(up.iter().map(|u| u["id"].to_string()));
                let o = run(&mut rm);
                assert_eq!(code(&o), 0, "{}", show(&o));
            }

            #[test]
            fn progress_bar_draws_in_a_terminal_and_ends_cleanly() {
                let home = TempDir::new("cli-pty");
                let src = TempDir::new("cli-pty-src");
                let tag = unique("cli-pty");
                // Under the test apps' 1 MB upload cap.
                let file = src.write(&format!("{tag}.bin"), &vec![7u8; 900_000]);
                // util-linux `script` gives the binary a pseudo-terminal.
                let cmd = format!("{BIN} media upload '{}'", file.display());
                let o = run(on(server(), home.path())
                    .env("TERM", "xterm")
                    .args(["-qec", &cmd, "/dev/null"])
                    .env_remove("NO_COLOR")
                    .arg0_program());
                assert_eq!(code(&o), 0, "{}", show(&o));
                let tty = String::from_utf8_lossy(&o.stdout).into_owned();
                assert!(tty.contains("upload ") && tty.contains("/1 files") && tty.contains("878.91 KiB"), "no bar drawn: {tty:?}");
                assert!(tty.contains("uploaded 1, skipped 0, failed 0"), "{tty:?}");
                // The bar is cleared before the summary: nothing is drawn after it.
                let at = tty.rfind("uploaded 1").unwrap_or(0);
                let (before, tail) = tty.split_at(at);
                assert!(!tail.contains("files"), "bar drawn after the summary: {tail:?}");
                // ... and its last drawing was erased before the summary.
                let last_draw = before.rfind("files").unwrap_or(0);
                assert!(before.rfind("\x1b[2K").is_some_and(|e| e > last_draw), "bar left on screen: {before:?}");
                let o = run(on(server(), home.path()).args(["--json", "media", "ls", "--filter", &format!("name[$eq]={tag}.bin"), "--format", "json"]));
                let id = stdout_json(&o)[0]["id"].to_string();
                let o = run(on(server(), home.path()).args(["media", "rm", "--yes", &id]));
                assert_eq!(code(&o), 0, "{}", show(&o));
            }
        }
    };
}

/// Runs `script` instead of the binary, keeping the environment set up for the binary.
trait ViaScript {
    fn arg0_program(&mut self) -> &mut Command;
}

impl ViaScript for Command {
    fn arg0_program(&mut self) -> &mut Command {
        let mut c = Command::new("script");
        c.args(self.get_args());
        for (k, v) in self.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        *self = c;
        self
    }
}

server_tests!(v5, crate::support::strapi::v5);
server_tests!(v4, crate::support::strapi::v4);
