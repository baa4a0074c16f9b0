//! Specialist Resource Provisions by host school.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::Error;
use crate::entity::srp;

pub async fn by_hosts(db: &impl ConnectionTrait, urns: &[i32]) -> Result<Vec<srp::Model>, Error> {
    Ok(srp::Entity::find()
        .filter(srp::Column::HostUrn.is_in(urns.iter().copied()))
        .order_by_asc(srp::Column::HostUrn)
        .order_by_asc(srp::Column::Id)
        .all(db)
        .await?)
}
