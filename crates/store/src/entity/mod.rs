//! sea-orm entities, one per table of the data model.

pub mod access_log;
pub mod api_token;
pub mod cluster_member;
pub mod designation;
pub mod district;
pub mod fetch_state;
pub mod import_issue;
pub mod import_run;
pub mod local_authority;
pub mod locality_cluster;
pub mod measure;
pub mod observation;
pub mod observation_history;
pub mod observation_source;
pub mod population;
pub mod region;
pub mod school;
pub mod school_link;
pub mod school_sen_provision;
pub mod source_file;
pub mod srp;
pub mod statistical_neighbour;
pub mod training_enrolment;
