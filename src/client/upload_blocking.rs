//! The blocking flavour's requests, and how its upload bodies go out.
//!
//! `reqwest::blocking` streams a `Read` body from the calling thread to its runtime thread
//! 8 KiB at a time over a one-slot channel (reqwest 0.13 `blocking/body.rs`): one thread
//! hand-off per 8 KiB, which held uploads to a third of curl's speed. So a multipart body
//! goes through an async reqwest client (the same settings) on a runtime thread of its own
//! instead: the calling thread reads the source in 256 KiB pieces, as the async flavour
//! does, and hands them over through a two-piece channel. Everything else, and the
//! response, stays `reqwest::blocking`'s.

use std::borrow::Cow;
use std::future::Future;
use std::io::{self, Read};
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::flavour::Metered;

/// The size of the pieces an upload body is read and sent in.
const PIECE: usize = 256 * 1024;
/// Pieces waiting in the channel (one more is being read, one being sent): memory stays
/// flat, and reading overlaps sending.
const QUEUED: usize = 2;

/// The HTTP client: `reqwest::blocking`'s, and the async one for upload bodies.
#[derive(Clone)]
pub(crate) struct HttpClient {
    inner: reqwest::blocking::Client,
    uploads: Arc<Uploads>,
}

/// The upload client, made on the first upload (most clients never upload).
struct Uploads {
    builder: Mutex<Option<reqwest::ClientBuilder>>,
    lane: OnceLock<Option<Lane>>,
}

/// An async reqwest client and the runtime thread that drives its connections.
struct Lane {
    client: reqwest::Client,
    handle: tokio::runtime::Handle,
    /// Dropping it ends the runtime thread.
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl HttpClient {
    pub(crate) fn new(inner: reqwest::blocking::Client, uploads: reqwest::ClientBuilder) -> Self {
        HttpClient {
            inner,
            uploads: Arc::new(Uploads {
                builder: Mutex::new(Some(uploads)),
                lane: OnceLock::new(),
            }),
        }
    }

    pub(crate) fn builder() -> reqwest::blocking::ClientBuilder {
        reqwest::blocking::Client::builder()
    }

    pub(crate) fn request(&self, method: reqwest::Method, url: reqwest::Url) -> RequestBuilder {
        RequestBuilder {
            inner: self.inner.request(method, url),
            form: None,
            uploads: self.uploads.clone(),
        }
    }
}

impl Uploads {
    /// The upload lane, started on first use; `None` if it cannot start (then uploads go
    /// through `reqwest::blocking`, slower but otherwise the same).
    fn lane(&self) -> Option<&Lane> {
        self.lane
            .get_or_init(|| {
                let builder = self.builder.lock().unwrap_or_else(|p| p.into_inner()).take()?;
                match Lane::start(builder) {
                    Ok(lane) => Some(lane),
                    Err(e) => {
                        tracing::warn!(error = %e, "strapi-kit: upload runtime unavailable; using reqwest::blocking bodies");
                        None
                    }
                }
            })
            .as_ref()
    }
}

impl Lane {
    fn start(builder: reqwest::ClientBuilder) -> io::Result<Lane> {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready, started) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("strapi-kit-upload".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready.send(Err(e.to_string()));
                        return;
                    }
                };
                let client = match rt.block_on(async { builder.build() }) {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = ready.send(Err(e.to_string()));
                        return;
                    }
                };
                if ready.send(Ok((client, rt.handle().clone()))).is_ok() {
                    // Drives the connections until the client is dropped.
                    let _ = rt.block_on(stopped);
                }
            })?;
        let (client, handle) = started
            .recv()
            .map_err(|_| io::Error::other("the upload runtime thread stopped"))?
            .map_err(io::Error::other)?;
        Ok(Lane {
            client,
            handle,
            _stop: stop,
        })
    }

    /// Sends `request` with `form` as its body, and waits for the response head.
    fn send(
        &self,
        request: reqwest::blocking::Request,
        form: Form,
    ) -> crate::error::Result<reqwest::Result<Response>> {
        let (form, pumps) = match form.into_async() {
            Ok(f) => f,
            Err(e) => return Ok(Err(e)),
        };
        let mut rb = self
            .client
            .request(request.method().clone(), request.url().clone())
            .headers(request.headers().clone())
            .multipart(form);
        if let Some(t) = request.timeout() {
            rb = rb.timeout(*t);
        }
        // Made on the runtime: reqwest starts its timers as it makes the future.
        let pending = self.handle.spawn(async move { rb.send().await });
        // This thread reads the source (a blocking read, on the caller's thread as with
        // reqwest::blocking) and feeds the pieces, until the body is sent, the request ends
        // (error, timeout: its body is dropped) or the response comes first.
        let outcome = self.handle.block_on(async move {
            let mut pending = pending;
            let mut done = None;
            'parts: for mut pump in pumps {
                loop {
                    let piece = pump.read();
                    let last = !matches!(piece, Some(Ok(_)));
                    let Some(piece) = piece else { break };
                    let first = FirstOf {
                        room: std::pin::pin!(pump.tx.reserve()),
                        done: &mut pending,
                    };
                    match first.await {
                        Either::Room(Ok(permit)) => permit.send(piece),
                        // The request is over (its body was dropped): its result says why.
                        Either::Room(Err(_)) => break 'parts,
                        Either::Done(r) => {
                            done = Some(r);
                            break 'parts;
                        }
                    }
                    if last {
                        break;
                    }
                }
            }
            match done {
                Some(r) => r,
                None => pending.await,
            }
        });
        match outcome {
            Ok(result) => Ok(result.map(|resp| {
                let resp: http::Response<reqwest::Body> = resp.into();
                Response::from(resp)
            })),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => Err(crate::error::Error::Config(format!(
                "the upload runtime stopped during the request: {e}"
            ))),
        }
    }
}

type Response = reqwest::blocking::Response;

/// A request being built: `reqwest::blocking`'s, with the multipart body kept aside.
pub(crate) struct RequestBuilder {
    inner: reqwest::blocking::RequestBuilder,
    form: Option<Form>,
    uploads: Arc<Uploads>,
}

impl RequestBuilder {
    pub(crate) fn header<V>(mut self, name: HeaderName, value: V) -> Self
    where
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        self.inner = self.inner.header(name, value);
        self
    }

    pub(crate) fn headers(mut self, headers: HeaderMap) -> Self {
        self.inner = self.inner.headers(headers);
        self
    }

    pub(crate) fn timeout(mut self, timeout: Duration) -> Self {
        self.inner = self.inner.timeout(timeout);
        self
    }

    pub(crate) fn body(mut self, body: impl Into<reqwest::blocking::Body>) -> Self {
        self.inner = self.inner.body(body);
        self
    }

    pub(crate) fn multipart(mut self, form: Form) -> Self {
        self.form = Some(form);
        self
    }

    /// Sends the request (the caller has checked that this thread may block).
    pub(crate) fn send_checked(self) -> crate::error::Result<reqwest::Result<Response>> {
        let Some(form) = self.form else {
            return Ok(self.inner.send());
        };
        let Some(lane) = self.uploads.lane() else {
            return Ok(form
                .into_blocking()
                .and_then(|f| self.inner.multipart(f).send()));
        };
        match self.inner.build() {
            Ok(request) => lane.send(request, form),
            Err(e) => Ok(Err(e)),
        }
    }

    /// Sends a request without a multipart body (the admin login).
    pub(crate) fn send(self) -> reqwest::Result<Response> {
        match self.form {
            None => self.inner.send(),
            Some(form) => self.inner.multipart(form.into_blocking()?).send(),
        }
    }
}

/// A multipart form: text fields, then file parts.
pub(crate) struct Form {
    texts: Vec<(Cow<'static, str>, String)>,
    parts: Vec<(Cow<'static, str>, Part)>,
}

/// A file part: a metered source of a known length.
pub(crate) struct Part {
    source: Metered,
    len: u64,
    file_name: Option<String>,
    mime: Option<String>,
}

impl Form {
    pub(crate) fn new() -> Self {
        Form {
            texts: Vec::new(),
            parts: Vec::new(),
        }
    }

    pub(crate) fn text(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<String>,
    ) -> Self {
        self.texts.push((name.into(), value.into()));
        self
    }

    pub(crate) fn part(mut self, name: impl Into<Cow<'static, str>>, part: Part) -> Self {
        self.parts.push((name.into(), part));
        self
    }

    /// The async form, and for each file part the pump that feeds its body.
    fn into_async(self) -> reqwest::Result<(reqwest::multipart::Form, Vec<Pump>)> {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in self.texts {
            form = form.text(name, value);
        }
        let mut pumps = Vec::with_capacity(self.parts.len());
        for (name, part) in self.parts {
            let (tx, rx) = tokio::sync::mpsc::channel(QUEUED);
            let body = reqwest::Body::wrap(Pieces(rx));
            let mut p = reqwest::multipart::Part::stream_with_length(body, part.len);
            if let Some(f) = part.file_name {
                p = p.file_name(f);
            }
            if let Some(m) = &part.mime {
                p = p.mime_str(m)?;
            }
            form = form.part(name, p);
            pumps.push(Pump {
                source: part.source,
                tx,
            });
        }
        Ok((form, pumps))
    }

    /// The same form for `reqwest::blocking` (8 KiB pieces: the fallback).
    fn into_blocking(self) -> reqwest::Result<reqwest::blocking::multipart::Form> {
        use reqwest::blocking::multipart as m;
        let mut form = m::Form::new();
        for (name, value) in self.texts {
            form = form.text(name, value);
        }
        for (name, part) in self.parts {
            let mut p = m::Part::reader_with_length(part.source, part.len);
            if let Some(f) = part.file_name {
                p = p.file_name(f);
            }
            if let Some(mime) = &part.mime {
                p = p.mime_str(mime)?;
            }
            form = form.part(name, p);
        }
        Ok(form)
    }
}

impl Part {
    pub(crate) fn new(source: Metered, len: u64) -> Self {
        Part {
            source,
            len,
            file_name: None,
            mime: None,
        }
    }

    pub(crate) fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Sets the MIME type, refused as reqwest refuses it.
    pub(crate) fn mime_str(mut self, mime: &str) -> reqwest::Result<Self> {
        reqwest::multipart::Part::text("").mime_str(mime)?;
        self.mime = Some(mime.to_owned());
        Ok(self)
    }
}

/// Reads one part's source in pieces for its channel.
struct Pump {
    source: Metered,
    tx: tokio::sync::mpsc::Sender<io::Result<Bytes>>,
}

impl Pump {
    /// The next piece: up to `PIECE` bytes (fewer only at the end), `None` at the end, or
    /// the error that aborts the request (the meter's when the source changed size).
    fn read(&mut self) -> Option<io::Result<Bytes>> {
        let mut buf = Vec::with_capacity(PIECE);
        match (&mut self.source).take(PIECE as u64).read_to_end(&mut buf) {
            Ok(0) => None,
            Ok(_) => Some(Ok(Bytes::from(buf))),
            Err(e) => Some(Err(e)),
        }
    }
}

/// An upload body: the pieces of its channel.
struct Pieces(tokio::sync::mpsc::Receiver<io::Result<Bytes>>);

impl http_body::Body for Pieces {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, io::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|piece| piece.map(|r| r.map(http_body::Frame::data)))
    }
}

enum Either<A, B> {
    Room(A),
    Done(B),
}

/// Whichever comes first: room in the channel, or the request's end.
struct FirstOf<'a, R, D> {
    room: Pin<&'a mut R>,
    done: &'a mut D,
}

impl<R: Future, D: Future + Unpin> Future for FirstOf<'_, R, D> {
    type Output = Either<R::Output, D::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(r) = Pin::new(&mut *self.done).poll(cx) {
            return Poll::Ready(Either::Done(r));
        }
        self.room.as_mut().poll(cx).map(Either::Room)
    }
}
