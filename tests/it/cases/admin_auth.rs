//! Admin credentials on the mock: nothing is sent for an admin-only call without them, a
//! login happens once for many calls, and an expired session is logged in again once.

use super::mock::{Mock, Reply};
use super::*;

const FOLDERS: &str = r#"{"data":[{"id":3,"name":"gallery","pathId":1,"path":"/1"}]}"#;

#[maybe]
#[the_test]
async fn admin_only_calls_send_nothing_without_admin_credentials() {
    let mock = Mock::always(Reply::json(200, FOLDERS));
    let c = Client::new(config(&mock.url, Some("api-token"))).unwrap();
    let err = c.list_folders().await.unwrap_err();
    assert!(err.is_admin_required(), "{err:?}");
    let err = c
        .upload_bytes(
            b"x".to_vec(),
            "x.txt",
            &UploadOptions::new().folder_path("/gallery/2026"),
        )
        .await
        .unwrap_err();
    assert!(err.is_admin_required(), "{err:?}");
    let err = c
        .upload_bytes(b"x".to_vec(), "x.txt", &UploadOptions::new().folder(3))
        .await
        .unwrap_err();
    assert!(err.is_admin_required(), "{err:?}");
    assert_eq!(mock.hits(), 0);
}

fn admin_client(mock: &Mock) -> Client {
    Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("api-token")
            .admin_login("admin@example.com", "pw-secret-value")
            .retry(strapi_kit::RetryPolicy::none())
            .build()
            .unwrap(),
    )
    .unwrap()
}

#[maybe]
#[the_test]
async fn an_admin_login_serves_many_calls_and_is_renewed_once_when_refused() {
    // Logins hand out "jwt-1", "jwt-2", …; the folder route refuses "jwt-1" once.
    let logins = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let l = logins.clone();
    let mock = Mock::start(move |r, _| {
        if r.target.starts_with("/admin/login") {
            let n = l.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            return Reply::json(200, &format!(r#"{{"data":{{"token":"jwt-{n}"}}}}"#));
        }
        match (r.target.as_str(), r.header("authorization")) {
            // The first session "expires" on this route.
            ("/upload/folders/3", Some("Bearer jwt-1")) => Reply::json(401, "{}"),
            ("/upload/folders/3", Some(_)) => Reply::json(200, r#"{"data":{"id":3}}"#),
            (_, Some(a)) if a.starts_with("Bearer jwt-") => Reply::json(200, FOLDERS),
            _ => Reply::json(401, "{}"),
        }
    });
    let c = admin_client(&mock);
    for _ in 0..3 {
        let f = c.list_folders().await.unwrap();
        assert_eq!(f[0].path, "/gallery");
    }
    assert_eq!(logins.load(std::sync::atomic::Ordering::SeqCst), 1);
    // The API token goes to content routes, the admin JWT only to admin ones.
    let reqs = mock.requests();
    let login = reqs
        .iter()
        .find(|r| r.target.starts_with("/admin/login"))
        .unwrap();
    assert_eq!(
        login.header("authorization"),
        None,
        "no credential to the login"
    );
    assert!(
        reqs.iter()
            .filter(|r| r.target.starts_with("/upload"))
            .all(|r| r.header("authorization") == Some("Bearer jwt-1"))
    );
    // An expired session: one new login, and the call goes through.
    let f = c.get_folder(3).await.unwrap();
    assert_eq!(f.name, "gallery");
    assert_eq!(logins.load(std::sync::atomic::Ordering::SeqCst), 2);
    let debug = format!("{:?}", c.config());
    assert!(!debug.contains("pw-secret-value"), "{debug}");
}
