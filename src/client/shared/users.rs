//! End users (the users-permissions plugin): sign-in flows, a view acting as one user whose
//! Strapi 5 session renews itself (single-flight), and the users and roles routes.
//!
//! The auth routes are sent without any credential of the client (`Call::auth = false`): a
//! login must not carry the API token. A view made by `as_user` sends its user's JWT only,
//! never the client's token or admin credentials.

use std::sync::Arc;

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::Client;
use super::content::FCall;
use super::flavour::{self, maybe};
use crate::client::common::{from_slice, from_value, transport_error};
use crate::error::{Error, Result, UnexpectedReason};
use crate::query::StrapiQuery;
use crate::users::{RegisterInput, Registered, Role, SessionInfo, SignedIn, User, UserSession};

/// Called with the new session each time a view's session changes (a refresh rotated the
/// tokens, a password change reissued them), so a service can store it.
type SessionCallback = Arc<dyn Fn(&UserSession) + Send + Sync>;

/// The session of a view acting for a user, shared by the view's clones.
pub(crate) struct UserState {
    current: flavour::Lock<Current>,
    on_change: Option<SessionCallback>,
}

struct Current {
    session: UserSession,
    header: HeaderValue,
    /// Why the session is over, once it is (refused refresh, logout).
    ended: Option<String>,
}

fn bearer(session: &UserSession) -> HeaderValue {
    // `UserSession::new` checked that the JWT fits in a header.
    let mut v = HeaderValue::from_str(&format!("Bearer {}", session.jwt().expose()))
        .unwrap_or_else(|_| HeaderValue::from_static("Bearer invalid"));
    v.set_sensitive(true);
    v
}

impl Current {
    fn new(session: UserSession) -> Self {
        Current {
            header: bearer(&session),
            session,
            ended: None,
        }
    }

    fn set(&mut self, session: UserSession) {
        self.header = bearer(&session);
        self.session = session;
    }

    fn check(&self) -> Result<()> {
        match &self.ended {
            Some(reason) => Err(Error::SessionEnded {
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }
}

fn shape(status: u16, what: &'static str) -> Error {
    Error::unexpected(status, UnexpectedReason::Shape(what), b"")
}

/// `{jwt, refreshToken?, user}` of a sign-in answer.
fn signed_in(status: u16, mut body: Value) -> Result<SignedIn> {
    let jwt = body
        .get("jwt")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| shape(status, "no jwt in the answer"))?
        .to_owned();
    let refresh = body
        .get("refreshToken")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let session = UserSession::new(jwt, refresh).map_err(|_| {
        shape(
            status,
            "the tokens in the answer cannot be sent in a header",
        )
    })?;
    let user = from_value(body.get_mut("user").map(Value::take).unwrap_or_default())?;
    Ok(SignedIn { session, user })
}

/// `filters[a][$eq]=x&…` as `a[$eq]=x` (percent-encoded brackets), other parameters dropped.
fn top_level_filters(qs: &str) -> String {
    qs.split('&')
        .filter_map(|pair| {
            let rest = pair.strip_prefix("filters%5B")?;
            let close = rest.find("%5D")?;
            Some(format!("{}{}", &rest[..close], &rest[close + 3..]))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn not_a_user_view(operation: &str) -> Error {
    Error::InvalidInput(format!(
        "{operation} acts for a signed-in user: call it on `client.as_user(&session)`"
    ))
}

fn check_provider(provider: &str) -> Result<()> {
    let ok = !provider.is_empty()
        && provider.len() <= 64
        && provider
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{provider:?} is not a provider name (letters, digits, '-' and '_')"
        )))
    }
}

/// # Acting for end users
impl Client {
    /// A view of this client acting as the user of `session`: its calls send that user's
    /// JWT instead of this client's credentials (never the API token or admin
    /// credentials), sharing the connection pool. Cheap: make one per request of a
    /// service serving many users.
    ///
    /// On a Strapi 5 session with a refresh token, the view renews the access token shortly
    /// before it expires (from the JWT's `exp`) and once when the server answers 401, one
    /// refresh at a time however many calls wait for it, and keeps the rotated tokens (see
    /// [`current_session`](Self::current_session)). Clones of the view share its session;
    /// two views made from the same session each rotate it on their own, so the second one
    /// to refresh ends (a refresh token is good once): make one view per session and clone
    /// it. A refused refresh ends the view's session: its calls fail with
    /// [`Error::SessionEnded`], sending nothing.
    #[doc = example!(
        sync: r#"
use strapi_kit::UserSession;
let session = UserSession::new("eyJ...", Some("refresh-token".into()))?;
let me = client.as_user(&session).me()?;
"#,
        async: r#"
use strapi_kit::UserSession;
let session = UserSession::new("eyJ...", Some("refresh-token".into()))?;
let me = client.as_user(&session).me().await?;
"#,
    )]
    pub fn as_user(&self, session: &UserSession) -> Client {
        self.user_view(session, None)
    }

    /// [`as_user`](Self::as_user), calling `on_change` with the new session whenever it
    /// changes (a refresh rotated the tokens, a password change reissued them), so that a
    /// service can store it. The callback runs while the view's other calls wait for the
    /// new tokens: keep it short (hand the session to a channel to write it to a database).
    #[doc = example!(
        sync: r#"
use strapi_kit::UserSession;
let session = UserSession::new("eyJ...", Some("refresh".into()))?;
let user = client.as_user_with(&session, |renewed: &UserSession| {
    let stored = serde_json::to_string(renewed).unwrap_or_default();
    // save `stored` for the user
});
"#,
        async: r#"
use strapi_kit::UserSession;
let session = UserSession::new("eyJ...", Some("refresh".into()))?;
let user = client.as_user_with(&session, |renewed: &UserSession| {
    let stored = serde_json::to_string(renewed).unwrap_or_default();
    // save `stored` for the user
});
"#,
    )]
    pub fn as_user_with(
        &self,
        session: &UserSession,
        on_change: impl Fn(&UserSession) + Send + Sync + 'static,
    ) -> Client {
        self.user_view(session, Some(Arc::new(on_change)))
    }

    fn user_view(&self, session: &UserSession, on_change: Option<SessionCallback>) -> Client {
        let mut c = self.clone();
        c.user = Some(Arc::new(UserState {
            current: flavour::Lock::new(Current::new(session.clone())),
            on_change,
        }));
        // A custom `Authorization` of the client is a credential too.
        c.http.headers.remove(AUTHORIZATION);
        c
    }

    /// Whether this is a view acting for a user ([`as_user`](Self::as_user)).
    #[doc = example!(
        sync: r#"
assert!(!client.is_user_view());
"#,
        async: r#"
assert!(!client.is_user_view());
"#,
    )]
    pub fn is_user_view(&self) -> bool {
        self.user.is_some()
    }

    /// The provider sign-in URL (`{base}/api/connect/{provider}`) to send a browser to;
    /// the provider then redirects to your front end with the parameters to give
    /// [`provider_callback`](Self::provider_callback). Refused with
    /// [`Error::InvalidInput`]: a name other than letters, digits, `-` and `_`.
    #[doc = example!(
        sync: r#"
let url = client.connect_url("github")?;
assert!(url.as_str().ends_with("/api/connect/github"));
"#,
        async: r#"
let url = client.connect_url("github")?;
assert!(url.as_str().ends_with("/api/connect/github"));
"#,
    )]
    pub fn connect_url(&self, provider: &str) -> Result<reqwest::Url> {
        check_provider(provider)?;
        Ok(self.core.api_url(&["connect", provider], None))
    }
}

#[maybe]
impl Client {
    /// The `Authorization` of this view's user for a call, renewing the access token first
    /// when it is about to expire (single-flight: the callers that waited find it renewed).
    pub(crate) async fn user_header(&self, state: &UserState) -> Result<HeaderValue> {
        let mut cur = state.current.lock().await;
        cur.check()?;
        let margin = cur.session.refresh_margin();
        if cur.session.is_refreshable() && cur.session.expires_within(margin) {
            self.refresh_locked(state, &mut cur).await?;
        }
        Ok(cur.header.clone())
    }

    /// After a 401 with `stale`: the header to resend with (renewed unless another call
    /// renewed it already), or `None` when the session cannot be renewed.
    pub(crate) async fn user_header_after_401(
        &self,
        state: &UserState,
        stale: &HeaderValue,
    ) -> Result<Option<HeaderValue>> {
        let mut cur = state.current.lock().await;
        cur.check()?;
        if cur.header != *stale {
            return Ok(Some(cur.header.clone()));
        }
        if !cur.session.is_refreshable() {
            return Ok(None);
        }
        self.refresh_locked(state, &mut cur).await?;
        Ok(Some(cur.header.clone()))
    }

    /// `POST /api/auth/refresh` with the refresh token, under the session's lock. Sent
    /// directly (not through `execute`, which calls this), without credentials, not
    /// retried: a refresh token is good once.
    async fn refresh_locked(&self, state: &UserState, cur: &mut Current) -> Result<()> {
        let Some(token) = cur.session.refresh_token() else {
            return Err(Error::SessionEnded {
                reason: "the session has no refresh token".into(),
            });
        };
        let url = self.core.api_url(&["auth", "refresh"], None);
        let call = FCall::new(Method::POST, url.clone());
        let body = serde_json::to_vec(&json!({"refreshToken": token.expose()}))
            .map_err(|e| Error::InvalidInput(format!("the refresh cannot be serialised: {e}")))?;
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
        if matches!(status, 400 | 401 | 403 | 404) {
            // Refused for good (expired, revoked, rotated elsewhere, or no refresh mode):
            // the session is over, and no call of the view tries again.
            let err = self.core.error_from(&call, status, &headers, &bytes);
            let reason = format!("the server refused the refresh: {err}");
            tracing::info!(status, "end user session ended: refresh refused");
            cur.ended = Some(reason.clone());
            return Err(Error::SessionEnded { reason });
        }
        if !(200..300).contains(&status) {
            return Err(self.core.error_from(&call, status, &headers, &bytes));
        }
        let answer: Value = from_slice(status, &bytes)?;
        let jwt = answer
            .get("jwt")
            .and_then(Value::as_str)
            .ok_or_else(|| shape(status, "no jwt in the refresh answer"))?;
        // Without a new refresh token (cookie mode) the old one stays.
        let refresh = answer
            .get("refreshToken")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| token.expose().to_owned());
        let renewed = UserSession::new(jwt, Some(refresh))
            .map_err(|_| shape(status, "the refreshed tokens cannot be sent in a header"))?;
        tracing::debug!("end user session refreshed");
        cur.set(renewed);
        if let Some(f) = &state.on_change {
            f(&cur.session);
        }
        Ok(())
    }

    /// The session this view acts with now (after any refresh); `None` on a client that is
    /// no user view.
    #[doc = example!(
        sync: r#"
# let session = strapi_kit::UserSession::new("eyJ...", None)?;
let user = client.as_user(&session);
let now = user.current_session().expect("a user view");
"#,
        async: r#"
# let session = strapi_kit::UserSession::new("eyJ...", None)?;
let user = client.as_user(&session);
let now = user.current_session().await.expect("a user view");
"#,
    )]
    pub async fn current_session(&self) -> Option<UserSession> {
        let state = self.user.as_ref()?;
        let cur = state.current.lock().await;
        Some(cur.session.clone())
    }

    /// Renews this view's session now (`POST /api/auth/refresh`), rotating the refresh
    /// token, and returns the new session. [`Error::SessionEnded`] if the server refuses
    /// (and for a session without a refresh token: nothing is sent).
    #[doc = example!(
        sync: r#"
# let session = strapi_kit::UserSession::new("eyJ...", Some("r".into()))?;
let renewed = client.as_user(&session).refresh_session()?;
"#,
        async: r#"
# let session = strapi_kit::UserSession::new("eyJ...", Some("r".into()))?;
let renewed = client.as_user(&session).refresh_session().await?;
"#,
    )]
    pub async fn refresh_session(&self) -> Result<UserSession> {
        let state = self
            .user
            .as_ref()
            .ok_or_else(|| not_a_user_view("refresh_session"))?;
        let mut cur = state.current.lock().await;
        cur.check()?;
        if !cur.session.is_refreshable() {
            return Err(Error::InvalidInput(
                "this session has no refresh token (Strapi 4, or Strapi 5 outside refresh mode)"
                    .into(),
            ));
        }
        self.refresh_locked(state, &mut cur).await?;
        Ok(cur.session.clone())
    }

    /// Adopts a session the server reissued (password change).
    async fn adopt(&self, session: &UserSession) {
        if let Some(state) = &self.user {
            let mut cur = state.current.lock().await;
            cur.set(session.clone());
            if let Some(f) = &state.on_change {
                f(&cur.session);
            }
        }
    }

    /// A call to an auth route: never with the client's credentials.
    async fn auth_call(&self, call: FCall) -> Result<(u16, Value)> {
        let mut call = call;
        call.auth = false;
        let got = self.fetch(&call).await?;
        Ok((got.status, from_slice(got.status, &got.body)?))
    }

    /// Signs a user in with an identifier (email or username) and password
    /// (`POST /api/auth/local`, sent without this client's credentials) and returns the
    /// session and the user, without making a view (store the session, or give it to
    /// [`as_user`](Self::as_user)).
    ///
    /// Strapi's refusals are typed: [`Error::is_invalid_credentials`],
    /// [`Error::is_email_not_confirmed`], and the others through [`Error::auth_failure`]
    /// (a 429 is the auth rate limit).
    #[doc = example!(
        sync: r#"
let signed_in = client.login_session("reader@example.com", "s3cret")?;
let stored = serde_json::to_string(&signed_in.session).expect("a session serialises");
"#,
        async: r#"
let signed_in = client.login_session("reader@example.com", "s3cret").await?;
let stored = serde_json::to_string(&signed_in.session).expect("a session serialises");
"#,
    )]
    pub async fn login_session(&self, identifier: &str, password: &str) -> Result<SignedIn> {
        if identifier.trim().is_empty() || password.is_empty() {
            return Err(Error::InvalidInput(
                "login needs an identifier and a password".into(),
            ));
        }
        let call = FCall::new(Method::POST, self.core.api_url(&["auth", "local"], None))
            .json(&json!({"identifier": identifier, "password": password}))?;
        let (status, body) = self.auth_call(call).await?;
        signed_in(status, body)
    }

    /// Logs a user in ([`login_session`](Self::login_session)) and returns a view acting
    /// as them ([`as_user`](Self::as_user): sharing this client's pool) and the user.
    #[doc = example!(
        sync: r#"
let (as_user, profile) = client.login("reader@example.com", "s3cret")?;
println!("logged in as {}", profile.username);
let me = as_user.me()?;
"#,
        async: r#"
let (as_user, profile) = client.login("reader@example.com", "s3cret").await?;
println!("logged in as {}", profile.username);
let me = as_user.me().await?;
"#,
    )]
    pub async fn login(&self, identifier: &str, password: &str) -> Result<(Client, User)> {
        let s = self.login_session(identifier, password).await?;
        Ok((self.as_user(&s.session), s.user))
    }

    /// Registers a user (`POST /api/auth/local/register`, without this client's
    /// credentials). With email confirmation on, Strapi sends the confirmation mail and
    /// the user signs in after confirming ([`Registered::ConfirmationPending`]); otherwise
    /// the user is signed in at once.
    #[doc = example!(
        sync: r#"
use strapi_kit::{RegisterInput, Registered};
match client.register(&RegisterInput::new("ada", "ada@example.com", "correct horse"))? {
    Registered::SignedIn(s) => println!("welcome {}", s.user.username),
    Registered::ConfirmationPending(user) => println!("check {}", user.email),
    _ => {}
}
"#,
        async: r#"
use strapi_kit::{RegisterInput, Registered};
match client
    .register(&RegisterInput::new("ada", "ada@example.com", "correct horse"))
    .await?
{
    Registered::SignedIn(s) => println!("welcome {}", s.user.username),
    Registered::ConfirmationPending(user) => println!("check {}", user.email),
    _ => {}
}
"#,
    )]
    pub async fn register(&self, input: &RegisterInput) -> Result<Registered> {
        let body = input.body()?;
        let url = self.core.api_url(&["auth", "local", "register"], None);
        let (status, mut answer) = self
            .auth_call(FCall::new(Method::POST, url).json(&body)?)
            .await?;
        if answer.get("jwt").is_some() {
            return Ok(Registered::SignedIn(signed_in(status, answer)?));
        }
        let user = answer
            .get_mut("user")
            .map(Value::take)
            .ok_or_else(|| shape(status, "no user in the registration answer"))?;
        Ok(Registered::ConfirmationPending(from_value(user)?))
    }

    /// The signed-in user (`GET /api/users/me?populate=role`); the role is included when
    /// the server lets the user read it (Strapi leaves it out by default).
    #[doc = example!(
        sync: r#"
let me = client.me()?;
println!("{} ({:?})", me.email, me.role.map(|r| r.name));
"#,
        async: r#"
let me = client.me().await?;
println!("{} ({:?})", me.email, me.role.map(|r| r.name));
"#,
    )]
    pub async fn me(&self) -> Result<User> {
        self.me_as().await
    }

    /// The signed-in user as a type of your own (an extended user model), asking for the
    /// role as [`me`](Self::me) does (`GET /api/users/me?populate=role`).
    #[doc = example!(
        sync: r#"
#[derive(serde::Deserialize)]
struct Member { username: String, nickname: Option<String> }
let me: Member = client.me_as()?;
"#,
        async: r#"
#[derive(serde::Deserialize)]
struct Member { username: String, nickname: Option<String> }
let me: Member = client.me_as().await?;
"#,
    )]
    pub async fn me_as<T: DeserializeOwned>(&self) -> Result<T> {
        let url = self.core.api_url(&["users", "me"], Some("populate=role"));
        let got = self.fetch(&FCall::new(Method::GET, url)).await?;
        from_slice(got.status, &got.body)
    }

    /// Changes the signed-in user's password (`POST /api/auth/change-password`) and
    /// returns the session the server issues with it, which this view adopts (and hands to
    /// its `on_change` callback). On Strapi 5 in refresh mode every other session of the
    /// user ends, as Strapi does.
    #[doc = example!(
        sync: r#"
# let session = strapi_kit::UserSession::new("eyJ...", None)?;
let user = client.as_user(&session);
let renewed = user.change_password("old secret", "new secret")?;
"#,
        async: r#"
# let session = strapi_kit::UserSession::new("eyJ...", None)?;
let user = client.as_user(&session);
let renewed = user.change_password("old secret", "new secret").await?;
"#,
    )]
    pub async fn change_password(&self, current: &str, new: &str) -> Result<SignedIn> {
        if self.user.is_none() {
            return Err(not_a_user_view("change_password"));
        }
        if current.is_empty() || new.is_empty() {
            return Err(Error::InvalidInput(
                "a password change needs the current and the new password".into(),
            ));
        }
        let url = self.core.api_url(&["auth", "change-password"], None);
        let call = FCall::new(Method::POST, url).json(
            &json!({"currentPassword": current, "password": new, "passwordConfirmation": new}),
        )?;
        let got = self.fetch(&call).await?;
        let s = signed_in(got.status, from_slice(got.status, &got.body)?)?;
        self.adopt(&s.session).await;
        Ok(s)
    }

    /// Asks Strapi to mail a password reset code (`POST /api/auth/forgot-password`). Strapi
    /// answers the same whether or not the address is known.
    #[doc = example!(
        sync: r#"
client.forgot_password("ada@example.com")?;
"#,
        async: r#"
client.forgot_password("ada@example.com").await?;
"#,
    )]
    pub async fn forgot_password(&self, email: &str) -> Result<()> {
        if email.trim().is_empty() {
            return Err(Error::InvalidInput("forgot_password needs an email".into()));
        }
        let url = self.core.api_url(&["auth", "forgot-password"], None);
        self.auth_call(FCall::new(Method::POST, url).json(&json!({"email": email}))?)
            .await?;
        Ok(())
    }

    /// Sets a new password with the code of the reset mail (`POST
    /// /api/auth/reset-password`) and signs the user in.
    #[doc = example!(
        sync: r#"
let signed_in = client.reset_password("code-from-the-mail", "new secret")?;
"#,
        async: r#"
let signed_in = client.reset_password("code-from-the-mail", "new secret").await?;
"#,
    )]
    pub async fn reset_password(&self, code: &str, password: &str) -> Result<SignedIn> {
        if code.trim().is_empty() || password.is_empty() {
            return Err(Error::InvalidInput(
                "reset_password needs the code and a password".into(),
            ));
        }
        let url = self.core.api_url(&["auth", "reset-password"], None);
        let call = FCall::new(Method::POST, url).json(
            &json!({"code": code.trim(), "password": password, "passwordConfirmation": password}),
        )?;
        let (status, body) = self.auth_call(call).await?;
        signed_in(status, body)
    }

    /// Asks Strapi to mail the confirmation link again (`POST
    /// /api/auth/send-email-confirmation`).
    #[doc = example!(
        sync: r#"
client.send_email_confirmation("ada@example.com")?;
"#,
        async: r#"
client.send_email_confirmation("ada@example.com").await?;
"#,
    )]
    pub async fn send_email_confirmation(&self, email: &str) -> Result<()> {
        if email.trim().is_empty() {
            return Err(Error::InvalidInput(
                "send_email_confirmation needs an email".into(),
            ));
        }
        let url = self
            .core
            .api_url(&["auth", "send-email-confirmation"], None);
        self.auth_call(FCall::new(Method::POST, url).json(&json!({"email": email}))?)
            .await?;
        Ok(())
    }

    /// Confirms an email address with the `confirmation` token of the mail's link (`GET
    /// /api/auth/email-confirmation`). Strapi answers with a redirect to its configured
    /// page, which is not followed: it means done.
    #[doc = example!(
        sync: r#"
client.confirm_email("token-from-the-link")?;
"#,
        async: r#"
client.confirm_email("token-from-the-link").await?;
"#,
    )]
    pub async fn confirm_email(&self, token: &str) -> Result<()> {
        if token.trim().is_empty() {
            return Err(Error::InvalidInput("confirm_email needs the token".into()));
        }
        let mut url = self.core.api_url(&["auth", "email-confirmation"], None);
        url.query_pairs_mut()
            .append_pair("confirmation", token.trim());
        let mut call = FCall::new(Method::GET, url);
        call.auth = false;
        match self.fetch(&call).await {
            Ok(_) => Ok(()),
            Err(Error::Redirected { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Signs in with a provider (`GET /api/auth/{provider}/callback?{query}`): `query` is
    /// what the provider's redirect to your front end carried (`access_token=…`).
    #[doc = example!(
        sync: r#"
let signed_in = client.provider_callback("github", "access_token=gho_...")?;
"#,
        async: r#"
let signed_in = client.provider_callback("github", "access_token=gho_...").await?;
"#,
    )]
    pub async fn provider_callback(&self, provider: &str, query: &str) -> Result<SignedIn> {
        check_provider(provider)?;
        let query = query.trim_start_matches('?');
        if query.is_empty() {
            return Err(Error::InvalidInput(
                "provider_callback needs the query of the provider's redirect".into(),
            ));
        }
        let url = self
            .core
            .api_url(&["auth", provider, "callback"], Some(query));
        let (status, body) = self.auth_call(FCall::new(Method::GET, url)).await?;
        signed_in(status, body)
    }

    /// Ends this view's session. On Strapi 5 in refresh mode the server revokes it
    /// (`POST /api/auth/logout`) and this returns `true`. A legacy JWT (Strapi 4, Strapi 5's
    /// default mode) cannot be revoked: the view forgets it and this returns `false` (the
    /// JWT stays valid on the server until it expires). Either way the view's later calls
    /// fail with [`Error::SessionEnded`].
    #[doc = example!(
        sync: r#"
# let session = strapi_kit::UserSession::new("eyJ...", None)?;
let revoked = client.as_user(&session).logout()?;
"#,
        async: r#"
# let session = strapi_kit::UserSession::new("eyJ...", None)?;
let revoked = client.as_user(&session).logout().await?;
"#,
    )]
    pub async fn logout(&self) -> Result<bool> {
        let state = self
            .user
            .as_ref()
            .ok_or_else(|| not_a_user_view("logout"))?;
        let refresh = {
            let cur = state.current.lock().await;
            cur.check()?;
            cur.session.refresh_token().cloned()
        };
        let revoked = match refresh {
            Some(token) => {
                let url = self.core.api_url(&["auth", "logout"], None);
                let call =
                    FCall::new(Method::POST, url).json(&json!({"refreshToken": token.expose()}))?;
                self.fetch(&call).await?;
                true
            }
            None => false,
        };
        state.current.lock().await.ended = Some("logged out".into());
        Ok(revoked)
    }

    /// The user's sessions (`GET /api/auth/sessions`, Strapi 5 in refresh mode), the
    /// current one first.
    #[doc = example!(
        sync: r#"
# let session = strapi_kit::UserSession::new("eyJ...", Some("r".into()))?;
for s in client.as_user(&session).sessions()? {
    println!("{} {:?} current={}", s.id, s.device_name, s.current);
}
"#,
        async: r#"
# let session = strapi_kit::UserSession::new("eyJ...", Some("r".into()))?;
for s in client.as_user(&session).sessions().await? {
    println!("{} {:?} current={}", s.id, s.device_name, s.current);
}
"#,
    )]
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>> {
        if self.user.is_none() {
            return Err(not_a_user_view("sessions"));
        }
        let url = self.core.api_url(&["auth", "sessions"], None);
        let got = self.fetch(&FCall::new(Method::GET, url)).await?;
        let mut body: Value = from_slice(got.status, &got.body)?;
        from_value(body.get_mut("data").map(Value::take).unwrap_or_default())
    }

    /// Revokes one of the user's sessions by id (`DELETE /api/auth/sessions/{id}`).
    #[doc = example!(
        sync: r#"
# let session = strapi_kit::UserSession::new("eyJ...", Some("r".into()))?;
let user = client.as_user(&session);
for s in user.sessions()?.into_iter().filter(|s| !s.current) {
    user.revoke_session(&s.id)?;
}
"#,
        async: r#"
# let session = strapi_kit::UserSession::new("eyJ...", Some("r".into()))?;
let user = client.as_user(&session);
for s in user.sessions().await?.into_iter().filter(|s| !s.current) {
    user.revoke_session(&s.id).await?;
}
"#,
    )]
    pub async fn revoke_session(&self, id: &str) -> Result<()> {
        if self.user.is_none() {
            return Err(not_a_user_view("revoke_session"));
        }
        let id = crate::ids::EntryId::from(id);
        let id = id.checked()?;
        let url = self.core.api_url(&["auth", "sessions", id], None);
        self.fetch(&FCall::new(Method::DELETE, url)).await?;
        Ok(())
    }
}

/// # Users and roles
#[maybe]
impl Client {
    async fn users_url(&self, id: Option<u64>, query: &StrapiQuery) -> Result<reqwest::Url> {
        let version = self.version_for(query).await?;
        // This route reads `start`/`limit`, like the upload files route.
        let qs = query.encode_for_upload_files(version)?;
        let id = id.map(|i| i.to_string());
        let url = match &id {
            Some(id) => self.core.api_url(&["users", id], Some(&qs)),
            None => self.core.api_url(&["users"], Some(&qs)),
        };
        crate::ids::check_url_len(url.as_str())?;
        Ok(url)
    }

    /// Lists users (`GET /api/users`) with filters, sort, populate and paging of `query`.
    #[doc = example!(
        sync: r#"
use strapi_kit::{FilterBuilder, StrapiQuery};
let q = StrapiQuery::new().filter(FilterBuilder::new().eq("confirmed", true)).populate(["role"]);
for user in client.users(&q)? {
    println!("{} {:?}", user.email, user.role.map(|r| r.name));
}
"#,
        async: r#"
use strapi_kit::{FilterBuilder, StrapiQuery};
let q = StrapiQuery::new().filter(FilterBuilder::new().eq("confirmed", true)).populate(["role"]);
for user in client.users(&q).await? {
    println!("{} {:?}", user.email, user.role.map(|r| r.name));
}
"#,
    )]
    pub async fn users(&self, query: &StrapiQuery) -> Result<Vec<User>> {
        self.users_as(query).await
    }

    /// [`users`](Self::users) as a type of your own.
    #[doc = example!(
        sync: r#"
let all: Vec<serde_json::Value> = client.users_as(&Default::default())?;
"#,
        async: r#"
let all: Vec<serde_json::Value> = client.users_as(&Default::default()).await?;
"#,
    )]
    pub async fn users_as<T: DeserializeOwned>(&self, query: &StrapiQuery) -> Result<Vec<T>> {
        let url = self.users_url(None, query).await?;
        let got = self.fetch(&FCall::new(Method::GET, url)).await?;
        from_slice(got.status, &got.body)
    }

    /// How many users match the filters of `query` (`GET /api/users/count`; give filters
    /// only: Strapi 4 fails on a populate here).
    #[doc = example!(
        sync: r#"
let n = client.count_users(&Default::default())?;
"#,
        async: r#"
let n = client.count_users(&Default::default()).await?;
"#,
    )]
    pub async fn count_users(&self, query: &StrapiQuery) -> Result<u64> {
        // The encoding differs here: the version is asked for when not known yet.
        let version = match self.core.version() {
            Some(v) => v,
            None => self.detect_version().await?,
        };
        let qs = query.encode_for_upload_files(version)?;
        // Strapi 4 counts with the query itself as the `where`: the filters go at the top.
        let qs = match version {
            crate::version::ApiVersion::V4 => top_level_filters(&qs),
            crate::version::ApiVersion::V5 => qs,
        };
        let url = self.core.api_url(&["users", "count"], Some(&qs));
        let got = self.fetch(&FCall::new(Method::GET, url)).await?;
        from_slice(got.status, &got.body)
    }

    /// One user by id (`GET /api/users/{id}`), with `query`'s populate; `None` when there
    /// is no such user (Strapi 5 answers 204 No Content, Strapi 4 404).
    #[doc = example!(
        sync: r#"
if let Some(user) = client.user(7, &Default::default())? {
    println!("{}", user.email);
}
"#,
        async: r#"
if let Some(user) = client.user(7, &Default::default()).await? {
    println!("{}", user.email);
}
"#,
    )]
    pub async fn user(&self, id: u64, query: &StrapiQuery) -> Result<Option<User>> {
        let url = self.users_url(Some(id), query).await?;
        match self.fetch(&FCall::new(Method::GET, url)).await {
            Ok(got) if got.status == 204 || got.body.is_empty() => Ok(None),
            Ok(got) => from_slice(got.status, &got.body).map(Some),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates a user (`POST /api/users`): `username`, `email`, `password`, and optionally
    /// `role` (an id), `confirmed`, `blocked` and your own fields.
    #[doc = example!(
        sync: r#"
let user = client.create_user(&serde_json::json!({
    "username": "ada", "email": "ada@example.com", "password": "correct horse",
    "confirmed": true,
}))?;
"#,
        async: r#"
let user = client
    .create_user(&serde_json::json!({
        "username": "ada", "email": "ada@example.com", "password": "correct horse",
        "confirmed": true,
    }))
    .await?;
"#,
    )]
    pub async fn create_user(&self, data: &(impl Serialize + ?Sized)) -> Result<User> {
        let url = self.core.api_url(&["users"], None);
        let got = self
            .fetch(&FCall::new(Method::POST, url).json(data)?)
            .await?;
        from_slice(got.status, &got.body)
    }

    /// Changes a user's fields (`PUT /api/users/{id}`).
    #[doc = example!(
        sync: r#"
let user = client.update_user(7, &serde_json::json!({"blocked": true}))?;
"#,
        async: r#"
let user = client.update_user(7, &serde_json::json!({"blocked": true})).await?;
"#,
    )]
    pub async fn update_user(&self, id: u64, data: &(impl Serialize + ?Sized)) -> Result<User> {
        let url = self.core.api_url(&["users", &id.to_string()], None);
        let got = self
            .fetch(&FCall::new(Method::PUT, url).json(data)?)
            .await?;
        from_slice(got.status, &got.body)
    }

    /// Deletes a user (`DELETE /api/users/{id}`).
    #[doc = example!(
        sync: r#"
client.delete_user(7)?;
"#,
        async: r#"
client.delete_user(7).await?;
"#,
    )]
    pub async fn delete_user(&self, id: u64) -> Result<()> {
        let url = self.core.api_url(&["users", &id.to_string()], None);
        self.fetch(&FCall::new(Method::DELETE, url)).await?;
        Ok(())
    }

    /// The roles (`GET /api/users-permissions/roles`), with their user counts.
    #[doc = example!(
        sync: r#"
for role in client.roles()? {
    println!("{} ({:?} users)", role.name, role.nb_users);
}
"#,
        async: r#"
for role in client.roles().await? {
    println!("{} ({:?} users)", role.name, role.nb_users);
}
"#,
    )]
    pub async fn roles(&self) -> Result<Vec<Role>> {
        let url = self.core.api_url(&["users-permissions", "roles"], None);
        let got = self.fetch(&FCall::new(Method::GET, url)).await?;
        let mut body: Value = from_slice(got.status, &got.body)?;
        from_value(body.get_mut("roles").map(Value::take).unwrap_or_default())
    }

    /// One role with its permissions (`GET /api/users-permissions/roles/{id}`).
    #[doc = example!(
        sync: r#"
let role = client.role(1)?;
"#,
        async: r#"
let role = client.role(1).await?;
"#,
    )]
    pub async fn role(&self, id: u64) -> Result<Role> {
        let url = self
            .core
            .api_url(&["users-permissions", "roles", &id.to_string()], None);
        let got = self.fetch(&FCall::new(Method::GET, url)).await?;
        let mut body: Value = from_slice(got.status, &got.body)?;
        from_value(body.get_mut("role").map(Value::take).unwrap_or_default())
    }

    /// Creates a role (`POST /api/users-permissions/roles`: `name`, `description`,
    /// `permissions`). Strapi does not answer with the role: find it in
    /// [`roles`](Self::roles) by name.
    #[doc = example!(
        sync: r#"
client.create_role(&serde_json::json!({"name": "Editor", "description": "edits"}))?;
"#,
        async: r#"
client
    .create_role(&serde_json::json!({"name": "Editor", "description": "edits"}))
    .await?;
"#,
    )]
    pub async fn create_role(&self, data: &(impl Serialize + ?Sized)) -> Result<()> {
        let url = self.core.api_url(&["users-permissions", "roles"], None);
        self.fetch(&FCall::new(Method::POST, url).json(data)?)
            .await?;
        Ok(())
    }

    /// Changes a role (`PUT /api/users-permissions/roles/{id}`).
    #[doc = example!(
        sync: r#"
client.update_role(3, &serde_json::json!({"description": "edits articles"}))?;
"#,
        async: r#"
client
    .update_role(3, &serde_json::json!({"description": "edits articles"}))
    .await?;
"#,
    )]
    pub async fn update_role(&self, id: u64, data: &(impl Serialize + ?Sized)) -> Result<()> {
        let url = self
            .core
            .api_url(&["users-permissions", "roles", &id.to_string()], None);
        self.fetch(&FCall::new(Method::PUT, url).json(data)?)
            .await?;
        Ok(())
    }

    /// Deletes a role (`DELETE /api/users-permissions/roles/{id}`); its users move to the
    /// default role.
    #[doc = example!(
        sync: r#"
client.delete_role(3)?;
"#,
        async: r#"
client.delete_role(3).await?;
"#,
    )]
    pub async fn delete_role(&self, id: u64) -> Result<()> {
        let url = self
            .core
            .api_url(&["users-permissions", "roles", &id.to_string()], None);
        self.fetch(&FCall::new(Method::DELETE, url)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn strapi_4_counts_with_top_level_filters() {
        assert_eq!(
            super::top_level_filters(
                "filters%5Bemail%5D%5B%24eq%5D=a%40b&populate=role&filters%5Bblocked%5D=false"
            ),
            "email%5B%24eq%5D=a%40b&blocked=false"
        );
    }
}
