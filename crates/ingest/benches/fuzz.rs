//! A bounded fuzz run of every parser: mutates real inputs (the GIAS and EES fixtures, every
//! shipped mapping, the sample SRP register) and feeds them to the parsers, which must return
//! rows or an error but never panic. Not part of CI: run it by hand. A panicking input is saved
//! under `target/fuzz-crashes/` and the run exits non-zero; keep it as a regression test.
//!
//! `cargo bench -p inclusion-ingest --bench fuzz [-- SECONDS [SEED]]` (default 30 s, seed 1)

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use inclusion_ingest::ees::{EesReader, Mapping, builtin_mappings};
use inclusion_ingest::gias::GiasReader;
use inclusion_ingest::spreadsheet::{ReadOptions, read_srp_register};

/// xorshift64*: deterministic, so a seed replays a run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// Bytes parsers trip on: separators, quotes, line ends, NUL, a BOM, high and invalid UTF-8.
const TOKENS: [&[u8]; 14] = [
    b",",
    b"\"",
    b"\r\n",
    b"\n",
    b"\r",
    b"\0",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xC3",
    b"\xE2\x80\x99",
    b"=",
    b"[",
    b"]",
    b"\t",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..=rng.below(8) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = rng.next() as u8;
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, t.iter().copied());
            }
            2 => out.truncate(at),
            3 if !out.is_empty() => {
                let end = (at + rng.below(64)).min(out.len());
                out.drain(at.min(end)..end);
            }
            4 => {
                let start = rng.below(out.len() + 1);
                let end = (start + rng.below(256)).min(out.len());
                let chunk = out[start..end].to_vec();
                out.splice(at..at, chunk);
            }
            _ => {
                let digits = format!("{}", rng.next() as i64);
                out.splice(at..at, digits.into_bytes());
            }
        }
    }
    out
}

fn save(name: &str, input: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-crashes");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{name}-{:016x}", fnv(input)));
    let _ = std::fs::write(&path, input);
    path
}

fn fnv(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, x| (h ^ u64::from(*x)).wrapping_mul(0x0100_0000_01b3))
}

fn main() {
    let mut args = std::env::args().skip(1).filter_map(|a| a.parse::<u64>().ok());
    let secs = args.next().unwrap_or(30);
    let mut rng = Rng(args.next().unwrap_or(1).max(1));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let gias = std::fs::read(root.join("test_data/gias/basic.csv")).expect("GIAS fixture");
    let ees = std::fs::read(root.join("test_data/ees/basic.csv")).expect("EES fixture");
    let ees_mapping =
        Mapping::from_toml("fixture.toml", &std::fs::read_to_string(root.join("test_data/ees/fixture.toml")).unwrap())
            .unwrap();
    let mappings: Vec<String> = std::fs::read_dir(root.join("../../mappings"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let _ = builtin_mappings();
    let workbook = std::fs::read(root.join("../../data/sample/srp_register.xlsx")).expect("sample register");
    let tmp = tempfile::tempdir().expect("temp dir");

    // Panics are what we look for: keep them quiet and count them.
    std::panic::set_hook(Box::new(|_| {}));
    let until = Instant::now() + Duration::from_secs(secs);
    let (mut runs, mut crashes) = ([0u64; 4], Vec::new());
    while Instant::now() < until {
        let target = rng.below(4);
        runs[target] += 1;
        let (name, input, outcome) = match target {
            0 => {
                let input = mutate(&mut rng, &gias);
                let r = catch_unwind(AssertUnwindSafe(|| {
                    let enc = inclusion_ingest::TextEncoding::Utf8;
                    if let Ok(reader) = GiasReader::new("fuzz.csv", input.as_slice(), enc) {
                        for row in reader {
                            if row.is_err() {
                                break;
                            }
                        }
                    }
                }));
                ("gias", input, r)
            }
            1 => {
                let input = mutate(&mut rng, &ees);
                let r = catch_unwind(AssertUnwindSafe(|| {
                    if let Ok(reader) = EesReader::new("fuzz.csv", input.as_slice(), &ees_mapping) {
                        for row in reader {
                            if row.is_err() {
                                break;
                            }
                        }
                    }
                }));
                ("ees", input, r)
            }
            2 => {
                let seed = &mappings[rng.below(mappings.len())];
                let input = mutate(&mut rng, seed.as_bytes());
                let r = catch_unwind(AssertUnwindSafe(|| {
                    let _ = Mapping::from_toml("fuzz.toml", &String::from_utf8_lossy(&input));
                }));
                ("mapping", input, r)
            }
            _ => {
                let input = mutate(&mut rng, &workbook);
                let path = tmp.path().join("fuzz.xlsx");
                std::fs::write(&path, &input).unwrap();
                let r = catch_unwind(AssertUnwindSafe(|| {
                    let _ = read_srp_register(&path, &ReadOptions::default());
                }));
                ("xlsx", input, r)
            }
        };
        if outcome.is_err() {
            crashes.push(save(name, &input));
        }
    }
    let _ = std::panic::take_hook();
    println!(
        "fuzz: {secs} s, {} GIAS, {} EES, {} mapping, {} xlsx inputs; {} panics",
        runs[0],
        runs[1],
        runs[2],
        runs[3],
        crashes.len()
    );
    for c in &crashes {
        println!("  panicked on {}", c.display());
    }
    if !crashes.is_empty() {
        std::process::exit(1);
    }
}
