//! The whole data model of DESIGN.md: places, establishments, statistics, operations.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn table(name: &'static str) -> TableCreateStatement {
    Table::create().table(name).if_not_exists().to_owned()
}

fn index(name: &'static str, table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create().name(name).table(table).if_not_exists().to_owned();
    for c in columns {
        idx.col(*c);
    }
    idx
}

fn unique(name: &'static str, table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    index(name, table, columns).unique().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Places
        m.create_table(
            table("local_authority")
                .col(string("code").primary_key())
                .col(string_null("gss_code"))
                .col(string("name"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("district")
                .col(string("code").primary_key())
                .col(string("name"))
                .col(string_null("la_code"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("locality_cluster")
                .col(pk_auto("id"))
                .col(string("name"))
                .col(string_null("district_code"))
                .col(string_null("primary_care_network"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("ux_locality_cluster_name", "locality_cluster", &["name"])).await?;
        m.create_table(
            table("cluster_member")
                .col(pk_auto("id"))
                .col(integer("cluster_id"))
                .col(integer("urn"))
                .col(date_null("valid_from"))
                .col(date_null("valid_to"))
                .col(big_integer_null("run_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_cluster_member_urn", "cluster_member", &["urn"])).await?;
        m.create_index(index("ix_cluster_member_cluster", "cluster_member", &["cluster_id"])).await?;

        // Establishments
        m.create_table(
            table("school")
                .col(integer("urn").primary_key())
                .col(string_null("laestab"))
                .col(string_null("ukprn"))
                .col(string("name"))
                .col(string_null("la_code"))
                .col(string_null("district_code"))
                .col(string("type_of_establishment"))
                .col(string("type_group"))
                .col(string("status"))
                .col(string("phase"))
                .col(boolean("is_special"))
                .col(string_null("admissions_policy"))
                .col(integer_null("statutory_low_age"))
                .col(integer_null("statutory_high_age"))
                .col(date_null("open_date"))
                .col(date_null("close_date"))
                .col(integer_null("school_capacity"))
                .col(integer_null("number_of_pupils"))
                .col(string_null("trust"))
                .col(string_null("ofsted_rating"))
                .col(string_null("postcode"))
                .col(integer_null("easting"))
                .col(integer_null("northing"))
                .col(boolean("in_latest_extract"))
                .col(string("row_hash"))
                .col(string("source_sha256"))
                .col(big_integer("source_line"))
                .col(big_integer("run_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_school_district", "school", &["district_code"])).await?;
        m.create_index(index("ix_school_la", "school", &["la_code"])).await?;
        m.create_index(index("ix_school_name", "school", &["name", "urn"])).await?;
        m.create_index(index("ix_school_laestab", "school", &["laestab"])).await?;
        m.create_table(
            table("school_sen_provision")
                .col(integer("urn"))
                .col(integer("rank"))
                .col(string("need"))
                .primary_key(Index::create().col("urn").col("rank"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("srp")
                .col(pk_auto("id"))
                .col(integer("host_urn"))
                .col(string("kind"))
                .col(string_null("name"))
                .col(string_null("need_type"))
                .col(integer_null("gias_capacity"))
                .col(integer_null("gias_on_roll"))
                .col(integer_null("commissioned_places"))
                .col(integer_null("register_on_roll"))
                .col(string_null("age_range"))
                .col(string_null("provider"))
                .col(boolean_null("sla_signed"))
                .col(date_null("sla_date"))
                .col(date_null("open_date"))
                .col(date_null("close_date"))
                .col(boolean("in_gias"))
                .col(boolean("in_register"))
                .col(big_integer("run_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_srp_host", "srp", &["host_urn", "kind"])).await?;
        m.create_table(
            table("designation")
                .col(pk_auto("id"))
                .col(integer("urn"))
                .col(string("name"))
                .col(text_null("admissions_guidance"))
                .col(date("valid_from"))
                .col(date_null("valid_to"))
                .col(big_integer_null("run_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("ux_designation_urn_from", "designation", &["urn", "valid_from"])).await?;

        // Statistics
        m.create_table(
            table("measure")
                .col(string("code").primary_key())
                .col(string("label"))
                .col(string("unit"))
                .col(string_null("publication"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("observation")
                .col(big_pk_auto("id"))
                .col(string("measure_code"))
                .col(string("time_period"))
                .col(string("time_identifier"))
                .col(string("geographic_level"))
                .col(string("geography_code"))
                .col(string("cohort"))
                .col(string("breakdown"))
                .col(double_null("value"))
                .col(string_null("status"))
                .col(big_integer_null("run_id"))
                .col(string_null("source_sha256"))
                .col(big_integer_null("source_line"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "ux_observation_key",
            "observation",
            &[
                "measure_code",
                "time_period",
                "time_identifier",
                "geographic_level",
                "geography_code",
                "cohort",
                "breakdown",
            ],
        ))
        .await?;
        m.create_index(index("ix_observation_geo", "observation", &["geographic_level", "geography_code"])).await?;
        m.create_table(
            table("training_enrolment")
                .col(pk_auto("id"))
                .col(integer("urn"))
                .col(string("programme"))
                .col(string_null("status"))
                .col(date_null("enrolled_on"))
                .col(big_integer_null("run_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("ux_training_urn_programme", "training_enrolment", &["urn", "programme"])).await?;

        // Operations
        m.create_table(
            table("source_file")
                .col(string("sha256").primary_key())
                .col(string("name"))
                .col(big_integer("bytes"))
                .col(string_null("origin"))
                .col(string_null("archive_path"))
                .col(timestamp_with_time_zone("fetched_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            table("import_run")
                .col(big_pk_auto("id"))
                .col(string("job"))
                .col(string_null("source_sha256"))
                .col(string_null("source_name"))
                .col(string("trigger"))
                .col(string("status"))
                .col(string_null("scope"))
                .col(timestamp_with_time_zone("started_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .col(big_integer("rows_read"))
                .col(big_integer("rows_inserted"))
                .col(big_integer("rows_updated"))
                .col(big_integer("rows_unchanged"))
                .col(big_integer("rows_rejected"))
                .col(text_null("error_summary"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_import_run_job", "import_run", &["job", "id"])).await?;
        m.create_table(
            table("import_issue")
                .col(big_pk_auto("id"))
                .col(big_integer("run_id"))
                .col(string("file"))
                .col(string_null("sheet"))
                .col(big_integer_null("row"))
                .col(string_null("column"))
                .col(string("severity"))
                .col(string("code"))
                .col(text("message"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_import_issue_run", "import_issue", &["run_id"])).await?;
        m.create_table(
            table("api_token")
                .col(pk_auto("id"))
                .col(string("token_hash"))
                .col(string("role"))
                .col(integer_null("school_urn"))
                .col(string_null("label"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("ux_api_token_hash", "api_token", &["token_hash"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "api_token",
            "import_issue",
            "import_run",
            "source_file",
            "training_enrolment",
            "observation",
            "measure",
            "designation",
            "srp",
            "school_sen_provision",
            "school",
            "cluster_member",
            "locality_cluster",
            "district",
            "local_authority",
        ] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
