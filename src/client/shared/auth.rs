//! Users & permissions: log in as an end user and act with their JWT.

use reqwest::Method;
use serde_json::{Value, json};

use super::Client;
use super::content::FCall;
use super::flavour::maybe;
use crate::client::common::from_slice;
use crate::config::{Auth, Secret, checked_token};
use crate::error::{Error, Result};

/// # Users: login and profile
#[maybe]
impl Client {
    /// Logs in through the users-permissions plugin (`POST /api/auth/local`) and returns a
    /// client that sends the user's JWT instead of this client's credentials, with the
    /// user's profile. The new client shares nothing mutable with this one.
    #[doc = example!(
        sync: r#"
let (as_user, profile) = client.login("reader@example.com", "s3cret")?;
println!("logged in as {}", profile["username"]);
let me = as_user.me()?;
"#,
        async: r#"
let (as_user, profile) = client.login("reader@example.com", "s3cret").await?;
println!("logged in as {}", profile["username"]);
let me = as_user.me().await?;
"#,
    )]
    pub async fn login(&self, identifier: &str, password: &str) -> Result<(Client, Value)> {
        if identifier.trim().is_empty() || password.is_empty() {
            return Err(Error::InvalidInput(
                "login needs an identifier and a password".into(),
            ));
        }
        let call = FCall::new(Method::POST, self.core.api_url(&["auth", "local"], None))
            .json(&json!({"identifier": identifier, "password": password}))?;
        let got = self.fetch(&call).await?;
        let mut body: Value = from_slice(got.status, &got.body)?;
        let jwt = body
            .get("jwt")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                Error::unexpected(
                    got.status,
                    crate::error::UnexpectedReason::Shape("no jwt in the login response"),
                    b"",
                )
            })?;
        let user = body.get_mut("user").map(Value::take).unwrap_or_default();
        // The same check (and trim) as a JWT given to the config builder.
        let jwt = checked_token(jwt, "the JWT from the login response").map_err(|_| {
            Error::unexpected(
                got.status,
                crate::error::UnexpectedReason::Shape(
                    "the jwt in the login response cannot be sent in a header",
                ),
                b"",
            )
        })?;
        let config = self.core.config.with_auth(Auth::Jwt(Secret::new(jwt)));
        Ok((self.with_login(config)?, user))
    }

    /// The logged-in user's profile (`GET /api/users/me`).
    #[doc = example!(
        sync: r#"
let me = client.me()?;
println!("{}", me["email"]);
"#,
        async: r#"
let me = client.me().await?;
println!("{}", me["email"]);
"#,
    )]
    pub async fn me(&self) -> Result<Value> {
        let call = FCall::new(Method::GET, self.core.api_url(&["users", "me"], None));
        let got = self.fetch(&call).await?;
        from_slice(got.status, &got.body)
    }
}
