//! The generated types (`crate::cms`) without a server: fallbacks for what a newer schema
//! sends, relation shapes, input JSON; and the generated code compiled on its own, in a
//! scratch crate, with `-D warnings`.

use serde_json::json;
use strapi_kit::typed::{Kind, Related, StrapiType};

use crate::cms;

fn specimen(extra: serde_json::Value) -> serde_json::Value {
    let mut base = json!({"id": 1, "label": "x", "count": 1});
    if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    base
}

#[test]
fn unknown_enum_values_and_components_are_kept() {
    let s: cms::Specimen = serde_json::from_value(specimen(json!({
        "mood": "ecstatic",
        "sections": [
            {"__component": "codegen.card", "id": 3, "title": "t", "tone": "neon"},
            {"__component": "shared.quote", "id": 4, "text": "new"},
            {"__component": "transfer.link", "id": 5, "label": "l"}
        ]
    })))
    .unwrap();
    assert_eq!(s.mood, Some(cms::SpecimenMood::Unknown("ecstatic".into())));
    let sections = s.sections.unwrap();
    match &sections[0] {
        cms::SpecimenSections::CodegenCard(card) => {
            assert_eq!(
                card.tone,
                Some(cms::CodegenCardTone::Unknown("neon".into()))
            );
            assert_eq!(card.id, Some(3));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        sections[1],
        cms::SpecimenSections::Unknown(
            json!({"__component": "shared.quote", "id": 4, "text": "new"})
        )
    );
    assert!(matches!(
        sections[2],
        cms::SpecimenSections::TransferLink(_)
    ));
    // Known values keep their wire names both ways.
    assert_eq!(
        serde_json::to_value(cms::SpecimenMood::SecondPlace).unwrap(),
        json!("Second place")
    );
    assert_eq!(
        serde_json::to_value(cms::SpecimenMood::Unknown("z".into())).unwrap(),
        json!("z")
    );
    let m: cms::SpecimenMood = serde_json::from_value(json!("so-so")).unwrap();
    assert_eq!(m, cms::SpecimenMood::SoSo);
}

#[test]
fn a_known_component_that_does_not_decode_is_an_error_naming_it() {
    let err = serde_json::from_value::<cms::Specimen>(specimen(json!({
        "sections": [{"__component": "codegen.card", "id": 3}]
    })))
    .unwrap_err();
    assert!(err.to_string().contains("title"), "{err}");
    // A required field missing is an error too; an optional one is `None`.
    let err = serde_json::from_value::<cms::Specimen>(json!({"id": 1, "count": 1})).unwrap_err();
    assert!(err.to_string().contains("label"), "{err}");
    let s: cms::Specimen = serde_json::from_value(specimen(json!({"summary": null}))).unwrap();
    assert_eq!((s.summary, s.lead, s.files), (None, None, None));
}

#[test]
fn relations_decode_populated_or_not() {
    let a: cms::Article = serde_json::from_value(json!({
        "id": 1, "documentId": "d1", "title": "t",
        "author": 7,
        "categories": ["c1", {"id": 2, "documentId": "c2", "name": "Rust"}]
    }))
    .unwrap();
    assert_eq!(a.author, Some(Related::Id(7)));
    let cats = a.categories.unwrap();
    assert_eq!(cats[0], Related::DocumentId("c1".into()));
    assert_eq!(
        cats[1].entry().and_then(|c| c.name.as_deref()),
        Some("Rust")
    );
    // A Strapi 4 body decoded by hand: the envelope of a relation is unwrapped.
    let a: cms::Article = serde_json::from_value(json!({
        "id": 1, "title": "t",
        "author": {"data": {"id": 7, "attributes": {"name": "Ada"}}}
    }))
    .unwrap();
    assert_eq!(
        a.author
            .and_then(Related::into_entry)
            .and_then(|au| au.name),
        Some("Ada".into())
    );
}

#[test]
fn inputs_send_only_what_is_set_and_zones_with_their_component() {
    let input = cms::SpecimenInput {
        label: Some("x".into()),
        mood: Some(cms::SpecimenMood::SoSo),
        sections: Some(vec![cms::SpecimenSectionsInput::TransferLink(
            cms::TransferLinkInput {
                label: Some("l".into()),
                url: None,
            },
        )]),
        seo: Some(cms::SharedSeoInput {
            meta_title: Some("m".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&input).unwrap(),
        json!({"label": "x", "mood": "so-so", "seo": {"metaTitle": "m"},
               "sections": [{"__component": "transfer.link", "label": "l"}]})
    );
    assert_eq!(
        serde_json::to_value(cms::ArticleInput::default()).unwrap(),
        json!({})
    );
}

#[test]
fn generated_types_carry_their_names() {
    assert_eq!(cms::Article::UID, "api::article.article");
    assert_eq!(cms::Article::route(), "articles");
    assert_eq!(cms::Article::KIND, Kind::Collection);
    assert_eq!(cms::Category::PLURAL_NAME, "categories");
    assert_eq!(cms::Homepage::route(), "homepage");
    assert_eq!(cms::Library::KIND, Kind::Single);
}

/// The code generated from both saved schemas, in a crate of its own that depends on
/// strapi-kit (both flavours, no `codegen` feature) and calls the typed handles, checked
/// with `RUSTFLAGS=-D warnings`. One build, in a target dir kept under this one.
#[cfg(feature = "codegen")]
#[test]
fn the_generated_code_compiles_on_its_own_without_warnings() {
    use std::path::PathBuf;
    use strapi_kit::codegen::{self, CodegenOptions, Schema};

    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("codegen-scratch");
    std::fs::create_dir_all(root.join("src")).unwrap();
    for v in ["v5", "v4"] {
        let schema =
            Schema::load(manifest.join(format!("tests/it/data/codegen/builder-{v}.json"))).unwrap();
        let code = codegen::generate(&schema, &CodegenOptions::new()).unwrap();
        std::fs::write(root.join(format!("src/{v}.rs")), code).unwrap();
    }
    let toml = format!(
        r#"[package]
name = "codegen-scratch"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
strapi-kit = {{ path = {path:?}, default-features = false, features = ["sync", "async", "rustls"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"

[workspace]
"#,
        path = manifest.display().to_string()
    );
    std::fs::write(root.join("Cargo.toml"), toml).unwrap();
    // The same versions as this crate's build.
    std::fs::copy(manifest.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    std::fs::write(
        root.join("src/lib.rs"),
        r#"//! Generated code, compiled on its own.
pub mod calls;
pub mod v4;
pub mod v5;
"#,
    )
    .unwrap();
    std::fs::write(
        root.join("src/calls.rs"),
        r#"//! The typed handles over the generated types, in both flavours.
use strapi_kit::{AsyncClient, Result, StrapiQuery, SyncClient};

use crate::v5::{Article, ArticleInput, Homepage, HomepageInput, Specimen, SpecimenMood};

/// Blocking.
pub fn blocking(c: &SyncClient) -> Result<usize> {
    let articles = c.collection::<Article>();
    let created = articles.create(&ArticleInput {
        title: Some("t".into()),
        ..Default::default()
    })?;
    let id = created.data.document_id.unwrap_or(created.data.id.to_string());
    articles.update(id.as_str(), &ArticleInput::default())?;
    let page = articles.find(&StrapiQuery::new())?;
    let mut n = page.data.len();
    for a in articles.all(&StrapiQuery::new())? {
        n += a?.title.len();
    }
    articles.delete(id.as_str())?;
    let home = c.single::<Homepage>();
    home.update(&HomepageInput::default())?;
    let _: Option<String> = home.get()?.data.title;
    let s: Vec<Specimen> = c.collection::<Specimen>().find_all(&StrapiQuery::new())?;
    Ok(n + s.iter().filter(|s| s.mood == Some(SpecimenMood::SoSo)).count())
}

/// Async.
pub async fn nonblocking(c: &AsyncClient) -> Result<usize> {
    let articles = c.collection::<crate::v4::Article>();
    let page = articles.get_with("1", &StrapiQuery::new()).await?;
    let mut all = articles.all(&StrapiQuery::new())?;
    let mut n = page.data.title.len();
    while let Some(a) = all.next().await {
        n += a?.id as usize;
    }
    c.single::<crate::v4::Homepage>().delete().await?;
    Ok(n)
}
"#,
    )
    .unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["check", "--quiet", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "the generated code does not compile cleanly:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
