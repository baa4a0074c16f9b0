//! The mappings compiled into the binary (`mappings/*.toml`) and the directory that may override
//! them (`--mappings DIR`).

use std::path::Path;

use super::Mapping;
use crate::Error;

macro_rules! builtin {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../../../mappings/", $file)))),*]
    };
}

/// File name and text of every shipped mapping.
pub const BUILTIN_MAPPINGS: &[(&str, &str)] = builtin!(
    "ehc_plans.toml",
    "cin_sen.toml",
    "pru_absence.toml",
    "ap_settings.toml",
    "ehe.toml",
    "absence_school.toml",
    "ks2_sen.toml",
    "ks4_sen.toml",
    "exclusions_sen.toml",
    "sen_school.toml",
    "exclusions_school.toml",
    "ks2_school.toml",
    "ks4_sen_provision.toml",
    "absence_by_school.toml",
    "s251_budget.toml",
);

/// The shipped mappings. They are checked by the test suite, so a broken one is a build bug.
pub fn builtin_mappings() -> Vec<Mapping> {
    BUILTIN_MAPPINGS
        .iter()
        .map(|(file, text)| {
            Mapping::from_toml(&format!("builtin:{file}"), text)
                .unwrap_or_else(|e| panic!("shipped mapping is invalid: {e}"))
        })
        .collect()
}

/// The built-in mappings, with every `*.toml` in `dir` added; a file whose `name` matches a
/// built-in one replaces it. Two files in `dir` with the same name are an error.
pub fn load_mappings(dir: Option<&Path>) -> Result<Vec<Mapping>, Error> {
    let mut mappings = builtin_mappings();
    let Some(dir) = dir else { return Ok(mappings) };
    let io = |path: &Path, source| Error::Io { file: path.display().to_string(), source };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .map(|entry| entry.map(|e| e.path()).map_err(|e| io(dir, e)))
        .collect::<Result<_, _>>()?;
    paths.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    paths.sort();
    let mut from_dir: Vec<Mapping> = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
        let mapping = Mapping::from_toml(&path.display().to_string(), &text)?;
        if let Some(earlier) = from_dir.iter().find(|m| m.name == mapping.name) {
            return Err(Error::Mapping {
                file: mapping.source,
                key: "name".into(),
                message: format!("{:?} is also the name of {}", earlier.name, earlier.source),
            });
        }
        from_dir.push(mapping);
    }
    for mapping in from_dir {
        match mappings.iter_mut().find(|m| m.name == mapping.name) {
            Some(builtin) => *builtin = mapping,
            None => mappings.push(mapping),
        }
    }
    Ok(mappings)
}
