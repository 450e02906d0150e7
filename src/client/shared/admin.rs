//! Admin credentials: the `Authorization` of the admin API's routes. A token is sent as
//! it is; an email and password are logged in with (`POST /admin/login`) on the first
//! admin call, single-flight, and again when the server refuses the session (401).

use reqwest::Method;
use reqwest::header::HeaderValue;
use serde_json::{Value, json};

use super::Client;
use super::content::FCall;
use super::flavour::maybe;
use crate::client::common::{from_slice, transport_error};
use crate::config::AdminAuth;
use crate::error::{Error, Result, UnexpectedReason};

impl Client {
    /// Fails with [`Error::AdminRequired`] (nothing sent) when the client has no admin
    /// credentials for `operation`.
    pub(crate) fn require_admin(&self, operation: &str) -> Result<()> {
        if self.user.is_some() {
            return Err(Error::AdminRequired {
                operation: format!("{operation} (on a view acting as an end user)"),
            });
        }
        match self.core.config.admin_auth() {
            AdminAuth::None => Err(Error::AdminRequired {
                operation: operation.to_owned(),
            }),
            _ => Ok(()),
        }
    }

    /// Whether a 401 on an admin route is worth one more login.
    pub(crate) fn admin_can_relogin(&self) -> bool {
        self.user.is_none() && matches!(self.core.config.admin_auth(), AdminAuth::Login { .. })
    }
}

fn bearer(token: &str) -> Result<HeaderValue> {
    let mut v = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| Error::Config("the admin token cannot be sent in a header".into()))?;
    v.set_sensitive(true);
    Ok(v)
}

#[maybe]
impl Client {
    /// The admin `Authorization` value; logs in when there is no session yet, or when
    /// `stale` (the value the server just refused) is still the current one.
    pub(crate) async fn admin_header(&self, stale: Option<&HeaderValue>) -> Result<HeaderValue> {
        // A view acting for an end user carries that user's credentials only.
        if self.user.is_some() {
            return Err(Error::AdminRequired {
                operation: "an admin API call on a view acting as an end user".into(),
            });
        }
        let (email, password) = match self.core.config.admin_auth() {
            AdminAuth::None => {
                return Err(Error::AdminRequired {
                    operation: "this admin API call".into(),
                });
            }
            AdminAuth::Token(t) => return bearer(t.expose()),
            AdminAuth::Login { email, password } => (email, password),
        };
        // One login at a time: the callers that waited find the new session.
        let mut session = self.admin_session.lock().await;
        if let Some(current) = session.as_ref() {
            if stale != Some(current) {
                return Ok(current.clone());
            }
        }
        // Sent directly, not through `execute` (which calls this): no credentials, no
        // retry (a login is cheap to redo by the caller and must not be doubled).
        let url = self.core.admin_url(&["admin", "login"], None);
        let call = FCall::new(Method::POST, url.clone());
        let body = serde_json::to_vec(&json!({"email": email, "password": password.expose()}))
            .map_err(|e| Error::InvalidInput(format!("the login cannot be serialised: {e}")))?;
        let resp = self
            .http
            .request(Method::POST, url, false)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .timeout(self.opts.timeout.unwrap_or(self.core.config.timeout()))
            .body(body)
            .send()
            .await
            .map_err(|e| transport_error(&call, e).0)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| transport_error(&call, e).0)?;
        if !(200..300).contains(&status) {
            return Err(self.core.error_from(&call, status, &headers, &bytes));
        }
        let answer: Value = from_slice(status, &bytes)?;
        let token = answer
            .pointer("/data/token")
            .or_else(|| answer.pointer("/data/accessToken"))
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Error::unexpected(
                    status,
                    UnexpectedReason::Shape("no token in the admin login response"),
                    b"",
                )
            })?;
        let header = bearer(token)?;
        *session = Some(header.clone());
        tracing::debug!("logged in to the admin API");
        Ok(header)
    }
}
