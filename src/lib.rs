//! orgwarden: authorization for SaaS organizations (owners, admins, members, collaborators,
//! teams, workspaces, invitations, algorithm approvals, API keys, billing) on Cedar.
//!
//! The core is plain Rust: [`Engine`] holds the schema, the policy set and the entity store,
//! and answers checks. [`ffi`] gives every call a JSON twin with tagged answers, which the
//! wasm layer (feature `wasm`) exposes to JavaScript.

pub mod actions;
mod cedar_text;
mod diagnostics;
pub mod engine;
pub mod error;
pub mod ffi;
#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
pub(crate) mod image_allocator;
pub mod limits;
mod memory;
pub mod names;
mod objects_only;
pub mod policies;
pub mod snapshot;
#[cfg(feature = "wasm")]
pub mod wasm;

pub use actions::{ActionInput, ActionRequest, ActionValidation, Notice, Violation};
pub use engine::{
    Cause, Decision, Engine, EngineOptions, EntityRef, Matrix, MatrixCell, SnapshotRequirements,
};
pub use error::{Diagnostic, Error, ErrorCode, ErrorInfo, Result};
pub use policies::{PolicyEffect, PolicyInfo, PolicySource};
pub use snapshot::Snapshot;
