//! A service that receives Strapi's webhooks (axum) and drops its cached copy of an entry
//! when the entry is published, unpublished, changed or deleted: the way a site learns that
//! content changed without polling.
//!
//! ```sh
//! STRAPI_WEBHOOK_SECRET=long-random-value cargo run --example webhook_cache --features webhook
//! ```
//!
//! In Strapi (Settings → Webhooks): URL `http://<this host>:8787/strapi`, a header
//! `x-webhook-secret: <the same value>`, the `entry` events. Strapi 4 and 5 alike.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;
use strapi_kit::Entry;
use strapi_kit::webhook::{self, EntryAction, Event};

/// Rendered pages by `model/documentId` (Strapi 5) or `model/id` (Strapi 4).
type Cache = Arc<Mutex<HashMap<String, String>>>;

#[derive(Clone)]
struct App {
    secret: String,
    cache: Cache,
}

fn cache_key(model: &str, entry: &Entry<Value>) -> Option<String> {
    let id = entry
        .document_id
        .clone()
        .or_else(|| entry.id.map(|id| id.to_string()))?;
    Some(format!("{model}/{id}"))
}

async fn receive(State(app): State<App>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let received = headers
        .get("x-webhook-secret")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !webhook::secret_matches(received, &app.secret) {
        return StatusCode::UNAUTHORIZED;
    }
    match webhook::parse::<Entry<Value>>(&body) {
        Ok(Event::Entry(e)) => {
            let stale = matches!(
                e.action,
                EntryAction::Publish
                    | EntryAction::Unpublish
                    | EntryAction::Update
                    | EntryAction::Delete
            );
            if let (true, Some(key)) = (stale, cache_key(&e.model, &e.entry)) {
                let dropped = app
                    .cache
                    .lock()
                    .map(|mut c| c.remove(&key).is_some())
                    .unwrap_or(false);
                println!("{:?} {key}: cached copy dropped: {dropped}", e.action);
            }
            StatusCode::NO_CONTENT
        }
        // Media and events this service does not know (kept raw by the parser): fine.
        Ok(other) => {
            println!("ignored {}", other.name());
            StatusCode::NO_CONTENT
        }
        Err(e) => {
            eprintln!("unreadable webhook: {e}");
            StatusCode::BAD_REQUEST
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("STRAPI_WEBHOOK_SECRET")
        .map_err(|_| "set STRAPI_WEBHOOK_SECRET (the header value configured in Strapi)")?;
    let app = App {
        secret,
        cache: Cache::default(),
    };
    let router = Router::new()
        .route("/strapi", post(receive))
        .with_state(app);
    let addr = std::env::var("LISTEN").unwrap_or_else(|_| "0.0.0.0:8787".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on {addr}");
    axum::serve(listener, router).await?;
    Ok(())
}
