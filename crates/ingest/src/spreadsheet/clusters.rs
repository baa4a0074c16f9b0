//! Locality clusters: one row per school in a cluster. A school is in at most one cluster; a cluster
//! lies in one district and one primary care network; sizes outside the expected range are flagged.

use std::collections::HashMap;

use domain::{ClusterMembership, SchoolRef};

use super::header::{Field, Need, Template};
use super::row::Row;
use crate::{ImportIssue, Severity};

const CLUSTER: usize = 0;
const DISTRICT: usize = 1;
const PCN: usize = 2;
const URN: usize = 3;
const LAESTAB: usize = 4;
const SCHOOL_NAME: usize = 5;

pub(crate) const TEMPLATE: Template = Template {
    name: "locality clusters",
    fields: &[
        Field {
            label: "Cluster",
            synonyms: &["cluster name", "locality cluster", "locality", "locality cluster name", "inclusion cluster"],
            need: Need::Required,
        },
        Field {
            label: "District",
            synonyms: &["district name", "area", "local authority district", "LAD"],
            need: Need::Optional,
        },
        Field {
            label: "Primary care network",
            synonyms: &["PCN", "PCN name", "primary care network name"],
            need: Need::Optional,
        },
        Field { label: "URN", synonyms: &["member URN", "school URN", "member school URN"], need: Need::OneOf(1) },
        Field {
            label: "LAESTAB",
            synonyms: &["DfE number", "DfE no", "LA estab", "member LAESTAB", "school LAESTAB"],
            need: Need::OneOf(1),
        },
        Field { label: "School name", synonyms: &["school", "member school", "establishment name"], need: Need::Quiet },
    ],
};

/// What the file says of one cluster so far.
struct Cluster {
    name: String,
    district: Option<(String, u64)>,
    pcn: Option<(String, u64)>,
    members: u32,
}

/// Reads membership rows, remembering each cluster and each school's first cluster.
pub(crate) struct ClusterRows {
    clusters: Vec<Cluster>,
    by_key: HashMap<String, usize>,
    member_of: HashMap<SchoolRef, (usize, u64)>,
}

impl ClusterRows {
    pub(crate) fn new() -> Self {
        Self { clusters: Vec::new(), by_key: HashMap::new(), member_of: HashMap::new() }
    }

    pub(crate) fn parse(&mut self, row: &mut Row) -> Option<ClusterMembership> {
        let name = row.required_text(CLUSTER);
        let district = row.text(DISTRICT);
        let pcn = row.text(PCN);
        let school = row.school(URN, LAESTAB);
        let (name, school) = (name?, school?);
        if row.rejected {
            return None;
        }
        // "Ashford North" and "ashford  north" are one cluster, named as first written. A cluster is
        // only remembered once a row of it is accepted, so a rejected row never makes an empty one.
        let key = name.to_lowercase();
        let known = self.by_key.get(&key).copied();
        if let Some(&(other, first)) = self.member_of.get(&school) {
            let other_name = &self.clusters[other].name;
            let message = if Some(other) == known {
                format!("{school} is listed twice in cluster {other_name:?} (row {first})")
            } else {
                format!(
                    "{school} is already in cluster {other_name:?} (row {first}); a school is in at most one cluster"
                )
            };
            row.error(row.school_field(URN, LAESTAB), "duplicate_membership", message);
            return None;
        }
        let index = known.unwrap_or_else(|| {
            self.clusters.push(Cluster { name: name.clone(), district: None, pcn: None, members: 0 });
            self.by_key.insert(key, self.clusters.len() - 1);
            self.clusters.len() - 1
        });
        let cluster_name = self.clusters[index].name.clone();
        self.member_of.insert(school.clone(), (index, row.number));
        let cluster = &mut self.clusters[index];
        cluster.members += 1;
        let district = agree(row, DISTRICT, "District", &cluster_name, &mut cluster.district, district);
        let pcn = agree(row, PCN, "Primary care network", &cluster_name, &mut cluster.pcn, pcn);
        Some(ClusterMembership {
            cluster: cluster_name,
            district,
            primary_care_network: pcn,
            school,
            school_name: row.text(SCHOOL_NAME),
        })
    }

    /// One warning per cluster whose size is outside `range`, in the order clusters first appear.
    pub(crate) fn size_warnings(&self, file: &str, sheet: Option<&str>, range: (u32, u32)) -> Vec<ImportIssue> {
        let (min, max) = range;
        self.clusters
            .iter()
            .filter(|c| c.members < min || c.members > max)
            .map(|c| ImportIssue {
                file: file.to_owned(),
                sheet: sheet.map(str::to_owned),
                row: None,
                column: None,
                severity: Severity::Warning,
                code: "cluster_size",
                message: format!(
                    "cluster {:?} has {} school{} (expected {min}–{max})",
                    c.name,
                    c.members,
                    if c.members == 1 { "" } else { "s" }
                ),
            })
            .collect()
    }
}

/// A cluster's district (or network) is the first one given; a row that names another is warned
/// about, and a row that names none takes the cluster's.
fn agree(
    row: &mut Row,
    field: usize,
    label: &str,
    cluster: &str,
    known: &mut Option<(String, u64)>,
    given: Option<String>,
) -> Option<String> {
    match (known.as_ref(), given) {
        (None, Some(given)) => {
            *known = Some((given.clone(), row.number));
            Some(given)
        }
        (Some((first, at)), Some(given)) => {
            if !first.eq_ignore_ascii_case(&given) {
                let message =
                    format!("{label} {given:?} differs from {first:?} given for cluster {cluster:?} at row {at}");
                row.warning(field, "cluster_mismatch", message);
            }
            Some(given)
        }
        (known, None) => known.map(|(first, _)| first.clone()),
    }
}
