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
