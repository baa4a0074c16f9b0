//! Operators' template files: which workbook header holds which field, for one register kind, so an
//! authority's own wording imports without a code change.
//!
//! ```toml
//! kind = "srp"
//! [columns]
//! "Primary designation" = "Need type"
//! "Our ref" = "LAESTAB"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Kind;
use super::header::normalise;
use super::parse::labels;
use crate::Error;

/// Template files are a few lines; a larger one is not a template.
const MAX_TEMPLATE_BYTES: u64 = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFile {
    /// The file as messages name it.
    pub file: String,
    pub kind: Kind,
    /// (header as the workbook writes it, field label as the template names it)
    pub columns: Vec<(String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    kind: String,
    #[serde(default)]
    columns: BTreeMap<String, String>,
}

/// Reads and checks one template file: its kind exists and every field it names is a field of it.
pub fn read_template(path: &Path) -> Result<TemplateFile, Error> {
    let file = path.display().to_string();
    let io = |source| Error::Io { file: file.clone(), source };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_TEMPLATE_BYTES {
        return Err(Error::Template {
            file,
            message: format!("{size} bytes; a template file is at most {MAX_TEMPLATE_BYTES}"),
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::Template { file: file.clone(), message: "not UTF-8 text; save it as UTF-8".into() })?;
    parse(&file, &text)
}

pub(crate) fn parse(file: &str, text: &str) -> Result<TemplateFile, Error> {
    let bad = |message: String| Error::Template { file: file.to_owned(), message };
    let raw: Raw = toml::from_str(text).map_err(|e| bad(e.message().to_owned()))?;
    let kind: Kind = raw.kind.parse().map_err(|_| {
        bad(format!("kind {:?} is not a register kind (srp, designations, clusters, training)", raw.kind))
    })?;
    let template = kind.template();
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    let mut columns = Vec::new();
    for (header, field) in raw.columns {
        let key = normalise(&header);
        if key.is_empty() {
            return Err(bad(format!("header {header:?} has no letters or digits")));
        }
        if header.chars().count() > 200 {
            return Err(bad(format!(
                "header {:?}… is over 200 characters",
                header.chars().take(40).collect::<String>()
            )));
        }
        let Some(index) = template.field_of(&field) else {
            return Err(bad(format!(
                "{field:?} (for {header:?}) is not a field of the {} template; fields: {}",
                template.name,
                labels(template)
            )));
        };
        if let Some(earlier) = seen.insert(key, template.fields[index].label) {
            return Err(bad(format!("header {header:?} is given twice (as {earlier} too), spelled alike")));
        }
        columns.push((header, template.fields[index].label.to_owned()));
    }
    Ok(TemplateFile { file: file.to_owned(), kind, columns })
}

/// The overrides for one kind: the files named (each must be of that kind), then every `*.toml` of
/// that kind in the templates directory. A header two files map to different fields is an error
/// naming both files.
pub fn templates_for(kind: Kind, named: &[PathBuf], dir: Option<&Path>) -> Result<Vec<(String, String)>, Error> {
    let mut files = Vec::new();
    for path in named {
        let template = read_template(path)?;
        if template.kind != kind {
            return Err(Error::Template {
                file: template.file,
                message: format!("it is a template for --kind {}, not {}", template.kind.as_str(), kind.as_str()),
            });
        }
        files.push(template);
    }
    if let Some(dir) = dir {
        let io = |source| Error::Io { file: dir.display().to_string(), source };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
            .collect();
        paths.sort();
        for path in paths {
            let template = read_template(&path)?;
            if template.kind == kind {
                files.push(template);
            }
        }
    }
    let mut merged: Vec<(String, String, String)> = Vec::new();
    for template in files {
        for (header, field) in template.columns {
            let key = normalise(&header);
            match merged.iter().find(|(h, _, _)| normalise(h) == key) {
                Some((_, earlier, _)) if *earlier == field => {}
                Some((_, earlier, from)) => {
                    return Err(Error::Template {
                        file: template.file.clone(),
                        message: format!("header {header:?} is {field} here but {earlier} in {from}"),
                    });
                }
                None => merged.push((header, field, template.file.clone())),
            }
        }
    }
    Ok(merged.into_iter().map(|(h, f, _)| (h, f)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_maps_headers_to_the_kinds_fields() {
        let t = parse("kent.toml", "kind = \"srp\"\n[columns]\n\"Primary designation\" = \"need type\"\n").unwrap();
        assert_eq!(t.kind, Kind::Srp);
        assert_eq!(t.columns, vec![("Primary designation".to_owned(), "Need type".to_owned())]);
    }

    #[test]
    fn a_field_the_kind_lacks_or_a_wrong_kind_is_refused_naming_the_file() {
        let err = parse("kent.toml", "kind = \"srp\"\n[columns]\n\"Focus\" = \"Designation\"\n").unwrap_err();
        assert!(err.to_string().starts_with("kent.toml: not a valid template file: \"Designation\" (for \"Focus\") is not a field of the SRP register template; fields: URN, LAESTAB"), "{err}");
        let err = parse("kent.toml", "kind = \"srps\"\n").unwrap_err();
        assert!(err.to_string().contains("kind \"srps\" is not a register kind"), "{err}");
        let err = parse("kent.toml", "kind = \"srp\"\ncolumn = {}\n").unwrap_err();
        assert!(err.to_string().contains("unknown field `column`"), "{err}");
        let err = parse("kent.toml", "kind = \"srp\"\n[columns]\n\"Places\" = \"On roll\"\n\"PLACES\" = \"URN\"\n")
            .unwrap_err();
        assert!(err.to_string().contains("given twice"), "{err}");
        assert!(parse("kent.toml", "\u{0}\u{1}garbage").is_err());
    }
}
