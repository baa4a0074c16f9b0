//! Secondary suppression: which group figures must also be held back so that no suppressed
//! group, and no single school, can be worked out from the groups shown (by differencing, or by
//! any sum and difference of them), counting what the viewer knows of its own school.
//!
//! Group figures are sums over schools, so a school's figure can be recovered exactly when its
//! indicator vector lies in the linear span of the shown groups' vectors (plus the viewer's own
//! school). Schools that fall in the same groups at every level form one class: no combination
//! of groups can tell them apart, so each class is one unknown, which keeps the matrices small.

use std::collections::HashMap;

const EPS: f64 = 1e-9;

/// The groups offered to one viewer, over classes of schools.
#[derive(Debug)]
pub struct Universe {
    class_sizes: Vec<usize>,
    /// Each group's classes.
    groups: Vec<Vec<usize>>,
    group_sizes: Vec<usize>,
    /// The viewer's own school, as a class of its own.
    known: Option<usize>,
}

impl Universe {
    /// `schools`: for each school, whether it is the viewer's own and the groups it is in
    /// (indices below `n_groups`).
    pub fn new(schools: &[(bool, Vec<usize>)], n_groups: usize) -> Self {
        let mut class_of: HashMap<(bool, Vec<usize>), usize> = HashMap::new();
        let mut class_sizes = Vec::new();
        let mut groups: Vec<Vec<usize>> = vec![Vec::new(); n_groups];
        let mut group_sizes = vec![0; n_groups];
        let mut known = None;
        for (own, member_of) in schools {
            let mut signature = member_of.clone();
            signature.sort_unstable();
            signature.dedup();
            let next = class_sizes.len();
            let class = *class_of.entry((*own, signature.clone())).or_insert_with(|| {
                class_sizes.push(0);
                for &g in &signature {
                    groups[g].push(next);
                }
                next
            });
            class_sizes[class] += 1;
            for &g in &signature {
                group_sizes[g] += 1;
            }
            if *own {
                known = Some(class);
            }
        }
        Self { class_sizes, groups, group_sizes, known }
    }

    pub fn group_size(&self, g: usize) -> usize {
        self.group_sizes[g]
    }

    /// The groups to hold back: `primary` plus as few more as this greedy search finds, so that
    /// nothing held back and no single school other than the viewer's is recoverable.
    pub fn suppress(&self, primary: &[bool]) -> Vec<bool> {
        let mut held = primary.to_vec();
        loop {
            let shown: Vec<usize> = (0..self.groups.len()).filter(|&g| !held[g]).collect();
            let basis = Basis::new(self, &shown);
            let mut targets: Vec<Vec<f64>> =
                (0..self.groups.len()).filter(|&g| held[g]).map(|g| self.vector(&self.groups[g])).collect();
            targets.extend(
                (0..self.class_sizes.len())
                    .filter(|&c| self.class_sizes[c] == 1 && Some(c) != self.known)
                    .map(|c| self.vector(&[c])),
            );
            let next = targets.iter().find_map(|t| {
                let coeffs = basis.express(t)?;
                // The smallest shown group the recovery uses (the viewer's own row is not a group).
                coeffs
                    .iter()
                    .enumerate()
                    .filter(|(i, c)| c.abs() > EPS && *i < shown.len())
                    .map(|(i, _)| shown[i])
                    .min_by_key(|&g| (self.group_sizes[g], std::cmp::Reverse(g)))
            });
            match next {
                Some(g) => held[g] = true,
                None => return held,
            }
        }
    }

    fn vector(&self, classes: &[usize]) -> Vec<f64> {
        let mut v = vec![0.0; self.class_sizes.len()];
        for &c in classes {
            v[c] = 1.0;
        }
        v
    }
}

/// Row-reduced rows, each remembering which original rows it combines.
struct Basis {
    width: usize,
    /// (pivot column, row over classes then original rows).
    rows: Vec<(usize, Vec<f64>)>,
    originals: usize,
}

impl Basis {
    /// Rows: the `shown` groups, then the viewer's own class if any.
    fn new(u: &Universe, shown: &[usize]) -> Self {
        let width = u.class_sizes.len();
        let mut originals: Vec<Vec<f64>> = shown.iter().map(|&g| u.vector(&u.groups[g])).collect();
        if let Some(k) = u.known {
            originals.push(u.vector(&[k]));
        }
        let n = originals.len();
        let mut pending: Vec<Vec<f64>> = originals
            .into_iter()
            .enumerate()
            .map(|(i, mut r)| {
                r.resize(width + n, 0.0);
                r[width + i] = 1.0;
                r
            })
            .collect();
        let mut rows: Vec<(usize, Vec<f64>)> = Vec::new();
        for col in 0..width {
            let Some((at, _)) = pending
                .iter()
                .enumerate()
                .map(|(i, r)| (i, r[col].abs()))
                .filter(|(_, a)| *a > EPS)
                .max_by(|a, b| a.1.total_cmp(&b.1))
            else {
                continue;
            };
            let mut pivot = pending.swap_remove(at);
            let p = pivot[col];
            pivot.iter_mut().for_each(|x| *x /= p);
            for r in pending.iter_mut().chain(rows.iter_mut().map(|(_, r)| r)) {
                let f = r[col];
                if f.abs() > EPS {
                    r.iter_mut().zip(&pivot).for_each(|(x, y)| *x -= f * y);
                }
            }
            rows.push((col, pivot));
        }
        Self { width, rows, originals: n }
    }

    /// Coefficients over the original rows that sum to `target`, if any.
    fn express(&self, target: &[f64]) -> Option<Vec<f64>> {
        let mut t: Vec<f64> = target.to_vec();
        t.resize(self.width + self.originals, 0.0);
        for (col, row) in &self.rows {
            let f = t[*col];
            if f.abs() > EPS {
                t.iter_mut().zip(row).for_each(|(x, y)| *x -= f * y);
            }
        }
        if t[..self.width].iter().any(|x| x.abs() > EPS) {
            return None;
        }
        Some(t[self.width..].iter().map(|x| -x).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Schools 0..n, each with its group list.
    fn universe(groups: &[&[usize]], n_schools: usize, own: Option<usize>) -> Universe {
        let schools: Vec<(bool, Vec<usize>)> = (0..n_schools)
            .map(|s| (own == Some(s), (0..groups.len()).filter(|&g| groups[g].contains(&s)).collect()))
            .collect();
        Universe::new(&schools, groups.len())
    }

    #[test]
    fn a_district_less_a_phase_would_reveal_one_school() {
        // District of 6 = 5 primaries + 1 secondary; the secondary cell is too small.
        let d: &[usize] = &[0, 1, 2, 3, 4, 5];
        let primary: &[usize] = &[0, 1, 2, 3, 4];
        let secondary: &[usize] = &[5];
        let u = universe(&[d, primary, secondary], 6, None);
        let held = u.suppress(&[false, false, true]);
        assert_eq!(held, vec![false, true, true], "the smaller side goes");
    }

    #[test]
    fn nothing_more_is_held_when_nothing_is_recoverable() {
        let a: &[usize] = &[0, 1, 2, 3, 4];
        let b: &[usize] = &[5, 6, 7, 8, 9];
        let all: &[usize] = &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        let u = universe(&[a, b, all], 10, None);
        assert_eq!(u.suppress(&[false, false, false]), vec![false, false, false]);
        // One part held: the whole less the other part gives it back, so one more goes.
        let held = u.suppress(&[true, false, false]);
        assert!(held[0] && (held[1] || held[2]), "{held:?}");
    }

    #[test]
    fn the_viewers_own_school_counts_as_known() {
        // A group of 2 with the viewer: shown, it gives away the other school.
        let pair: &[usize] = &[0, 1];
        let rest: &[usize] = &[2, 3, 4, 5, 6];
        let u = universe(&[pair, rest], 7, Some(0));
        assert_eq!(u.suppress(&[false, false]), vec![true, false]);
        // The same without knowing school 0: the pair reveals no single school.
        let u = universe(&[pair, rest], 7, None);
        assert_eq!(u.suppress(&[false, false]), vec![false, false]);
    }

    #[test]
    fn chains_of_groups_are_caught() {
        // Overlapping groups: (A ∪ B) − A − (B less one) isolates one school.
        let a: &[usize] = &[0, 1, 2, 3, 4];
        let ab: &[usize] = &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        let b_less: &[usize] = &[5, 6, 7, 8, 9];
        let u = universe(&[a, ab, b_less], 11, None);
        let held = u.suppress(&[false, false, false]);
        assert!(held.iter().any(|h| *h), "{held:?}");
        let shown: Vec<usize> = (0..3).filter(|&g| !held[g]).collect();
        let basis = Basis::new(&u, &shown);
        for c in (0..u.class_sizes.len()).filter(|&c| u.class_sizes[c] == 1) {
            assert!(basis.express(&u.vector(&[c])).is_none(), "class {c} recoverable");
        }
    }
}
