//! Header text reduced to its meaningful words, for matching headers no synonym list holds. Officers
//! reorder words ("Places (commissioned)"), add filler ("Number of …", "Name of …"), abbreviate
//! ("No.", "Prov.") and use their own word for a thing ("title" for name, "closure" for close);
//! compared as sets of canonical words, those all read the same.

use std::collections::BTreeSet;

/// Words that carry no meaning in a column header: a header is the same without them.
const FILLER: &[&str] = &[
    "a",
    "an",
    "and",
    "are",
    "as",
    "at",
    "been",
    "by",
    "has",
    "have",
    "was",
    "were",
    "currently",
    "current",
    "for",
    "in",
    "is",
    "it",
    "its",
    "name",
    "no",
    "nos",
    "num",
    "number",
    "of",
    "on",
    "or",
    "per",
    "the",
    "to",
    "total",
    "with",
    "count",
];

/// Words officers use for the same thing, each to one canonical word (applied after plurals go).
const SAME_AS: &[(&str, &str)] = &[
    // Names
    ("title", "name"),
    ("called", "name"),
    // Opening and closing
    ("closure", "close"),
    ("closing", "close"),
    ("closed", "close"),
    ("end", "close"),
    ("ended", "close"),
    ("ending", "close"),
    ("ceased", "close"),
    ("opening", "open"),
    ("opened", "open"),
    ("start", "open"),
    ("started", "open"),
    ("starting", "open"),
    ("commenced", "open"),
    // What a provision or school is designated for
    ("designation", "need"),
    ("designated", "need"),
    ("specialism", "need"),
    ("sen", "need"),
    ("send", "need"),
    // The provision itself
    ("srp", "provision"),
    ("rp", "provision"),
    ("unit", "provision"),
    ("resourced", "provision"),
    ("prov", "provision"),
    // Pupils
    ("child", "pupil"),
    ("children", "pupil"),
    ("learner", "pupil"),
    ("student", "pupil"),
    ("nor", "roll"),
    // Schools
    ("sch", "school"),
    ("establishment", "school"),
    ("setting", "school"),
    // Places
    ("commiss", "commissioned"),
    ("comm", "commissioned"),
    ("funded", "commissioned"),
    ("capacity", "place"),
    // Kinds
    ("kind", "type"),
    ("category", "type"),
    ("dt", "date"),
    ("dated", "date"),
    ("agreed", "signed"),
    ("programme", "program"),
    ("yr", "year"),
];

/// The canonical meaningful words of a header: lower case, split at anything not a letter or digit,
/// plurals made singular, synonyms folded, filler and bare numbers (years, "2024/25") dropped.
pub(crate) fn meaning(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .filter(|t| !t.chars().all(|c| c.is_ascii_digit()))
        .map(|t| canonical(&t))
        .filter(|t| !FILLER.contains(&t.as_str()))
        .collect()
}

fn canonical(word: &str) -> String {
    if let Some((_, to)) = SAME_AS.iter().find(|(from, _)| *from == word) {
        return (*to).to_owned();
    }
    let single = singular(word);
    match SAME_AS.iter().find(|(from, _)| *from == single) {
        Some((_, to)) => (*to).to_owned(),
        None => single,
    }
}

/// "places" → "place", "facilities" → "facility"; "status", "address" and short words stay.
fn singular(word: &str) -> String {
    if word.len() > 4
        && let Some(stem) = word.strip_suffix("ies")
    {
        return format!("{stem}y");
    }
    let keeps = ["ss", "us", "is"].iter().any(|end| word.ends_with(end));
    match word.strip_suffix('s') {
        Some(stem) if word.len() > 3 && !keeps => stem.to_owned(),
        _ => word.to_owned(),
    }
}

/// How close two headers are in meaning: shared words over all words (1.0 = the same words).
pub(crate) fn closeness(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.intersection(b).count();
    shared as f64 / (a.len() + b.len() - shared) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        meaning(text).into_iter().collect()
    }

    #[test]
    fn filler_plurals_numbers_and_order_do_not_change_the_meaning() {
        assert_eq!(words("Number of commissioned places (2024/25)"), ["commissioned", "place"]);
        assert_eq!(words("Places (commissioned)"), ["commissioned", "place"]);
        assert_eq!(words("Name of the provision"), ["provision"]);
        assert_eq!(words("Provision title"), ["provision"]);
        assert_eq!(words("Date of closure"), ["close", "date"]);
        assert_eq!(words("Pupils currently on roll"), ["pupil", "roll"]);
        assert_eq!(words("SLA status"), ["sla", "status"]);
    }

    #[test]
    fn closeness_counts_shared_words() {
        let c = |a: &str, b: &str| closeness(&meaning(a), &meaning(b));
        assert_eq!(c("Primary designation", "primary need"), 1.0);
        assert_eq!(c("Date", "Open date"), 0.5);
        assert_eq!(c("Notes", "Open date"), 0.0);
        assert_eq!(c("Number of", "Number of"), 0.0, "filler alone means nothing");
    }
}
