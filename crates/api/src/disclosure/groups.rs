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

        let mut out: HashMap<String, Vec<Shown<i64>>> = HashMap::new();
        for ((l, code), _) in index.iter().filter(|((l, _), _)| *l == level) {
            let _ = l;
            out.insert((*code).to_owned(), Vec::with_capacity(counts.figures));
        }
        for f in 0..counts.figures {
            let held = if self.viewer.role == Role::Analyst {
                vec![false; index.len()]
            } else {
                let mut primary = vec![false; index.len()];
                for (&(l, code), &g) in &index {
                    let v = value(l, code, f);
                    primary[g] = universe.group_size(g) < self.policy.min_group_schools
                        || (v >= 1 && v < self.policy.suppress_below);
                }
                universe.suppress(&primary)
            };
            for (&(l, code), &g) in index.iter().filter(|((l, _), _)| *l == level) {
                let shown = if held[g] { Shown::Suppressed } else { Shown::Value(value(l, code, f)) };
                if let Some(v) = out.get_mut(code) {
                    v.push(shown);
                }
            }
        }
        for code in out.keys() {
            self.note(field, None, Some(format!("{}:{code}", level_name(level))));
        }
        out
    }
}
