//! The application (申报) as the applicant fills it in, its states, and the one
//! transition table of the workflow: (state, action, actor) → next state.

use crate::auth::Role;
use crate::domain::citizen_id::CitizenId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Title levels (职称层级), lowest to highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleLevel {
    /// 员级
    Junior,
    /// 助理级
    Assistant,
    /// 中级
    Intermediate,
    /// 副高级
    DeputySenior,
    /// 正高级
    FullSenior,
}

impl TitleLevel {
    /// The level directly below, which a promotion requires (R1).
    pub fn next_lower(self) -> Option<TitleLevel> {
        match self {
            TitleLevel::Junior => None,
            TitleLevel::Assistant => Some(TitleLevel::Junior),
            TitleLevel::Intermediate => Some(TitleLevel::Assistant),
            TitleLevel::DeputySenior => Some(TitleLevel::Intermediate),
            TitleLevel::FullSenior => Some(TitleLevel::DeputySenior),
        }
    }

    /// Whether this system evaluates the level (senior titles only).
    pub fn is_senior(self) -> bool {
        matches!(self, TitleLevel::DeputySenior | TitleLevel::FullSenior)
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            TitleLevel::Junior => "员级",
            TitleLevel::Assistant => "助理级",
            TitleLevel::Intermediate => "中级",
            TitleLevel::DeputySenior => "副高级",
            TitleLevel::FullSenior => "正高级",
        }
    }
}

/// Why an applicant may apply without the next-lower title (三(一): 国家或省有特殊规定的除外; 破格).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromotionException {
    /// 国家特殊规定
    NationalSpecialRule,
    /// 省特殊规定
    ProvincialSpecialRule,
    /// 破格申报
    Exceptional,
}

/// The title currently held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrentTitle {
    /// Series (系列) of the title held.
    pub series: String,
    /// Level of the title held.
    pub level: TitleLevel,
    /// Date obtained (取得时间).
    pub obtained_on: NaiveDate,
    /// Certificate number, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_no: Option<String>,
}

/// Annual assessment result (年度考核结果), best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentResult {
    /// 优秀
    Excellent,
    /// 良好
    Good,
    /// 合格 / 称职
    Qualified,
    /// 基本合格 / 基本称职
    BasicallyQualified,
    /// 不合格 / 不称职
    Unqualified,
    /// 不定等次
    NotRated,
}

impl AssessmentResult {
    /// 合格 or better (R3).
    pub fn is_qualified_or_better(self) -> bool {
        matches!(self, AssessmentResult::Excellent | AssessmentResult::Good | AssessmentResult::Qualified)
    }
}

/// One year's assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    /// The assessed year.
    pub year: i32,
    /// Its result.
    pub result: AssessmentResult,
}

/// Kinds of achievement the notice names (二(三)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AchievementKind {
    /// 学历学位
    Degree,
    /// 奖项
    Award,
    /// 专利
    Patent,
    /// 论文
    Paper,
    /// 论著
    Book,
    /// 业绩成果 / 项目
    Project,
    /// 开源贡献 (八(五))
    OpenSource,
    /// 其他
    Other,
}

/// One achievement with its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Achievement {
    /// What it is.
    pub kind: AchievementKind,
    /// Title or description.
    pub title: String,
    /// The date it was obtained / published.
    pub date: NaiveDate,
}

/// Declarations bearing on R4 (三(四)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Integrity {
    /// 涉嫌经济或其它重大问题正在立案审查尚未结案
    #[serde(default)]
    pub under_investigation: bool,
    /// 被采取强制措施
    #[serde(default)]
    pub under_compulsory_measures: bool,
    /// 受刑事处罚期间
    #[serde(default)]
    pub under_criminal_penalty: bool,
    /// 党纪政务处分影响期内 (湘纪发〔2022〕3号)
    #[serde(default)]
    pub disciplinary_sanction_in_effect: bool,
}

/// The form an applicant fills in. Every field may be empty in a draft; submission
/// requires what the rules need.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationForm {
    /// 公民身份号码
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citizen_id: Option<CitizenId>,
    /// The employer (用人单位) organisation id through which the applicant applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_org: Option<String>,
    /// Target series (申报系列).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    /// Target level (申报层级): 副高级 or 正高级.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_level: Option<TitleLevel>,
    /// Target specialty (申报专业).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialty: Option<String>,
    /// The committee (评委会) chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committee: Option<String>,
    /// The title held now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_title: Option<CurrentTitle>,
    /// A declared exception to R1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_exception: Option<PromotionException>,
    /// Annual assessments since the current title.
    #[serde(default)]
    pub assessments: Vec<Assessment>,
    /// Continuing-education hours (三(三)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuing_education_hours: Option<u32>,
    /// Achievements with dates.
    #[serde(default)]
    pub achievements: Vec<Achievement>,
    /// R4 declarations.
    #[serde(default)]
    pub integrity: Integrity,
}

/// The state of an application (SPEC "The life of one application").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    /// 暂存
    Draft,
    /// 单位初审
    UnitReview,
    /// 退回补正
    Returned,
    /// 单位公示
    UnitPublicity,
    /// 可推荐上报
    Recommendable,
    /// 不予通过（当年度终止）
    Rejected,
}

impl ApplicationState {
    /// Every state, for tests and listings.
    pub const ALL: [ApplicationState; 6] = [
        ApplicationState::Draft,
        ApplicationState::UnitReview,
        ApplicationState::Returned,
        ApplicationState::UnitPublicity,
        ApplicationState::Recommendable,
        ApplicationState::Rejected,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationState::Draft => "draft",
            ApplicationState::UnitReview => "unit_review",
            ApplicationState::Returned => "returned",
            ApplicationState::UnitPublicity => "unit_publicity",
            ApplicationState::Recommendable => "recommendable",
            ApplicationState::Rejected => "rejected",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<ApplicationState> {
        ApplicationState::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Chinese label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            ApplicationState::Draft => "暂存",
            ApplicationState::UnitReview => "单位初审中",
            ApplicationState::Returned => "退回补正",
            ApplicationState::UnitPublicity => "单位公示中",
            ApplicationState::Recommendable => "公示结束，待单位推荐上报",
            ApplicationState::Rejected => "不予通过",
        }
    }

    /// Whether the applicant may edit the form and materials.
    pub fn is_editable(self) -> bool {
        matches!(self, ApplicationState::Draft | ApplicationState::Returned)
    }
}

/// Who acts: a token role, or the system (scheduled jobs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in user of this role.
    Role(Role),
    /// A scheduled job.
    System,
}

/// The actions of this slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// 提交申报
    Submit,
    /// 单位初审通过，进入公示 (annex 2 §1.1.1)
    ApproveIntoPublicity,
    /// 退回补正
    Return,
    /// 不予通过
    Reject,
    /// 公示异议经查实
    UpholdObjection,
    /// 公示期满 (R11)
    ClosePublicity,
}

impl Action {
    /// Wire name, as recorded in the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::ApproveIntoPublicity => "approve_into_publicity",
            Action::Return => "return",
            Action::Reject => "reject",
            Action::UpholdObjection => "uphold_objection",
            Action::ClosePublicity => "close_publicity",
        }
    }
}

use Action as A;
use ApplicationState as S;

/// The one transition table: (state, action, actor) → next state.
pub const TRANSITIONS: &[(ApplicationState, Action, Actor, ApplicationState)] = &[
    (S::Draft, A::Submit, Actor::Role(Role::Applicant), S::UnitReview),
    (S::Returned, A::Submit, Actor::Role(Role::Applicant), S::UnitReview),
    (S::UnitReview, A::ApproveIntoPublicity, Actor::Role(Role::Unit), S::UnitPublicity),
    (S::UnitReview, A::Return, Actor::Role(Role::Unit), S::Returned),
    (S::UnitReview, A::Reject, Actor::Role(Role::Unit), S::Rejected),
    (S::UnitPublicity, A::UpholdObjection, Actor::Role(Role::Unit), S::Rejected),
    (S::UnitPublicity, A::ClosePublicity, Actor::System, S::Recommendable),
];

/// Why a transition is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionError {
    /// This actor never performs this action.
    NotYourAction,
    /// The action exists for this actor, but not in the current state.
    WrongState,
}

/// Looks up the next state.
pub fn next_state(state: ApplicationState, action: Action, actor: Actor) -> Result<ApplicationState, TransitionError> {
    if let Some(t) = TRANSITIONS.iter().find(|t| t.0 == state && t.1 == action && t.2 == actor) {
        return Ok(t.3);
    }
    if TRANSITIONS.iter().any(|t| t.1 == action && t.2 == actor) {
        Err(TransitionError::WrongState)
    } else {
        Err(TransitionError::NotYourAction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_transition_is_reachable_through_next_state() {
        for &(from, action, actor, to) in TRANSITIONS {
            assert_eq!(next_state(from, action, actor), Ok(to));
        }
    }

    #[test]
    fn terminal_states_absorb_every_action() {
        for st in [S::Rejected, S::Recommendable] {
            for &(_, action, actor, _) in TRANSITIONS {
                if st == S::Recommendable && action == A::ClosePublicity {
                    continue;
                }
                assert!(next_state(st, action, actor).is_err(), "{st:?} {action:?}");
            }
        }
    }

    #[test]
    fn an_applicant_cannot_approve_and_a_unit_cannot_submit() {
        assert_eq!(
            next_state(S::UnitReview, A::ApproveIntoPublicity, Actor::Role(Role::Applicant)),
            Err(TransitionError::NotYourAction)
        );
        assert_eq!(next_state(S::Draft, A::Submit, Actor::Role(Role::Unit)), Err(TransitionError::NotYourAction));
    }

    #[test]
    fn approving_twice_is_a_wrong_state_not_a_second_publicity() {
        assert_eq!(
            next_state(S::UnitPublicity, A::ApproveIntoPublicity, Actor::Role(Role::Unit)),
            Err(TransitionError::WrongState)
        );
    }

    #[test]
    fn state_names_round_trip() {
        for st in ApplicationState::ALL {
            assert_eq!(ApplicationState::parse(st.as_str()), Some(st));
        }
    }
}
