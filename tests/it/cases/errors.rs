//! Error mapping from the real servers' error bodies.

use super::*;

#[maybe]
#[the_test]
async fn validation_error_has_field_details() {
    let c = client();
    let err = c
        .create::<Value, _>("articles", &json!({"views": 1}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert_eq!(err.status(), Some(400));
    let fields = err.field_errors();
    assert!(fields.iter().any(|f| f.path == "title"), "{fields:?}");
    let api = err.api_error().unwrap();
    assert_eq!(api.name.as_deref(), Some("ValidationError"));

    let too_long = "x".repeat(200);
    let err = c
        .create::<Value, _>("articles", &json!({"title": too_long}))
        .await
        .unwrap_err();
    assert!(err.is_validation());
    assert!(
        err.field_errors()
            .iter()
            .any(|f| f.path == "title" && f.message.contains("120")),
        "{:?}",
        err.field_errors()
    );
}

#[maybe]
#[the_test]
async fn bad_token_is_authentication_error() {
    let c = Client::new(config(&server().url, Some("not-a-valid-token"))).unwrap();
    let err = c
        .get_many::<Value>("articles", &StrapiQuery::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Authentication(_)), "{err:?}");
    assert!(!err.to_string().contains("not-a-valid-token"));
    assert!(!format!("{err:?}").contains("not-a-valid-token"));
}

#[maybe]
#[the_test]
async fn forbidden_is_authorization_error() {
    let err = read_client()
        .create::<Value, _>("articles", &json!({"title": unique("nope")}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Authorization(_)), "{err:?}");
    let err = anon_client()
        .get_many::<Value>("authors", &StrapiQuery::new())
        .await
        .unwrap_err();
    assert!(err.is_authorization(), "{err:?}");
    // The public role may list articles.
    anon_client()
        .get_many::<Value>("articles", &StrapiQuery::new().paginate(1, 1))
        .await
        .unwrap();
}

#[maybe]
#[the_test]
async fn unknown_entry_and_route_are_not_found() {
    let c = client();
    let id = if is_v5() {
        "doesnotexist000000000000"
    } else {
        "999999999"
    };
    let err = c
        .get_one::<Value>("articles", id, &StrapiQuery::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    let err = c
        .get_many::<Value>("nothing-here", &StrapiQuery::new())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[maybe]
#[the_test]
async fn json_body_over_limit_is_payload_too_large() {
    let c = client();
    let big = "y".repeat(1_500_000);
    let err = c
        .create::<Value, _>("articles", &json!({"title": "big", "content": big}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PayloadTooLarge(_)), "{err:?}");
}

#[maybe]
#[the_test]
async fn unknown_query_parameter() {
    let c = client();
    let q = StrapiQuery::new().param("foo", "bar");
    let got = c.get_many::<Value>("articles", &q).await;
    if is_v5() {
        // strictParams: 400 naming the key.
        let err = got.unwrap_err();
        assert!(err.is_validation(), "{err:?}");
        assert!(err.to_string().contains("foo"), "{err}");
    } else {
        got.expect("v4 ignores unknown parameters");
    }
}

#[maybe]
#[the_test]
async fn invalid_filter_key_is_validation_error() {
    let c = client();
    let q = StrapiQuery::new().filter(FilterBuilder::new().eq("nope", 1));
    let err = c.get_many::<Value>("articles", &q).await.unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    assert!(err.to_string().contains("nope"), "{err}");
}

#[maybe]
#[the_test]
async fn unknown_attribute_on_create() {
    let c = client();
    let got = c
        .create::<Value, _>("articles", &json!({"title": unique("attr"), "nope": 1}))
        .await;
    if is_v5() {
        let err = got.unwrap_err();
        assert!(err.is_validation(), "{err:?}");
    } else {
        // Strapi 4 drops unknown attributes silently.
        let created = got.unwrap();
        assert!(created.data.get("nope").is_none());
    }
}

#[maybe]
#[the_test]
async fn bad_input_is_refused_before_sending() {
    let c = client();
    let bad_collection = c
        .get_many::<Value>("articles/../admin", &StrapiQuery::new())
        .await
        .unwrap_err();
    assert!(matches!(bad_collection, Error::InvalidInput(_)));
    let bad_query = c
        .get_many::<Value>("articles", &StrapiQuery::new().paginate(1, 10).offset(0, 5))
        .await
        .unwrap_err();
    assert!(matches!(bad_query, Error::InvalidInput(_)));
}
