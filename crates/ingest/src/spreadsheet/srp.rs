//! The LA's register of Specialist Resource Provision: one row per SRP, the authority on need type
//! and commissioned places.

use std::collections::HashMap;

use domain::{AgeRange, NeedType, SrpKind, SrpRegisterEntry};

use super::header::{Field, Need, Template};
use super::need::map_needs;
use super::row::Row;

const URN: usize = 0;
const LAESTAB: usize = 1;
const SCHOOL_NAME: usize = 2;
const NAME: usize = 3;
const KIND: usize = 4;
const NEED: usize = 5;
const PLACES: usize = 6;
const ON_ROLL: usize = 7;
const AGES: usize = 8;
const PROVIDER: usize = 9;
const SLA_SIGNED: usize = 10;
const SLA_DATE: usize = 11;
const OPEN: usize = 12;
const CLOSE: usize = 13;

pub(crate) const TEMPLATE: Template = Template {
    name: "SRP register",
    fields: &[
        Field {
            label: "URN",
            synonyms: &["host URN", "host school URN", "school URN", "URN of host school", "URN (host school)"],
            need: Need::OneOf(1),
        },
        Field {
            label: "LAESTAB",
            synonyms: &["DfE number", "DfE no", "LA estab", "host LAESTAB", "school LAESTAB", "LAESTAB number"],
            need: Need::OneOf(1),
        },
        Field {
            label: "School name",
            synonyms: &["host school", "school", "host school name", "establishment name"],
            need: Need::Quiet,
        },
        Field {
            label: "SRP name",
            synonyms: &["provision name", "name", "SRP", "resourced provision name", "unit name", "provision"],
            need: Need::Optional,
        },
        Field {
            label: "Provision type",
            synonyms: &["type", "SRP type", "kind", "type of provision", "provision kind"],
            need: Need::Quiet,
        },
        Field {
            label: "Need type",
            synonyms: &[
                "need",
                "needs",
                "primary need",
                "type of need",
                "area of need",
                "SEN type",
                "SEND type",
                "specialism",
                "need type(s)",
            ],
            need: Need::Required,
        },
        Field {
            label: "Commissioned places",
            synonyms: &[
                "places",
                "number of places",
                "places commissioned",
                "commissioned",
                "no of places",
                "planned places",
                "capacity",
            ],
            need: Need::Required,
        },
        Field {
            label: "On roll",
            synonyms: &[
                "number on roll",
                "pupils on roll",
                "NOR",
                "no on roll",
                "roll",
                "pupils",
                "current roll",
                "places filled",
            ],
            need: Need::Optional,
        },
        Field { label: "Age range", synonyms: &["ages", "age", "age group", "ages taken"], need: Need::Optional },
        Field {
            label: "Provider",
            synonyms: &["trust", "provider/trust", "provider or trust", "academy trust", "MAT", "operator"],
            need: Need::Optional,
        },
        Field {
            label: "SLA signed",
            synonyms: &[
                "SLA",
                "signed SLA",
                "SLA agreed",
                "service level agreement",
                "service level agreement signed",
                "SLA status",
            ],
            need: Need::Optional,
        },
        Field {
            label: "SLA date",
            synonyms: &["SLA signed date", "date SLA signed", "SLA signed on", "SLA date signed", "date signed"],
            need: Need::Optional,
        },
        Field {
            label: "Open date",
            synonyms: &["opened", "date opened", "opening date", "start date", "opened on"],
            need: Need::Optional,
        },
        Field {
            label: "Close date",
            synonyms: &["closed", "date closed", "closing date", "end date", "closed on"],
            need: Need::Quiet,
        },
    ],
};

/// Reads SRP rows; `seen` holds (host, name, needs) → row, to reject a second copy of an SRP.
pub(crate) struct SrpRows {
    seen: HashMap<(domain::SchoolRef, String), u64>,
    /// A register writes the same few need texts over and over: each is mapped once.
    mapped: HashMap<String, Option<Vec<NeedType>>>,
}

impl SrpRows {
    pub(crate) fn new() -> Self {
        Self { seen: HashMap::new(), mapped: HashMap::new() }
    }

    fn needs(&mut self, text: &str) -> Option<Vec<NeedType>> {
        if let Some(needs) = self.mapped.get(text) {
            return needs.clone();
        }
        let needs = map_needs(text);
        self.mapped.insert(text.to_owned(), needs.clone());
        needs
    }

    pub(crate) fn parse(&mut self, row: &mut Row) -> Option<SrpRegisterEntry> {
        let host = row.school(URN, LAESTAB);
        let need_as_written = row.required_text(NEED);
        let needs = need_as_written.as_deref().and_then(|text| self.needs(text));
        if let (Some(text), None) = (&need_as_written, &needs) {
            let codes: Vec<&str> = NeedType::ALL.iter().map(|n| n.code()).collect();
            let message =
                format!("Need type {text:?} is not on the controlled list ({}); kept as written", codes.join(", "));
            row.warning(NEED, "unknown_need", message);
        }
        let places = row.whole_number(PLACES);
        if places.is_none() && row.value(PLACES) == super::cells::Value::Empty {
            row.warning(PLACES, "missing_value", "Commissioned places is empty".into());
        }
        let on_roll = row.whole_number(ON_ROLL);
        if let (Some(places), Some(on_roll)) = (places, on_roll)
            && on_roll > places
        {
            row.warning(
                ON_ROLL,
                "over_places",
                format!("On roll ({on_roll}) is more than commissioned places ({places})"),
            );
        }
        let age_range = row.text(AGES).and_then(|text| {
            let range = age_range(&text);
            if range.is_none() {
                row.warning(
                    AGES,
                    "bad_age_range",
                    format!("Age range is not two ages like \"4-11\" ({text:?}); ignored"),
                );
            }
            range
        });
        let kind = row.text(KIND).and_then(|text| {
            let kind = srp_kind(&text);
            if kind.is_none() {
                let message = format!("Provision type {text:?} is neither resourced provision nor SEN unit; ignored");
                row.warning(KIND, "unknown_provision_type", message);
            }
            kind
        });
        let sla_signed = row.yes_no(SLA_SIGNED);
        let sla_date = row.date(SLA_DATE);
        if sla_signed == Some(false) && sla_date.is_some() {
            row.warning(SLA_DATE, "sla_conflict", "SLA date is given but SLA signed says no".into());
        }
        let open_date = row.date(OPEN);
        let close_date = row.date(CLOSE);
        if let (Some(open), Some(close)) = (open_date, close_date)
            && close < open
        {
            row.error(CLOSE, "bad_date_order", format!("Close date ({close}) is before open date ({open})"));
        }
        let name = row.text(NAME);
        let (host, need_as_written) = (host?, need_as_written?);
        let key = (host.clone(), srp_key(name.as_deref(), &need_as_written, needs.as_deref()));
        if !row.rejected {
            if let Some(first) = self.seen.get(&key) {
                let message = format!("{host} has this SRP already (row {first}: same name and need type)");
                row.error(row.school_field(URN, LAESTAB), "duplicate_row", message);
                return None;
            }
            self.seen.insert(key, row.number);
        }
        Some(SrpRegisterEntry {
            host,
            school_name: row.text(SCHOOL_NAME),
            name,
            kind,
            need_as_written,
            needs: needs.unwrap_or_default(),
            commissioned_places: places,
            on_roll,
            age_range,
            provider: row.text(PROVIDER),
            sla_signed,
            sla_date,
            open_date,
            close_date,
        })
    }
}

/// What tells two SRPs of one school apart: the SRP name (ignoring case) and the needs (their codes,
/// or the text as written when unknown), in one string.
fn srp_key(name: Option<&str>, written: &str, needs: Option<&[NeedType]>) -> String {
    let mut key = name.unwrap_or_default().to_lowercase();
    key.push('\u{1f}');
    match needs {
        Some(needs) => needs.iter().for_each(|n| {
            key.push_str(n.code());
            key.push('/');
        }),
        None => key.push_str(&written.to_lowercase()),
    }
    key
}

/// `4-11`, `4 – 11`, `4 to 11`, `5-16 years`: two ages, the first not above the second.
fn age_range(text: &str) -> Option<AgeRange> {
    let mut numbers = text.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(str::parse::<u8>);
    let (low, high) = (numbers.next()?.ok()?, numbers.next()?.ok()?);
    (numbers.next().is_none() && low <= high && high <= 25).then_some(AgeRange { low, high })
}

fn srp_kind(text: &str) -> Option<SrpKind> {
    let words = super::header::normalise(text);
    match words.as_str() {
        "resourcedprovision"
        | "rp"
        | "srp"
        | "specialistresourceprovision"
        | "specialistresourcedprovision"
        | "resourcebase"
        | "resourced" => Some(SrpKind::ResourcedProvision),
        "senunit" | "unit" | "specialunit" | "specialistunit" | "sen" => Some(SrpKind::SenUnit),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_age_range_is_written_many_ways() {
        assert_eq!(age_range("4-11"), Some(AgeRange { low: 4, high: 11 }));
        assert_eq!(age_range("4 – 11"), Some(AgeRange { low: 4, high: 11 }));
        assert_eq!(age_range("5 to 16 years"), Some(AgeRange { low: 5, high: 16 }));
        assert_eq!(age_range("KS2"), None);
        assert_eq!(age_range("11-4"), None);
    }

    #[test]
    fn a_provision_type_is_resourced_provision_or_a_unit() {
        assert_eq!(srp_kind("Resourced Provision"), Some(SrpKind::ResourcedProvision));
        assert_eq!(srp_kind("SEN unit"), Some(SrpKind::SenUnit));
        assert_eq!(srp_kind("Outreach"), None);
    }
}
