//! Output: data on stdout as a table, JSON, JSON lines or CSV; messages on stderr.

use std::io::{IsTerminal, Write};

use clap::ValueEnum;
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Jsonl,
    Csv,
}

/// Where output goes, and how.
pub struct Out {
    pub json: bool,
    pub quiet: bool,
    /// Progress bars and colour on stderr (a terminal, no --quiet, no NO_COLOR).
    pub fancy: bool,
}

impl Out {
    pub fn new(json: bool, quiet: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let fancy = !quiet && !no_color && std::io::stderr().is_terminal();
        Out { json, quiet, fancy }
    }

    /// A message for the person at the terminal (stderr; silenced by --quiet).
    pub fn note(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }

    /// A value as pretty JSON on stdout.
    pub fn json_value(&self, v: &Value) {
        let mut o = std::io::stdout().lock();
        let _ = serde_json::to_writer_pretty(&mut o, v);
        let _ = writeln!(o);
    }

    /// Key/value pairs: a two-column listing, or one JSON object with --json.
    pub fn pairs(&self, pairs: &[(&str, Value)]) {
        if self.json {
            let obj: serde_json::Map<String, Value> = pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect();
            self.json_value(&Value::Object(obj));
        } else {
            let mut o = std::io::stdout().lock();
            for (k, v) in pairs {
                let _ = writeln!(o, "{k:<16} {}", cell(v));
            }
        }
    }

    /// Rows of JSON objects in `format` (`--json` means `json`), `columns` for table/CSV
    /// (all keys of the first row when empty).
    pub fn rows(&self, format: Format, rows: &[Value], columns: &[&str]) {
        let format = if self.json { Format::Json } else { format };
        let mut o = std::io::stdout().lock();
        match format {
            Format::Json => {
                let _ = serde_json::to_writer_pretty(&mut o, rows);
                let _ = writeln!(o);
            }
            Format::Jsonl => {
                for r in rows {
                    let _ = serde_json::to_writer(&mut o, r);
                    let _ = writeln!(o);
                }
            }
            Format::Csv | Format::Table => {
                let cols: Vec<String> = if columns.is_empty() {
                    rows.first()
                        .and_then(Value::as_object)
                        .map(|m| m.keys().cloned().collect())
                        .unwrap_or_default()
                } else {
                    columns.iter().map(|c| (*c).to_owned()).collect()
                };
                let line = |r: &Value| -> Vec<String> {
                    cols.iter()
                        .map(|c| cell(r.get(c).unwrap_or(&Value::Null)))
                        .collect()
                };
                if format == Format::Csv {
                    let _ = writeln!(o, "{}", csv_line(&cols));
                    for r in rows {
                        let _ = writeln!(o, "{}", csv_line(&line(r)));
                    }
                } else {
                    let mut t = Table::new();
                    t.load_preset(UTF8_FULL_CONDENSED)
                        .set_content_arrangement(ContentArrangement::Dynamic)
                        .set_header(&cols);
                    for r in rows {
                        t.add_row(line(r));
                    }
                    let _ = writeln!(o, "{t}");
                }
            }
        }
    }
}

/// A value as one table cell: strings bare, null empty, the rest as compact JSON.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn csv_line(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        assert_eq!(
            csv_line(&["a".into(), "b,c".into(), "say \"hi\"".into()]),
            "a,\"b,c\",\"say \"\"hi\"\"\""
        );
    }
}
