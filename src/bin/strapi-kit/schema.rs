//! `schema`: content types and components with their fields.

use clap::Args;
use serde_json::{Value, json};
use strapi_kit::{Attribute, ContentType, ContentTypeKind};

use crate::Ctx;
use crate::exit::{CmdResult, OK};
use crate::output::Format;

#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// A content type (uid `api::article.article`, or its singular/plural name) or component uid: its fields.
    pub name: Option<String>,
    /// Include plugin and admin types.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn kind(k: &ContentTypeKind) -> String {
    match k {
        ContentTypeKind::Collection => "collection".into(),
        ContentTypeKind::Single => "single".into(),
        ContentTypeKind::Other(s) => s.clone(),
        _ => "other".into(),
    }
}

pub fn type_row(t: &ContentType) -> Value {
    json!({
        "uid": t.uid,
        "kind": kind(&t.kind),
        "route": t.route(),
        "displayName": t.display_name,
        "draftAndPublish": t.draft_and_publish,
        "localized": t.localized,
        "fields": t.attributes.len(),
    })
}

fn field_row(name: &str, a: &Attribute) -> Value {
    json!({
        "field": name,
        "type": a.raw.get("type").cloned().unwrap_or(Value::Null),
        "required": a.required,
        "target": a.target.clone().or_else(|| a.component.clone()),
        "multiple": a.multiple || a.repeatable,
    })
}

pub fn run(ctx: &Ctx, a: SchemaArgs) -> CmdResult {
    let client = ctx.client()?;
    match a.name {
        None => {
            let types = client.content_types()?;
            let mut rows: Vec<Value> = types
                .iter()
                .filter(|t| a.all || t.is_api())
                .map(type_row)
                .collect();
            let comps = client.components()?;
            rows.extend(comps.iter().map(|c| {
                json!({"uid": c.uid, "kind": "component", "route": null, "displayName": c.display_name,
                       "draftAndPublish": null, "localized": null, "fields": c.attributes.len()})
            }));
            ctx.out.rows(
                a.format,
                &rows,
                &[
                    "uid",
                    "kind",
                    "route",
                    "displayName",
                    "draftAndPublish",
                    "localized",
                    "fields",
                ],
            );
        }
        Some(name) => {
            let attrs = if name.contains("::") {
                client.content_type(&name)?.attributes
            } else if name.contains('.') {
                client.component(&name)?.attributes
            } else {
                let types = client.content_types()?;
                let t = types
                    .into_iter()
                    .find(|t| t.singular_name == name || t.plural_name == name || t.route() == name)
                    .ok_or_else(|| crate::exit::Failure {
                        code: crate::exit::NOT_FOUND,
                        message: format!("no content type {name:?} (see `strapi-kit schema`)"),
                    })?;
                t.attributes
            };
            let rows: Vec<Value> = attrs.iter().map(|(n, a)| field_row(n, a)).collect();
            ctx.out.rows(
                a.format,
                &rows,
                &["field", "type", "required", "target", "multiple"],
            );
        }
    }
    Ok(OK)
}
