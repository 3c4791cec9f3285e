//! The model's entities as data: conversations (a state machine with its
//! timer table), agents (status and the one eligibility predicate), the
//! style policy of a skill, typed ids and the one timer type. The
//! handlers that move them live in [`crate::sim`] (lifecycle),
//! [`crate::acd`] (routing) and [`crate::staffing`].

pub mod agent;
pub mod conversation;
pub mod ids;
pub mod style;
pub mod timer;

pub use ids::{AgentId, ConvId, GroupId, Id, IdVec};
pub use timer::{Timer, TimerKey};
