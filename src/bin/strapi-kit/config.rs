//! Settings: flags, then `STRAPI_*` variables, then the profile in the config file.
//!
//! The file is `$XDG_CONFIG_HOME/strapi-kit/config.toml` (else `~/.config/strapi-kit/config.toml`),
//! or `--config PATH`:
//!
//! ```toml
//! default_profile = "local"
//! [profiles.local]
//! url = "http://localhost:1337"
//! token = "..."
//! admin_email = "admin@example.com"
//! admin_password = "..."
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use strapi_kit::{StrapiConfig, SyncClient};

use crate::exit::{CmdResult, Failure, OK};
use crate::{Ctx, GlobalArgs};

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_token: Option<String>,
    /// A users-permissions JWT stored by `login`; used when no token is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

pub fn config_path(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = flag {
        return Some(p.to_owned());
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".config")))?;
    Some(base.join("strapi-kit").join("config.toml"))
}

pub fn load(path: &Path) -> Result<ConfigFile, Failure> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            toml::from_str(&text).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
        Err(e) => Err(Failure::other(format!("{}: {e}", path.display()))),
    }
}

/// Writes the file atomically, readable by its owner only (it holds secrets).
pub fn save(path: &Path, file: &ConfigFile) -> Result<(), Failure> {
    let text = toml::to_string_pretty(file).map_err(|e| Failure::other(e.to_string()))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::other(format!("{}: {e}", dir.display())))?;
    }
    let tmp = path.with_extension("toml.tmp");
    let io = |e: std::io::Error| Failure::other(format!("{}: {e}", path.display()));
    {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp).map_err(io)?;
        f.write_all(text.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

/// One setting and where it came from.
#[derive(Debug, Clone)]
pub struct Setting {
    pub value: String,
    pub source: String,
}

/// The effective settings, keyed by their `STRAPI_*` name.
pub struct Effective {
    pub profile: String,
    pub path: Option<PathBuf>,
    pub values: BTreeMap<&'static str, Setting>,
}

const SECRET: &[&str] = &[
    "STRAPI_API_TOKEN",
    "STRAPI_ADMIN_PASSWORD",
    "STRAPI_ADMIN_TOKEN",
    "STRAPI_JWT",
];

pub fn resolve(g: &GlobalArgs) -> Result<Effective, Failure> {
    let path = config_path(g.config.as_deref());
    let file = match &path {
        Some(p) => load(p)?,
        None => ConfigFile::default(),
    };
    let name = g
        .profile
        .clone()
        .or_else(|| env("STRAPI_PROFILE"))
        .or_else(|| file.default_profile.clone())
        .unwrap_or_else(|| "default".into());
    let explicit = g.profile.is_some() || env("STRAPI_PROFILE").is_some();
    let profile = match file.profiles.get(&name) {
        Some(p) => p.clone(),
        None if explicit => {
            return Err(Failure::usage(format!(
                "no profile {name:?} in the config file"
            )));
        }
        None => Profile::default(),
    };
    let mut values = BTreeMap::new();
    let src_profile = format!("profile {name}");
    let mut put = |key: &'static str, flag: Option<&String>, prof: Option<&String>| {
        let found = flag
            .map(|v| (v.clone(), "flag".to_owned()))
            .or_else(|| env(key).map(|v| (v, "env".to_owned())))
            .or_else(|| prof.map(|v| (v.clone(), src_profile.clone())));
        if let Some((value, source)) = found {
            values.insert(key, Setting { value, source });
        }
    };
    put("STRAPI_BASE_URL", g.url.as_ref(), profile.url.as_ref());
    put("STRAPI_API_TOKEN", g.token.as_ref(), profile.token.as_ref());
    put("STRAPI_API_VERSION", None, profile.api_version.as_ref());
    put("STRAPI_TIMEOUT", None, profile.timeout.as_ref());
    put(
        "STRAPI_ADMIN_EMAIL",
        g.admin_email.as_ref(),
        profile.admin_email.as_ref(),
    );
    put(
        "STRAPI_ADMIN_PASSWORD",
        None,
        profile.admin_password.as_ref(),
    );
    put("STRAPI_ADMIN_TOKEN", None, profile.admin_token.as_ref());
    put("STRAPI_JWT", None, profile.jwt.as_ref());
    for key in [
        "STRAPI_CONNECT_TIMEOUT",
        "STRAPI_RETRY_MAX_ATTEMPTS",
        "STRAPI_RETRY_BASE_DELAY",
        "STRAPI_RETRY_MAX_DELAY",
        "STRAPI_RATE_LIMIT",
    ] {
        put(key, None, None);
    }
    Ok(Effective {
        profile: name,
        path,
        values,
    })
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.trim().is_empty())
}

impl Effective {
    /// The library configuration. A stored JWT stands in for a missing API token (both are
    /// sent as `Authorization: Bearer`).
    pub fn client(&self) -> Result<SyncClient, Failure> {
        if !self.values.contains_key("STRAPI_BASE_URL") {
            return Err(Failure::usage(
                "no Strapi URL: pass --url, set STRAPI_BASE_URL, or add a profile (see `strapi-kit config --help`)",
            ));
        }
        let get = |key: &str| -> Option<String> {
            let key = if key == "STRAPI_API_TOKEN" && !self.values.contains_key(key) {
                "STRAPI_JWT"
            } else {
                key
            };
            self.values.get(key).map(|s| s.value.clone())
        };
        if get("STRAPI_API_TOKEN").is_none() {
            return Err(Failure::usage(
                "no credentials: pass --token, set STRAPI_API_TOKEN, or run `strapi-kit login`",
            ));
        }
        let config = StrapiConfig::from_lookup(get)?;
        Ok(SyncClient::new(config)?)
    }
}

/// Masks a secret: its length and last two characters at most.
pub fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    if n < 12 {
        "****".into()
    } else {
        let tail: String = secret.chars().skip(n - 2).collect();
        format!("****{tail} ({n} chars)")
    }
}

/// `strapi-kit config`: the settings in effect, secrets masked.
pub fn show(ctx: &Ctx) -> CmdResult {
    let eff = &ctx.settings;
    let mut pairs: Vec<(&str, Value)> = vec![
        ("profile", json!(eff.profile)),
        (
            "config_file",
            json!(eff.path.as_ref().map(|p| p.display().to_string())),
        ),
    ];
    let mut settings = serde_json::Map::new();
    for (k, s) in &eff.values {
        let shown = if SECRET.contains(k) {
            mask(&s.value)
        } else {
            s.value.clone()
        };
        settings.insert((*k).to_owned(), json!({"value": shown, "source": s.source}));
    }
    if ctx.out.json {
        pairs.push(("settings", Value::Object(settings)));
        ctx.out.pairs(&pairs);
    } else {
        ctx.out.pairs(&pairs);
        for (k, v) in settings {
            println!(
                "{k:<26} {:<32} ({})",
                v["value"].as_str().unwrap_or(""),
                v["source"].as_str().unwrap_or("")
            );
        }
    }
    Ok(OK)
}

/// `strapi-kit config set KEY VALUE`: writes one key of the selected profile.
pub fn set(ctx: &Ctx, key: &str, value: &str) -> CmdResult {
    let path = ctx
        .settings
        .path
        .clone()
        .ok_or_else(|| Failure::other("no config directory"))?;
    let mut file = load(&path)?;
    let p = file
        .profiles
        .entry(ctx.settings.profile.clone())
        .or_default();
    let slot = match key {
        "url" => &mut p.url,
        "token" => &mut p.token,
        "api_version" => &mut p.api_version,
        "timeout" => &mut p.timeout,
        "admin_email" => &mut p.admin_email,
        "admin_password" => &mut p.admin_password,
        "admin_token" => &mut p.admin_token,
        "jwt" => &mut p.jwt,
        other => {
            return Err(Failure::usage(format!(
                "unknown key {other:?} (url, token, api_version, timeout, admin_email, admin_password, admin_token, jwt)"
            )));
        }
    };
    *slot = if value.is_empty() {
        None
    } else {
        Some(value.to_owned())
    };
    save(&path, &file)?;
    if ctx.out.json {
        ctx.out.json_value(&json!({
            "profile": ctx.settings.profile,
            "key": key,
            "set": !value.is_empty(),
            "config_file": path.display().to_string(),
        }));
    }
    ctx.out.note(format!(
        "{key} set in profile {} ({})",
        ctx.settings.profile,
        path.display()
    ));
    Ok(OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_never_shows_a_short_secret() {
        assert_eq!(mask("abc"), "****");
        assert_eq!(mask("0123456789abcdef"), "****ef (16 chars)");
    }
}
