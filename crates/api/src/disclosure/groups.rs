//! Restricted group figures: a group too small, or a count too small, is held back (primary
//! suppression), and so is whatever would give a held-back figure or a single school away by
//! differencing (secondary suppression, [`super::recover`]). The check runs over every group at
//! every level the viewer may read, not only the level asked for, so no two requests together
//! reveal more than each alone.

use std::collections::{BTreeMap, HashMap};

use store::aggregate::{GroupLevel, Membership};

use super::recover::Universe;
use super::{Gate, Shown};
use crate::viewer::Role;

/// Restricted counts of the groups at every level the viewer may read.
#[derive(Debug, Default)]
pub(crate) struct GroupCounts {
    /// How many figures each group has (e.g. one per programme).
    pub figures: usize,
    /// `(level, group code)` → one count per figure; a group missing here counts 0.
    pub values: HashMap<(GroupLevel, String), Vec<i64>>,
    /// Sets of figures that add up to the group's number of schools (each school counted in
    /// exactly one of them), such as schools in 0, 1, 2 or 3+ programmes.
    pub partitions: Vec<Vec<usize>>,
}

pub(crate) fn level_name(level: GroupLevel) -> &'static str {
    match level {
        GroupLevel::School => "SCHOOL",
        GroupLevel::Cluster => "CLUSTER",
        GroupLevel::District => "DISTRICT",
        GroupLevel::Phase => "PHASE",
        GroupLevel::PhaseInDistrict => "PHASE_IN_DISTRICT",
        GroupLevel::La => "LA",
    }
}

impl Gate {
    /// The counts of `level`'s groups as the viewer may see them, by group code. `members` is
    /// every open school of the universe with its groups (`store::aggregate::memberships`);
    /// `counts` holds every level of [`Gate::group_levels`].
    pub(crate) fn group_counts(
        &self,
        field: &'static str,
        level: GroupLevel,
        members: &[Membership],
        counts: &GroupCounts,
    ) -> HashMap<String, Vec<Shown<i64>>> {
        let levels = self.group_levels();
        // Index every group of every level offered; a school may sit in two clusters (two rows).
        let mut index: BTreeMap<(GroupLevel, &str), usize> = BTreeMap::new();
        let mut schools: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
        for m in members {
            for &l in levels {
                let next = index.len();
                let g = *index.entry((l, m.code(l))).or_insert(next);
                schools.entry(m.urn).or_default().push(g);
            }
        }
        let own = self.viewer.urn.filter(|_| self.viewer.role == Role::School);
        let rows: Vec<(bool, Vec<usize>)> = schools.into_iter().map(|(urn, gs)| (Some(urn) == own, gs)).collect();
        let universe = Universe::new(&rows, index.len());
        let value = |l: GroupLevel, code: &str, f: usize| -> i64 {
            counts.values.get(&(l, code.to_owned())).and_then(|v| v.get(f)).copied().unwrap_or(0)
        };

        // Per figure, the groups held back: primary suppression, then whatever differencing
        // would give away, then the partitions' rule, until nothing changes.
        let n = index.len();
        let mut held: Vec<Vec<bool>> = vec![vec![false; n]; counts.figures];
        if self.viewer.role != Role::Analyst {
            let mut extra: Vec<Vec<bool>> = vec![vec![false; n]; counts.figures];
            loop {
                for f in 0..counts.figures {
                    let mut primary = extra[f].clone();
                    for (&(l, code), &g) in &index {
                        let v = value(l, code, f);
                        primary[g] |= universe.group_size(g) < self.policy.min_group_schools
                            || (v >= 1 && v < self.policy.suppress_below);
                    }
                    held[f] = universe.suppress(&primary);
                }
                // Figures of a partition sum to the group's (open) size: one held back alone
                // is the size less the others, so hold back the smallest other one too.
                let mut changed = false;
                for part in &counts.partitions {
                    for (&(l, code), &g) in &index {
                        let hidden = part.iter().filter(|&&f| held[f][g]).count();
                        if hidden == 1 {
                            let partner =
                                part.iter().copied().filter(|&f| !held[f][g]).min_by_key(|&f| (value(l, code, f), f));
                            if let Some(f) = partner {
                                extra[f][g] = true;
                                changed = true;
                            }
                        }
                    }
                }
                if !changed {
                    break;
                }
            }
        }
        let mut out: HashMap<String, Vec<Shown<i64>>> = HashMap::new();
        for (&(l, code), &g) in index.iter().filter(|((l, _), _)| *l == level) {
            let figures = (0..counts.figures)
                .map(|f| if held[f][g] { Shown::Suppressed } else { Shown::Value(value(l, code, f)) });
            out.insert(code.to_owned(), figures.collect());
        }
        for code in out.keys() {
            // An analyst's per-school figures name the school, so `inclusion audit --school` finds them.
            let school = if level == GroupLevel::School { code.parse().ok() } else { None };
            self.note(field, school, Some(format!("{}:{code}", level_name(level))));
        }
        out
    }
}
