//! Sending a [`Call`]: authentication, per-call options, rate limit, retries and error
//! mapping. Every request of the client goes through here.

use std::time::Instant;

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, HeaderMap};

use super::Client;
use super::content::FCall as Call;
use super::flavour::{self, maybe};
use crate::client::common::{
    CallBody, Failure, MAX_ERROR_BODY, body_error, loggable_url, parse_retry_after, route_template,
    same_origin, transport_error,
};
use crate::error::{Error, Result, UnexpectedReason};
use crate::hooks::{RequestInfo, ResponseInfo};

/// What one call's attempts report to: its span and the hooks (the route is computed only
/// when one of them wants it).
struct Observer {
    span: tracing::Span,
    route: Option<String>,
}

impl Observer {
    fn route(&self) -> &str {
        self.route.as_deref().unwrap_or("")
    }
}

/// An error's text for logs: the call's URL in it (error messages name the call) shown as
/// [`loggable_url`] shows it.
fn loggable_error(e: &dyn std::fmt::Display, call: &Call, values: bool) -> String {
    let text = e.to_string();
    if values || call.url.query().is_none() {
        return text;
    }
    text.replace(call.url_str(), &loggable_url(&call.url, false))
}

/// The kind of a failure, for the span's `error.type` (OpenTelemetry's convention: the
/// status code, or a short name).
fn error_type(e: &Error) -> String {
    match e {
        Error::Timeout { .. } => "timeout".into(),
        Error::Connect { .. } => "connect".into(),
        Error::Tls { .. } => "tls".into(),
        Error::Transport { .. } => "transport".into(),
        other => other
            .status()
            .map_or_else(|| "error".to_owned(), |s| s.to_string()),
    }
}

/// A complete response: status, headers and the whole body.
pub(crate) struct Fetched {
    pub status: u16,
    #[allow(dead_code)]
    pub headers: HeaderMap,
    pub body: Bytes,
    /// A DELETE whose retry found nothing after an unanswered attempt: the resource was
    /// deleted by that attempt (the body is empty).
    pub already_gone: bool,
}

/// Why reading a success body failed.
enum BodyFailure {
    /// Not worth another attempt (the body is too large).
    Fatal(Error),
    /// The connection broke: retried like any transport failure.
    Broken(Error),
}

/// The error of a call whose time ran out before an attempt could start.
fn timed_out(call: &Call) -> Error {
    Error::Timeout {
        method: call.method.to_string(),
        url: call.url_str().to_owned(),
        source: None,
    }
}

/// Headers the client sets itself: a hook cannot replace them.
const OWN_HEADERS: [reqwest::header::HeaderName; 8] = [
    AUTHORIZATION,
    reqwest::header::ACCEPT,
    reqwest::header::ACCEPT_ENCODING,
    reqwest::header::CONTENT_TYPE,
    reqwest::header::CONTENT_LENGTH,
    reqwest::header::HOST,
    reqwest::header::RANGE,
    reqwest::header::IF_RANGE,
];

/// What the caller wants back from [`Client::execute`].
enum Want {
    Body,
    Stream,
}

enum Got {
    Body(Fetched),
    Stream(flavour::Response),
}

#[maybe]
impl Client {
    /// Sends `call` (retrying per the policy) and reads the whole body.
    pub(crate) async fn fetch(&self, call: &Call) -> Result<Fetched> {
        match self.execute(call, Want::Body).await? {
            Got::Body(f) => Ok(f),
            Got::Stream(resp) => {
                let status = resp.status().as_u16();
                let headers = resp.headers().clone();
                let body = resp.bytes().await.map_err(|e| transport_error(call, e).0)?;
                Ok(Fetched {
                    status,
                    headers,
                    body,
                    already_gone: false,
                })
            }
        }
    }

    /// Posts `body` as JSON once, with no credential and no retry (logins and session
    /// refreshes: cheap for the caller to redo, never to be doubled; `execute` itself asks
    /// for them), and reads the answer within `max_response_bytes`.
    pub(crate) async fn post_json_once(
        &self,
        url: reqwest::Url,
        body: &serde_json::Value,
    ) -> Result<Fetched> {
        let call = Call::new(reqwest::Method::POST, url.clone());
        let resp = self
            .http
            .request(reqwest::Method::POST, url, false)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .timeout(self.opts.timeout.unwrap_or(self.core.config.timeout()))
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| transport_error(&call, e).0)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = match self.read_body(&call, status, resp).await {
            Ok(body) => body,
            Err(BodyFailure::Fatal(e) | BodyFailure::Broken(e)) => return Err(e),
        };
        Ok(Fetched {
            status,
            headers,
            body,
            already_gone: false,
        })
    }

    /// Sends `call` (retrying until headers arrive) and returns the streaming response of a
    /// success status; error statuses become errors.
    pub(crate) async fn open(&self, call: &Call) -> Result<flavour::Response> {
        match self.execute(call, Want::Stream).await? {
            Got::Stream(r) => Ok(r),
            Got::Body(_) => Err(crate::error::Error::InvalidInput(
                "internal: a streamed call returned a buffered body".into(),
            )),
        }
    }

    /// Sends `call` inside its span (`strapi.request`, at INFO, with OpenTelemetry's HTTP
    /// client field names) and reports how it ended.
    async fn execute(&self, call: &Call, want: Want) -> Result<Got> {
        let config = &self.core.config;
        let span = tracing::info_span!(
            "strapi.request",
            otel.kind = "client",
            http.request.method = %call.method,
            url.template = tracing::field::Empty,
            url.full = tracing::field::Empty,
            server.address = call.url.host_str().unwrap_or(""),
            server.port = call.url.port_or_known_default(),
            http.response.status_code = tracing::field::Empty,
            http.request.resend_count = tracing::field::Empty,
            http.response.body.size = tracing::field::Empty,
            error.type = tracing::field::Empty,
        );
        let route = (!span.is_disabled() || !config.hooks.is_empty())
            .then(|| route_template(config.base_url(), &call.url));
        if !span.is_disabled() {
            span.record("url.template", route.as_deref());
            span.record(
                "url.full",
                loggable_url(&call.url, config.log_query_values).as_str(),
            );
        }
        let obs = Observer { span, route };
        let result = self.attempts(call, want, &obs).await;
        if let Err(e) = &result {
            let kind = error_type(e);
            obs.span.record("error.type", kind.as_str());
            let url = loggable_url(&call.url, config.log_query_values);
            let error = loggable_error(e, call, config.log_query_values);
            let severe = e.is_server() || e.is_timeout() || e.is_connect() || e.status().is_none();
            if severe {
                tracing::error!(parent: &obs.span, method = %call.method, url = %url, error = %error, "strapi call failed");
            } else {
                tracing::warn!(parent: &obs.span, method = %call.method, url = %url, error = %error, "strapi call failed");
            }
        }
        result
    }

    /// Reports one attempt's outcome to the span (a child event) and the hooks.
    #[allow(clippy::too_many_arguments)]
    fn observe(
        &self,
        call: &Call,
        obs: &Observer,
        attempt: u32,
        sent_at: Instant,
        status: Option<u16>,
        bytes: Option<u64>,
        error: Option<&dyn std::fmt::Display>,
    ) {
        let duration = sent_at.elapsed();
        if !obs.span.is_disabled() {
            obs.span.record("http.request.resend_count", attempt - 1);
            if let Some(s) = status {
                obs.span.record("http.response.status_code", s);
            }
            if let Some(n) = bytes {
                obs.span.record("http.response.body.size", n);
            }
            let url = loggable_url(&call.url, self.core.config.log_query_values);
            match (status, error) {
                (Some(status), _) => tracing::debug!(
                    parent: &obs.span,
                    method = %call.method,
                    url = %url,
                    status,
                    attempt,
                    bytes,
                    elapsed_ms = duration.as_millis() as u64,
                    "strapi response"
                ),
                (None, e) => tracing::debug!(
                    parent: &obs.span,
                    method = %call.method,
                    url = %url,
                    attempt,
                    elapsed_ms = duration.as_millis() as u64,
                    error = e.map(|e| loggable_error(e, call, self.core.config.log_query_values)),
                    "strapi request failed"
                ),
            }
        }
        let hooks = &self.core.config.hooks;
        if !hooks.is_empty() {
            let info = ResponseInfo {
                method: &call.method,
                route: obs.route(),
                status,
                duration,
                bytes,
                attempt,
            };
            for h in &hooks.0 {
                h.on_response(&info);
            }
        }
    }

    async fn attempts(&self, call: &Call, want: Want, obs: &Observer) -> Result<Got> {
        let policy = self.retry_policy();
        let started = Instant::now();
        let deadline = self.deadline(&want, started);
        let mut attempt = 0u32;
        // Whether an earlier attempt may have reached the server without its answer
        // reaching us (a DELETE that then finds nothing has done its work).
        let mut unanswered = false;
        let mut admin = match call.admin {
            true => Some(self.admin_header(None).await?),
            false => None,
        };
        let mut relogged = false;
        // A view acting for a user sends that user's JWT (renewed when about to expire).
        let mut user = match (&self.user, call.auth && !call.admin) {
            (Some(state), true) => Some(self.user_header(state).await?),
            _ => None,
        };
        let mut refreshed = false;
        loop {
            attempt += 1;
            if let Some(wait) = self.core.rate_limit_delay() {
                flavour::sleep(wait).await;
            }
            let Some(slot) = self.slots.acquire(deadline).await else {
                return Err(timed_out(call));
            };
            let sent_at = Instant::now();
            let mut request = self
                .build_request(call, admin.as_ref().or(user.as_ref()), obs, attempt)
                .await?;
            if let Some(d) = deadline {
                match d.checked_duration_since(sent_at) {
                    Some(left) if !left.is_zero() => request = request.timeout(left),
                    _ => return Err(timed_out(call)),
                }
            }
            let (err, failure) = match flavour::send(request).await? {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    if (200..300).contains(&status) {
                        if let Want::Stream = want {
                            let announced = resp.content_length();
                            self.observe(
                                call,
                                obs,
                                attempt,
                                sent_at,
                                Some(status),
                                announced,
                                None,
                            );
                            return Ok(Got::Stream(resp));
                        }
                        let headers = resp.headers().clone();
                        let read = self.read_body(call, status, resp).await;
                        let bytes = read.as_ref().ok().map(|b| b.len() as u64);
                        self.observe(call, obs, attempt, sent_at, Some(status), bytes, None);
                        match read {
                            Ok(body) => {
                                return Ok(Got::Body(Fetched {
                                    status,
                                    headers,
                                    body,
                                    already_gone: false,
                                }));
                            }
                            Err(BodyFailure::Fatal(e)) => return Err(e),
                            Err(BodyFailure::Broken(e)) => (e, Failure::Transport),
                        }
                    } else if status == 401
                        && admin.is_some()
                        && !relogged
                        && self.admin_can_relogin()
                    {
                        // The admin session expired: log in again, once, and resend.
                        drop(resp);
                        self.observe(call, obs, attempt, sent_at, Some(status), None, None);
                        admin = Some(self.admin_header(admin.as_ref()).await?);
                        relogged = true;
                        attempt -= 1;
                        continue;
                    } else if status == 401 && !refreshed && user.is_some() {
                        // The user's access token was refused: renew it once (unless
                        // another call just did) and resend; a refused renewal ends the
                        // session with a typed error, never another attempt.
                        let stale = user.clone();
                        let next = match (&self.user, &stale) {
                            (Some(state), Some(h)) => self.user_header_after_401(state, h).await?,
                            _ => None,
                        };
                        let Some(next) = next else {
                            let headers = resp.headers().clone();
                            let body = flavour::read_capped(resp, MAX_ERROR_BODY).await;
                            let n = Some(body.len() as u64);
                            self.observe(call, obs, attempt, sent_at, Some(status), n, None);
                            return Err(self.core.error_from(call, status, &headers, &body));
                        };
                        drop(resp);
                        self.observe(call, obs, attempt, sent_at, Some(status), None, None);
                        user = Some(next);
                        refreshed = true;
                        attempt -= 1;
                        continue;
                    } else if status == 404 && unanswered && call.method == reqwest::Method::DELETE
                    {
                        self.observe(call, obs, attempt, sent_at, Some(status), Some(0), None);
                        tracing::info!(
                            parent: &obs.span,
                            method = %call.method,
                            url = %loggable_url(&call.url, self.core.config.log_query_values),
                            attempt,
                            "strapi resource already gone: an earlier attempt deleted it"
                        );
                        return Ok(Got::Body(Fetched {
                            status,
                            headers: resp.headers().clone(),
                            body: Bytes::new(),
                            already_gone: true,
                        }));
                    } else {
                        let headers = resp.headers().clone();
                        let body = flavour::read_capped(resp, MAX_ERROR_BODY).await;
                        let n = Some(body.len() as u64);
                        self.observe(call, obs, attempt, sent_at, Some(status), n, None);
                        let err = self.core.error_from(call, status, &headers, &body);
                        (err, Failure::Status(status, parse_retry_after(&headers)))
                    }
                }
                Err(e) => {
                    self.observe(call, obs, attempt, sent_at, None, None, Some(&e));
                    transport_error(call, e)
                }
            };
            // The slot is not held through the wait before another attempt.
            drop(slot);
            // A timeout means the call's time is spent: it ends the call.
            if err.is_timeout() {
                return Err(err);
            }
            if matches!(failure, Failure::Transport) {
                unanswered = true;
            }
            let delay = self
                .core
                .retry_delay(policy, call, attempt, started, &failure)
                .filter(|delay| deadline.is_none_or(|d| Instant::now() + *delay < d));
            match delay {
                Some(delay) => {
                    tracing::warn!(
                        parent: &obs.span,
                        method = %call.method,
                        url = %loggable_url(&call.url, self.core.config.log_query_values),
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        error = %loggable_error(&err, call, self.core.config.log_query_values),
                        "retrying strapi request"
                    );
                    flavour::sleep(delay).await;
                }
                None => return Err(err),
            }
        }
    }

    /// When the call must be over: the view's timeout, else the client's; streamed bodies
    /// (downloads) only with a view's timeout, since a large file may take longer than a
    /// JSON call ever should (their waits are still bounded by the client timeout).
    fn deadline(&self, want: &Want, started: Instant) -> Option<Instant> {
        let timeout = match want {
            Want::Body => Some(self.opts.timeout.unwrap_or(self.core.config.timeout())),
            Want::Stream => self.opts.timeout,
        };
        timeout.and_then(|t| started.checked_add(t))
    }

    /// Reads a success body, at most `max_response_bytes` of it.
    async fn read_body(
        &self,
        call: &Call,
        status: u16,
        resp: flavour::Response,
    ) -> std::result::Result<Bytes, BodyFailure> {
        let max = self.core.config.max_response_bytes();
        let too_large = |got: &[u8]| {
            BodyFailure::Fatal(Error::unexpected(status, UnexpectedReason::TooLarge, got))
        };
        let announced = resp.content_length();
        if announced.is_some_and(|n| n > max as u64) {
            return Err(too_large(b""));
        }
        // Content-Length is a hint for the buffer, never trusted beyond the limit.
        let hint = announced.map_or(0, |n| n as usize);
        match flavour::read_limited(resp, max, hint).await {
            Ok(Ok(body)) => Ok(Bytes::from(body)),
            Ok(Err(prefix)) => Err(too_large(&prefix)),
            Err(e) => Err(BodyFailure::Broken(body_error(call, e))),
        }
    }

    /// A fresh request for one attempt (a body streamed from a file is reopened).
    async fn build_request(
        &self,
        call: &Call,
        credential: Option<&reqwest::header::HeaderValue>,
        obs: &Observer,
        attempt: u32,
    ) -> Result<flavour::RequestBuilder> {
        let mut rb = self
            .http
            .request(call.method.clone(), call.url.clone(), call.exact);
        if let Some(h) = credential {
            rb = rb.header(AUTHORIZATION, h.clone());
        } else if call.auth && self.user.is_none() {
            // A user view never falls back to the client's own credentials.
            if let Some(h) = self.core.auth_header() {
                rb = rb.header(AUTHORIZATION, h.clone());
            }
        }
        let hooks = &self.core.config.hooks;
        if !hooks.is_empty() && same_origin(&call.url, self.core.config.base_url()) {
            let mut added = HeaderMap::new();
            let info = RequestInfo {
                method: &call.method,
                route: obs.route(),
                attempt,
            };
            for h in &hooks.0 {
                h.on_request(&info, &mut added);
            }
            // The client's own headers win (they are set after these, or dropped here).
            for name in OWN_HEADERS {
                added.remove(name);
            }
            for name in call.headers.keys() {
                added.remove(name);
            }
            if !added.is_empty() {
                rb = rb.headers(added);
            }
        }
        if !call.headers.is_empty() {
            rb = rb.headers(call.headers.clone());
        }
        if let Some(t) = self.opts.timeout {
            rb = rb.timeout(t);
        }
        rb = rb.header(reqwest::header::ACCEPT, call.accept);
        if call.exact {
            rb = rb.header(reqwest::header::ACCEPT_ENCODING, "identity");
        }
        rb = match &call.body {
            CallBody::None => rb,
            CallBody::Json(bytes) => rb
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            CallBody::Multipart(spec) => rb.multipart(self.multipart_form(spec).await?),
        };
        Ok(rb)
    }
}
