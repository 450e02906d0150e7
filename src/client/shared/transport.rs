//! Sending a [`Call`]: authentication, per-call options, rate limit, retries and error
//! mapping. Every request of the client goes through here.

use std::time::Instant;

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, HeaderMap};

use super::Client;
use super::content::FCall as Call;
use super::flavour::{self, maybe};
use crate::client::common::{
    CallBody, Failure, MAX_ERROR_BODY, body_error, parse_retry_after, transport_error,
};
use crate::error::{Error, Result, UnexpectedReason};

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

    async fn execute(&self, call: &Call, want: Want) -> Result<Got> {
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
                .build_request(call, admin.as_ref().or(user.as_ref()))
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
                    tracing::debug!(
                        method = %call.method,
                        url = %call.url_str(),
                        status,
                        attempt,
                        elapsed_ms = sent_at.elapsed().as_millis() as u64,
                        "strapi response"
                    );
                    if (200..300).contains(&status) {
                        if let Want::Stream = want {
                            return Ok(Got::Stream(resp));
                        }
                        let headers = resp.headers().clone();
                        match self.read_body(call, status, resp).await {
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
                            return Err(self.core.error_from(call, status, &headers, &body));
                        };
                        drop(resp);
                        user = Some(next);
                        refreshed = true;
                        attempt -= 1;
                        continue;
                    } else if status == 404 && unanswered && call.method == reqwest::Method::DELETE
                    {
                        tracing::info!(
                            method = %call.method,
                            url = %call.url_str(),
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
                        let err = self.core.error_from(call, status, &headers, &body);
                        (err, Failure::Status(status, parse_retry_after(&headers)))
                    }
                }
                Err(e) => {
                    tracing::debug!(
                        method = %call.method,
                        url = %call.url_str(),
                        attempt,
                        error = %e,
                        "strapi request failed"
                    );
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
                    tracing::info!(
                        method = %call.method,
                        url = %call.url_str(),
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        error = %err,
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
