//! Snapshot tests: the builder answers of the test servers (`tests/it/data/codegen/`) and
//! the code generated from them, committed. `UPDATE_SNAPSHOTS=1` rewrites the snapshots.

use super::*;
use serde_json::json;

fn builder(version: &str) -> Schema {
    let path = format!(
        "{}/tests/it/data/codegen/builder-{version}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    Schema::load(path).expect("fixture")
}

fn check_snapshot(name: &str, got: &str) {
    let path = format!(
        "{}/tests/it/data/codegen/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        want == got,
        "{name} differs from the generated code; UPDATE_SNAPSHOTS=1 rewrites it"
    );
}

#[test]
fn fixtures_generate_the_committed_snapshots() {
    for v in ["v5", "v4"] {
        let code = generate(&builder(v), &CodegenOptions::new()).unwrap();
        check_snapshot(&format!("cms_{v}.rs"), &code);
    }
}

#[test]
fn both_versions_generate_the_same_code() {
    let v5 = generate(&builder("v5"), &CodegenOptions::new()).unwrap();
    let v4 = generate(&builder("v4"), &CodegenOptions::new()).unwrap();
    assert!(v5 == v4, "the fixture schema generates other code on v4");
}

/// The lines of `new` that are not in `old` and those of `old` not in `new`, in order, as
/// `+ line` / `- line` (a longest-common-subsequence diff).
fn diff(old: &str, new: &str) -> Vec<String> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(format!("+ {}", b[j]));
            j += 1;
        } else {
            out.push(format!("- {}", a[i]));
            i += 1;
        }
    }
    out
}

#[test]
fn a_field_added_to_the_schema_shows_in_the_regenerated_code() {
    let path = format!(
        "{}/tests/it/data/codegen/builder-v5.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let before = generate(&Schema::from_json(&json).unwrap(), &CodegenOptions::new()).unwrap();
    // The saved schema, edited: the author gets a required `bio` and a `level` enumeration.
    let author = json["contentTypes"]["data"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["uid"] == "api::author.author")
        .unwrap();
    let attributes = author["schema"]["attributes"].as_object_mut().unwrap();
    attributes.insert("bio".into(), json!({"type": "richtext", "required": true}));
    attributes.insert(
        "level".into(),
        json!({"type": "enumeration", "enum": ["junior", "senior"]}),
    );
    let after = generate(&Schema::from_json(&json).unwrap(), &CodegenOptions::new()).unwrap();
    let got = diff(&before, &after);
    let want = [
        "+ /// The values of `level` in Author; [`Unknown`](AuthorLevel::Unknown) keeps a value this code does not know.",
        "+ #[derive(Clone, Debug, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]",
        "+ pub enum AuthorLevel {",
        "+     /// `junior`.",
        "+     #[serde(rename = \"junior\")]",
        "+     Junior,",
        "+     /// `senior`.",
        "+     #[serde(rename = \"senior\")]",
        "+     Senior,",
        "+     /// A value this code does not know (added to the schema since), as sent.",
        "+     #[serde(untagged)]",
        "+     Unknown(String),",
        "+ }",
        "+ ",
        "+     /// `richtext`, required.",
        "+     pub bio: String,",
        "+     /// Enumeration.",
        "+     pub level: Option<AuthorLevel>,",
        "+     /// `richtext`, required.",
        "+     #[serde(skip_serializing_if = \"Option::is_none\")]",
        "+     pub bio: Option<String>,",
        "+     /// Enumeration.",
        "+     #[serde(skip_serializing_if = \"Option::is_none\")]",
        "+     pub level: Option<AuthorLevel>,",
    ];
    assert_eq!(got, want, "{}", got.join("\n"));
}

#[test]
fn output_does_not_depend_on_the_order_of_the_lists() {
    let schema = builder("v5");
    let mut reversed = schema.clone();
    reversed.content_types.reverse();
    reversed.components.reverse();
    let options = CodegenOptions::new();
    assert_eq!(
        generate(&schema, &options).unwrap(),
        generate(&reversed, &options).unwrap()
    );
}

#[test]
fn options_include_and_exclude_types() {
    let schema = builder("v5");
    let with_user = generate(
        &schema,
        &CodegenOptions::new()
            .include("plugin::users-permissions.user")
            .exclude("api::author.author"),
    )
    .unwrap();
    assert!(with_user.contains("pub struct User {"));
    assert!(!with_user.contains("pub struct Author {"));
    // Relations to a type not generated decode as JSON.
    assert!(
        with_user.contains("pub lead: Option<::strapi_kit::typed::Related<::serde_json::Value>>,")
    );
    // The password of a user is never returned, so only the input has it.
    let user = &with_user[with_user.find("pub struct User {").unwrap()..];
    let user = &user[..user.find("\n}\n").unwrap()];
    assert!(!user.contains("password"), "{user}");
    assert!(with_user.contains("pub struct UserInput {"));
}

#[test]
fn names_and_docs_are_made_safe() {
    let schema = Schema::from_json(&json!({
        "contentTypes": [{"uid": "api::type.type", "schema": {
            "kind": "collectionType", "singularName": "type", "pluralName": "types",
            "displayName": "Type <b>", "description": "See [docs] & `code`\nline two",
            "attributes": {
                "type": {"type": "string"},
                "self": {"type": "integer"},
                "fooBar": {"type": "string"},
                "foo_bar": {"type": "string"},
                "createdAt": {"type": "datetime"},
                "odd": {"type": "vector"},
                "state": {"type": "enumeration", "enum": ["a-b", "A B", "unknown", "a-b"]}
            }
        }}],
        "components": []
    }))
    .unwrap();
    let code = generate(&schema, &CodegenOptions::new()).unwrap();
    for want in [
        "/// See \\[docs\\] & \\`code\\`\n/// line two\n///\n/// Type \\<b\\> `api::type.type`",
        "    pub r#type: Option<String>,",
        "    #[serde(rename = \"self\")]\n    pub self_: Option<i64>,",
        "    #[serde(rename = \"fooBar\")]\n    pub foo_bar: Option<String>,",
        "    #[serde(rename = \"foo_bar\")]\n    pub foo_bar2: Option<String>,",
        "    pub odd: Option<::serde_json::Value>,",
        "    #[serde(rename = \"a-b\")]\n    AB,",
        "    #[serde(rename = \"A B\")]\n    AB2,",
        "    #[serde(rename = \"unknown\")]\n    Unknown2,",
    ] {
        assert!(code.contains(want), "missing {want:?} in\n{code}");
    }
    // createdAt is the system field, not a second one.
    assert_eq!(code.matches("created_at").count(), 1, "{code}");
}

#[test]
fn bad_schemas_are_refused() {
    for bad in [
        json!([]),
        json!({"contentTypes": []}),
        json!({"format": "other", "contentTypes": [], "components": []}),
        json!({"strapiVersion": "v6", "contentTypes": [], "components": []}),
        json!({"contentTypes": [{"schema": {}}], "components": []}),
    ] {
        let err = Schema::from_json(&bad).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad}: {err:?}");
    }
    let nameless = Schema::from_json(&json!({
        "contentTypes": [{"uid": "api::a.a", "schema": {"kind": "collectionType"}}],
        "components": []
    }))
    .unwrap();
    assert!(generate(&nameless, &CodegenOptions::new()).is_err());
    let twice = Schema::from_json(&json!({
        "contentTypes": [
            {"uid": "api::a.a", "schema": {"singularName": "a", "pluralName": "as"}},
            {"uid": "api::a.a", "schema": {"singularName": "a", "pluralName": "as"}}
        ],
        "components": []
    }))
    .unwrap();
    assert!(generate(&twice, &CodegenOptions::new()).is_err());
    let err = Schema::load("/nonexistent/schema.json").unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
}
