//! End users on the real servers: the whole sign-in story (register, confirm by mail, log
//! in, expiry and refresh, password change and reset, logout, sessions) on v5 in both JWT
//! modes and v4, users and roles, and on the wire: which credentials go where.
//!
//! Mail comes from the fixture's file email provider (tests/strapi/shared/
//! email-file-provider.js): each message is a JSON file in the server's work folder.

use super::strapi::Strapi;
use super::wire::RecordingProxy;
use super::*;
use strapi_kit::{AuthFailure, RegisterInput, Registered, SignedIn, UserSession};

/// Strapi 5 in refresh mode, access tokens living 3 s (so tests see real refreshes).
fn refresh_server() -> &'static Strapi {
    strapi::instance(
        strapi_kit::ApiVersion::V5,
        "refresh",
        &[
            ("ITEST_UP_JWT_MANAGEMENT", "refresh"),
            ("ITEST_UP_ACCESS_TOKEN_LIFESPAN", "3"),
        ],
    )
}

/// The newest mail to `to` whose text has `marker` (`confirmation=` or `code=`), and the
/// token after it. The servers write a mail before they answer, so it is there already.
fn mail_token(srv: &Strapi, to: &str, marker: &str) -> String {
    let dir = srv
        .tmp_dir
        .as_ref()
        .and_then(|t| t.parent())
        .expect("a server started by the harness")
        .join("mail");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    for path in names.iter().rev() {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(mail) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if mail["to"].as_str() != Some(to) {
            continue;
        }
        let body = mail["text"].as_str().unwrap_or_default();
        if let Some(at) = body.find(marker) {
            let token: String = body[at + marker.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            return token;
        }
    }
    panic!("no mail to {to} with {marker} in {}", dir.display());
}

/// A new user, registered and confirmed through the mailed link; returns (email, password).
#[maybe]
async fn confirmed_user(c: &Client, srv: &Strapi, tag: &str) -> (String, String) {
    let name = unique(tag);
    let email = format!("{name}@example.com");
    let password = "Passw0rd-one".to_owned();
    let reg = c
        .register(&RegisterInput::new(&name, &email, &password))
        .await
        .unwrap();
    let Registered::ConfirmationPending(user) = reg else {
        panic!("email confirmation is on: {reg:?}");
    };
    assert_eq!(user.email, email);
    assert!(!user.confirmed);
    let err = c.login_session(&email, &password).await.unwrap_err();
    assert!(err.is_email_not_confirmed(), "{err:?}");
    c.confirm_email(&mail_token(srv, &email, "confirmation="))
        .await
        .unwrap();
    (email, password)
}

/// The "done when": register, confirm, log in, work across access-token expiry
/// (refreshes counted on the wire), change the password (in refresh mode the other
/// sessions end), reset a forgotten one, list sessions, log out.
#[maybe]
async fn whole_story(srv: &'static Strapi, refresh_mode: bool) {
    let proxy = RecordingProxy::start(&srv.url);
    // The client holds an API token: it must never go out on auth routes or user views.
    let c = Client::new(config(&proxy.url, Some(&srv.full_token))).unwrap();
    let (email, password) = confirmed_user(&c, srv, "story").await;

    let rotated = std::sync::Arc::new(std::sync::Mutex::new(Vec::<UserSession>::new()));
    let login = c.login_session(&email, &password).await.unwrap();
    assert_eq!(login.session.is_refreshable(), refresh_mode);
    let r = rotated.clone();
    let me_view = c.as_user_with(&login.session, move |s: &UserSession| {
        r.lock().unwrap().push(s.clone())
    });
    let me = me_view.me().await.unwrap();
    assert_eq!(me.email, email);
    assert!(me.confirmed);

    // Across the access token's expiry: 50 calls at once when it is due.
    if let Some(exp) = login.session.expires_at() {
        if refresh_mode {
            let due = exp - std::time::Duration::from_secs(1);
            if let Ok(wait) = due.duration_since(std::time::SystemTime::now()) {
                std::thread::sleep(wait + std::time::Duration::from_millis(50));
            }
        }
    }
    let before = proxy.count("/api/auth/refresh");
    let results = concurrently(50, LOAD_CONCURRENCY, |_| me_email(&me_view)).await;
    for r in &results {
        assert_eq!(r.as_deref().unwrap(), email);
    }
    let refreshes = proxy.count("/api/auth/refresh") - before;
    assert_eq!(
        refreshes,
        usize::from(refresh_mode),
        "refreshes on the wire"
    );
    assert_eq!(rotated.lock().unwrap().len(), usize::from(refresh_mode));
    let now = me_view.current_session().await.unwrap();
    if refresh_mode {
        assert_ne!(
            now.refresh_token(),
            login.session.refresh_token(),
            "rotated"
        );
        // The old refresh token was good once.
        let err = c
            .as_user(&login.session)
            .refresh_session()
            .await
            .unwrap_err();
        assert!(err.is_session_ended(), "{err:?}");
    }

    // A second session (another device), then the session list as the server has it.
    let other = c.login_session(&email, &password).await.unwrap();
    let other_view = c.as_user(&other.session);
    let listed = me_view.sessions().await;
    if refresh_mode {
        let listed = listed.unwrap();
        assert_eq!(listed.len(), 2, "{listed:?}");
        assert_eq!(listed.iter().filter(|s| s.current).count(), 1);
        assert!(listed[0].current, "the current session comes first");
    } else {
        // No sessions outside refresh mode (and no such route on Strapi 4).
        let err = listed.unwrap_err();
        assert!(err.is_not_found(), "{err:?}");
    }

    // The password change: the view adopts the reissued session; in refresh mode the
    // other session ends.
    let changed = me_view
        .change_password(&password, "Passw0rd-two")
        .await
        .unwrap();
    assert_eq!(changed.user.email, email);
    let again = me_view.me().await.unwrap();
    assert_eq!(again.email, email);
    let err = c.login_session(&email, &password).await.unwrap_err();
    assert!(err.is_invalid_credentials(), "{err:?}");
    assert_eq!(err.auth_failure(), Some(AuthFailure::InvalidCredentials));
    if refresh_mode {
        let err = other_view.refresh_session().await.unwrap_err();
        assert!(err.is_session_ended(), "{err:?}");
        let left = me_view.sessions().await.unwrap();
        assert_eq!(left.len(), 1, "{left:?}");
    } else {
        // A legacy JWT stays valid until it expires.
        let still = other_view.me().await.unwrap();
        assert_eq!(still.email, email);
    }

    // The forgotten password: the mailed code sets a new one and signs in.
    c.forgot_password(&email).await.unwrap();
    let code = mail_token(srv, &email, "code=");
    let reset: SignedIn = c.reset_password(&code, "Passw0rd-three").await.unwrap();
    assert_eq!(reset.user.email, email);
    assert_eq!(reset.session.is_refreshable(), refresh_mode);
    let err = c.reset_password(&code, "Passw0rd-four").await.unwrap_err();
    assert_eq!(
        err.auth_failure(),
        Some(AuthFailure::InvalidCode),
        "{err:?}"
    );
    let last = c.login_session(&email, "Passw0rd-three").await.unwrap();

    // Logging out: revoked on the server in refresh mode, forgotten locally otherwise.
    let view = c.as_user(&last.session);
    let me_now = view.me().await.unwrap();
    assert_eq!(me_now.email, email);
    let revoked = view.logout().await.unwrap();
    assert_eq!(revoked, refresh_mode);
    let sent = proxy.seen().len();
    let err = view.me().await.unwrap_err();
    assert!(err.is_session_ended(), "{err:?}");
    assert_eq!(proxy.seen().len(), sent, "nothing sent after the logout");
    if refresh_mode {
        let err = c
            .as_user(&last.session)
            .refresh_session()
            .await
            .unwrap_err();
        assert!(err.is_session_ended(), "{err:?}");
    }

    // On the wire: the auth routes carried no credential, and the API token only went
    // with the client's own calls (none here).
    for s in proxy.seen() {
        let auth = s.authorization.as_deref().unwrap_or("");
        assert!(
            !auth.contains(&srv.full_token),
            "API token sent: {} {}",
            s.method,
            s.path
        );
        let public = [
            "/api/auth/local",
            "/api/auth/refresh",
            "/api/auth/forgot",
            "/api/auth/reset",
            "/api/auth/email",
        ];
        if public.iter().any(|p| s.path.starts_with(p)) {
            assert!(
                s.authorization.is_none(),
                "{} {} carried {auth}",
                s.method,
                s.path
            );
        }
    }
    let id = me_view.current_session().await.map(|_| ());
    assert!(id.is_some());
    let gone = c
        .users(&StrapiQuery::new().filter(FilterBuilder::new().eq("email", email.as_str())))
        .await
        .unwrap();
    c.delete_user(gone[0].id).await.unwrap();
}

#[maybe]
async fn me_email(c: &Client) -> strapi_kit::Result<String> {
    let me = c.me().await?;
    Ok(me.email)
}

#[maybe]
#[the_test]
async fn a_user_registers_confirms_works_changes_resets_and_logs_out() {
    whole_story(server(), false).await;
}

#[maybe]
#[the_test]
async fn a_user_registers_confirms_works_changes_resets_and_logs_out_in_refresh_mode() {
    // Strapi 4 has no refresh mode: this runs in the v5 module (the v4 copy stops here).
    if !is_v5() {
        return;
    }
    whole_story(refresh_server(), true).await;
}

/// Two users on one client, interleaved at once across refreshes: on the wire, each
/// user's calls carry that user's tokens only.
#[maybe]
#[the_test]
async fn two_users_on_one_client_never_share_credentials() {
    let srv = if is_v5() { refresh_server() } else { server() };
    let proxy = RecordingProxy::start(&srv.url);
    let c = Client::new(config(&proxy.url, Some(&srv.full_token))).unwrap();
    let mut views = Vec::new();
    let mut tokens: Vec<std::sync::Arc<std::sync::Mutex<Vec<String>>>> = Vec::new();
    let mut emails = Vec::new();
    for tag in ["alice", "bob"] {
        let (email, password) = confirmed_user(&c, srv, tag).await;
        let s = c.login_session(&email, &password).await.unwrap();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(vec![
            s.session.jwt().expose().to_owned(),
        ]));
        let t = seen.clone();
        views.push(c.as_user_with(&s.session, move |n: &UserSession| {
            t.lock().unwrap().push(n.jwt().expose().to_owned())
        }));
        tokens.push(seen);
        emails.push(email);
    }
    let start = proxy.count("/api/users/me");
    // Rounds of 20 interleaved calls, past one access-token expiry on v5.
    let rounds = if is_v5() { 3 } else { 1 };
    for round in 0..rounds {
        let got = concurrently(20, LOAD_CONCURRENCY, |i| me_email(&views[i % 2])).await;
        for (i, r) in got.iter().enumerate() {
            assert_eq!(r.as_deref().unwrap(), emails[i % 2], "round {round}");
        }
        if is_v5() && round + 1 < rounds {
            std::thread::sleep(std::time::Duration::from_millis(1500));
        }
    }
    let mut per_user = [0usize; 2];
    for s in proxy
        .seen()
        .iter()
        .filter(|s| s.path.starts_with("/api/users/me"))
        .skip(start)
    {
        let auth = s.authorization.as_deref().unwrap_or("");
        let owner: Vec<usize> = (0..2)
            .filter(|u| {
                tokens[*u]
                    .lock()
                    .unwrap()
                    .iter()
                    .any(|t| auth == format!("Bearer {t}"))
            })
            .collect();
        assert_eq!(
            owner.len(),
            1,
            "a call with a credential of no single user: {auth:.12}"
        );
        per_user[owner[0]] += 1;
    }
    assert_eq!(per_user, [10 * rounds, 10 * rounds]);
    if is_v5() {
        assert!(
            tokens.iter().all(|t| t.lock().unwrap().len() > 1),
            "the sessions were refreshed"
        );
    }
    for email in emails {
        let found = c
            .users(&StrapiQuery::new().filter(FilterBuilder::new().eq("email", email.as_str())))
            .await
            .unwrap();
        c.delete_user(found[0].id).await.unwrap();
    }
}

#[maybe]
#[the_test]
async fn users_and_roles_are_listed_counted_and_changed() {
    let c = client();
    let name = unique("crud");
    let email = format!("{name}@example.com");
    let roles = c.roles().await.unwrap();
    let authenticated = roles
        .iter()
        .find(|r| r.kind.as_deref() == Some("authenticated"))
        .expect("the authenticated role");
    let created = c
        .create_user(&json!({
            "username": name, "email": email, "password": "Passw0rd-x",
            "confirmed": true, "role": authenticated.id,
        }))
        .await
        .unwrap();
    assert_eq!(created.email, email);
    let q = StrapiQuery::new()
        .filter(FilterBuilder::new().eq("email", email.as_str()))
        .populate(["role"]);
    let found = c.users(&q).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].role.as_ref().unwrap().id, authenticated.id);
    let by_email = StrapiQuery::new().filter(FilterBuilder::new().eq("email", email.as_str()));
    let n = c.count_users(&by_email).await.unwrap();
    assert_eq!(n, 1);
    let all = c.count_users(&StrapiQuery::new()).await.unwrap();
    assert!(all >= 2, "{all}");
    let one = c
        .user(created.id, &StrapiQuery::new())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(one.username, name);
    let blocked = c
        .update_user(created.id, &json!({"blocked": true}))
        .await
        .unwrap();
    assert!(blocked.blocked);
    let err = c.login_session(&email, "Passw0rd-x").await.unwrap_err();
    assert_eq!(err.auth_failure(), Some(AuthFailure::Blocked), "{err:?}");
    c.delete_user(created.id).await.unwrap();
    let gone = c.user(created.id, &StrapiQuery::new()).await.unwrap();
    assert!(gone.is_none(), "{gone:?}");

    let role_name = unique("role");
    c.create_role(&json!({"name": role_name, "description": "itest", "permissions": {}}))
        .await
        .unwrap();
    let role = c
        .roles()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == role_name)
        .expect("the new role");
    c.update_role(
        role.id,
        &json!({"name": role_name, "description": "changed", "permissions": {}}),
    )
    .await
    .unwrap();
    let changed = c.role(role.id).await.unwrap();
    assert_eq!(changed.description.as_deref(), Some("changed"));
    c.delete_role(role.id).await.unwrap();
    let left = c.roles().await.unwrap();
    assert!(!left.iter().any(|r| r.id == role.id));
}

#[maybe]
#[the_test]
async fn auth_refusals_are_typed() {
    let c = anon_client();
    let err = c
        .login_session(&server().user_email, "not-the-password")
        .await
        .unwrap_err();
    assert!(err.is_invalid_credentials(), "{err:?}");
    let err = c
        .register(&RegisterInput::new(
            unique("dup"),
            &server().user_email,
            "Passw0rd-x",
        ))
        .await
        .unwrap_err();
    assert_eq!(
        err.auth_failure(),
        Some(AuthFailure::AlreadyTaken),
        "{err:?}"
    );
    let err = c.confirm_email("not-a-token").await.unwrap_err();
    assert_eq!(
        err.auth_failure(),
        Some(AuthFailure::InvalidCode),
        "{err:?}"
    );
    let err = c
        .send_email_confirmation(&server().user_email)
        .await
        .unwrap_err();
    assert_eq!(
        err.auth_failure(),
        Some(AuthFailure::AlreadyConfirmed),
        "{err:?}"
    );
    let err = c
        .provider_callback("github", "access_token=nope")
        .await
        .unwrap_err();
    assert_eq!(
        err.auth_failure(),
        Some(AuthFailure::ProviderDisabled),
        "{err:?}"
    );
    let url = c.connect_url("github").unwrap();
    assert_eq!(url.as_str(), format!("{}/api/connect/github", server().url));
    // The seeded user, typed, through `login` (a view sharing the pool).
    let (view, user) = c
        .login(&server().user_email, &server().user_password)
        .await
        .unwrap();
    assert_eq!(user.email, server().user_email);
    #[derive(serde::Deserialize)]
    struct Mine {
        username: String,
        confirmed: bool,
    }
    let mine: Mine = view.me_as().await.unwrap();
    assert!(mine.confirmed);
    assert!(!mine.username.is_empty());
}

/// Strapi's auth rate limit, met on a server of its own (limit 3) so that it throttles no
/// other test; each flavour uses its own address (the limit counts per email here).
#[maybe]
#[the_test]
async fn the_auth_rate_limit_is_a_typed_error() {
    if !is_v5() {
        return; // one server suffices: the v5 module runs it.
    }
    let srv = strapi::instance(
        strapi_kit::ApiVersion::V5,
        "ratelimit",
        &[("ITEST_UP_RATELIMIT_MAX", "3")],
    );
    let c = Client::new(config(&srv.url, None)).unwrap();
    let email = format!("{}@example.com", unique("limited"));
    for _ in 0..3 {
        c.forgot_password(&email).await.unwrap();
    }
    let err = c.forgot_password(&email).await.unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");
    assert_eq!(err.auth_failure(), Some(AuthFailure::RateLimited));
}
