//! 议定事项 as the API answers them: each directive found in a speech — where it is, its
//! text cleaned, its actors with their offsets, the time node, cadence, target, tier and
//! confidence — and its actors matched to the unit directory.

use chrono::NaiveDate;
use duban_app::meetings::{MatchedActor, Proposal};
use duban_extract::{ActorKind, Directive, NamedActor, Role, Tier};
use serde::Serialize;
use utoipa::ToSchema;

use crate::schema::{ActorKindCode, ActorRoleCode, Date, DirectiveCadenceCode, TierCode};

/// 议定事项 — a directive found, and its actors matched to units (none: unmatched).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Proposal)]
pub struct ProposalView {
    #[serde(flatten)]
    pub directive: DirectiveView,
    pub matched: Vec<MatchedActorView>,
}

impl From<Proposal> for ProposalView {
    fn from(p: Proposal) -> Self {
        let Proposal { directive, matched } = p;
        ProposalView {
            directive: directive.into(),
            matched: matched.into_iter().map(Into::into).collect(),
        }
    }
}

/// A directive as found: where it is in the speech (line, character offsets, the original
/// text), the text cleaned and simplified, its actors, time node, cadence, target, tier
/// (A: a specific actor named) and how likely it is one the office tracks (0–1).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Directive)]
pub struct DirectiveView {
    /// 1-based line of the speech
    pub line: usize,
    /// Character offsets in the original line (end exclusive).
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub plain: String,
    pub actors: Vec<NamedActorView>,
    /// 时间节点 as written
    pub deadline_text: Option<String>,
    /// The date it means in the meeting's year.
    #[schema(value_type = Option<Date>)]
    pub deadline: Option<NaiveDate>,
    #[schema(value_type = Option<DirectiveCadenceCode>)]
    pub cadence: Option<duban_extract::Cadence>,
    /// 量化目标 as written
    pub target: Option<String>,
    #[schema(value_type = TierCode)]
    pub tier: Tier,
    pub confidence: f64,
}

impl From<Directive> for DirectiveView {
    fn from(d: Directive) -> Self {
        let Directive {
            line,
            start,
            end,
            text,
            plain,
            actors,
            deadline_text,
            deadline,
            cadence,
            target,
            tier,
            confidence,
        } = d;
        DirectiveView {
            line,
            start,
            end,
            text,
            plain,
            actors: actors.into_iter().map(Into::into).collect(),
            deadline_text,
            deadline,
            cadence,
            target,
            tier,
            // As JSON has always had it: the f32 widened.
            confidence: f64::from(confidence),
        }
    }
}

/// An actor named in the directive, with its character offsets in the original line.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = NamedActor)]
pub struct NamedActorView {
    pub name: String,
    #[schema(value_type = ActorKindCode)]
    pub kind: ActorKind,
    #[schema(value_type = ActorRoleCode)]
    pub role: Role,
    pub start: usize,
    pub end: usize,
}

impl From<NamedActor> for NamedActorView {
    fn from(a: NamedActor) -> Self {
        let NamedActor {
            name,
            kind,
            role,
            start,
            end,
        } = a;
        NamedActorView {
            name,
            kind,
            role,
            start,
            end,
        }
    }
}

/// An actor and the units of the directory it was matched to (empty: not matched).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MatchedActor)]
pub struct MatchedActorView {
    pub name: String,
    #[schema(value_type = ActorKindCode)]
    pub kind: ActorKind,
    #[schema(value_type = ActorRoleCode)]
    pub role: Role,
    pub units: Vec<String>,
}

impl From<MatchedActor> for MatchedActorView {
    fn from(m: MatchedActor) -> Self {
        let MatchedActor {
            name,
            kind,
            role,
            units,
        } = m;
        MatchedActorView {
            name,
            kind,
            role,
            units,
        }
    }
}
