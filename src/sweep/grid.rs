//! Sweep grids: everything about a sweep that is not running scenarios,
//! gathered in one place for callers; each concept has a file of its own:
//!
//! * `spec.rs` — the loaded sweep file ([`SweepSpec`], [`GridKey`]), grid
//!   points as the cartesian product ([`SweepSpec::len`],
//!   [`SweepSpec::point`]), the canonical CSV spelling of a grid value
//!   ([`labels`]) and the located error ([`SweepError`]);
//! * `load.rs` — reading and checking a sweep file ([`load`]);
//! * `range.rs` — exact integer and decimal ranges `{ from, to, step }`;
//! * `path.rs` — applying a grid value to a parsed scenario by dotted path
//!   ([`apply`], [`check_paths`]);
//! * `shard.rs` — sharding a sweep over several processes ([`parse_shard`],
//!   `--shard auto` from a job scheduler's variables ([`resolve_shard`],
//!   [`shard_from_env`]), [`shard_points`]);
//! * `merge.rs` — merging the shards' result files back into the file an
//!   unsharded run would have written ([`merge`]; [`merge_sweep`] also
//!   checks every point's rows as `--resume` does), [`results_writer`].
//!
//! None of it reads or validates scenarios beyond the structure of the
//! dotted paths: unknown leaf keys are left to the scenario validator.
//!
//! A sweep file looks like this:
//!
//! ```toml
//! scenario = "retail.toml"          # relative to the sweep file
//! name = "retail-staffing"          # optional, defaults to the file stem
//! replications = 20                 # optional, overrides the scenario's count
//! [grid]
//! "agents.chat-team.count" = [10, 12, 14, 16]
//! "agents.chat-team.capacity.live_chat" = { from = 1, to = 4, step = 1 }
//! "skill.billing.arrivals.rate" = { from = 0.5, to = 1.5, step = 0.25 }
//! "routing.accept" = ["auto", "ring"]
//! ```
//!
//! Grid keys are quoted dotted paths into the scenario. Their order in the
//! file is the order of the CSV columns and of the cartesian product: the
//! first key varies slowest.

pub use super::load::load;
pub use super::merge::{PointCheck, merge, merge_checked, merge_sweep, results_writer};
pub use super::path::{apply, check_paths};
pub use super::shard::{parse_shard, resolve_shard, shard_from_env, shard_points};
pub use super::spec::{GridKey, MAX_POINTS, SweepError, SweepSpec, labels};
