//! Benchmark: secondary suppression over a Kent-sized universe (600 open schools in 12 districts,
//! 60 clusters, five phases: ~140 groups at the five levels a school token reads), for ten figures
//! with different small-count patterns, as one `trainingEngagement` request costs it.
//!
//! `cargo bench -p inclusion-api --bench disclosure [-- SCHOOLS]`

use std::time::Instant;

use inclusion_api::disclosure::recover::Universe;

/// A small deterministic generator (xorshift), so every run checks the same universe.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn main() {
    let schools: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(600);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let districts = 12;
    let phases = ["Primary", "Secondary", "Not applicable", "Nursery", "All-through"];
    // Groups: clusters, districts, phases, phase within district, the LA.
    let clusters = (schools / 10).max(1);
    let (d0, p0) = (clusters, clusters + districts);
    let pd0 = p0 + phases.len();
    let la = pd0 + districts * phases.len();
    let n_groups = la + 1;
    let rows: Vec<(bool, Vec<usize>)> = (0..schools)
        .map(|s| {
            let district = s % districts;
            let cluster = (s / 10) % clusters;
            let phase = match rng.next() % 100 {
                0..75 => 0,
                75..90 => 1,
                90..97 => 2,
                97..99 => 3,
                _ => 4,
            };
            (s == 0, vec![cluster, d0 + district, p0 + phase, pd0 + district * phases.len() + phase, la])
        })
        .collect();
    let universe = Universe::new(&rows, n_groups);
    let started = Instant::now();
    let mut extra = 0;
    for _figure in 0..10 {
        let primary: Vec<bool> = (0..n_groups).map(|g| universe.group_size(g) < 5 || rng.next() % 100 < 15).collect();
        let held = universe.suppress(&primary);
        extra += held.iter().filter(|h| **h).count() - primary.iter().filter(|h| **h).count();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "secondary suppression: {schools} schools, {n_groups} groups, 10 figures in {:.1} ms ({:.1} ms a figure); {extra} groups held back beyond the primary ones",
        secs * 1000.0,
        secs * 100.0
    );
}
