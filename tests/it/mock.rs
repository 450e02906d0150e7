//! Tests against the local mock server (faults a real Strapi cannot be made to produce).

pub(crate) use super::prelude::*;
pub(crate) use crate::support::*;

#[path = "cases/faults.rs"]
mod faults;

#[path = "cases/deadlines.rs"]
mod deadlines;

#[path = "cases/hostile_inputs.rs"]
mod hostile_inputs;

#[path = "cases/downloads.rs"]
mod downloads;

#[path = "cases/attach_faults.rs"]
mod attach_faults;

#[path = "cases/uploads.rs"]
mod uploads;

#[path = "cases/admin_auth.rs"]
mod admin_auth;
