//! Writes a GIAS establishment extract of any size in the published shape: the 140 published
//! headers in order, Windows-1252 bytes, quoted text, `dd-mm-yyyy` dates, empty cells, names
//! with commas and curly apostrophes. For the benchmark (a national-size file) and scale tests.

use std::io::{self, Write};

/// The committed fixture carries the published header line; reuse it rather than retype it.
const FIXTURE: &[u8] = include_bytes!("../../ingest/test_data/gias/basic.csv");

/// The published header names, in order.
pub fn headers() -> Vec<String> {
    let end = FIXTURE.iter().position(|&b| b == b'\r' || b == b'\n').unwrap_or(FIXTURE.len());
    let line = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&FIXTURE[..end]).0.into_owned();
    line.split(',').map(|h| h.trim_matches('"').to_owned()).collect()
}

/// A small deterministic generator (xorshift64*), so the same seed writes the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const PLACES: &[&str] = &[
    "Ashford",
    "Canterbury",
    "Dartford",
    "Dover",
    "Folkestone",
    "Gravesend",
    "Maidstone",
    "Sevenoaks",
    "Sittingbourne",
    "Margate",
    "Tonbridge",
    "Tunbridge Wells",
    "Whitstable",
    "Deal",
    "Hythe",
    "Faversham",
    "Ramsgate",
    "Broadstairs",
    "Herne Bay",
    "Swanley",
    "Westerham",
    "Cranbrook",
    "Tenterden",
    "Sandwich",
    "Aylesham",
];
const TYPES: &[(&str, &str, &str)] = &[
    ("01", "Community school", "Local authority maintained schools"),
    ("02", "Voluntary aided school", "Local authority maintained schools"),
    ("03", "Voluntary controlled school", "Local authority maintained schools"),
    ("05", "Foundation school", "Local authority maintained schools"),
    ("28", "Academy sponsor led", "Academies"),
    ("34", "Academy converter", "Academies"),
    ("35", "Free schools", "Free Schools"),
    ("07", "Community special school", "Special schools"),
    ("33", "Academy special converter", "Special schools"),
    ("10", "Other independent special school", "Special schools"),
    ("11", "Other independent school", "Independent schools"),
    ("14", "Pupil referral unit", "Local authority maintained schools"),
];
const SEN: &[&str] = &[
    "ASD - Autistic Spectrum Disorder",
    "SLCN - Speech, language and Communication",
    "SEMH - Social, Emotional and Mental Health",
    "MLD - Moderate Learning Difficulty",
    "SLD - Severe Learning Difficulty",
    "PMLD - Profound and Multiple Learning Difficulty",
    "PD - Physical Disability",
];

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Writes `rows` establishments (URNs from 100000) across 150 LAs.
pub fn write(out: &mut impl Write, rows: usize, seed: u64) -> io::Result<()> {
    let headers = headers();
    let col = |name: &str| headers.iter().position(|h| h == name).expect("published header");
    let (urn, la_code, la_name, est_no, name) =
        (col("URN"), col("LA (code)"), col("LA (name)"), col("EstablishmentNumber"), col("EstablishmentName"));
    let (type_code, type_name, group, status) = (
        col("TypeOfEstablishment (code)"),
        col("TypeOfEstablishment (name)"),
        col("EstablishmentTypeGroup (name)"),
        col("EstablishmentStatus (name)"),
    );
    let (open, close, phase, pupils, capacity) = (
        col("OpenDate"),
        col("CloseDate"),
        col("PhaseOfEducation (name)"),
        col("NumberOfPupils"),
        col("SchoolCapacity"),
    );
    let (district_code, district_name, postcode, easting, northing) = (
        col("DistrictAdministrative (code)"),
        col("DistrictAdministrative (name)"),
        col("Postcode"),
        col("Easting"),
        col("Northing"),
    );
    let (rp_type, rp_roll, rp_cap, unit_roll, unit_cap) = (
        col("TypeOfResourcedProvision (name)"),
        col("ResourcedProvisionOnRoll"),
        col("ResourcedProvisionCapacity"),
        col("SenUnitOnRoll"),
        col("SenUnitCapacity"),
    );
    let (admissions, head, ofsted, ukprn) =
        (col("AdmissionsPolicy (name)"), col("HeadFirstName"), col("OfstedRating (name)"), col("UKPRN"));
    let sen: Vec<usize> = (1..=4).map(|r| col(&format!("SEN{r} (name)"))).collect();

    let mut rng = Rng(seed | 1);
    let header_line: Vec<String> = headers.iter().map(|h| quote(h)).collect();
    out.write_all(header_line.join(",").as_bytes())?;
    out.write_all(b"\r\n")?;
    let mut fields = vec![String::new(); headers.len()];
    for i in 0..rows {
        fields.iter_mut().for_each(String::clear);
        let la = 201 + (i % 150) as u64 * 5;
        let (t_code, t_name, t_group) = TYPES[rng.below(TYPES.len() as u64) as usize];
        let place = rng.pick(PLACES);
        let special = t_group == "Special schools";
        fields[urn] = (100_000 + i).to_string();
        fields[la_code] = quote(&la.to_string());
        fields[la_name] = quote(&format!("Authority {la}"));
        fields[est_no] = quote(&format!("{}", 1000 + i % 9000));
        fields[name] = match rng.below(20) {
            0 => format!("\"St Mary{}s Church of England Primary School, {place}\"", '\u{2019}'),
            1 => quote(&format!("{place} Oaks Academy, Upper Site")),
            _ => quote(&format!("{place} {} School {i}", if special { "Special" } else { "Primary" })),
        };
        fields[type_code] = quote(t_code);
        fields[type_name] = quote(t_name);
        fields[group] = quote(t_group);
        let closed = rng.below(12) == 0;
        fields[status] = quote(if closed { "Closed" } else { "Open" });
        fields[open] = format!("{:02}-{:02}-{}", 1 + rng.below(28), 1 + rng.below(12), 1950 + rng.below(74));
        if closed {
            fields[close] = format!("31-08-{}", 2000 + rng.below(24));
        }
        fields[phase] = quote(if special {
            "Not applicable"
        } else {
            rng.pick(&["Primary", "Primary", "Secondary", "All-through"])
        });
        if rng.below(10) != 0 {
            fields[pupils] = (20 + rng.below(1800)).to_string();
            fields[capacity] = (30 + rng.below(2000)).to_string();
        }
        fields[district_code] = quote(&format!("E0700{:04}", la % 10_000));
        fields[district_name] = quote(&format!("{place} District"));
        fields[postcode] = quote(&format!("TN{} {}AB", 1 + rng.below(30), rng.below(10)));
        fields[easting] = (500_000 + rng.below(140_000)).to_string();
        fields[northing] = (100_000 + rng.below(80_000)).to_string();
        fields[admissions] = quote(rng.pick(&["Not applicable", "Non-selective", "Selective"]));
        fields[head] = quote(rng.pick(&["Jane", "Sam", "Aled", "Priya"]));
        fields[ofsted] = quote(rng.pick(&["Good", "Outstanding", "Requires improvement", ""]));
        fields[ukprn] = (10_000_000 + i).to_string();
        if special {
            for (rank, &c) in sen.iter().enumerate().take(1 + rng.below(4) as usize) {
                fields[c] = quote(SEN[(rank + rng.below(3) as usize) % SEN.len()]);
            }
        }
        match rng.below(25) {
            0 => {
                fields[rp_type] = quote("Resourced provision");
                fields[rp_cap] = (8 + rng.below(13)).to_string();
                fields[rp_roll] = rng.below(20).to_string();
            }
            1 => {
                fields[rp_type] = quote("SEN unit");
                fields[unit_cap] = (8 + rng.below(13)).to_string();
                fields[unit_roll] = rng.below(20).to_string();
            }
            _ => fields[rp_type] = quote("Not applicable"),
        }
        let line = fields.join(",");
        // Windows-1252, as the download is: the curly apostrophe becomes byte 0x92.
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&line);
        out.write_all(&bytes)?;
        out.write_all(b"\r\n")?;
    }
    Ok(())
}
