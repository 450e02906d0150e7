//! TLS and proxies against local endpoints: a throwaway CA made in the test, an HTTPS
//! server (tokio-rustls), a forward proxy that checks credentials. Every TLS case runs with
//! each TLS backend built in.

use super::*;
use crate::support::mock::{Mock, Reply};
use crate::support::tls::{AuthProxy, Ca, TlsServer};
use strapi_kit::TlsBackend;

const LIST: &str =
    r#"{"data":[],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":0,"total":0}}}"#;

fn backends() -> Vec<TlsBackend> {
    [
        cfg!(feature = "rustls").then_some(TlsBackend::Rustls),
        cfg!(feature = "native-tls").then_some(TlsBackend::NativeTls),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn builder(url: &str, backend: TlsBackend) -> strapi_kit::StrapiConfigBuilder {
    StrapiConfig::builder(url)
        .api_token("secret-token-value")
        .retry(fast_retries())
        .tls_backend(backend)
}

#[maybe]
#[the_test]
async fn a_private_ca_is_trusted_when_given_and_refused_otherwise() {
    let ca = Ca::new("right");
    let server = TlsServer::start(&ca.leaf("server"), None, LIST);
    let other = Ca::new("wrong");
    for backend in backends() {
        let c = Client::new(
            builder(&server.url, backend)
                .root_certificates_pem(ca.pem())
                .build()
                .unwrap(),
        )
        .unwrap();
        let list = c.get_many::<Value>("articles", &StrapiQuery::new()).await;
        assert!(list.is_ok(), "{backend:?}: {:?}", list.err());
        let only = Client::new(
            builder(&server.url, backend)
                .root_certificates_pem(ca.pem())
                .only_custom_roots(true)
                .build()
                .unwrap(),
        )
        .unwrap();
        let list = only
            .get_many::<Value>("articles", &StrapiQuery::new())
            .await;
        assert!(
            list.is_ok(),
            "{backend:?} only custom roots: {:?}",
            list.err()
        );

        for cfg in [
            builder(&server.url, backend)
                .root_certificates_pem(other.pem())
                .build()
                .unwrap(),
            builder(&server.url, backend).build().unwrap(),
        ] {
            let before = server.connections.load(std::sync::atomic::Ordering::SeqCst);
            let c = Client::new(cfg).unwrap();
            let res = c.get_many::<Value>("articles", &StrapiQuery::new()).await;
            let err = res.unwrap_err();
            assert!(err.is_tls(), "{backend:?}: {err:?}");
            assert!(!err.is_retryable(), "{err}");
            let text = err.to_string();
            assert!(
                text.starts_with("TLS handshake failed: GET https://127.0.0.1:"),
                "{text}"
            );
            assert!(
                text.to_ascii_lowercase().contains("certificate"),
                "{backend:?}: {text}"
            );
            let after = server.connections.load(std::sync::atomic::Ordering::SeqCst);
            assert_eq!(after - before, 1, "a TLS failure is not retried");
        }
    }
}

#[maybe]
#[the_test]
async fn mutual_tls_presents_the_client_identity() {
    let ca = Ca::new("mtls");
    let server = TlsServer::start(&ca.leaf("server"), Some(&ca), LIST);
    let me = ca.leaf("client");
    for backend in backends() {
        let before = server
            .with_client_cert
            .load(std::sync::atomic::Ordering::SeqCst);
        let c = Client::new(
            builder(&server.url, backend)
                .root_certificates_pem(ca.pem())
                .client_identity_pem(&me.cert_pem, &me.key_pem)
                .build()
                .unwrap(),
        )
        .unwrap();
        let list = c.get_many::<Value>("articles", &StrapiQuery::new()).await;
        assert!(list.is_ok(), "{backend:?}: {:?}", list.err());
        let after = server
            .with_client_cert
            .load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(
            after - before,
            1,
            "{backend:?}: the server saw the certificate"
        );
        assert!(!format!("{:?}", c.config()).contains("PRIVATE KEY"));

        let anonymous = Client::new(
            builder(&server.url, backend)
                .root_certificates_pem(ca.pem())
                .build()
                .unwrap(),
        )
        .unwrap();
        let res = anonymous
            .get_many::<Value>("articles", &StrapiQuery::new())
            .await;
        assert!(res.is_err(), "{backend:?}: no certificate, no answer");
    }
}

#[maybe]
#[the_test]
async fn bad_tls_and_proxy_settings_fail_at_build() {
    let bad = |b: strapi_kit::StrapiConfigBuilder| match b.build() {
        Err(Error::Config(m)) => m,
        other => panic!("{other:?}"),
    };
    let b = || StrapiConfig::builder("https://cms.example").api_token("t");
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    {
        assert!(bad(b().root_certificates_pem("not a pem")).contains("no certificate"));
        assert!(bad(b().only_custom_roots(true)).contains("no root certificate"));
        let ca = Ca::new("build");
        let leaf = ca.leaf("c");
        let m = bad(b().client_identity_pem(
            &leaf.cert_pem,
            "-----BEGIN RSA PRIVATE KEY-----\nsecretbytes",
        ));
        assert!(m.contains("PKCS#8") && !m.contains("secretbytes"), "{m}");
    }
    // Without a TLS backend, TLS settings are refused as such.
    #[cfg(not(any(feature = "rustls", feature = "native-tls")))]
    {
        let m = bad(b().root_certificates_pem("not a pem"));
        assert!(m.contains("no TLS backend is built in"), "{m}");
        let m = bad(b().only_custom_roots(true));
        assert!(m.contains("no TLS backend is built in"), "{m}");
    }
    assert!(bad(b().proxy_credentials("u", "p")).contains("proxy URL"));
    assert!(bad(b().proxy("ftp://proxy:21")).contains("http, https or socks5"));
    let m = bad(b().proxy("http://u:hunter2@proxy:3128"));
    assert!(
        m.contains("proxy_credentials") && !m.contains("hunter2"),
        "{m}"
    );
    let ok = b()
        .proxy("http://proxy:3128")
        .proxy_credentials("u", "hunter2")
        .build()
        .unwrap();
    assert!(!format!("{ok:?}").contains("hunter2"));
    #[cfg(not(feature = "native-tls"))]
    assert!(bad(b().tls_backend(TlsBackend::NativeTls)).contains("not built in"));
}

#[maybe]
#[the_test]
async fn an_explicit_proxy_with_credentials_carries_http_and_tunnels_https() {
    let mock = Mock::always(Reply::json(200, LIST));
    let proxy = AuthProxy::start("svc", "s3cret:pass");
    let via = |user: &str, pass: &str| {
        Client::new(
            StrapiConfig::builder(&mock.url)
                .api_token("t")
                .retry(strapi_kit::RetryPolicy::none())
                .proxy(proxy.url.as_str())
                .proxy_credentials(user, pass)
                .build()
                .unwrap(),
        )
        .unwrap()
    };
    let ok = via("svc", "s3cret:pass")
        .get_many::<Value>("articles", &StrapiQuery::new())
        .await;
    assert!(ok.is_ok(), "{:?}", ok.err());
    assert_eq!(mock.hits(), 1);
    assert_eq!(proxy.passed.load(std::sync::atomic::Ordering::SeqCst), 1);

    let refused = via("svc", "wrong")
        .get_many::<Value>("articles", &StrapiQuery::new())
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(407), "{refused:?}");
    assert!(!refused.to_string().contains("wrong"), "{refused}");
    assert_eq!(mock.hits(), 1, "a refused request never reached the server");

    // A host on the no-proxy list goes directly.
    let direct = Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("t")
            .proxy(proxy.url.as_str())
            .proxy_credentials("svc", "wrong")
            .no_proxy("localhost,127.0.0.1")
            .build()
            .unwrap(),
    )
    .unwrap();
    let res = direct
        .get_many::<Value>("articles", &StrapiQuery::new())
        .await;
    assert!(res.is_ok(), "{:?}", res.err());
    assert_eq!(mock.hits(), 2);

    // HTTPS through the proxy: a CONNECT tunnel, TLS end to end with the private CA.
    let ca = Ca::new("tunnel");
    let server = TlsServer::start(&ca.leaf("server"), None, LIST);
    for backend in backends() {
        let before = proxy.passed.load(std::sync::atomic::Ordering::SeqCst);
        let c = Client::new(
            builder(&server.url, backend)
                .root_certificates_pem(ca.pem())
                .proxy(proxy.url.as_str())
                .proxy_credentials("svc", "s3cret:pass")
                .build()
                .unwrap(),
        )
        .unwrap();
        let res = c.get_many::<Value>("articles", &StrapiQuery::new()).await;
        assert!(res.is_ok(), "{backend:?}: {:?}", res.err());
        let after = proxy.passed.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(after - before, 1, "{backend:?}: tunnelled");
    }
}
