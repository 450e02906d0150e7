//! End-user sessions on the mock: what a real server will not do on demand (refuse a
//! refresh, answer 401 to a live token), bad input refused before sending, and secrets
//! kept out of Debug output and errors.

use super::mock::{Mock, Reply};
use super::*;
use strapi_kit::{RegisterInput, UserSession};

fn api_client(mock: &Mock) -> Client {
    Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("api-token-secret")
            .retry(strapi_kit::RetryPolicy::none())
            .build()
            .unwrap(),
    )
    .unwrap()
}

const ME: &str = r#"{"id":1,"username":"u","email":"u@example.com"}"#;

#[maybe]
#[the_test]
async fn auth_routes_never_carry_the_clients_token() {
    let mock = Mock::start(|r, _| match r.target.starts_with("/api/users/me") {
        true => Reply::json(200, ME),
        false => Reply::json(
            200,
            r#"{"jwt":"jwt-1","user":{"id":1,"email":"u@example.com"}}"#,
        ),
    });
    let c = api_client(&mock);
    let (view, _) = c.login("u@example.com", "pw").await.unwrap();
    c.forgot_password("u@example.com").await.unwrap();
    c.reset_password("code", "pw2").await.unwrap();
    c.register(&RegisterInput::new("u", "u@example.com", "pw"))
        .await
        .unwrap();
    for r in mock.requests() {
        assert_eq!(r.header("authorization"), None, "{} {}", r.method, r.target);
    }
    // The view sends its JWT, not the token.
    view.me().await.unwrap();
    let last = mock.requests().pop().unwrap();
    assert_eq!(last.header("authorization"), Some("Bearer jwt-1"));
}

#[maybe]
#[the_test]
async fn a_401_is_refreshed_once_and_resent() {
    let mock = Mock::start(
        |r, _| match (r.target.as_str(), r.header("authorization")) {
            ("/api/auth/refresh", None) => {
                Reply::json(200, r#"{"jwt":"jwt-2","refreshToken":"rt-2"}"#)
            }
            ("/api/users/me?populate=role", Some("Bearer jwt-2")) => Reply::json(200, ME),
            _ => Reply::json(
                401,
                r#"{"error":{"status":401,"name":"UnauthorizedError","message":"Missing or invalid credentials"}}"#,
            ),
        },
    );
    let changes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let ch = changes.clone();
    let session = UserSession::new("jwt-1", Some("rt-1".into())).unwrap();
    let view = api_client(&mock).as_user_with(&session, move |s: &UserSession| {
        ch.lock()
            .unwrap()
            .push(s.refresh_token().unwrap().expose().to_owned())
    });
    let me = view.me().await.unwrap();
    assert_eq!(me.email, "u@example.com");
    let targets: Vec<String> = mock.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(
        targets,
        [
            "/api/users/me?populate=role",
            "/api/auth/refresh",
            "/api/users/me?populate=role"
        ]
    );
    assert_eq!(
        String::from_utf8_lossy(&mock.requests()[1].body),
        r#"{"refreshToken":"rt-1"}"#
    );
    assert_eq!(*changes.lock().unwrap(), ["rt-2"]);
    let now = view.current_session().await.unwrap();
    assert_eq!(now.jwt().expose(), "jwt-2");
}

#[maybe]
#[the_test]
async fn a_refused_refresh_ends_the_session_without_a_loop() {
    let mock = Mock::start(|r, _| match r.target.as_str() {
        "/api/auth/refresh" => Reply::json(
            401,
            r#"{"error":{"status":401,"name":"UnauthorizedError","message":"Invalid refresh token"}}"#,
        ),
        _ => Reply::json(401, "{}"),
    });
    let session = UserSession::new("jwt-1", Some("rt-secret-1".into())).unwrap();
    let view = api_client(&mock).as_user(&session);
    let err = view.me().await.unwrap_err();
    assert!(err.is_session_ended(), "{err:?}");
    assert!(!err.to_string().contains("rt-secret-1"), "{err}");
    assert_eq!(mock.hits(), 2, "one call, one refresh");
    // Its clones share the ended session: nothing more is sent.
    let err = view.clone().me().await.unwrap_err();
    assert!(err.is_session_ended(), "{err:?}");
    assert_eq!(mock.hits(), 2);
}

#[maybe]
#[the_test]
async fn a_legacy_jwt_is_not_refreshed_and_its_401_is_the_servers() {
    let mock = Mock::always(Reply::json(
        401,
        r#"{"error":{"status":401,"message":"Invalid token"}}"#,
    ));
    let view = api_client(&mock).as_user(&UserSession::new("jwt-1", None).unwrap());
    let err = view.me().await.unwrap_err();
    assert!(err.is_authentication(), "{err:?}");
    assert_eq!(mock.hits(), 1);
}

#[maybe]
#[the_test]
async fn bad_input_and_user_only_calls_send_nothing() {
    let mock = Mock::always(Reply::json(200, "{}"));
    let c = api_client(&mock);
    let r1 = c.register(&RegisterInput::new("", "e@x", "pw")).await;
    assert!(r1.is_err());
    let r2 = c.login_session(" ", "pw").await;
    assert!(r2.is_err());
    let r3 = c.forgot_password("").await;
    assert!(r3.is_err());
    let r4 = c.reset_password("", "pw").await;
    assert!(r4.is_err());
    let r5 = c.confirm_email(" ").await;
    assert!(r5.is_err());
    let r6 = c.provider_callback("git/hub", "access_token=x").await;
    assert!(r6.is_err());
    assert!(c.connect_url("../admin").is_err());
    let r7 = c.logout().await;
    assert!(r7.is_err());
    let r8 = c.sessions().await;
    assert!(r8.is_err());
    let r9 = c.change_password("a", "b").await;
    assert!(r9.is_err());
    let r10 = c.refresh_session().await;
    assert!(r10.is_err());
    let legacy = c.as_user(&UserSession::new("jwt-1", None).unwrap());
    let r11 = legacy.refresh_session().await;
    assert!(r11.is_err());
    // A user view takes no other Authorization, and not the client's admin credentials.
    assert!(legacy.with_header("Authorization", "Bearer other").is_err());
    let r12 = legacy.list_folders().await;
    assert!(r12.unwrap_err().is_admin_required());
    assert_eq!(mock.hits(), 0);
}

#[maybe]
#[the_test]
async fn secrets_stay_out_of_debug_output() {
    let session =
        UserSession::new("jwt-secret-value", Some("refresh-secret-value".into())).unwrap();
    let mock = Mock::always(Reply::json(200, ME));
    let view = api_client(&mock).as_user(&session);
    let text = format!(
        "{session:?} {view:?} {:?}",
        RegisterInput::new("u", "e", "pw-secret-value")
    );
    for secret in [
        "jwt-secret-value",
        "refresh-secret-value",
        "pw-secret-value",
        "api-token-secret",
    ] {
        assert!(!text.contains(secret), "{text}");
    }
}
