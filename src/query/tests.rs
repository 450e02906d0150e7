//! Golden tests: exact strings, as Strapi's `qs` parser reads them.

use super::*;

fn pairs(q: &StrapiQuery) -> Vec<String> {
    q.to_pairs()
        .unwrap()
        .into_iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k,
        })
        .collect()
}

#[test]
fn bench_fixture_query_a() {
    // ../shared/bench-fixtures/query_a.json, with indexed arrays (canonical qs form).
    let q = StrapiQuery::new()
        .filter(
            FilterBuilder::new()
                .eq("published", true)
                .gte("views", 100)
                .containsi("title", "article")
                .or_group([
                    FilterBuilder::new().eq("author.name", "Author 1"),
                    FilterBuilder::new().lt("publishedDate", "2026-06-01T00:00:00.000Z"),
                ]),
        )
        .sort_desc("publishedDate")
        .sort_asc("title")
        .paginate(2, 50)
        .with_count(true)
        .populate(["author", "cover"])
        .fields(["title", "slug", "views", "publishedDate"]);
    assert_eq!(
        q.to_query_string().unwrap(),
        "filters%5Bpublished%5D%5B%24eq%5D=true&filters%5Bviews%5D%5B%24gte%5D=100\
         &filters%5Btitle%5D%5B%24containsi%5D=article\
         &filters%5B%24or%5D%5B0%5D%5Bauthor%5D%5Bname%5D%5B%24eq%5D=Author+1\
         &filters%5B%24or%5D%5B1%5D%5BpublishedDate%5D%5B%24lt%5D=2026-06-01T00%3A00%3A00.000Z\
         &sort%5B0%5D=publishedDate%3Adesc&sort%5B1%5D=title%3Aasc\
         &pagination%5Bpage%5D=2&pagination%5BpageSize%5D=50&pagination%5BwithCount%5D=true\
         &populate%5B0%5D=author&populate%5B1%5D=cover\
         &fields%5B0%5D=title&fields%5B1%5D=slug&fields%5B2%5D=views&fields%5B3%5D=publishedDate"
    );
}

#[test]
fn every_operator() {
    let f = FilterBuilder::new()
        .eq("a", 1)
        .eqi("b", "X")
        .ne("c", 2)
        .nei("d", "y")
        .lt("e", 3)
        .lte("f", 4)
        .gt("g", 5.5)
        .gte("h", -6)
        .in_("i", [1, 2])
        .not_in("j", ["p", "q"])
        .contains("k", "s")
        .not_contains("l", "t")
        .containsi("m", "u")
        .not_containsi("n", "v")
        .starts_with("o", "w")
        .starts_withi("p", "x")
        .ends_with("q", "y")
        .ends_withi("r", "z")
        .null("s")
        .not_null("t")
        .between("u", 1, 9);
    let got = pairs(&StrapiQuery::new().filter(f));
    assert_eq!(
        got,
        [
            "filters[a][$eq]=1",
            "filters[b][$eqi]=X",
            "filters[c][$ne]=2",
            "filters[d][$nei]=y",
            "filters[e][$lt]=3",
            "filters[f][$lte]=4",
            "filters[g][$gt]=5.5",
            "filters[h][$gte]=-6",
            "filters[i][$in][0]=1",
            "filters[i][$in][1]=2",
            "filters[j][$notIn][0]=p",
            "filters[j][$notIn][1]=q",
            "filters[k][$contains]=s",
            "filters[l][$notContains]=t",
            "filters[m][$containsi]=u",
            "filters[n][$notContainsi]=v",
            "filters[o][$startsWith]=w",
            "filters[p][$startsWithi]=x",
            "filters[q][$endsWith]=y",
            "filters[r][$endsWithi]=z",
            "filters[s][$null]=true",
            "filters[t][$notNull]=true",
            "filters[u][$between][0]=1",
            "filters[u][$between][1]=9",
        ]
    );
}

#[test]
fn single_element_in_keeps_array_form() {
    let got = pairs(&StrapiQuery::new().filter(FilterBuilder::new().in_("id", [7])));
    assert_eq!(got, ["filters[id][$in][0]=7"]);
}

#[test]
fn two_or_groups_are_both_kept() {
    let f = FilterBuilder::new()
        .or_group([
            FilterBuilder::new().eq("a", 1),
            FilterBuilder::new().eq("b", 2),
        ])
        .or_group([
            FilterBuilder::new().eq("c", 3),
            FilterBuilder::new().eq("d", 4),
        ]);
    assert_eq!(
        pairs(&StrapiQuery::new().filter(f)),
        [
            "filters[$and][0][$or][0][a][$eq]=1",
            "filters[$and][0][$or][1][b][$eq]=2",
            "filters[$and][1][$or][0][c][$eq]=3",
            "filters[$and][1][$or][1][d][$eq]=4",
        ]
    );
}

#[test]
fn same_field_and_operator_twice_keeps_both() {
    let f = FilterBuilder::new()
        .ne("title", "a")
        .ne("title", "b")
        .gt("views", 1);
    assert_eq!(
        pairs(&StrapiQuery::new().filter(f)),
        [
            "filters[$and][0][title][$ne]=a",
            "filters[$and][1][title][$ne]=b",
            "filters[$and][2][views][$gt]=1",
        ]
    );
    // Two separate .filter() calls merge the same way.
    let q = StrapiQuery::new()
        .filter(FilterBuilder::new().eq("x", 1))
        .filter(FilterBuilder::new().eq("x", 2));
    assert_eq!(
        pairs(&q),
        ["filters[$and][0][x][$eq]=1", "filters[$and][1][x][$eq]=2"]
    );
}

#[test]
fn nested_groups_and_not() {
    let f = FilterBuilder::new()
        .eq("status", "ok")
        .and_group([
            FilterBuilder::new().eq("x", 1),
            FilterBuilder::new().or_group([
                FilterBuilder::new().eq("y", 2),
                FilterBuilder::new().eq("z", 3).eq("w", 4),
            ]),
        ])
        .not_group(FilterBuilder::new().eq("author.name", "Bob").null("cover"));
    assert_eq!(
        pairs(&StrapiQuery::new().filter(f)),
        [
            "filters[status][$eq]=ok",
            // The explicit `and_group` keeps its own `$and` (issue 19, item 8).
            "filters[$and][0][x][$eq]=1",
            "filters[$and][1][$or][0][y][$eq]=2",
            "filters[$and][1][$or][1][z][$eq]=3",
            "filters[$and][1][$or][1][w][$eq]=4",
            "filters[$not][author][name][$eq]=Bob",
            "filters[$not][cover][$null]=true",
        ]
    );
}

#[test]
fn populate_tree() {
    let q = StrapiQuery::new().populate_with(
        Populate::new().field("cover").field_with(
            "author",
            PopulateField::new()
                .fields(["name", "email"])
                .filter(FilterBuilder::new().containsi("name", "ada"))
                .sort_by("name", SortDirection::Asc)
                .populate(Populate::new().field("articles")),
        ),
    );
    assert_eq!(
        pairs(&q),
        [
            "populate[cover]=true",
            "populate[author][fields][0]=name",
            "populate[author][fields][1]=email",
            "populate[author][filters][name][$containsi]=ada",
            "populate[author][sort][0]=name:asc",
            "populate[author][populate][articles]=true",
        ]
    );
    let dz = StrapiQuery::new().populate_with(Populate::new().field_with(
        "blocks",
        PopulateField::new().on("shared.quote", PopulateField::new().fields(["body"])),
    ));
    assert_eq!(
        pairs(&dz),
        ["populate[blocks][on][shared.quote][fields][0]=body"]
    );
    assert_eq!(pairs(&StrapiQuery::new().populate_all()), ["populate=*"]);
}

#[test]
fn version_dependent_parameters() {
    let q = StrapiQuery::new()
        .status(DocumentStatus::Draft)
        .all_locales();
    assert_eq!(q.encode(ApiVersion::V5).unwrap(), "locale=%2A&status=draft");
    assert_eq!(
        q.encode(ApiVersion::V4).unwrap(),
        "locale=all&publicationState=preview"
    );
    let q = StrapiQuery::new().publication_state(PublicationState::Live);
    assert_eq!(q.encode(ApiVersion::V5).unwrap(), "status=published");
    assert_eq!(q.encode(ApiVersion::V4).unwrap(), "publicationState=live");
}

#[test]
fn offset_pagination_and_null() {
    let q = StrapiQuery::new()
        .offset(10, 5)
        .filter(FilterBuilder::new().eq("x", serde_json::Value::Null));
    assert_eq!(
        pairs(&q),
        [
            "filters[x][$eq]",
            "pagination[start]=10",
            "pagination[limit]=5"
        ]
    );
}

#[test]
fn bad_input_is_reported() {
    let too_many: Vec<u32> = (0..101).collect();
    let cases = [
        StrapiQuery::new().paginate(0, 10),
        StrapiQuery::new().paginate(1, 0),
        StrapiQuery::new().offset(0, 0),
        StrapiQuery::new().paginate(1, 10).offset(0, 10),
        StrapiQuery::new().filter(FilterBuilder::new().in_("id", Vec::<u32>::new())),
        StrapiQuery::new().filter(FilterBuilder::new().in_("id", too_many)),
        StrapiQuery::new().filter(FilterBuilder::new().eq("", 1)),
        StrapiQuery::new().filter(FilterBuilder::new().eq("a..b", 1)),
        StrapiQuery::new().filter(FilterBuilder::new().or_group([])),
        StrapiQuery::new().sort_asc("title:desc"),
        StrapiQuery::new()
            .filter(FilterBuilder::new().eq("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u", 1)),
    ];
    for q in cases {
        let err = q.to_query_string().unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{q:?}: {err}");
    }
    let mut f = FilterBuilder::new();
    for i in 0..1001 {
        f = f.eq(format!("f{i}"), i);
    }
    assert!(StrapiQuery::new().filter(f).to_query_string().is_err());
}

#[test]
fn values_and_keys_are_encoded() {
    let q = StrapiQuery::new()
        .filter(FilterBuilder::new().eq("title", "a&b=c#d/é +"))
        .param("x[y]", "1");
    assert_eq!(
        q.to_query_string().unwrap(),
        "filters%5Btitle%5D%5B%24eq%5D=a%26b%3Dc%23d%2F%C3%A9+%2B&x%5By%5D=1"
    );
}

// Regressions found by `fuzz/` (target `query`); each is the minimised input, as a builder.

#[test]
fn fuzz_populate_sort_field_is_checked_like_the_top_level_one() {
    // Was sent as `populate[é][sort][0]=:desc` (the top-level sort rejected the same field).
    let q = StrapiQuery::new().populate_with(
        Populate::new().field_with("é", PopulateField::new().sort_by("", SortDirection::Desc)),
    );
    let err = q.to_query_string().unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    let q = StrapiQuery::new().populate_with(Populate::new().field_with(
        "a",
        PopulateField::new().sort_by("b:asc", SortDirection::Asc),
    ));
    assert!(q.to_pairs().is_err());
}

#[test]
fn fuzz_empty_or_member_and_empty_not_are_reported() {
    // Minimised: `$or` of [empty, `%.%.title` $between [null, null], empty] was sent as
    // `filters[$or][1][%][%][title][$between][0]&…[1]`: the empty members (match everything)
    // vanished, and `qs` renumbered the survivor to `$or[0]`, so Strapi narrowed the `$or`.
    let or = Filter::Or(vec![
        Filter::And(vec![]),
        Filter::Condition(Condition {
            field: "%.%.title".into(),
            op: Operator::Between,
            value: FilterValue::List(vec![serde_json::Value::Null, serde_json::Value::Null]),
        }),
        Filter::And(vec![]),
    ]);
    let q = StrapiQuery::new().filter(FilterBuilder::new().push(or));
    assert!(matches!(q.to_query_string(), Err(Error::InvalidInput(_))));
    // The same through the builder, and `$not` of nothing (which has no `qs` form at all).
    let cases = [
        FilterBuilder::new().or_group([FilterBuilder::new(), FilterBuilder::new().eq("a", 1)]),
        FilterBuilder::new().not_group(FilterBuilder::new()),
        FilterBuilder::new().or_group([
            FilterBuilder::new().eq("a", 1),
            FilterBuilder::new().and_group([FilterBuilder::new()]),
        ]),
    ];
    for f in cases {
        let q = StrapiQuery::new().filter(f);
        assert!(q.to_pairs().is_err(), "{q:?}");
    }
    // An empty `$and` member is harmless (AND with "everything") and still accepted.
    let q = StrapiQuery::new().filter(
        FilterBuilder::new().and_group([FilterBuilder::new(), FilterBuilder::new().eq("a", 1)]),
    );
    assert_eq!(q.to_pairs().unwrap().len(), 1);
}

#[test]
fn fuzz_same_dynamic_zone_component_twice_is_written_once() {
    // Minimised: `on("", …)` twice wrote `populate[][on][]=true` twice; with options, the
    // keys of the two entries collided in `qs` (`[on][x]=true` beside `[on][x][count]=true`).
    let zone = PopulateField::new()
        .on("shared.quote", PopulateField::new())
        .on("shared.quote", PopulateField::new().fields(["body"]));
    let q = StrapiQuery::new().populate_with(Populate::new().field_with("blocks", zone));
    assert_eq!(
        pairs(&q),
        ["populate[blocks][on][shared.quote][fields][0]=body"]
    );
}

#[test]
fn fuzz_deep_not_chain_is_refused_without_walking_it() {
    // The fuzzer's `$not` chains (3,000 deep, from 8 input bytes) took 0.1–0.25 s each to be
    // refused; 10,000 overflowed a 2 MiB test thread's stack (a tokio worker's size) in
    // debug builds. Encoding now stops descending once the depth limit is passed.
    let mut f = Filter::Condition(Condition {
        field: "a".into(),
        op: Operator::Eq,
        value: 1.into(),
    });
    for _ in 0..10_000 {
        f = Filter::Not(Box::new(f));
    }
    let q = StrapiQuery::new().filter(FilterBuilder::new().push(f));
    assert!(matches!(q.to_query_string(), Err(Error::InvalidInput(_))));
    // Same for populate trees (fewer levels: their drop glue needs more stack per level).
    let mut p = Populate::new().field("x");
    for _ in 0..1_000 {
        p = Populate::new().field_with("x", PopulateField::new().populate(p));
    }
    assert!(StrapiQuery::new().populate_with(p).to_pairs().is_err());
}

#[test]
fn names_qs_would_misread_are_refused() {
    for bad in ["a[b]", "$eq", "12", "x.$or", "a.]"] {
        let q = StrapiQuery::new().filter(FilterBuilder::new().eq(bad, 1));
        assert!(q.to_query_string().is_err(), "{bad}");
    }
    let q = StrapiQuery::new().populate_with(
        Populate::new().field_with("cover[0]", PopulateField::new().fields(["url"])),
    );
    assert!(q.to_query_string().is_err());
    let q = StrapiQuery::new().populate_with(Populate::new().field_with(
        "blocks",
        PopulateField::new().on("$x", PopulateField::new().fields(["a"])),
    ));
    assert!(q.to_query_string().is_err());
    // Ordinary names with digits, dashes and dots in component uids still work.
    let ok = StrapiQuery::new()
        .filter(FilterBuilder::new().eq("seo2.meta-title", 1))
        .populate_with(Populate::new().field_with(
            "blocks",
            PopulateField::new().on("shared.quote", PopulateField::new().fields(["a"])),
        ));
    ok.to_query_string().unwrap();
}

// Issue 19: queries `qs` would misread are refused, not sent.

/// Asserts an `InvalidInput` whose message contains `needle`, for both versions.
#[track_caller]
fn refused(q: &StrapiQuery, needle: &str) {
    for v in [ApiVersion::V5, ApiVersion::V4] {
        match q.encode(v) {
            Err(Error::InvalidInput(m)) => {
                assert!(m.contains(needle), "{v}: {m:?} lacks {needle:?}")
            }
            other => panic!("{v}: {q:?} gave {other:?}"),
        }
        assert!(q.to_pairs_for(v).is_err());
    }
}

const PROTOTYPE_NAMES: [&str; 12] = [
    "constructor",
    "toString",
    "valueOf",
    "hasOwnProperty",
    "isPrototypeOf",
    "__proto__",
    "propertyIsEnumerable",
    "toLocaleString",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
];

#[test]
fn prototype_names_are_refused_everywhere() {
    for name in PROTOTYPE_NAMES {
        let msg = "`Object.prototype` members";
        let eq = |path: String| StrapiQuery::new().filter(FilterBuilder::new().eq(path, "x"));
        refused(&eq(name.to_owned()), msg);
        refused(&eq(format!("author.{name}")), msg);
        refused(
            &StrapiQuery::new().filter(FilterBuilder::new().or_group([
                FilterBuilder::new().eq("a", 1),
                FilterBuilder::new().null(name),
            ])),
            msg,
        );
        refused(&StrapiQuery::new().fields(["title", name]), msg);
        refused(&StrapiQuery::new().sort_asc(name), msg);
        refused(&StrapiQuery::new().sort_desc(format!("author.{name}")), msg);
        refused(&StrapiQuery::new().populate([name]), msg);
        refused(
            &StrapiQuery::new().populate_with(
                Populate::new().field_with(name, PopulateField::new().fields(["a"])),
            ),
            msg,
        );
        let nested = |opts: PopulateField| {
            StrapiQuery::new().populate_with(Populate::new().field_with("author", opts))
        };
        refused(&nested(PopulateField::new().fields([name])), msg);
        refused(
            &nested(PopulateField::new().sort_by(name, SortDirection::Asc)),
            msg,
        );
        refused(
            &nested(PopulateField::new().filter(FilterBuilder::new().eq(name, 1))),
            msg,
        );
        refused(
            &nested(PopulateField::new().populate(Populate::new().field(name))),
            msg,
        );
        refused(
            &nested(PopulateField::new().on(name, PopulateField::new())),
            msg,
        );
        refused(&StrapiQuery::new().param(name, "1"), msg);
        refused(
            &StrapiQuery::new().param(format!("plugin[{name}]"), "1"),
            msg,
        );
    }
    // Near misses are ordinary names (`qs` keeps them).
    let ok = StrapiQuery::new()
        .filter(
            FilterBuilder::new()
                .eq("Constructor", 1)
                .eq("prototype", 2)
                .eq("toStringX", 3),
        )
        .fields(["length", "name"])
        .param("proto", "1");
    assert_eq!(ok.to_pairs().unwrap().len(), 6);
}

#[test]
fn non_finite_numbers_are_refused() {
    for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let q = |b: FilterBuilder| StrapiQuery::new().filter(b);
        refused(&q(FilterBuilder::new().eq("price", f)), "cannot be sent");
        refused(
            &q(FilterBuilder::new().lt("price", f as f32)),
            "cannot be sent",
        );
        refused(
            &q(FilterBuilder::new().in_("price", [1.0, f])),
            "cannot be sent",
        );
        refused(
            &q(FilterBuilder::new().between("price", 0.0, f)),
            "cannot be sent",
        );
        let raw = Filter::Condition(Condition {
            field: "price".into(),
            op: Operator::Gt,
            value: FilterValue::NonFinite(f),
        });
        refused(&q(FilterBuilder::new().push(raw)), "\"is null\"");
    }
}

#[test]
fn lists_and_objects_on_one_value_operators_are_refused() {
    use serde_json::json;
    let q = |b: FilterBuilder| StrapiQuery::new().filter(b);
    refused(
        &q(FilterBuilder::new().eq("x", json!([1, 2]))),
        "takes one value, not a list",
    );
    refused(
        &q(FilterBuilder::new().containsi("x", json!(["a"]))),
        "not a list",
    );
    refused(
        &q(FilterBuilder::new().condition("x", Operator::Null, json!([true]))),
        "not a list",
    );
    refused(
        &q(FilterBuilder::new().eq("x", json!({"a": 1}))),
        "JSON object or array",
    );
    let raw = Filter::Condition(Condition {
        field: "x".into(),
        op: Operator::Eq,
        value: FilterValue::Scalar(json!([1])),
    });
    refused(&q(FilterBuilder::new().push(raw)), "JSON object or array");
    refused(
        &q(FilterBuilder::new().in_("x", [json!(1), json!({"a": 1})])),
        "JSON object",
    );
    refused(
        &q(FilterBuilder::new().in_("x", [json!([[1]])])),
        "JSON object or array",
    );
    // Lists still go to the list operators, and a JSON list to `$in`.
    let ok = q(FilterBuilder::new().condition("x", Operator::In, json!([1, "a"])));
    assert_eq!(pairs(&ok), ["filters[x][$in][0]=1", "filters[x][$in][1]=a"]);
}

#[test]
fn floats_are_spelled_like_javascript() {
    let q = StrapiQuery::new().filter(
        FilterBuilder::new()
            .eq("a", 0.1f32)
            .eq("b", 1.0)
            .eq("c", -0.0)
            .eq("d", 1e16)
            .eq("e", 1e21)
            .eq("f", 1e-7)
            .eq("g", 0.000001)
            .eq("h", 16777217.0f32)
            .eq("i", serde_json::json!(2.5)),
    );
    assert_eq!(
        pairs(&q),
        [
            "filters[a][$eq]=0.1",
            "filters[b][$eq]=1",
            "filters[c][$eq]=0",
            "filters[d][$eq]=10000000000000000",
            "filters[e][$eq]=1e+21",
            "filters[f][$eq]=1e-7",
            "filters[g][$eq]=0.000001",
            // 2^24 + 1 is not an f32: it is 2^24.
            "filters[h][$eq]=16777216",
            "filters[i][$eq]=2.5",
        ]
    );
}

#[test]
fn array_limit_is_exact_per_version() {
    // qs 6.11.1 (Strapi 4) reads indices 0..=100 as an array, qs 6.15.3 (Strapi 5) 0..=99.
    let list = |n: u32| StrapiQuery::new().filter(FilterBuilder::new().in_("id", 0..n));
    assert!(list(100).encode(ApiVersion::V5).is_ok());
    assert!(
        matches!(list(101).encode(ApiVersion::V5), Err(Error::InvalidInput(m)) if m.contains("more than 100"))
    );
    assert!(list(101).encode(ApiVersion::V4).is_ok());
    assert!(
        matches!(list(102).encode(ApiVersion::V4), Err(Error::InvalidInput(m)) if m.contains("more than 101"))
    );
    let fields = |n: usize| StrapiQuery::new().fields((0..n).map(|i| format!("f{i}")));
    assert!(fields(101).to_pairs_for(ApiVersion::V4).is_ok());
    assert!(fields(101).to_pairs_for(ApiVersion::V5).is_err());
}

#[test]
fn populate_is_never_partly_lost() {
    // A field whose options write nothing is populated plainly, not dropped.
    let q = StrapiQuery::new().populate_with(
        Populate::new().field_with("author", PopulateField::new().populate(Populate::new())),
    );
    assert_eq!(pairs(&q), ["populate[0]=author"]);
    let q = StrapiQuery::new().populate_with(
        Populate::new().field("cover").field_with(
            "author",
            PopulateField::new()
                .filter(FilterBuilder::new())
                .populate(Populate::new()),
        ),
    );
    assert_eq!(pairs(&q), ["populate[0]=cover", "populate[1]=author"]);
    let q = StrapiQuery::new().populate_with(Populate::new().field_with(
        "author",
        PopulateField::new().fields(["name"]).populate(
            Populate::new().field_with("articles", PopulateField::new().populate(Populate::new())),
        ),
    ));
    assert_eq!(
        pairs(&q),
        [
            "populate[author][fields][0]=name",
            "populate[author][populate][articles]=true"
        ]
    );
    // `*` beside named fields is refused, whichever came first.
    let msg = "`populate=*` cannot be combined";
    refused(&StrapiQuery::new().populate_all().populate(["author"]), msg);
    refused(&StrapiQuery::new().populate(["author"]).populate_all(), msg);
    refused(
        &StrapiQuery::new().populate_with(Populate::all().field("author")),
        msg,
    );
    let nested = PopulateField::new().populate(Populate::all().field("x"));
    refused(
        &StrapiQuery::new().populate_with(Populate::new().field_with("author", nested)),
        msg,
    );
    // `*` twice is still `*`.
    let q = StrapiQuery::new().populate_all().populate_all();
    assert_eq!(pairs(&q), ["populate=*"]);
}

#[test]
fn explicit_and_group_keeps_its_structure() {
    let q = StrapiQuery::new().filter(FilterBuilder::new().and_group([
        FilterBuilder::new().eq("a", 1).eq("b", 2),
        FilterBuilder::new().and_group([FilterBuilder::new().eq("c", 3)]),
        FilterBuilder::new(),
    ]));
    assert_eq!(
        pairs(&q),
        [
            "filters[$and][0][a][$eq]=1",
            "filters[$and][0][b][$eq]=2",
            "filters[$and][1][$and][0][c][$eq]=3",
        ]
    );
    // An `$and` of nothing matches everything and writes nothing.
    let q = StrapiQuery::new().filter(FilterBuilder::new().and_group([]).eq("x", 1));
    assert_eq!(pairs(&q), ["filters[x][$eq]=1"]);
}
