//! Tests against the local mock server (faults a real Strapi cannot be made to produce).

pub(crate) use super::prelude::*;
pub(crate) use crate::support::*;

#[path = "cases/faults.rs"]
mod faults;

#[path = "cases/uploads.rs"]
mod uploads;
