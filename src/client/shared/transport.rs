//! Sending a [`Call`]: authentication, per-call options, rate limit, retries and error
//! mapping. Every request of the client goes through here.

use std::time::Instant;

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, HeaderMap};

use super::Client;
use super::content::FCall as Call;
use super::flavour::{self, maybe};
use crate::client::common::{
    CallBody, Failure, MAX_ERROR_BODY, parse_retry_after, transport_error,
};
use crate::error::Result;

/// A complete response: status, headers and the whole body.
pub(crate) struct Fetched {
    pub status: u16,
    #[allow(dead_code)]
    pub headers: HeaderMap,
    pub body: Bytes,
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
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if let Some(wait) = self.core.rate_limit_delay() {
                flavour::sleep(wait).await;
            }
            let sent_at = Instant::now();
            let request = self.build_request(call).await?;
            let (err, failure) = match request.send().await {
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
                        match resp.bytes().await {
                            Ok(body) => {
                                return Ok(Got::Body(Fetched {
                                    status,
                                    headers,
                                    body,
                                }));
                            }
                            Err(e) => transport_error(call, e),
                        }
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
            match self
                .core
                .retry_delay(policy, call, attempt, started, &failure)
            {
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

    /// A fresh request for one attempt (a body streamed from a file is reopened).
    async fn build_request(&self, call: &Call) -> Result<flavour::RequestBuilder> {
        let mut rb = self.http.request(call.method.clone(), call.url.clone());
        if call.auth {
            if let Some(h) = self.core.auth_header() {
                rb = rb.header(AUTHORIZATION, h.clone());
            }
        }
        if !self.opts.headers.is_empty() {
            rb = rb.headers(self.opts.headers.clone());
        }
        if !call.headers.is_empty() {
            rb = rb.headers(call.headers.clone());
        }
        if let Some(t) = self.opts.timeout {
            rb = rb.timeout(t);
        }
        rb = rb.header(reqwest::header::ACCEPT, call.accept);
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
