//! End users of the users-permissions plugin (pure half): the user and role models, a
//! [`UserSession`] (a JWT, Strapi 5's refresh token and the access token's expiry), the
//! registration input and the kinds of Strapi's auth refusals ([`AuthFailure`]).
//!
//! The calls are on the clients: `login`, `register`, `as_user`, `me`, … (see the
//! "Acting for end users" methods of [`AsyncClient`](crate::AsyncClient) /
//! [`SyncClient`](crate::SyncClient)).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::{Secret, checked_token};
use crate::error::{Error, Result};

/// A users-permissions user, as Strapi returns it (private fields such as the password
/// are never sent). Fields of an extended user model are in [`extra`](Self::extra); for a
/// type of your own use `me_as::<T>()` / `users_as::<T>()`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// The numeric id.
    pub id: u64,
    /// Strapi 5's document id (`None` on Strapi 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// The username.
    #[serde(default)]
    pub username: String,
    /// The email address (Strapi stores it in lower case).
    #[serde(default)]
    pub email: String,
    /// How the user signs in: `local` (a password) or a provider's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Whether the email address is confirmed.
    #[serde(default)]
    pub confirmed: bool,
    /// Whether an administrator blocked the user.
    #[serde(default)]
    pub blocked: bool,
    /// The role, when the answer includes it (`me` does; lists with `populate=role`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// When the user was created (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When the user was last changed (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Every other field (those of an extended user model, `publishedAt`, `locale`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A users-permissions role (`public`, `authenticated`, or one of your own).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Role {
    /// The numeric id.
    pub id: u64,
    /// Strapi 5's document id (`None` on Strapi 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The type: `public`, `authenticated`, or the name of a custom role.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// How many users have the role (in the role list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nb_users: Option<u64>,
    /// Every other field (`permissions` of a single role, `users`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A signed-in end user's credentials: the JWT, and on a Strapi 5 server in `refresh` mode
/// the refresh token. The expiry is read from the JWT's `exp` claim (the signature is not
/// checked: only the server can, and it does).
///
/// Store it to act for the user later ([`Serialize`] gives `{"jwt", "refreshToken"}`; keep
/// it as secret as a password), and hand it to `client.as_user(&session)`. `Debug` shows
/// neither token.
///
/// ```
/// use strapi_kit::UserSession;
/// let session = UserSession::new("a.b.c", Some("refresh-token".to_owned()))?;
/// assert!(session.is_refreshable());
/// assert!(!format!("{session:?}").contains("refresh-token"));
/// # Ok::<(), strapi_kit::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct UserSession {
    jwt: Secret,
    refresh_token: Option<Secret>,
    expires_at: Option<SystemTime>,
    issued_at: Option<SystemTime>,
}

impl UserSession {
    /// A session from a JWT and, in Strapi 5's `refresh` mode, its refresh token. Both are
    /// trimmed; [`Error::Config`] if one is empty or cannot be sent in a header (the error
    /// does not show it).
    pub fn new(jwt: impl Into<String>, refresh_token: Option<String>) -> Result<Self> {
        let jwt = checked_token(jwt.into(), "the JWT")?;
        let refresh_token = refresh_token
            .map(|t| checked_token(t, "the refresh token").map(Secret::new))
            .transpose()?;
        let claims = jwt_claims(&jwt);
        let time = |name: &str| {
            claims
                .as_ref()
                .and_then(|c| c.get(name))
                .and_then(Value::as_u64)
                .and_then(|s| UNIX_EPOCH.checked_add(Duration::from_secs(s)))
        };
        Ok(UserSession {
            expires_at: time("exp"),
            issued_at: time("iat"),
            jwt: Secret::new(jwt),
            refresh_token,
        })
    }

    /// The JWT (the access token in `refresh` mode).
    pub fn jwt(&self) -> &Secret {
        &self.jwt
    }

    /// The refresh token (Strapi 5 in `refresh` mode only).
    pub fn refresh_token(&self) -> Option<&Secret> {
        self.refresh_token.as_ref()
    }

    /// When the JWT expires (its `exp` claim), if it says.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Whether the session can be renewed without the password (it has a refresh token).
    pub fn is_refreshable(&self) -> bool {
        self.refresh_token.is_some()
    }

    /// Whether the JWT expires within `margin` from now (false when it has no expiry).
    pub fn expires_within(&self, margin: Duration) -> bool {
        self.expires_at
            .is_some_and(|exp| SystemTime::now() + margin >= exp)
    }

    /// How long before its expiry a view renews the access token: a tenth of its lifetime
    /// (from `iat` to `exp`), between one and thirty seconds.
    pub(crate) fn refresh_margin(&self) -> Duration {
        let life = match (self.issued_at, self.expires_at) {
            (Some(i), Some(e)) => e.duration_since(i).unwrap_or_default(),
            _ => Duration::from_secs(300),
        };
        (life / 10).clamp(Duration::from_secs(1), Duration::from_secs(30))
    }
}

impl fmt::Debug for UserSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserSession")
            .field("jwt", &self.jwt)
            .field("refresh_token", &self.refresh_token)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredSession {
    jwt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

impl Serialize for UserSession {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        StoredSession {
            jwt: self.jwt.expose().to_owned(),
            refresh_token: self.refresh_token.as_ref().map(|t| t.expose().to_owned()),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for UserSession {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let stored = StoredSession::deserialize(d)?;
        UserSession::new(stored.jwt, stored.refresh_token).map_err(serde::de::Error::custom)
    }
}

/// The claims of a JWT, read without checking its signature; `None` when it is not a JWT.
fn jwt_claims(jwt: &str) -> Option<Map<String, Value>> {
    let mut parts = jwt.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    serde_json::from_slice(&base64url_decode(payload)?).ok()
}

/// Unpadded base64url (RFC 4648 §5), as JWTs use; trailing `=` is tolerated.
fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A successful sign-in (login, confirmed registration, password change or reset,
/// provider callback): the session to act with and the user.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignedIn {
    /// The credentials (hand them to `client.as_user(&session)`, or store them).
    pub session: UserSession,
    /// The signed-in user.
    pub user: User,
}

/// What a registration gave.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Registered {
    /// The user is signed in (email confirmation is off).
    SignedIn(SignedIn),
    /// The user must confirm the email address first: Strapi sent the confirmation mail.
    ConfirmationPending(User),
}

impl Registered {
    /// The new user.
    pub fn user(&self) -> &User {
        match self {
            Registered::SignedIn(s) => &s.user,
            Registered::ConfirmationPending(u) => u,
        }
    }
}

/// A registration: username, email and password, and the other fields the server allows
/// (`config.register.allowedFields` of the users-permissions plugin; others are refused
/// with "Invalid parameters"). `Debug` does not show the password.
///
/// ```
/// use strapi_kit::RegisterInput;
/// let input = RegisterInput::new("ada", "ada@example.com", "correct horse")
///     .field("newsletter", true);
/// assert!(!format!("{input:?}").contains("correct horse"));
/// ```
#[derive(Clone)]
pub struct RegisterInput {
    pub(crate) username: String,
    pub(crate) email: String,
    pub(crate) password: Secret,
    pub(crate) fields: Map<String, Value>,
}

impl RegisterInput {
    /// The three fields every registration has.
    pub fn new(
        username: impl Into<String>,
        email: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        RegisterInput {
            username: username.into(),
            email: email.into(),
            password: Secret::new(password),
            fields: Map::new(),
        }
    }

    /// One more field (one the server's `register.allowedFields` lists).
    pub fn field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.fields.insert(name.into(), value.into());
        self
    }

    /// The request body; [`Error::InvalidInput`] for an empty username, email or password,
    /// or an extra field named like one of them.
    pub(crate) fn body(&self) -> Result<Value> {
        if self.username.trim().is_empty()
            || self.email.trim().is_empty()
            || self.password.expose().is_empty()
        {
            return Err(Error::InvalidInput(
                "a registration needs a username, an email and a password".into(),
            ));
        }
        let mut body = Map::new();
        for (k, v) in &self.fields {
            if matches!(k.as_str(), "username" | "email" | "password") {
                return Err(Error::InvalidInput(format!(
                    "the registration field {k:?} is given by RegisterInput::new"
                )));
            }
            body.insert(k.clone(), v.clone());
        }
        body.insert("username".into(), self.username.clone().into());
        body.insert("email".into(), self.email.clone().into());
        body.insert("password".into(), self.password.expose().into());
        Ok(Value::Object(body))
    }
}

impl fmt::Debug for RegisterInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisterInput")
            .field("username", &self.username)
            .field("email", &self.email)
            .field("password", &self.password)
            .field("fields", &self.fields.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// One of a user's sessions on Strapi 5 in `refresh` mode (`GET /api/auth/sessions`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SessionInfo {
    /// The session id (for `revoke_session`).
    pub id: String,
    /// The device the session belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// A name for the device (from its user agent), when Strapi has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    /// Whether this is the session of the call that listed them.
    #[serde(default)]
    pub current: bool,
    /// When the session began (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_at: Option<String>,
    /// When it was last used (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active_at: Option<String>,
}

/// Why Strapi refused an auth call, from its message (see
/// [`Error::auth_failure`](crate::Error::auth_failure)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthFailure {
    /// "Invalid identifier or password".
    InvalidCredentials,
    /// "Your account email is not confirmed".
    EmailNotConfirmed,
    /// "Your account has been blocked by an administrator" (or "User blocked").
    Blocked,
    /// "Email or Username are already taken".
    AlreadyTaken,
    /// "Register action is currently disabled".
    RegistrationDisabled,
    /// "The provided current password is invalid".
    WrongCurrentPassword,
    /// "Your new password must be different than your current password".
    SamePassword,
    /// "Passwords do not match".
    PasswordsDoNotMatch,
    /// "Incorrect code provided" (a reset code) or "Invalid token" (a confirmation token).
    InvalidCode,
    /// "Already confirmed".
    AlreadyConfirmed,
    /// "This provider is disabled".
    ProviderDisabled,
    /// "Invalid refresh token" / "Missing refresh token".
    InvalidRefreshToken,
    /// HTTP 429 on an auth route: Strapi's auth rate limit (`ratelimit` of the plugin).
    RateLimited,
}

impl AuthFailure {
    /// The kind of a refusal with this status and message.
    pub(crate) fn classify(status: u16, message: &str) -> Option<AuthFailure> {
        if status == 429 {
            return Some(AuthFailure::RateLimited);
        }
        let m = message.trim();
        Some(match m {
            "Invalid identifier or password" => AuthFailure::InvalidCredentials,
            "Your account email is not confirmed" => AuthFailure::EmailNotConfirmed,
            "Your account has been blocked by an administrator" | "User blocked" => {
                AuthFailure::Blocked
            }
            "Email or Username are already taken" | "Email is already taken" => {
                AuthFailure::AlreadyTaken
            }
            "Register action is currently disabled" => AuthFailure::RegistrationDisabled,
            "The provided current password is invalid" => AuthFailure::WrongCurrentPassword,
            "Your new password must be different than your current password" => {
                AuthFailure::SamePassword
            }
            "Passwords do not match" => AuthFailure::PasswordsDoNotMatch,
            "Incorrect code provided" | "Invalid token" => AuthFailure::InvalidCode,
            "Already confirmed" => AuthFailure::AlreadyConfirmed,
            "This provider is disabled" => AuthFailure::ProviderDisabled,
            "Invalid refresh token" | "Missing refresh token" => AuthFailure::InvalidRefreshToken,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        // The test's own encoder: standard base64url without padding.
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let b = s.as_bytes();
        let mut out = String::new();
        for chunk in b.chunks(3) {
            let n = chunk.len();
            let v = (u32::from(chunk[0]) << 16)
                | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
                | u32::from(*chunk.get(2).unwrap_or(&0));
            for i in 0..=n {
                out.push(A[((v >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    fn jwt(claims: &str) -> String {
        format!("{}.{}.sig", b64(r#"{"alg":"HS256"}"#), b64(claims))
    }

    #[test]
    fn expiry_comes_from_the_exp_claim() {
        let s = UserSession::new(jwt(r#"{"id":1,"iat":1000,"exp":1600}"#), None).unwrap();
        assert_eq!(s.expires_at(), Some(UNIX_EPOCH + Duration::from_secs(1600)));
        assert!(s.expires_within(Duration::ZERO));
        assert_eq!(s.refresh_margin(), Duration::from_secs(30));
        let s = UserSession::new(jwt(r#"{"iat":1000,"exp":1004}"#), None).unwrap();
        assert_eq!(s.refresh_margin(), Duration::from_secs(1));
    }

    #[test]
    fn a_token_that_is_no_jwt_has_no_expiry() {
        for t in ["opaque", "a.b.c", "a.!!.c", "a.b.c.d"] {
            let s = UserSession::new(t, None).unwrap();
            assert_eq!(s.expires_at(), None, "{t}");
            assert!(!s.expires_within(Duration::from_secs(3600)));
        }
    }

    #[test]
    fn base64url_decodes_every_length() {
        for s in ["", "a", "ab", "abc", "abcd", "{\"exp\":1}"] {
            assert_eq!(base64url_decode(&b64(s)).unwrap(), s.as_bytes());
        }
    }

    #[test]
    fn sessions_are_checked_redacted_and_round_trip() {
        assert!(matches!(
            UserSession::new("  ", None),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            UserSession::new("a", Some("bad\nvalue".into())),
            Err(Error::Config(m)) if !m.contains("bad")
        ));
        let s = UserSession::new(" jwt-secret ", Some("refresh-secret".into())).unwrap();
        assert_eq!(s.jwt().expose(), "jwt-secret");
        let dbg = format!("{s:?}");
        assert!(
            !dbg.contains("jwt-secret") && !dbg.contains("refresh-secret"),
            "{dbg}"
        );
        let stored = serde_json::to_string(&s).unwrap();
        assert_eq!(
            stored,
            r#"{"jwt":"jwt-secret","refreshToken":"refresh-secret"}"#
        );
        let back: UserSession = serde_json::from_str(&stored).unwrap();
        assert_eq!(back, s);
        assert!(serde_json::from_str::<UserSession>(r#"{"jwt":""}"#).is_err());
    }

    #[test]
    fn registration_bodies() {
        let input = RegisterInput::new("ada", "ada@example.com", "pw-secret").field("age", 36);
        assert_eq!(
            input.body().unwrap(),
            serde_json::json!({"username":"ada","email":"ada@example.com","password":"pw-secret","age":36})
        );
        assert!(!format!("{input:?}").contains("pw-secret"));
        assert!(RegisterInput::new("", "e", "p").body().is_err());
        assert!(RegisterInput::new("u", "e", "").body().is_err());
        assert!(
            RegisterInput::new("u", "e", "p")
                .field("password", "x")
                .body()
                .is_err()
        );
    }

    #[test]
    fn users_and_roles_decode_with_extra_fields() {
        let u: User = serde_json::from_value(serde_json::json!({
            "id": 3, "documentId": "d3", "username": "ada", "email": "ada@example.com",
            "provider": "local", "confirmed": true, "blocked": false,
            "role": {"id": 1, "name": "Authenticated", "type": "authenticated"},
            "nickname": "countess"
        }))
        .unwrap();
        assert_eq!(
            u.role.as_ref().unwrap().kind.as_deref(),
            Some("authenticated")
        );
        assert_eq!(u.extra["nickname"], "countess");
    }

    #[test]
    fn strapi_messages_are_classified() {
        assert_eq!(
            AuthFailure::classify(400, "Invalid identifier or password"),
            Some(AuthFailure::InvalidCredentials)
        );
        assert_eq!(
            AuthFailure::classify(429, "Too many requests, please try again later."),
            Some(AuthFailure::RateLimited)
        );
        assert_eq!(AuthFailure::classify(400, "title must be set"), None);
    }
}
