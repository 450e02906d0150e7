//! The generated types (`tests/it/data/codegen/cms_v5.rs`, compiled into this binary as
//! `crate::cms`) against the real servers: the live schema generates exactly that code,
//! and every entry of every type decodes with deep populate, through the typed handles.

use super::*;
use crate::cms;
use strapi_kit::schema::{AttributeType, Component, ContentType};
use strapi_kit::typed::{CollectionType, Related, SingleType, StrapiType};

/// The server's id of an entry as relation fields take it: a documentId (v5), an id (v4).
fn rel_key(document_id: &Option<String>, id: u64) -> Value {
    match document_id {
        Some(d) if is_v5() => json!(d),
        _ => json!(id),
    }
}

/// A populate two levels deep for these attributes: every relation with its target's own
/// relations, media and components (`*`), media, components with theirs, and every
/// component of a dynamic zone with theirs.
fn deep(
    attributes: &std::collections::BTreeMap<String, strapi_kit::Attribute>,
    components: &[Component],
) -> Populate {
    let mut p = Populate::new();
    for (name, a) in attributes {
        let nested = |uid: &str| {
            components
                .iter()
                .find(|c| c.uid == uid)
                .map(|c| deep(&c.attributes, components))
                .unwrap_or_default()
        };
        p = match a.kind {
            AttributeType::Media => p.field(name),
            AttributeType::Relation => {
                p.field_with(name, PopulateField::new().populate(Populate::all()))
            }
            AttributeType::Component => p.field_with(
                name,
                PopulateField::new().populate(nested(a.component.as_deref().unwrap_or(""))),
            ),
            AttributeType::DynamicZone => {
                let zone = a.components.iter().fold(PopulateField::new(), |f, uid| {
                    f.on(uid, PopulateField::new().populate(nested(uid)))
                });
                p.field_with(name, zone)
            }
            _ => p,
        };
    }
    p
}

/// Every entry of `T` with deep populate, through the typed handle; also checks that as
/// many come back as untyped. Returns them.
#[maybe]
async fn all_of<T: CollectionType>(
    c: &Client,
    types: &[ContentType],
    components: &[Component],
) -> Vec<T> {
    let ct = types
        .iter()
        .find(|t| t.uid == T::UID)
        .expect("type in schema");
    let q = StrapiQuery::new().populate_with(deep(&ct.attributes, components));
    let typed: Vec<T> = c
        .collection::<T>()
        .find_all(&q)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", T::UID));
    let untyped: Vec<Value> = c.get_all(T::route(), &q).await.unwrap();
    // Others may write meanwhile: the typed walk ran first, so it saw at most as many.
    assert!(
        !untyped.is_empty() || typed.is_empty(),
        "{}: {} typed, {} untyped",
        T::UID,
        typed.len(),
        untyped.len()
    );
    typed
}

/// The single type `T` with deep populate (`None` while it has no content).
#[maybe]
async fn single_of<T: SingleType>(
    c: &Client,
    types: &[ContentType],
    components: &[Component],
) -> Option<T> {
    let ct = types
        .iter()
        .find(|t| t.uid == T::UID)
        .expect("type in schema");
    let q = StrapiQuery::new().populate_with(deep(&ct.attributes, components));
    match c.single::<T>().get_with(&q).await {
        Ok(got) => Some(got.data),
        Err(Error::NotFound(_)) => None,
        Err(e) => panic!("{}: {e}", T::UID),
    }
}

#[cfg(feature = "codegen")]
#[maybe]
#[the_test]
async fn the_live_schema_generates_the_committed_code() {
    use strapi_kit::codegen::{self, CodegenOptions, Schema};
    let schema = client().codegen_schema().await.unwrap();
    assert_eq!(schema.version, Some(server().version));
    let code = codegen::generate(&schema, &CodegenOptions::new()).unwrap();
    // The same fixture schema on both versions generates the same code (a unit test
    // checks the v4 snapshot equals the v5 one).
    assert!(
        code == include_str!("../data/codegen/cms_v5.rs"),
        "the server's schema no longer generates tests/it/data/codegen/cms_v5.rs: update \
         the builder-*.json fixtures and the snapshots (UPDATE_SNAPSHOTS=1)"
    );
    let dir = TempDir::new("codegen");
    let path = dir.path().join("schema.json");
    schema.save(&path).unwrap();
    let loaded = Schema::load(&path).unwrap();
    assert_eq!(loaded, schema);
    assert_eq!(
        codegen::generate(&loaded, &CodegenOptions::new()).unwrap(),
        code
    );
}

#[maybe]
#[the_test]
async fn every_entry_of_every_type_decodes_with_deep_populate() {
    let c = client();
    let tag = unique("cg");
    // A specimen with every attribute kind set, and entries for its relations.
    let author = c
        .collection::<cms::Author>()
        .create(&cms::AuthorInput {
            name: Some(format!("{tag} author")),
            ..Default::default()
        })
        .await
        .unwrap()
        .data;
    let article = c
        .collection::<cms::Article>()
        .create(&cms::ArticleInput {
            title: Some(format!("{tag} article")),
            author: Some(rel_key(&author.document_id, author.id)),
            ..Default::default()
        })
        .await
        .unwrap()
        .data;
    let category = c
        .collection::<cms::Category>()
        .create(&cms::CategoryInput {
            name: Some(format!("{tag} cat")),
            ..Default::default()
        })
        .await
        .unwrap()
        .data;
    let shelf = c
        .collection::<cms::Shelf>()
        .create(&cms::ShelfInput {
            name: Some(format!("{tag} shelf")),
            ..Default::default()
        })
        .await
        .unwrap()
        .data;
    let file = c
        .upload_bytes(png(4, 4), "codegen.png", &UploadOptions::new())
        .await
        .unwrap();
    let input = cms::SpecimenInput {
        label: Some(tag.clone()),
        summary: Some("short".into()),
        body: Some("# Rich".into()),
        story: Some(json!([{"type": "paragraph", "children": [{"type": "text", "text": "hi"}]}])),
        contact: Some("a@example.com".into()),
        secret: Some("not-returned".into()),
        handle: Some(slug(&tag)),
        count: Some(3),
        big: Some("9007199254740993".into()),
        ratio: Some(0.5),
        price: Some(12.25),
        active: Some(true),
        day: Some("2026-12-03".into()),
        clock: Some("10:11:12.000".into()),
        stamp: Some("2026-12-03T10:11:12.000Z".into()),
        meta: Some(json!({"a": [1, 2]})),
        mood: Some(cms::SpecimenMood::SoSo),
        cover: Some(file.id),
        files: Some(vec![file.id]),
        lead: Some(rel_key(&author.document_id, author.id)),
        reads: Some(json!([rel_key(&article.document_id, article.id)])),
        topic: Some(rel_key(&category.document_id, category.id)),
        shelves: Some(json!([rel_key(&shelf.document_id, shelf.id)])),
        seo: Some(cms::SharedSeoInput {
            meta_title: Some("seo".into()),
            ..Default::default()
        }),
        links: Some(vec![cms::TransferLinkInput {
            label: Some("l".into()),
            url: Some("https://example.com".into()),
        }]),
        sections: Some(vec![
            cms::SpecimenSectionsInput::CodegenCard(cms::CodegenCardInput {
                title: Some("card".into()),
                image: Some(file.id),
                tone: Some(cms::CodegenCardTone::Dark),
                author: Some(rel_key(&author.document_id, author.id)),
            }),
            cms::SpecimenSectionsInput::TransferLink(cms::TransferLinkInput {
                label: Some("x".into()),
                url: None,
            }),
        ]),
    };
    let specimens = c.collection::<cms::Specimen>();
    let created = specimens.create(&input).await.unwrap().data;
    assert_eq!(created.label, tag);
    assert_eq!(created.mood, Some(cms::SpecimenMood::SoSo));
    // Not populated: absent, so `None`.
    assert_eq!(created.lead, None);
    assert_eq!(created.sections, None);

    let schema_types = c.content_types().await.unwrap();
    let components = c.components().await.unwrap();
    let (t, k) = (&schema_types, &components);
    let mut checked = Vec::new();
    let all: Vec<cms::Specimen> = all_of(&c, t, k).await;
    checked.push(cms::Specimen::UID);
    let mine = all
        .iter()
        .find(|s| s.label == tag)
        .expect("seeded specimen");
    assert_eq!(mine.count, 3);
    // A string on the wire (SQLite keeps it as a double: the last digit is lost).
    assert!(
        mine.big
            .as_deref()
            .is_some_and(|b| b.starts_with("900719925474099"))
    );
    assert_eq!(
        (mine.ratio, mine.price, mine.active),
        (Some(0.5), Some(12.25), Some(true))
    );
    assert_eq!(mine.day.as_deref(), Some("2026-12-03"));
    assert!(
        mine.clock
            .as_deref()
            .is_some_and(|t| t.starts_with("10:11:12"))
    );
    assert_eq!(mine.meta, Some(json!({"a": [1, 2]})));
    assert_eq!(
        mine.story.as_ref().map(|s| s[0]["type"].clone()),
        Some(json!("paragraph"))
    );
    assert_eq!(mine.cover.as_ref().map(|f| f.id), Some(file.id));
    assert_eq!(mine.files.as_ref().map(Vec::len), Some(1));
    let lead = mine
        .lead
        .as_ref()
        .and_then(Related::entry)
        .expect("lead populated");
    assert_eq!(lead.name, Some(format!("{tag} author")));
    let reads = mine.reads.as_ref().expect("reads populated");
    let read = reads[0].entry().expect("an article");
    assert_eq!(read.title, format!("{tag} article"));
    // Two levels: the article's own author came with it.
    assert_eq!(
        read.author.as_ref().and_then(Related::entry).map(|a| a.id),
        Some(author.id)
    );
    assert_eq!(
        mine.topic.as_ref().and_then(Related::entry).map(|t| t.id),
        Some(category.id)
    );
    assert_eq!(mine.shelves.as_ref().map(Vec::len), Some(1));
    assert_eq!(
        mine.seo.as_ref().and_then(|s| s.meta_title.as_deref()),
        Some("seo")
    );
    assert_eq!(
        mine.links.as_ref().map(|l| l[0].label.clone()),
        Some(Some("l".into()))
    );
    match mine.sections.as_deref() {
        Some(
            [
                cms::SpecimenSections::CodegenCard(card),
                cms::SpecimenSections::TransferLink(link),
            ],
        ) => {
            assert_eq!(card.title, "card");
            assert_eq!(card.tone, Some(cms::CodegenCardTone::Dark));
            assert_eq!(card.image.as_ref().map(|f| f.id), Some(file.id));
            assert_eq!(
                card.author.as_ref().and_then(Related::entry).map(|a| a.id),
                Some(author.id)
            );
            assert_eq!(link.label.as_deref(), Some("x"));
        }
        other => panic!("sections: {other:?}"),
    }

    // Every other type: every entry decodes (whatever other tests stored meanwhile).
    let _: Vec<cms::Article> = all_of(&c, t, k).await;
    checked.push(cms::Article::UID);
    let authors: Vec<cms::Author> = all_of(&c, t, k).await;
    checked.push(cms::Author::UID);
    let mine = authors.iter().find(|a| a.id == author.id).expect("author");
    let articles = mine.articles.as_ref().expect("articles populated");
    assert!(
        articles
            .iter()
            .any(|a| a.entry().is_some_and(|a| a.id == article.id))
    );
    let _: Vec<cms::Book> = all_of(&c, t, k).await;
    checked.push(cms::Book::UID);
    let _: Vec<cms::Category> = all_of(&c, t, k).await;
    checked.push(cms::Category::UID);
    let _: Vec<cms::Shelf> = all_of(&c, t, k).await;
    checked.push(cms::Shelf::UID);
    let _: Option<cms::Homepage> = single_of(&c, t, k).await;
    checked.push(cms::Homepage::UID);
    let _: Option<cms::Library> = single_of(&c, t, k).await;
    checked.push(cms::Library::UID);
    let _: Option<cms::Showcase> = single_of(&c, t, k).await;
    checked.push(cms::Showcase::UID);
    checked.sort();
    let mut api: Vec<&str> = schema_types
        .iter()
        .filter(|t| t.is_api())
        .map(|t| t.uid.as_str())
        .collect();
    api.sort();
    assert_eq!(checked, api, "every API type is checked");

    // The handle's other calls, typed.
    let key = created
        .document_id
        .clone()
        .unwrap_or(created.id.to_string());
    let got = specimens.get(key.as_str()).await.unwrap().data;
    assert_eq!(got.id, created.id);
    let patched = specimens
        .update(
            key.as_str(),
            &cms::SpecimenInput {
                mood: Some(cms::SpecimenMood::SecondPlace),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .data;
    assert_eq!(patched.mood, Some(cms::SpecimenMood::SecondPlace));
    assert_eq!(patched.label, tag, "fields left None are not sent");
    let q = StrapiQuery::new().filter(FilterBuilder::new().eq("label", tag.as_str()));
    let found = specimens.find(&q).await.unwrap();
    assert_eq!(found.data.len(), 1);
    specimens.delete(key.as_str()).await.unwrap();
    let found = specimens.find(&q).await.unwrap();
    assert!(found.data.is_empty());
    let err = specimens.get(key.as_str()).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

/// A single type through `client.single::<T>()`: update (create), get with populate,
/// delete; the entry is gone after.
// Each test runs on its own thread (and runtime): the lock only orders them.
#[allow(clippy::await_holding_lock)]
#[maybe]
#[the_test]
async fn a_single_type_through_its_typed_handle() {
    let _guard = showcase_lock();
    let c = client();
    let tag = unique("cgs");
    let author = c
        .collection::<cms::Author>()
        .create(&cms::AuthorInput {
            name: Some(format!("{tag} star")),
            ..Default::default()
        })
        .await
        .unwrap()
        .data;
    let showcase = c.single::<cms::Showcase>();
    assert_eq!(showcase.name(), "showcase");
    let put = showcase
        .update(&cms::ShowcaseInput {
            headline: Some(tag.clone()),
            star: Some(rel_key(&author.document_id, author.id)),
            seo: Some(cms::SharedSeoInput {
                meta_title: Some("m".into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .data;
    assert_eq!(put.headline, tag);
    assert_eq!(put.star, None, "not populated");
    let q = StrapiQuery::new().populate_with(Populate::fields(["star", "seo", "hero"]));
    let got = showcase.get_with(&q).await.unwrap().data;
    assert_eq!(got.id, put.id);
    assert_eq!(
        got.star.as_ref().and_then(Related::entry).map(|a| a.id),
        Some(author.id)
    );
    assert_eq!(
        got.seo.as_ref().and_then(|s| s.meta_title.as_deref()),
        Some("m")
    );
    assert_eq!(got.hero, None);
    let patched = showcase
        .update_with(
            &cms::ShowcaseInput {
                headline: Some(format!("{tag} 2")),
                ..Default::default()
            },
            &q,
        )
        .await
        .unwrap()
        .data;
    assert_eq!(patched.headline, format!("{tag} 2"));
    assert!(patched.star.is_some(), "the relation was left as it was");
    showcase.delete().await.unwrap();
    let err = showcase.get().await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

/// `collection_named` with a hand-written struct, and the all-pages walk.
#[maybe]
#[the_test]
async fn a_hand_written_type_through_collection_named() {
    #[derive(Deserialize)]
    struct Named {
        name: Option<String>,
    }
    let c = client();
    let tag = unique("cgn");
    let authors = c.collection_named::<Named>("authors");
    assert_eq!(authors.name(), "authors");
    for i in 0..3 {
        authors
            .create(&json!({"name": format!("{tag} {i}")}))
            .await
            .unwrap();
    }
    let q = StrapiQuery::new()
        .filter(FilterBuilder::new().starts_with("name", tag.as_str()))
        .paginate(1, 2);
    let mut names = Vec::new();
    #[allow(clippy::while_let_on_iterator)]
    {
        let mut walk = authors.all(&q).unwrap();
        while let Some(a) = walk.next().await {
            names.push(a.unwrap().name.unwrap_or_default());
        }
    }
    names.sort();
    assert_eq!(names, [0, 1, 2].map(|i| format!("{tag} {i}")));
    let err = c
        .collection_named::<Value>("no/such")
        .find(&StrapiQuery::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let home = c.single_named::<Value>("homepage");
    assert_eq!(home.name(), "homepage");
}
