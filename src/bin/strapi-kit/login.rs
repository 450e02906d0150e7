//! `login`: users-permissions login; the JWT goes into the profile.

use std::io::BufRead;

use clap::Args;
use serde_json::json;
use strapi_kit::{StrapiConfig, SyncClient};

use crate::Ctx;
use crate::exit::{CmdResult, Failure, OK};

#[derive(Args, Debug)]
pub struct LoginArgs {
    /// E-mail or username.
    pub identifier: String,
    /// Read the password from the first line of stdin (else STRAPI_USER_PASSWORD).
    #[arg(long)]
    pub password_stdin: bool,
    /// Print the JWT on stdout instead of storing it.
    #[arg(long)]
    pub print: bool,
}

pub fn run(ctx: &Ctx, a: LoginArgs) -> CmdResult {
    let password = if a.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::other(format!("stdin: {e}")))?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    } else {
        std::env::var("STRAPI_USER_PASSWORD").map_err(|_| {
            Failure::usage("no password: use --password-stdin or STRAPI_USER_PASSWORD")
        })?
    };
    let url = ctx
        .settings
        .values
        .get("STRAPI_BASE_URL")
        .map(|s| s.value.clone())
        .ok_or_else(|| {
            Failure::usage("no Strapi URL: pass --url, set STRAPI_BASE_URL, or add a profile")
        })?;
    // Logging in needs no token: a public client.
    let client = SyncClient::new(StrapiConfig::builder(url.clone()).build()?)?;
    let signed_in = client.login_session(&a.identifier, &password)?;
    let jwt = signed_in.session.jwt();
    let name = signed_in.user.username.clone();
    if a.print {
        println!("{}", jwt.expose());
        return Ok(OK);
    }
    let path = ctx
        .settings
        .path
        .clone()
        .ok_or_else(|| Failure::other("no config directory"))?;
    let mut file = crate::config::load(&path)?;
    let p = file
        .profiles
        .entry(ctx.settings.profile.clone())
        .or_default();
    p.url.get_or_insert(url);
    p.jwt = Some(jwt.expose().to_owned());
    crate::config::save(&path, &file)?;
    ctx.out.note(format!(
        "logged in as {name}; JWT stored in profile {} ({})",
        ctx.settings.profile,
        path.display()
    ));
    if ctx.out.json {
        ctx.out
            .json_value(&json!({"user": name, "profile": ctx.settings.profile}));
    }
    Ok(OK)
}
