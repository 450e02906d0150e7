//! Webhooks from a real Strapi (a server of its own, so its deliveries are this test's): a
//! webhook registered through the admin API points at a listener here; a create → update →
//! publish → unpublish → delete → media upload sequence is delivered, and every delivery
//! parses into its typed event with the shared secret checked.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::*;
use strapi_kit::webhook::{self, EntryAction, Event, MediaAction};

const SECRET: &str = "whsec-test-value";

/// One delivery: the secret header's value and the body.
type Delivery = (Option<String>, Vec<u8>);

/// Listens for deliveries (answers 204 to each).
fn listener() -> (String, Arc<Mutex<Vec<Delivery>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/hook", l.local_addr().unwrap().port());
    let got = Arc::new(Mutex::new(Vec::new()));
    let keep = got.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let keep = keep.clone();
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let head_end = loop {
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let header = |name: &str| {
                    head.split("\r\n").find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.trim()
                            .eq_ignore_ascii_case(name)
                            .then(|| v.trim().to_owned())
                    })
                };
                let len: usize = header("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                while buf.len() < head_end + len {
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let body = buf[head_end..].to_vec();
                keep.lock()
                    .unwrap()
                    .push((header("x-strapi-kit-secret"), body));
                let _ = s.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
            });
        }
    });
    (url, got)
}

struct Hooked {
    srv: &'static strapi::Strapi,
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    /// An admin session's JWT (for Strapi 4's content-manager actions).
    admin_jwt: String,
}

/// This version's webhook server with its webhook registered (once per run and version).
#[maybe]
async fn hooked() -> &'static Hooked {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static DONE: OnceLock<Mutex<HashMap<String, &'static Hooked>>> = OnceLock::new();
    let srv = strapi::instance(server().version, "webhook", &[]);
    let key = format!("{:?}", srv.version);
    if let Some(h) = DONE.get_or_init(Default::default).lock().unwrap().get(&key) {
        return h;
    }
    let (url, deliveries) = listener();
    let anon = Client::new(config(&srv.url, None)).unwrap();
    let session: Value = anon
        .request(strapi_kit::Method::POST, "/admin/login")
        .json(&json!({"email": srv.admin_email, "password": srv.admin_password}))
        .send()
        .await
        .expect("admin login");
    let jwt = session["data"]["token"]
        .as_str()
        .expect("admin jwt")
        .to_owned();
    let admin = Client::new(config(&srv.url, Some(&jwt))).unwrap();
    let events = [
        "entry.create",
        "entry.update",
        "entry.delete",
        "entry.publish",
        "entry.unpublish",
        "media.create",
        "media.update",
        "media.delete",
    ];
    let _: Value = admin
        .request(strapi_kit::Method::POST, "/admin/webhooks")
        .json(&json!({"name": "strapi-kit test", "url": url,
            "headers": {"x-strapi-kit-secret": SECRET}, "events": events}))
        .send()
        .await
        .expect("webhook created");
    let h: &'static Hooked = Box::leak(Box::new(Hooked {
        srv,
        deliveries,
        admin_jwt: jwt,
    }));
    DONE.get().unwrap().lock().unwrap().insert(key, h);
    h
}

/// The deliveries whose body contains `marker`, waiting until `want` of them came.
fn wait_for(h: &Hooked, marker: &str, want: usize) -> Vec<Delivery> {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let got: Vec<Delivery> = h
            .deliveries
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, b)| String::from_utf8_lossy(b).contains(marker))
            .cloned()
            .collect();
        if got.len() >= want || Instant::now() > until {
            return got;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[derive(serde::Deserialize, Debug)]
struct Article {
    title: String,
    #[serde(default)]
    content: Option<String>,
}

#[maybe]
#[the_test]
async fn every_event_of_an_entrys_life_and_an_upload_is_delivered_and_decodes() {
    let h = hooked().await;
    let c = Client::new(
        StrapiConfig::builder(h.srv.url.as_str())
            .api_token(h.srv.full_token.as_str())
            .admin_login(&h.srv.admin_email, &h.srv.admin_password)
            .retry(strapi_kit::RetryPolicy::none())
            .build()
            .unwrap(),
    )
    .unwrap();
    let title = unique("webhook");
    let draft: EntryResponse<Value> = c
        .create_draft("articles", &json!({"title": title}))
        .await
        .unwrap();
    let key = draft.data["documentId"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| draft.data["id"].to_string());
    let _: EntryResponse<Value> = c
        .update("articles", key.as_str(), &json!({"content": "changed"}))
        .await
        .unwrap();
    if is_v5() {
        let _: EntryResponse<Value> = c.publish("articles", key.as_str()).await.unwrap();
        c.unpublish("articles", key.as_str()).await.unwrap();
    } else {
        // Strapi 4 sends entry.publish / entry.unpublish only for the admin panel's
        // actions; a REST update of `publishedAt` is an entry.update.
        let admin = Client::new(config(&h.srv.url, Some(&h.admin_jwt))).unwrap();
        for action in ["publish", "unpublish"] {
            let path = format!(
                "/content-manager/collection-types/api::article.article/{key}/actions/{action}"
            );
            let _: Value = admin
                .request(strapi_kit::Method::POST, &path)
                .send()
                .await
                .unwrap();
        }
    }
    c.remove("articles", key.as_str()).await.unwrap();
    let file_name = format!("{}.txt", unique("hooked-file"));
    let up = c
        .upload_bytes(b"webhook me".to_vec(), &file_name, &UploadOptions::new())
        .await
        .unwrap();

    let want = [
        EntryAction::Create,
        EntryAction::Update,
        EntryAction::Publish,
        EntryAction::Unpublish,
        EntryAction::Delete,
    ];
    let entries = wait_for(h, &title, want.len());
    let mut actions = Vec::new();
    for (secret, body) in &entries {
        assert!(
            webhook::secret_matches(secret.as_deref().unwrap_or("").as_bytes(), SECRET),
            "{secret:?}"
        );
        assert!(!webhook::secret_matches(b"whsec-test-valuX", SECRET));
        match webhook::parse::<Article>(body) {
            Ok(Event::Entry(e)) => {
                assert_eq!(e.model, "article");
                // Strapi 4 leaves the uid out of some entry events.
                if is_v5() || e.uid.is_some() {
                    assert_eq!(e.uid.as_deref(), Some("api::article.article"));
                }
                assert_eq!(e.entry.title, title);
                if matches!(e.action, EntryAction::Publish | EntryAction::Delete) {
                    assert_eq!(e.entry.content.as_deref(), Some("changed"));
                }
                actions.push(e.action);
            }
            other => panic!("{other:?}: {}", String::from_utf8_lossy(body)),
        }
        // The untyped form reads every delivery too.
        assert!(webhook::parse::<Entry<Value>>(body).is_ok());
    }
    for a in want {
        assert!(actions.contains(&a), "{a:?} delivered: {actions:?}");
    }

    let media = wait_for(h, &file_name, 1);
    let mut seen_create = false;
    for (_, body) in &media {
        if let Ok(Event::Media(m)) = webhook::parse::<Value>(body) {
            if m.action == MediaAction::Create {
                assert_eq!(m.media.name, file_name);
                assert_eq!(m.media.id, up.id);
                seen_create = true;
            }
        }
    }
    assert!(
        seen_create,
        "media.create delivered: {} deliveries",
        media.len()
    );
    c.delete_media(up.id).await.unwrap();
}
