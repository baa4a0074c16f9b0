//! Need types as officers write them ("Autism", "ASC", "Speech and language", "ASD/SLCN") mapped to
//! the controlled list. Unknown text is not guessed at: the caller keeps it as written and warns.

use domain::NeedType;

/// Codes and abbreviations that name one need on their own.
const CODES: &[(&str, NeedType)] = &[
    ("asd", NeedType::Asd),
    ("asc", NeedType::Asd),
    ("autism", NeedType::Asd),
    ("autistic", NeedType::Asd),
    ("slcn", NeedType::Slcn),
    ("slcd", NeedType::Slcn),
    ("slc", NeedType::Slcn),
    ("semh", NeedType::Semh),
    ("besd", NeedType::Semh),
    ("bese", NeedType::Semh),
    ("spld", NeedType::Spld),
    ("dyslexia", NeedType::Spld),
    ("mld", NeedType::Mld),
    ("sld", NeedType::Sld),
    ("pmld", NeedType::Pmld),
    ("pd", NeedType::Pd),
    ("hi", NeedType::Hi),
    ("deaf", NeedType::Hi),
    ("vi", NeedType::Vi),
    ("msi", NeedType::Msi),
    ("deafblind", NeedType::Msi),
    ("oth", NeedType::Oth),
    ("other", NeedType::Oth),
];

/// Phrases found inside longer descriptions, checked in order: the more specific first
/// ("multi-sensory" before "sensory", "severe learning" before "learning").
const PHRASES: &[(&str, NeedType)] = &[
    ("multi sensory", NeedType::Msi),
    ("multisensory", NeedType::Msi),
    ("deaf blind", NeedType::Msi),
    ("autis", NeedType::Asd),
    ("profound", NeedType::Pmld),
    ("multiple learning", NeedType::Pmld),
    ("severe learning", NeedType::Sld),
    ("moderate learning", NeedType::Mld),
    ("severe", NeedType::Sld),
    ("moderate", NeedType::Mld),
    ("specific learning", NeedType::Spld),
    ("dyslexi", NeedType::Spld),
    ("dyspraxi", NeedType::Spld),
    ("dyscalculi", NeedType::Spld),
    ("speech", NeedType::Slcn),
    ("language", NeedType::Slcn),
    ("communication", NeedType::Slcn),
    ("mental health", NeedType::Semh),
    ("emotional", NeedType::Semh),
    ("behaviour", NeedType::Semh),
    // After "communication": "social communication" is a speech and language need.
    ("social", NeedType::Semh),
    ("hearing", NeedType::Hi),
    ("deaf", NeedType::Hi),
    ("visual", NeedType::Vi),
    ("vision", NeedType::Vi),
    ("sight", NeedType::Vi),
    ("blind", NeedType::Vi),
    ("physical", NeedType::Pd),
];

/// The needs a cell names, or `None` when any part of it is not recognised.
/// `"ASD/SLCN"` gives both; `"Speech and language"` gives SLCN once; `"ASD/complex needs"` gives
/// `None`, since half of it would be lost.
pub(crate) fn map_needs(text: &str) -> Option<Vec<NeedType>> {
    let lower = text.to_lowercase();
    let parts: Vec<&str> = lower
        .split(['/', ';', '&', '+', ',', '\n'])
        .flat_map(|p| p.split(" and "))
        .filter(|p| !p.trim().is_empty())
        .collect();
    let mut needs = parts.iter().map(|p| map_one(p)).collect::<Option<Vec<_>>>()?;
    if needs.is_empty() {
        return None;
    }
    needs.sort();
    needs.dedup();
    Some(needs)
}

fn map_one(text: &str) -> Option<NeedType> {
    let words: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let first = words.first()?;
    // "ASD - Autistic Spectrum Disorder", as GIAS writes it: the code comes first.
    if let Some(&(_, need)) = CODES.iter().find(|(code, _)| code == first) {
        return Some(need);
    }
    let joined = words.join(" ");
    if let Some(&(_, need)) = PHRASES.iter().find(|(phrase, _)| joined.contains(phrase)) {
        return Some(need);
    }
    words.iter().find_map(|w| CODES.iter().find(|(code, _)| code == w).map(|&(_, need)| need))
}

#[cfg(test)]
mod tests {
    use super::*;
    use NeedType::*;

    #[test]
    fn autism_is_written_many_ways() {
        for text in [
            "Autism",
            "autistic spectrum condition",
            "ASC",
            "ASD",
            "Autistic Spectrum Disorder",
            "ASD - Autistic Spectrum Disorder",
        ] {
            assert_eq!(map_needs(text), Some(vec![Asd]), "{text}");
        }
    }

    #[test]
    fn speech_and_language_is_slcn_once() {
        assert_eq!(map_needs("Speech and language"), Some(vec![Slcn]));
        assert_eq!(map_needs("Speech, language and communication needs"), Some(vec![Slcn]));
    }

    #[test]
    fn semh_is_read_whole() {
        assert_eq!(map_needs("Social, Emotional and Mental Health"), Some(vec![Semh]));
    }

    #[test]
    fn two_needs_in_one_cell_are_both_kept() {
        assert_eq!(map_needs("ASD/SLCN"), Some(vec![Asd, Slcn]));
        assert_eq!(map_needs("Autism & speech and language"), Some(vec![Asd, Slcn]));
    }

    #[test]
    fn the_learning_difficulties_are_told_apart() {
        assert_eq!(map_needs("Profound and multiple learning difficulties"), Some(vec![Pmld]));
        assert_eq!(map_needs("Severe learning difficulties"), Some(vec![Sld]));
        assert_eq!(map_needs("Moderate learning difficulty"), Some(vec![Mld]));
        assert_eq!(map_needs("Dyslexia"), Some(vec![Spld]));
        assert_eq!(map_needs("Multi-sensory impairment"), Some(vec![Msi]));
        assert_eq!(map_needs("Hearing impairment"), Some(vec![Hi]));
        assert_eq!(map_needs("Visually impaired"), Some(vec![Vi]));
    }

    #[test]
    fn an_unknown_need_is_not_guessed() {
        assert_eq!(map_needs("Complex needs"), None);
        assert_eq!(map_needs("ASD/complex needs"), None);
        assert_eq!(map_needs("Learning difficulties"), None);
    }
}
