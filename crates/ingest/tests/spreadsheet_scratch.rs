use std::path::Path;
#[test]
fn dump() {
    let d = Path::new("/work/shared/dfe-data");
    let a = inclusion_ingest::spreadsheet::read_table(&d.join("lookups__la_region_lookup_raw.xlsx"), None).unwrap();
    let b = inclusion_ingest::spreadsheet::read_table(&d.join("lookups__la_region_lookup_raw.ods"), None).unwrap();
    println!("{} {:?} / {} {:?} {} {}", a.header_row, a.headers, b.header_row, b.headers, a.rows.len(), b.rows.len());
    let av: Vec<_> = a.rows.iter().map(|r| r.1.clone()).filter(|r| r[1] != "Northamptonshire").collect();
    let bv: Vec<_> = b.rows.iter().map(|r| r.1.clone()).collect();
    for i in 0..av.len().max(bv.len()) {
        if av.get(i) != bv.get(i) {
            println!("{i}: {:?} | {:?}", av.get(i), bv.get(i));
        }
    }
    println!("{:?}", &a.rows[50..58]);
    println!("{:?}", a.rows.last());
    for s in [
        "Information_2023_to_2024",
        "Allocations_summary",
        "Schools_block_and_CSSB",
        "High_needs_block",
        "High_needs_deductions",
        "Early_years_block",
    ] {
        let p = d.join("finance__dedicated-schools-grant_2024_07_20.ods");
        match inclusion_ingest::spreadsheet::read_table(&p, Some(s)) {
            Ok(t) => {
                println!("== [{}] header row {}: {:?}", t.sheet, t.header_row, &t.headers[..t.headers.len().min(6)]);
                for r in t.rows.iter().take(2) {
                    println!("   {:?}", &r.1[..r.1.len().min(6)]);
                }
            }
            Err(e) => println!("ERR {e}"),
        }
    }
}
