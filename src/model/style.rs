//! The conversational style of a skill (SPEC §2), read by the lifecycle as
//! data: what happens when the agent solves a conversation, and whether an
//! idle conversation parks. A new style is one more arm here (and its
//! scenario key); the lifecycle handlers do not match on the style.

use crate::scenario::{Skill, Style};

/// What a solve leads to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AfterSolve {
    /// Closed at once by the agent (a return is a new conversation).
    Close,
    /// Solved; closed by the style's timer after `window` seconds; a
    /// consumer return before then reopens it.
    Solved {
        /// Seconds from solved to closed.
        window: f64,
    },
}

/// The style's policy of one skill.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StylePolicy {
    /// What a solve leads to.
    pub after_solve: AfterSolve,
    /// Seconds after which a conversation awaiting the consumer parks
    /// (frees its slot), if the style parks.
    pub park_after: Option<f64>,
}

impl StylePolicy {
    /// The policy of a skill's style.
    pub fn of(skill: &Skill) -> StylePolicy {
        match skill.style {
            Style::LiveChat => StylePolicy {
                after_solve: AfterSolve::Close,
                park_after: None,
            },
            Style::LiveChatReturning => StylePolicy {
                after_solve: AfterSolve::Solved {
                    window: skill.reopen_window,
                },
                park_after: None,
            },
            Style::SocialMessaging => StylePolicy {
                after_solve: AfterSolve::Solved {
                    window: skill.solved_to_closed,
                },
                park_after: Some(skill.park_after),
            },
        }
    }
}
