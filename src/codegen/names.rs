//! Rust names from Strapi names: types in PascalCase, fields in snake_case, keywords as raw
//! identifiers, collisions resolved with a numeric suffix (deterministically).

use std::collections::BTreeSet;

/// Rust keywords (2024 edition, reserved ones included) that need `r#` as field names.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof",
    "unsized", "virtual", "yield", "try",
];

/// Keywords that cannot be raw identifiers either.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self", "_"];

/// Splits a name into words: at `-`, `_`, `.`, `:`, spaces and other non-alphanumerics, and
/// before an upper-case letter that follows a lower-case one or a digit.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev = None;
            continue;
        }
        if c.is_uppercase() && prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit()) {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
        prev = Some(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Keeps ASCII letters, digits and `_` only (Rust identifiers may be Unicode, but ASCII
/// keeps the generated code plain).
fn ascii(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// `so-so` → `SoSo`, `shared.seo` → `SharedSeo`, `Second place` → `SecondPlace`; a name
/// starting with a digit gets a `V` in front, an empty one becomes `fallback`.
pub(crate) fn pascal(name: &str, fallback: &str) -> String {
    let mut out = String::new();
    for w in words(name) {
        let w = ascii(&w);
        let mut cs = w.chars();
        if let Some(f) = cs.next() {
            out.extend(f.to_uppercase());
            out.push_str(&cs.as_str().to_lowercase_if_all_upper());
        }
    }
    if out.is_empty() {
        return fallback.to_owned();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

trait LowerIfAllUpper {
    fn to_lowercase_if_all_upper(&self) -> String;
}

impl LowerIfAllUpper for str {
    /// `SEO` → `Seo` (PascalCase without runs of capitals), `Title` stays.
    fn to_lowercase_if_all_upper(&self) -> String {
        if self.chars().all(|c| !c.is_lowercase()) {
            self.to_lowercase()
        } else {
            self.to_owned()
        }
    }
}

/// `publishedDate` → `published_date`, `metaTitle` → `meta_title`, `type` → `r#type`.
pub(crate) fn snake(name: &str) -> String {
    let mut out = words(name)
        .iter()
        .map(|w| ascii(w).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if out.is_empty() {
        out = "field".into();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if NOT_RAW.contains(&out.as_str()) {
        out.push('_');
    } else if KEYWORDS.contains(&out.as_str()) {
        out.insert_str(0, "r#");
    }
    out
}

/// Names handed out in one scope; a taken name gets `2`, `3`, … appended.
#[derive(Default)]
pub(crate) struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    pub(crate) fn with(reserved: &[&str]) -> Scope {
        Scope {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// `name`, or `name2`, `name3`, … when taken; remembered as taken.
    pub(crate) fn claim(&mut self, name: String) -> String {
        let mut candidate = name.clone();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{name}{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(pascal("so-so", "X"), "SoSo");
        assert_eq!(pascal("Second place", "X"), "SecondPlace");
        assert_eq!(pascal("shared.seo", "X"), "SharedSeo");
        assert_eq!(pascal("SEO", "X"), "Seo");
        assert_eq!(pascal("users-permissions", "X"), "UsersPermissions");
        assert_eq!(pascal("2nd", "X"), "V2nd");
        assert_eq!(pascal("été", "X"), "T");
        assert_eq!(pascal("---", "X"), "X");
        assert_eq!(snake("publishedDate"), "published_date");
        assert_eq!(snake("metaTitle"), "meta_title");
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("9lives"), "_9lives");
        assert_eq!(snake("already_snake"), "already_snake");
        let mut s = Scope::with(&["id"]);
        assert_eq!(s.claim("id".into()), "id2");
        assert_eq!(s.claim("a".into()), "a");
        assert_eq!(s.claim("a".into()), "a2");
    }
}
