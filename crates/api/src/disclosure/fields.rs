//! Every field of the schema, declared as open (identity, open register data) or as a figure
//! that goes through the gate. A test walks the schema and fails on a field missing here, and
//! the role-matrix test (tests/integration/access.rs) fails on a figure it does not cover: a new
//! field cannot return figures without someone deciding how.

/// How a field is disclosed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldClass {
    /// Open to every role: identity fields, GIAS, designations, clusters, DfE's metadata.
    Open,
    /// A value of one school, restricted when its source is (`Gate::school_value`).
    SchoolValue,
    /// Stored figures of a place (`Gate::school_value` for schools, `Gate::place_value` above).
    Observations,
    /// Restricted aggregates over groups of schools (`Gate::group_counts`).
    GroupFigures,
    /// A part of the value of the named figure field, disclosed with it.
    Within(&'static str),
    /// The run history: operators and analysts only (`FORBIDDEN` for school and public).
    Operations,
}

use FieldClass::{GroupFigures, Observations, Open, Operations, SchoolValue, Within};

/// `Type.field` → class, for every object field of the schema.
pub const FIELDS: &[(&str, FieldClass)] = &[
    ("Query.school", Open),
    ("Query.schools", Open),
    ("Query.districts", Open),
    ("Query.district", Open),
    ("Query.england", Open),
    ("Query.measures", Open),
    ("Query.localAuthority", Open),
    ("Query.srps", Open),
    ("Query.specialSchools", Open),
    // GIAS capacity and pupils on roll, summed: open data.
    ("Query.specialSchoolPlaces", Open),
    ("SpecialSchoolPlaces.group", Open),
    ("SpecialSchoolPlaces.specialSchools", Open),
    ("SpecialSchoolPlaces.places", Open),
    ("SpecialSchoolPlaces.specialWithoutCapacity", Open),
    ("SpecialSchoolPlaces.pupils", Open),
    ("SpecialSchoolPlaces.schoolsWithoutPupils", Open),
    ("SpecialSchoolPlaces.placesPerThousandPupils", Open),
    ("SpecialSchoolPlaces.population", Open),
    ("SpecialSchoolPlaces.placesPerPopulation", Open),
    ("SpecialSchoolPlaces.note", Open),
    ("Query.clusters", Open),
    ("Query.trainingEngagement", GroupFigures),
    ("Query.indicators", GroupFigures),
    ("Query.regions", Open),
    // The run history: operators and analysts only, checked in the resolvers (query/runs.rs).
    ("Query.importRuns", Operations),
    ("Query.importRun", Operations),
    ("ImportRun.issues", Operations),
    ("Query.schedules", Operations),
    ("Query.sources", Operations),
    ("Mutation.runImport", Operations),
    ("Mutation.retryRun", Operations),
    ("Schedule.name", Within("Query.schedules")),
    ("Schedule.job", Within("Query.schedules")),
    ("Schedule.cron", Within("Query.schedules")),
    ("Schedule.timezone", Within("Query.schedules")),
    ("Schedule.enabled", Within("Query.schedules")),
    ("Schedule.payload", Within("Query.schedules")),
    ("Schedule.nextRun", Within("Query.schedules")),
    ("Schedule.lastRun", Within("Query.schedules")),
    ("Source.name", Within("Query.sources")),
    ("Source.lastSuccess", Within("Query.sources")),
    ("Source.lastAttempt", Within("Query.sources")),
    ("Source.lastStatus", Within("Query.sources")),
    ("Source.expectedEvery", Within("Query.sources")),
    ("Source.expectedEverySeconds", Within("Query.sources")),
    ("Source.staleFrom", Within("Query.sources")),
    ("Source.stale", Within("Query.sources")),
    ("ImportRun.id", Within("Query.importRuns")),
    ("ImportRun.job", Within("Query.importRuns")),
    ("ImportRun.status", Within("Query.importRuns")),
    ("ImportRun.trigger", Within("Query.importRuns")),
    ("ImportRun.source", Within("Query.importRuns")),
    ("ImportRun.scope", Within("Query.importRuns")),
    ("ImportRun.startedAt", Within("Query.importRuns")),
    ("ImportRun.finishedAt", Within("Query.importRuns")),
    ("ImportRun.rowsRead", Within("Query.importRuns")),
    ("ImportRun.rowsInserted", Within("Query.importRuns")),
    ("ImportRun.rowsUpdated", Within("Query.importRuns")),
    ("ImportRun.rowsUnchanged", Within("Query.importRuns")),
    ("ImportRun.rowsRejected", Within("Query.importRuns")),
    ("ImportRun.error", Within("Query.importRuns")),
    ("ImportRun.attempt", Within("Query.importRuns")),
    ("ImportRun.schedule", Within("Query.importRuns")),
    ("ImportRun.payload", Within("Query.importRuns")),
    ("ImportRun.worker", Within("Query.importRuns")),
    ("ImportIssue.severity", Within("ImportRun.issues")),
    ("ImportIssue.code", Within("ImportRun.issues")),
    ("ImportIssue.message", Within("ImportRun.issues")),
    ("ImportIssue.file", Within("ImportRun.issues")),
    ("ImportIssue.sheet", Within("ImportRun.issues")),
    ("ImportIssue.row", Within("ImportRun.issues")),
    ("ImportIssue.column", Within("ImportRun.issues")),
    ("Query.region", Open),
    ("IndicatorGroup.level", Open),
    ("IndicatorGroup.code", Open),
    ("IndicatorGroup.name", Open),
    ("IndicatorRow.group", Open),
    ("IndicatorRow.measure", Open),
    ("IndicatorRow.period", Open),
    ("IndicatorRow.timePeriod", Open),
    ("IndicatorRow.cohort", Open),
    ("IndicatorRow.source", Open),
    ("IndicatorRow.value", Within("Query.indicators")),
    ("IndicatorRow.status", Within("Query.indicators")),
    ("IndicatorRow.numerator", Within("Query.indicators")),
    ("IndicatorRow.denominator", Within("Query.indicators")),
    ("IndicatorRow.schoolsContributing", Within("Query.indicators")),
    ("IndicatorRow.schoolsWithoutValue", Within("Query.indicators")),
    ("IndicatorRow.neighboursWithValue", Within("Query.indicators")),
    ("IndicatorRow.rank", Within("Query.indicators")),
    ("IndicatorRow.rankOf", Within("Query.indicators")),
    ("IndicatorRow.quartile", Within("Query.indicators")),
    ("IndicatorRow.note", Within("Query.indicators")),
    // Derived from `value` after the rules: a value held back has none.
    ("IndicatorRow.valuePerPopulation", Within("Query.indicators")),
    // ONS's published estimates of a place's population.
    ("IndicatorRow.population", Open),
    ("IndicatorPopulation.year", Open),
    ("IndicatorPopulation.ages", Open),
    ("IndicatorPopulation.persons", Open),
    ("IndicatorPopulation.areas", Open),
    ("Region.code", Open),
    ("Region.name", Open),
    ("Region.localAuthorities", Open),
    ("Region.observations", Observations),
    ("LocalAuthority.region", Open),
    ("LocalAuthority.statisticalNeighbours", Open),
    ("StatisticalNeighbour.rank", Open),
    ("StatisticalNeighbour.closeness", Open),
    ("StatisticalNeighbour.model", Open),
    ("StatisticalNeighbour.localAuthority", Open),
    ("Query.me", Open),
    ("Viewer.role", Open),
    ("Viewer.urn", Open),
    ("Viewer.label", Open),
    ("School.urn", Open),
    ("School.laestab", Open),
    ("School.ukprn", Open),
    ("School.name", Open),
    ("School.laCode", Open),
    ("School.districtCode", Open),
    ("School.typeOfEstablishment", Open),
    ("School.typeGroup", Open),
    ("School.status", Open),
    ("School.phase", Open),
    ("School.isSpecial", Open),
    ("School.admissionsPolicy", Open),
    ("School.statutoryLowAge", Open),
    ("School.statutoryHighAge", Open),
    ("School.openDate", Open),
    ("School.closeDate", Open),
    ("School.schoolCapacity", Open),
    ("School.numberOfPupils", Open),
    ("School.trust", Open),
    ("School.ofstedRating", Open),
    ("School.postcode", Open),
    ("School.easting", Open),
    ("School.northing", Open),
    ("School.inLatestExtract", Open),
    ("School.district", Open),
    ("School.localAuthority", Open),
    ("School.srps", Open),
    ("School.observations", Observations),
    ("School.pupils", Observations),
    ("School.cluster", Open),
    // GIAS's links file: published, like the rest of GIAS.
    ("School.predecessors", Open),
    ("School.successors", Open),
    ("SchoolLink.urn", Open),
    ("SchoolLink.name", Open),
    ("SchoolLink.linkType", Open),
    ("SchoolLink.date", Open),
    ("SchoolLink.school", Open),
    // Provenance: which release a figure came from is public; a replaced value is shown through
    // the same gate as the figure it belonged to.
    ("Observation.source", Open),
    ("ObservationSource.publication", Open),
    ("ObservationSource.dataset", Open),
    ("ObservationSource.version", Open),
    ("ObservationSource.release", Open),
    ("ObservationSource.published", Open),
    ("ObservationSource.provisional", Open),
    ("ObservationSource.footnotes", Open),
    ("Observation.history", Within("School.observations")),
    ("SupersededValue.value", Within("School.observations")),
    ("SupersededValue.status", Within("School.observations")),
    ("SupersededValue.replacedBy", Open),
    ("SupersededValue.source", Open),
    ("School.designation", Open),
    ("School.designationHistory", Open),
    ("School.trainingEnrolments", SchoolValue),
    ("School.senProvision", Open),
    ("SenProvision.rank", Open),
    ("SenProvision.need", Open),
    ("PupilCensus.period", Within("School.pupils")),
    ("PupilCensus.headcount", Within("School.pupils")),
    ("PupilCensus.senSupport", Within("School.pupils")),
    ("PupilCensus.ehcPlan", Within("School.pupils")),
    ("PupilCensus.senSupportShare", Within("School.pupils")),
    ("PupilCensus.ehcPlanShare", Within("School.pupils")),
    ("ImportRunConnection.pageInfo", Within("Query.importRuns")),
    ("ImportRunConnection.edges", Within("Query.importRuns")),
    ("ImportRunConnection.nodes", Within("Query.importRuns")),
    ("ImportRunEdge.node", Within("Query.importRuns")),
    ("ImportRunEdge.cursor", Within("Query.importRuns")),
    ("SchoolConnection.pageInfo", Open),
    ("SchoolConnection.edges", Open),
    ("SchoolConnection.nodes", Open),
    ("SchoolConnection.totalCount", Open),
    ("SchoolEdge.node", Open),
    ("SchoolEdge.cursor", Open),
    ("SrpConnection.pageInfo", Open),
    ("SrpConnection.edges", Open),
    ("SrpConnection.nodes", Open),
    ("SrpConnection.totalCount", Open),
    ("SrpEdge.node", Open),
    ("SrpEdge.cursor", Open),
    ("PageInfo.hasPreviousPage", Open),
    ("PageInfo.hasNextPage", Open),
    ("PageInfo.startCursor", Open),
    ("PageInfo.endCursor", Open),
    ("Srp.id", Open),
    ("Srp.hostUrn", Open),
    ("Srp.kind", Open),
    ("Srp.name", Open),
    ("Srp.needType", Open),
    ("Srp.capacity", Open),
    ("Srp.openDate", Open),
    ("Srp.closeDate", Open),
    ("Srp.source", Open),
    ("Srp.host", Open),
    ("Srp.places", SchoolValue),
    ("Srp.onRoll", SchoolValue),
    ("Srp.occupancy", SchoolValue),
    ("Srp.slaSigned", SchoolValue),
    ("Srp.slaDate", SchoolValue),
    ("Srp.provider", SchoolValue),
    ("District.code", Open),
    ("District.name", Open),
    ("District.laCode", Open),
    ("District.schools", Open),
    ("District.observations", Observations),
    ("District.localAuthority", Open),
    ("LocalAuthority.code", Open),
    ("LocalAuthority.gssCode", Open),
    ("LocalAuthority.name", Open),
    ("LocalAuthority.observations", Observations),
    ("LocalAuthority.districts", Open),
    ("England.code", Open),
    ("England.name", Open),
    ("England.observations", Observations),
    ("Measure.code", Open),
    ("Measure.label", Open),
    ("Measure.unit", Open),
    ("Measure.publication", Open),
    ("Measure.disclosure", Open),
    ("RunRef.id", Open),
    ("Observation.period", Within("School.observations")),
    ("Observation.timePeriod", Within("School.observations")),
    ("Observation.timeIdentifier", Within("School.observations")),
    ("Observation.geographicLevel", Within("School.observations")),
    ("Observation.geographyCode", Within("School.observations")),
    ("Observation.cohort", Within("School.observations")),
    ("Observation.breakdown", Within("School.observations")),
    ("Observation.value", Within("School.observations")),
    ("Observation.status", Within("School.observations")),
    ("Observation.run", Within("School.observations")),
    ("Observation.measure", Within("School.observations")),
    ("Designation.name", Open),
    ("Designation.admissionsGuidance", Open),
    ("Designation.validFrom", Open),
    ("Designation.validTo", Open),
    ("SpecialSchool.urn", Open),
    ("SpecialSchool.school", Open),
    ("SpecialSchool.designation", Open),
    ("SpecialSchool.designationHistory", Open),
    ("Cluster.name", Open),
    ("Cluster.primaryCareNetwork", Open),
    ("Cluster.district", Open),
    ("Cluster.schools", Open),
    ("TrainingEnrolment.programme", Within("School.trainingEnrolments")),
    ("TrainingEnrolment.status", Within("School.trainingEnrolments")),
    ("TrainingEnrolment.date", Within("School.trainingEnrolments")),
    ("EngagementGroup.level", Within("Query.trainingEngagement")),
    ("EngagementGroup.code", Within("Query.trainingEngagement")),
    ("EngagementGroup.group", Within("Query.trainingEngagement")),
    ("EngagementGroup.schools", Within("Query.trainingEngagement")),
    ("EngagementGroup.programmes", Within("Query.trainingEngagement")),
    ("EngagementGroup.inNone", Within("Query.trainingEngagement")),
    ("EngagementGroup.inExactlyOne", Within("Query.trainingEngagement")),
    ("EngagementGroup.inExactlyTwo", Within("Query.trainingEngagement")),
    ("EngagementGroup.inThreeOrMore", Within("Query.trainingEngagement")),
    ("ProgrammeEngagement.programme", Within("Query.trainingEngagement")),
    ("ProgrammeEngagement.schools", Within("Query.trainingEngagement")),
    ("ProgrammeEngagement.share", Within("Query.trainingEngagement")),
    ("ProgrammeEngagement.status", Within("Query.trainingEngagement")),
    ("EngagementCount.schools", Within("Query.trainingEngagement")),
    ("EngagementCount.share", Within("Query.trainingEngagement")),
    ("EngagementCount.status", Within("Query.trainingEngagement")),
];

/// The class of `Type.field`, if declared.
pub fn class_of(field: &str) -> Option<FieldClass> {
    FIELDS.iter().find(|(f, _)| *f == field).map(|(_, c)| *c)
}

/// The fields that return figures through the gate (what the role matrix must cover).
pub fn figure_fields() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().filter(|(_, c)| matches!(c, SchoolValue | Observations | GroupFigures)).map(|(f, _)| *f)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every object field of the schema is declared; nothing declared is gone from it.
    #[test]
    fn every_schema_field_is_classified() {
        let sdl = crate::sdl();
        let doc = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
        let mut seen = Vec::new();
        for def in doc.definitions {
            let async_graphql::parser::types::TypeSystemDefinition::Type(t) = def else { continue };
            let t = t.node;
            let async_graphql::parser::types::TypeKind::Object(obj) = &t.kind else { continue };
            for f in &obj.fields {
                seen.push(format!("{}.{}", t.name.node, f.node.name.node));
            }
        }
        let missing: Vec<&String> = seen.iter().filter(|f| class_of(f).is_none()).collect();
        assert!(missing.is_empty(), "fields with no disclosure class (add them to disclosure::fields): {missing:?}");
        let stale: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).filter(|f| !seen.iter().any(|s| s == f)).collect();
        assert!(stale.is_empty(), "declared fields not in the schema: {stale:?}");
        for (f, c) in FIELDS {
            if let Within(parent) = c {
                let guarded = figure_fields().any(|p| p == *parent)
                    || FIELDS.iter().any(|(g, c)| g == parent && matches!(c, Operations));
                assert!(guarded, "{f} is within {parent}, which is not a figure field");
            }
        }
    }
}
