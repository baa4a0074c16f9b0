//! Turns one CSV record into an `Establishment`, collecting every problem in the row.

use std::borrow::Cow;

use chrono::NaiveDate;
use domain::{DistrictCode, Establishment, GiasSrp, LaCode, Laestab, SrpKind, Urn};

use super::GiasRow;
use super::columns::Columns;
use crate::{ImportIssue, TextEncoding};

pub(crate) fn decode(bytes: &[u8], encoding: TextEncoding) -> Cow<'_, str> {
    match encoding {
        // The sniffer validated the whole file; a lossy decode only guards against misuse.
        TextEncoding::Utf8 => String::from_utf8_lossy(bytes),
        TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

struct RowCtx<'a> {
    file: &'a str,
    line: u64,
    record: &'a csv::ByteRecord,
    columns: &'a Columns,
    encoding: TextEncoding,
    errors: Vec<ImportIssue>,
    warnings: Vec<ImportIssue>,
}

impl RowCtx<'_> {
    fn text(&self, idx: usize) -> Cow<'_, str> {
        let raw = decode(self.record.get(idx).unwrap_or_default(), self.encoding);
        match raw {
            Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
            Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
        }
    }

    fn opt_text(&self, idx: Option<usize>) -> Option<String> {
        let s = self.text(idx?);
        (!s.is_empty()).then(|| s.into_owned())
    }

    fn column(&self, idx: usize) -> &str {
        &self.columns.names[idx]
    }

    fn error(&mut self, idx: usize, code: &'static str, message: String) {
        let column = self.column(idx).to_owned();
        self.errors.push(ImportIssue::row_error(self.file, self.line, &column, code, message));
    }

    fn warning(&mut self, idx: usize, code: &'static str, message: String) {
        let column = self.column(idx).to_owned();
        self.warnings.push(ImportIssue::row_warning(self.file, self.line, &column, code, message));
    }

    fn int(&mut self, idx: Option<usize>) -> Option<i32> {
        let idx = idx?;
        let s = self.text(idx).into_owned();
        if s.is_empty() {
            return None;
        }
        match s.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                let column = self.column(idx).to_owned();
                self.error(idx, "bad_number", format!("{column} is not a whole number ({s:?})"));
                None
            }
        }
    }

    fn date(&mut self, idx: Option<usize>) -> Option<NaiveDate> {
        let idx = idx?;
        let s = self.text(idx).into_owned();
        if s.is_empty() {
            return None;
        }
        // GIAS publishes dd-mm-yyyy; files re-saved by Excel or tools come as dd/mm/yyyy or ISO.
        let parsed = ["%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"].iter().find_map(|f| NaiveDate::parse_from_str(&s, f).ok());
        if parsed.is_none() {
            let column = self.column(idx).to_owned();
            self.error(idx, "bad_date", format!("{column} is not a date in dd-mm-yyyy form ({s:?})"));
        }
        parsed
    }
}

/// Values GIAS writes where a field does not apply.
fn is_not_applicable(s: &str) -> bool {
    s.eq_ignore_ascii_case("not applicable") || s.eq_ignore_ascii_case("not recorded")
}

pub(crate) fn parse_row(
    file: &str,
    line: u64,
    record: &csv::ByteRecord,
    columns: &Columns,
    encoding: TextEncoding,
) -> GiasRow {
    let mut cx = RowCtx { file, line, record, columns, encoding, errors: Vec::new(), warnings: Vec::new() };
    let c = columns;

    let urn_text = cx.text(c.urn).into_owned();
    let urn = match Urn::parse(&urn_text) {
        Ok(urn) => Some(urn),
        Err(e) => {
            cx.error(c.urn, "bad_urn", e.to_string());
            None
        }
    };

    let la_text = cx.text(c.la_code).into_owned();
    // Establishments outside England's LAs (British schools overseas) carry LA code 0.
    let la = match la_text.as_str() {
        "" | "0" | "000" => None,
        s => match LaCode::parse(s) {
            Ok(la) => Some(la),
            Err(e) => {
                cx.warning(c.la_code, "bad_la_code", e.to_string());
                None
            }
        },
    };
    let laestab = match (&la, cx.opt_text(c.establishment_number)) {
        (Some(la), Some(number)) => match Laestab::from_parts(la, &number) {
            Ok(l) => Some(l),
            Err(e) => {
                cx.warning(c.establishment_number.unwrap_or(c.la_code), "bad_laestab", e.to_string());
                None
            }
        },
        _ => None,
    };

    let name = cx.text(c.name).into_owned();
    if name.is_empty() {
        cx.error(c.name, "missing_name", "EstablishmentName is empty".to_owned());
    }

    let district_text = cx.opt_text(c.district_code);
    // `9999` is GIAS's "no district" (overseas establishments).
    let district = match district_text.as_deref() {
        None | Some("9999") => None,
        Some(s) => match DistrictCode::parse(s) {
            Ok(d) => Some(d),
            Err(e) => {
                cx.warning(c.district_code.unwrap_or(c.la_code), "bad_district", e.to_string());
                None
            }
        },
    };

    let open_date = cx.date(c.open_date);
    let close_date = cx.date(c.close_date);
    let statutory_low_age = cx.int(c.low_age);
    let statutory_high_age = cx.int(c.high_age);
    let school_capacity = cx.int(c.capacity);
    let number_of_pupils = cx.int(c.pupils);
    let easting = cx.int(c.easting);
    let northing = cx.int(c.northing);

    let sen_provision = c
        .sen
        .iter()
        .filter_map(|&(rank, idx)| {
            let need = cx.text(idx);
            (!need.is_empty() && !is_not_applicable(&need)).then(|| (rank, need.into_owned()))
        })
        .collect();

    let rp_type = cx.opt_text(c.rp_type).unwrap_or_default().to_lowercase();
    let rp = (cx.int(c.rp_capacity), cx.int(c.rp_on_roll));
    let unit = (cx.int(c.unit_capacity), cx.int(c.unit_on_roll));
    let mut srps = Vec::new();
    if rp_type.contains("resourced provision") || rp.0.is_some() || rp.1.is_some() {
        srps.push(GiasSrp { kind: SrpKind::ResourcedProvision, capacity: rp.0, on_roll: rp.1 });
    }
    if rp_type.contains("sen unit") || unit.0.is_some() || unit.1.is_some() {
        srps.push(GiasSrp { kind: SrpKind::SenUnit, capacity: unit.0, on_roll: unit.1 });
    }

    let (Some(urn), true) = (urn, cx.errors.is_empty()) else {
        return GiasRow::Rejected { line, la: la.map(|l| l.as_str().to_owned()), issues: cx.errors };
    };
    let establishment = Establishment {
        urn,
        la_name: la.as_ref().and_then(|_| cx.opt_text(Some(c.la_name))),
        la,
        laestab,
        ukprn: cx.opt_text(c.ukprn),
        name,
        type_of_establishment: cx.text(c.type_of_establishment).into_owned(),
        type_group: cx.text(c.type_group).into_owned(),
        status: cx.text(c.status).into_owned(),
        phase: cx.text(c.phase).into_owned(),
        admissions_policy: cx.opt_text(c.admissions_policy),
        statutory_low_age,
        statutory_high_age,
        open_date,
        close_date,
        district_name: district.as_ref().and_then(|_| cx.opt_text(c.district_name)),
        district,
        gss_la_code: cx.opt_text(c.gss_la_code),
        school_capacity,
        number_of_pupils,
        trust: cx.opt_text(c.trust),
        ofsted_rating: cx.opt_text(c.ofsted),
        postcode: cx.opt_text(c.postcode),
        easting,
        northing,
        sen_provision,
        srps,
    };
    GiasRow::Establishment { line, establishment: Box::new(establishment), warnings: cx.warnings }
}
