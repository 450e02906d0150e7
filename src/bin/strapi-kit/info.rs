//! `info`: where the profile points and what it may do there.

use serde_json::{Value, json};
use strapi_kit::{ApiVersion, StrapiQuery};

use crate::Ctx;
use crate::exit::{CmdResult, Failure, OK};

pub fn run(ctx: &Ctx) -> CmdResult {
    let client = ctx.client()?;
    let url = client.config().base_url().to_string();
    let version = match client.detect_version() {
        Ok(v) => v,
        Err(e) => {
            let f = Failure::from(e);
            if ctx.out.json {
                ctx.out
                    .json_value(&json!({"url": url, "reachable": false, "error": f.message}));
            }
            return Err(Failure {
                code: f.code,
                message: format!("{url} is not reachable: {}", f.message),
            });
        }
    };
    let version = match version {
        ApiVersion::V4 => "v4",
        ApiVersion::V5 => "v5",
    };
    // What the credentials may read: one entry of each API type, and one media file.
    let mut types = Vec::new();
    let listed = client.content_types();
    let schema_error = listed.as_ref().err().map(|e| e.to_string());
    for t in listed
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.is_api())
    {
        let probe = StrapiQuery::new().paginate(1, 1);
        let readable = match t.kind {
            strapi_kit::ContentTypeKind::Single => {
                client.get_single::<Value>(t.route(), &probe).map(|_| ())
            }
            _ => client.get_many::<Value>(t.route(), &probe).map(|_| ()),
        };
        let read = match readable {
            Ok(()) => "yes".to_owned(),
            Err(e) if e.is_not_found() => "yes (empty)".to_owned(),
            Err(e) if e.is_authorization() || e.is_authentication() => "no".to_owned(),
            Err(e) => format!("error: {e}"),
        };
        let mut row = crate::schema::type_row(&t);
        row["read"] = json!(read);
        types.push(row);
    }
    let media = match client.list_media(&StrapiQuery::new().offset(0, 1)) {
        Ok(_) => "yes",
        Err(e) if e.is_authorization() || e.is_authentication() => "no",
        Err(_) => "error",
    };
    let admin = !matches!(client.config().admin_auth(), strapi_kit::AdminAuth::None);
    if ctx.out.json {
        ctx.out.json_value(&json!({
            "url": url, "reachable": true, "version": version, "media_read": media,
            "admin_credentials": admin, "schema_error": schema_error, "content_types": types,
        }));
    } else {
        println!("url              {url}");
        println!("reachable        yes");
        println!("version          {version}");
        println!("media read       {media}");
        println!(
            "admin creds      {}",
            if admin {
                "configured"
            } else {
                "none (folders, v5 unpublish unavailable)"
            }
        );
        if let Some(e) = schema_error {
            println!("content types    cannot list: {e}");
        }
        ctx.out.rows(
            crate::output::Format::Table,
            &types,
            &[
                "uid",
                "kind",
                "route",
                "read",
                "draftAndPublish",
                "localized",
            ],
        );
    }
    Ok(OK)
}
