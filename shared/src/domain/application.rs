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
    /// The province that issued it, when not Hunan (R9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_province: Option<String>,
    /// The filing number of the unit's recognition of an out-of-province title (R9, 八(一)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recognition_filing_no: Option<String>,
}

/// Employment facts bearing on R6 (四(一)2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Employment {
    /// 事业单位专技人才
    #[serde(default)]
    pub public_institution_staff: bool,
    /// 已纳入岗位设置管理
    #[serde(default)]
    pub in_post_management: bool,
    /// The employing unit's organisation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer_org: Option<String>,
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
    /// The host institution where it was earned while seconded (八(四)); one of
    /// [`SECONDMENT_HOSTS`], within the form's secondment there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// The host institutions of 八(四): work done there while seconded (挂职、兼职或参与项目合作)
/// by a professional of a Hunan research institute counts in the evaluation.
pub const SECONDMENT_HOSTS: [&str; 4] =
    ["崖州湾深海科技城", "合肥国家实验室", "中科院合肥物质所", "上海科技创新中心（张江科学城）"];

/// How the professional was seconded (八(四)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecondmentKind {
    /// 挂职
    Posting,
    /// 兼职
    PartTime,
    /// 参与项目合作
    ProjectCooperation,
}

impl SecondmentKind {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            SecondmentKind::Posting => "挂职",
            SecondmentKind::PartTime => "兼职",
            SecondmentKind::ProjectCooperation => "参与项目合作",
        }
    }
}

/// A secondment to a host institution of 八(四), with its period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secondment {
    /// The host institution (one of [`SECONDMENT_HOSTS`]).
    pub host: String,
    /// 挂职, 兼职 or 参与项目合作.
    pub kind: SecondmentKind,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
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
    /// Target level (申报层级): 员级 … 正高级; the committee's tier must judge it (annex 3
    /// §1.6–1.8), and 初定 stops at 中级.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_level: Option<TitleLevel>,
    /// Target specialty (申报专业).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialty: Option<String>,
    /// The committee (评委会) chosen (titles by review).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committee: Option<String>,
    /// How the title is acquired (取得方式): 评审 (default), 初定 or 认定 (annex 3 §1.4–1.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<crate::domain::path::Method>,
    /// The acceptance institution (受理机构, annex 3 §1.3) chosen for 初定 or 认定.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution: Option<i64>,
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
    /// Secondments to the host institutions of 八(四) (挂职、兼职或参与项目合作).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondments: Vec<Secondment>,
    /// R4 declarations.
    #[serde(default)]
    pub integrity: Integrity,
    /// Employment (R6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employment: Option<Employment>,
    /// Months of grassroots front-line service (基层一线工作经历, R8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grassroots_service_months: Option<u32>,
    /// 定向评价、定向使用 (八(二)): a grassroots title of the five fields, valid at the
    /// grassroots; marked on the certificate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub directed_evaluation: bool,
}

impl ApplicationForm {
    /// The acquisition method (评审 unless the form says 初定 or 认定).
    pub fn acquisition(&self) -> crate::domain::path::Method {
        self.method.unwrap_or(crate::domain::path::Method::Review)
    }
}

/// The state of an application (SPEC "The life of one application").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    /// 暂存
    Draft,
    /// 单位初审
    UnitReview,
    /// 退回补正 (with the applicant)
    Returned,
    /// 单位公示
    UnitPublicity,
    /// 可推荐上报
    Recommendable,
    /// 上级审核中 (annex 2 §1.1.3)
    UpperAudit,
    /// 形式审查中 (四(三))
    FormalReview,
    /// 退回中: travelling down the path one level at a time (层层退回)
    ReturnDescending,
    /// 退回至单位: the unit passes the return to the applicant
    ReturnedToUnit,
    /// 材料复核中 (四(四))
    Recheck,
    /// 复核合格，进入评审
    Qualified,
    /// 复核不合格，终止当年度申报
    Terminated,
    /// 不予通过（当年度终止）
    Rejected,
    /// 列入已核准的评审方案 (五(一))
    InPlan,
    /// 评审通过 (表决通过且未超通过率/职数)
    Passed,
    /// 评审未通过 (当年度不得复评, R16)
    NotPassed,
    /// 评审结果公示中 (六(一), R18)
    ResultPublicity,
    /// 公示异议调查中 (暂缓)
    ResultOnHold,
    /// 公示无异议，待备案
    PublicityPassed,
    /// 备案审核中 (六(二), R19)
    FilingRequested,
    /// 已备案
    Filed,
    /// 已发证
    Certified,
    /// 职称已撤销 (七(一), R21)
    Revoked,
}

impl ApplicationState {
    /// Every state, for tests and listings.
    pub const ALL: [ApplicationState; 23] = [
        ApplicationState::Draft,
        ApplicationState::UnitReview,
        ApplicationState::Returned,
        ApplicationState::UnitPublicity,
        ApplicationState::Recommendable,
        ApplicationState::UpperAudit,
        ApplicationState::FormalReview,
        ApplicationState::ReturnDescending,
        ApplicationState::ReturnedToUnit,
        ApplicationState::Recheck,
        ApplicationState::Qualified,
        ApplicationState::Terminated,
        ApplicationState::Rejected,
        ApplicationState::InPlan,
        ApplicationState::Passed,
        ApplicationState::NotPassed,
        ApplicationState::ResultPublicity,
        ApplicationState::ResultOnHold,
        ApplicationState::PublicityPassed,
        ApplicationState::FilingRequested,
        ApplicationState::Filed,
        ApplicationState::Certified,
        ApplicationState::Revoked,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationState::Draft => "draft",
            ApplicationState::UnitReview => "unit_review",
            ApplicationState::Returned => "returned",
            ApplicationState::UnitPublicity => "unit_publicity",
            ApplicationState::Recommendable => "recommendable",
            ApplicationState::UpperAudit => "upper_audit",
            ApplicationState::FormalReview => "formal_review",
            ApplicationState::ReturnDescending => "return_descending",
            ApplicationState::ReturnedToUnit => "returned_to_unit",
            ApplicationState::Recheck => "recheck",
            ApplicationState::Qualified => "qualified",
            ApplicationState::Terminated => "terminated",
            ApplicationState::Rejected => "rejected",
            ApplicationState::InPlan => "in_plan",
            ApplicationState::Passed => "passed",
            ApplicationState::NotPassed => "not_passed",
            ApplicationState::ResultPublicity => "result_publicity",
            ApplicationState::ResultOnHold => "result_on_hold",
            ApplicationState::PublicityPassed => "publicity_passed",
            ApplicationState::FilingRequested => "filing_requested",
            ApplicationState::Filed => "filed",
            ApplicationState::Certified => "certified",
            ApplicationState::Revoked => "revoked",
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
            ApplicationState::UpperAudit => "上级单位审核中",
            ApplicationState::FormalReview => "形式审查中",
            ApplicationState::ReturnDescending => "退回中（逐级退回）",
            ApplicationState::ReturnedToUnit => "已退回至所在单位",
            ApplicationState::Recheck => "评委会材料复核中",
            ApplicationState::Qualified => "复核合格，进入评审",
            ApplicationState::Terminated => "复核不合格，终止当年度申报",
            ApplicationState::Rejected => "不予通过",
            ApplicationState::InPlan => "已列入评审方案，待评审",
            ApplicationState::Passed => "评审通过，待结果公示",
            ApplicationState::NotPassed => "评审未通过",
            ApplicationState::ResultPublicity => "评审结果公示中",
            ApplicationState::ResultOnHold => "公示异议调查中",
            ApplicationState::PublicityPassed => "公示无异议，待备案",
            ApplicationState::FilingRequested => "备案审核中",
            ApplicationState::Filed => "已备案，待发证",
            ApplicationState::Certified => "已发证",
            ApplicationState::Revoked => "职称已撤销",
        }
    }

    /// Whether the applicant may edit the form and materials.
    pub fn is_editable(self) -> bool {
        matches!(self, ApplicationState::Draft | ApplicationState::Returned)
    }

    /// The state an organisation on the audit path holds it in, for a step kind.
    pub fn at_step(kind: crate::domain::path::StepKind) -> ApplicationState {
        match kind {
            crate::domain::path::StepKind::Audit => ApplicationState::UpperAudit,
            crate::domain::path::StepKind::FormalReview => ApplicationState::FormalReview,
            crate::domain::path::StepKind::Recheck => ApplicationState::Recheck,
        }
    }

    /// Whether the application is on the audit path, held by an organisation.
    pub fn is_on_path(self) -> bool {
        matches!(
            self,
            ApplicationState::UpperAudit
                | ApplicationState::FormalReview
                | ApplicationState::ReturnDescending
                | ApplicationState::Recheck
        )
    }

    /// Whether the application has ended for the year without a title.
    pub fn is_terminal(self) -> bool {
        matches!(self, ApplicationState::Rejected | ApplicationState::Terminated | ApplicationState::NotPassed)
    }
}

/// Who acts: a token role, the organisation holding the application on its audit path
/// (whatever its role), or the system (scheduled jobs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in user of this role.
    Role(Role),
    /// The organisation at the application's current step of the audit path.
    PathHolder,
    /// A scheduled job.
    System,
}

/// The actions of the workflow so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// 提交申报
    Submit,
    /// 单位初审通过，进入公示 (annex 2 §1.1.1)
    ApproveIntoPublicity,
    /// 退回补正 (unit → applicant)
    Return,
    /// 不予通过 (unit)
    Reject,
    /// 公示异议经查实
    UpholdObjection,
    /// 公示期满 (R11)
    ClosePublicity,
    /// 单位推荐上报 (annex 2 §1.1.2)
    Recommend,
    /// 审核通过，报送上一级
    ApproveStep,
    /// 退回（逐级）
    ReturnStep,
    /// 将退回件转退下一级
    PassDownReturn,
    /// 审核不通过
    RejectStep,
    /// 复核合格
    RecheckPass,
    /// 复核不合格
    RecheckFail,
    /// 省人社厅回退终审操作 (annex 3 §1.26)
    Undo,
    /// 评审方案核准，参评人员列入方案 (五(一), annex 3 §1.13–1.14)
    EnterPlan,
    /// 计票：表决、通过率控制、职数双控 (五(三)–(四))
    Tally,
    /// 线下评审直接录入结果 (annex 2 §1.2.5)
    EnterOfflineResult,
    /// 评审结果公示 (六(一), R18)
    OpenResultPublicity,
    /// 结果公示异议登记（暂缓）
    RecordResultObjection,
    /// 结果公示异议经查实
    UpholdResultObjection,
    /// 结果公示异议不成立
    DismissResultObjection,
    /// 结果公示期满 (R18)
    CloseResultPublicity,
    /// 申请备案 (六(二), R19)
    RequestFiling,
    /// 备案审核通过（备案文号）
    ApproveFiling,
    /// 备案审核不通过
    RejectFiling,
    /// 发证 (annex 3 §1.17, §1.29)
    IssueCertificate,
    /// 撤销职称证书 (七(一), annex 3 §1.19, R21)
    RevokeCertificate,
    /// 职称申报转换评委会 (annex 3 §1.27): the path is resolved anew for the new committee
    TransferCommittee,
    /// 初定 / 认定核准 (annex 3 §1.4–1.5): the acceptance institution approves, no vote
    ApproveTitle,
}

impl Action {
    /// Every action, for tests and the transition check.
    pub const ALL: [Action; 29] = [
        Action::Submit,
        Action::ApproveIntoPublicity,
        Action::Return,
        Action::Reject,
        Action::UpholdObjection,
        Action::ClosePublicity,
        Action::Recommend,
        Action::ApproveStep,
        Action::ReturnStep,
        Action::PassDownReturn,
        Action::RejectStep,
        Action::RecheckPass,
        Action::RecheckFail,
        Action::Undo,
        Action::EnterPlan,
        Action::Tally,
        Action::EnterOfflineResult,
        Action::OpenResultPublicity,
        Action::RecordResultObjection,
        Action::UpholdResultObjection,
        Action::DismissResultObjection,
        Action::CloseResultPublicity,
        Action::RequestFiling,
        Action::ApproveFiling,
        Action::RejectFiling,
        Action::IssueCertificate,
        Action::RevokeCertificate,
        Action::TransferCommittee,
        Action::ApproveTitle,
    ];

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Wire name, as recorded in the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::ApproveIntoPublicity => "approve_into_publicity",
            Action::Return => "return",
            Action::Reject => "reject",
            Action::UpholdObjection => "uphold_objection",
            Action::ClosePublicity => "close_publicity",
            Action::Recommend => "recommend",
            Action::ApproveStep => "approve_step",
            Action::ReturnStep => "return_step",
            Action::PassDownReturn => "pass_down_return",
            Action::RejectStep => "reject_step",
            Action::RecheckPass => "recheck_pass",
            Action::RecheckFail => "recheck_fail",
            Action::Undo => "undo",
            Action::EnterPlan => "enter_plan",
            Action::Tally => "tally",
            Action::EnterOfflineResult => "enter_offline_result",
            Action::OpenResultPublicity => "open_result_publicity",
            Action::RecordResultObjection => "record_result_objection",
            Action::UpholdResultObjection => "uphold_result_objection",
            Action::DismissResultObjection => "dismiss_result_objection",
            Action::CloseResultPublicity => "close_result_publicity",
            Action::RequestFiling => "request_filing",
            Action::ApproveFiling => "approve_filing",
            Action::RejectFiling => "reject_filing",
            Action::IssueCertificate => "issue_certificate",
            Action::RevokeCertificate => "revoke_certificate",
            Action::TransferCommittee => "transfer_committee",
            Action::ApproveTitle => "approve_title",
        }
    }
}

use Action as A;
use ApplicationState as S;

const APPLICANT: Actor = Actor::Role(Role::Applicant);
const UNIT: Actor = Actor::Role(Role::Unit);
const HOLDER: Actor = Actor::PathHolder;
const PROVINCE: Actor = Actor::Role(Role::Province);
const COMMITTEE_ORG: Actor = Actor::Role(Role::CommitteeOrg);
/// Where a dismissed result-publicity objection leads: back into publicity while it runs,
/// on to filing once it has ended, still on hold while another objection is pending.
const AFTER_DISMISSAL: &[ApplicationState] = &[S::ResultPublicity, S::PublicityPassed, S::ResultOnHold];
const ON_PATH: &[ApplicationState] = &[S::UpperAudit, S::FormalReview, S::Recheck];
const RETURNING: &[ApplicationState] = &[S::ReturnDescending, S::ReturnedToUnit];
const JUDGED: &[ApplicationState] = &[S::Passed, S::NotPassed];

/// The one transition table: (state, action, actor) → the states it may lead to. Where
/// more than one, the audit path decides (the next step's kind, or how far down a return
/// has travelled) and the workflow asks [`next_state`] to confirm its choice.
pub const TRANSITIONS: &[(ApplicationState, Action, Actor, &[ApplicationState])] = &[
    (S::Draft, A::Submit, APPLICANT, &[S::UnitReview]),
    (S::Returned, A::Submit, APPLICANT, &[S::UnitReview]),
    (S::UnitReview, A::ApproveIntoPublicity, UNIT, &[S::UnitPublicity]),
    (S::UnitReview, A::Return, UNIT, &[S::Returned]),
    (S::UnitReview, A::Reject, UNIT, &[S::Rejected]),
    (S::UnitPublicity, A::UpholdObjection, UNIT, &[S::Rejected]),
    (S::UnitPublicity, A::ClosePublicity, Actor::System, &[S::Recommendable]),
    (S::Recommendable, A::Recommend, UNIT, ON_PATH),
    // A corrected resubmission whose publicity already closed climbs again directly.
    (S::UnitReview, A::Recommend, UNIT, ON_PATH),
    (S::UpperAudit, A::ApproveStep, HOLDER, ON_PATH),
    (S::FormalReview, A::ApproveStep, HOLDER, ON_PATH),
    (S::UpperAudit, A::ReturnStep, HOLDER, RETURNING),
    (S::FormalReview, A::ReturnStep, HOLDER, RETURNING),
    (S::ReturnDescending, A::PassDownReturn, HOLDER, RETURNING),
    (S::ReturnedToUnit, A::Return, UNIT, &[S::Returned]),
    (S::UpperAudit, A::RejectStep, HOLDER, &[S::Rejected]),
    (S::FormalReview, A::RejectStep, HOLDER, &[S::Rejected]),
    (S::Recheck, A::RecheckPass, HOLDER, &[S::Qualified]),
    (S::Recheck, A::RecheckFail, HOLDER, &[S::Terminated]),
    (S::Qualified, A::Undo, PROVINCE, &[S::Recheck]),
    // The province approves a plan: its participants enter it (五(一): no plan, no review).
    (S::Qualified, A::EnterPlan, PROVINCE, &[S::InPlan]),
    // The organising unit tallies the ballots, or enters an offline session's results.
    (S::InPlan, A::Tally, COMMITTEE_ORG, JUDGED),
    (S::InPlan, A::EnterOfflineResult, COMMITTEE_ORG, JUDGED),
    (S::Terminated, A::Undo, PROVINCE, &[S::Recheck]),
    // Undoing a judge's operation leaves the participant in the plan; undoing the tally
    // brings a result back into the plan (annex 3 §1.26).
    (S::InPlan, A::Undo, PROVINCE, &[S::InPlan]),
    (S::Passed, A::Undo, PROVINCE, &[S::InPlan]),
    (S::NotPassed, A::Undo, PROVINCE, &[S::InPlan]),
    // From result to certificate (issue 5): result publicity (六(一), R18), objections put
    // the person on hold; dismissed ⇒ back into publicity while it runs, else on to filing
    // separately (六(二)); still on hold while another objection is pending.
    (S::Passed, A::OpenResultPublicity, COMMITTEE_ORG, &[S::ResultPublicity]),
    (S::ResultPublicity, A::RecordResultObjection, COMMITTEE_ORG, &[S::ResultOnHold]),
    (S::ResultOnHold, A::RecordResultObjection, COMMITTEE_ORG, &[S::ResultOnHold]),
    (S::ResultOnHold, A::UpholdResultObjection, COMMITTEE_ORG, &[S::NotPassed]),
    (S::ResultOnHold, A::DismissResultObjection, COMMITTEE_ORG, AFTER_DISMISSAL),
    (S::ResultPublicity, A::CloseResultPublicity, Actor::System, &[S::PublicityPassed]),
    (S::PublicityPassed, A::RequestFiling, COMMITTEE_ORG, &[S::FilingRequested]),
    (S::FilingRequested, A::ApproveFiling, PROVINCE, &[S::Filed]),
    (S::FilingRequested, A::RejectFiling, PROVINCE, &[S::PublicityPassed]),
    (S::Filed, A::IssueCertificate, PROVINCE, &[S::Certified]),
    // A city or county HR bureau issues for its own issuing unit (annex 3 §1.17).
    (S::Filed, A::IssueCertificate, Actor::Role(Role::Dept), &[S::Certified]),
    (S::Certified, A::RevokeCertificate, PROVINCE, &[S::Revoked]),
    // A transfer to another committee (annex 3 §1.27): before the path only the form's
    // committee changes; on it the path is re-resolved: an
    // application on the path stays with the organisation holding it (now on the new
    // path); one already qualified goes to the new committee's recheck.
    (S::UnitReview, A::TransferCommittee, PROVINCE, &[S::UnitReview]),
    (S::Returned, A::TransferCommittee, PROVINCE, &[S::Returned]),
    (S::UnitPublicity, A::TransferCommittee, PROVINCE, &[S::UnitPublicity]),
    (S::Recommendable, A::TransferCommittee, PROVINCE, &[S::Recommendable]),
    (S::ReturnedToUnit, A::TransferCommittee, PROVINCE, &[S::ReturnedToUnit]),
    (S::UpperAudit, A::TransferCommittee, PROVINCE, &[S::UpperAudit]),
    (S::FormalReview, A::TransferCommittee, PROVINCE, &[S::FormalReview]),
    (S::ReturnDescending, A::TransferCommittee, PROVINCE, &[S::ReturnDescending]),
    (S::Recheck, A::TransferCommittee, PROVINCE, &[S::Recheck]),
    (S::Qualified, A::TransferCommittee, PROVINCE, &[S::Recheck]),
    // 初定 and 认定 (annex 3 §1.4–1.5): no plan and no vote — the acceptance institution
    // that rechecked approves with its document number, and the title is ready to issue.
    (S::Qualified, A::ApproveTitle, HOLDER, &[S::Filed]),
];

/// Why a transition is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionError {
    /// This actor never performs this action.
    NotYourAction,
    /// The action exists for this actor, but not in the current state.
    WrongState,
}

/// The possible next states of `action` by `actor` in `state`.
pub fn next_states(
    state: ApplicationState,
    action: Action,
    actor: Actor,
) -> Result<&'static [ApplicationState], TransitionError> {
    if let Some(t) = TRANSITIONS.iter().find(|t| t.0 == state && t.1 == action && t.2 == actor) {
        return Ok(t.3);
    }
    if TRANSITIONS.iter().any(|t| t.1 == action && t.2 == actor) {
        Err(TransitionError::WrongState)
    } else {
        Err(TransitionError::NotYourAction)
    }
}

/// The next state when the table allows exactly one.
pub fn next_state(state: ApplicationState, action: Action, actor: Actor) -> Result<ApplicationState, TransitionError> {
    let targets = next_states(state, action, actor)?;
    Ok(targets[0])
}

/// Confirms that `chosen` (decided by the path) is one the table allows.
pub fn confirm_next(
    state: ApplicationState,
    action: Action,
    actor: Actor,
    chosen: ApplicationState,
) -> Result<ApplicationState, TransitionError> {
    if next_states(state, action, actor)?.contains(&chosen) {
        Ok(chosen)
    } else {
        Err(TransitionError::WrongState)
    }
}

/// A move the table allows: (from, action, actor) → to. Only [`Confirmed::new`] makes
/// one, after consulting [`TRANSITIONS`]; the store's state-writing statement takes one,
/// so no code can write a state the table does not declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirmed {
    from: ApplicationState,
    action: Action,
    actor: Actor,
    to: ApplicationState,
}

impl Confirmed {
    /// Confirms `from --action by actor--> to` against the table.
    pub fn new(
        from: ApplicationState,
        action: Action,
        actor: Actor,
        to: ApplicationState,
    ) -> Result<Confirmed, TransitionError> {
        confirm_next(from, action, actor, to).map(|to| Confirmed { from, action, actor, to })
    }

    /// The state moved from.
    pub fn from(&self) -> ApplicationState {
        self.from
    }

    /// The action.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Who acts.
    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// The state moved to.
    pub fn to(&self) -> ApplicationState {
        self.to
    }
}

/// One application audit event as the transition check reads it:
/// `(from_state, to_state, action, role)`, the wire strings of the audit trail —
/// `from_state`/`to_state` are [`ApplicationState::as_str`] names, `action` is
/// [`Action::as_str`] for every state change, `role` is the actor's role
/// ([`Role::as_str`], or `"system"` for scheduled jobs).
pub type EventTuple<'a> = (&'a str, &'a str, &'a str, &'a str);

/// Roles that may hold an application on its audit path ([`Actor::PathHolder`]).
const PATH_HOLDER_ROLES: [Role; 3] = [Role::Dept, Role::CommitteeOrg, Role::Province];

impl Actor {
    /// Whether an audit event's `role` (the wire name of the caller's role, or `system`)
    /// is this actor: [`Actor::PathHolder`] is any of `dept`, `committee_org`, `province`.
    pub fn matches_role(self, role: &str) -> bool {
        actor_matches(self, role)
    }
}

fn actor_matches(actor: Actor, role: &str) -> bool {
    match actor {
        Actor::Role(r) => r.as_str() == role,
        Actor::PathHolder => PATH_HOLDER_ROLES.iter().any(|r| r.as_str() == role),
        Actor::System => role == "system",
    }
}

fn is_declared(from: &str, to: &str, action: &str, role: &str) -> bool {
    let (Some(from), Some(to), Some(action)) =
        (ApplicationState::parse(from), ApplicationState::parse(to), Action::parse(action))
    else {
        return false;
    };
    TRANSITIONS.iter().any(|t| t.0 == from && t.1 == action && actor_matches(t.2, role) && t.3.contains(&to))
}

/// Whether an event records a transition: a change of state, or an event named by an
/// [`Action`] (a declared move may keep the state, e.g. an undo of a judge's operation).
/// Events that keep the state under another name (`edit`, `record_objection`,
/// `dismiss_objection`, `transfer_committee`) change data, not state.
fn is_transition(from: &str, to: &str, action: &str) -> bool {
    from != to || Action::parse(action).is_some()
}

/// The transitions that happened but that [`TRANSITIONS`] does not declare: every
/// distinct `(from_state, to_state, action, role)` of `events` (application audit events
/// with both states present; see [`EventTuple`]) that is a transition and that no row
/// allows — an unknown state or action name, a role the row does not name
/// ([`Actor::PathHolder`] is any of `dept`, `committee_org`, `province`;
/// [`Actor::System`] is `system`), or a target the row does not list. Empty when every
/// recorded move was declared. Sorted, without duplicates.
pub fn undeclared<'a>(events: &[EventTuple<'a>]) -> Vec<EventTuple<'a>> {
    let mut out: Vec<EventTuple<'a>> = events
        .iter()
        .copied()
        .filter(|&(from, to, action, role)| is_transition(from, to, action) && !is_declared(from, to, action, role))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The declared transitions no event exercised: every `(from, action, actor, to)` of
/// [`TRANSITIONS`] (one entry per listed target) that no tuple of `events` (see
/// [`EventTuple`]) matches. In table order.
pub fn unexercised(events: &[EventTuple<'_>]) -> Vec<(ApplicationState, Action, Actor, ApplicationState)> {
    let mut out = Vec::new();
    for &(from, action, actor, targets) in TRANSITIONS {
        for &to in targets {
            let seen = events.iter().any(|&(f, t, a, role)| {
                f == from.as_str() && t == to.as_str() && a == action.as_str() && actor_matches(actor, role)
            });
            if !seen {
                out.push((from, action, actor, to));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_move_is_not_reported_as_undeclared() {
        let events = [
            ("draft", "unit_review", "submit", "applicant"),
            ("upper_audit", "formal_review", "approve_step", "dept"),
            ("unit_publicity", "recommendable", "close_publicity", "system"),
            ("qualified", "in_plan", "enter_plan", "province"),
            ("in_plan", "passed", "tally", "committee_org"),
            ("in_plan", "not_passed", "enter_offline_result", "committee_org"),
        ];
        assert_eq!(undeclared(&events), Vec::<EventTuple<'_>>::new());
    }

    #[test]
    fn a_move_of_the_wrong_role_target_or_name_is_undeclared() {
        let events = [
            ("draft", "unit_review", "submit", "unit"),
            ("unit_review", "certified", "approve_into_publicity", "unit"),
            ("qualified", "in_plan", "enter_plan_legacy", "province"),
            ("in_plan", "passed", "tally", "applicant"),
            ("nowhere", "draft", "submit", "applicant"),
            ("draft", "unit_review", "submit", "unit"),
        ];
        assert_eq!(
            undeclared(&events),
            vec![
                ("draft", "unit_review", "submit", "unit"),
                ("in_plan", "passed", "tally", "applicant"),
                ("nowhere", "draft", "submit", "applicant"),
                ("qualified", "in_plan", "enter_plan_legacy", "province"),
                ("unit_review", "certified", "approve_into_publicity", "unit"),
            ]
        );
    }

    #[test]
    fn data_changes_that_keep_the_state_are_not_transitions() {
        let events = [
            ("draft", "draft", "edit", "applicant"),
            ("unit_publicity", "unit_publicity", "record_objection", "unit"),
            ("qualified", "qualified", "receive_paper_materials", "province"),
        ];
        assert!(undeclared(&events).is_empty());
        assert_eq!(undeclared(&[("qualified", "qualified", "undo", "province")]).len(), 1);
        assert!(undeclared(&[("in_plan", "in_plan", "undo", "province")]).is_empty());
    }

    #[test]
    fn unexercised_lists_every_declared_target_until_an_event_takes_it() {
        let total: usize = TRANSITIONS.iter().map(|t| t.3.len()).sum();
        assert_eq!(unexercised(&[]).len(), total);
        let events =
            [("recommendable", "formal_review", "recommend", "unit"), ("in_plan", "passed", "tally", "committee_org")];
        let left = unexercised(&events);
        assert_eq!(left.len(), total - 2);
        assert!(!left.contains(&(S::Recommendable, A::Recommend, UNIT, S::FormalReview)));
        assert!(left.contains(&(S::Recommendable, A::Recommend, UNIT, S::UpperAudit)));
        assert!(left.contains(&(S::InPlan, A::Tally, COMMITTEE_ORG, S::NotPassed)));
        let holder = unexercised(&[("upper_audit", "rejected", "reject_step", "committee_org")]);
        assert!(!holder.contains(&(S::UpperAudit, A::RejectStep, HOLDER, S::Rejected)));
    }

    #[test]
    fn a_confirmed_move_exists_only_for_a_declared_row() {
        assert!(Confirmed::new(S::Qualified, A::EnterPlan, PROVINCE, S::InPlan).is_ok());
        assert_eq!(Confirmed::new(S::Qualified, A::EnterPlan, PROVINCE, S::Passed), Err(TransitionError::WrongState));
    }

    #[test]
    fn action_names_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        for &(_, action, _, _) in TRANSITIONS {
            assert!(Action::ALL.contains(&action));
        }
    }

    #[test]
    fn every_declared_transition_is_reachable_through_next_state() {
        for &(from, action, actor, targets) in TRANSITIONS {
            for &to in targets {
                assert_eq!(confirm_next(from, action, actor, to), Ok(to));
            }
        }
    }

    #[test]
    fn terminal_states_absorb_every_action() {
        for st in [S::Rejected, S::Terminated] {
            for &(_, action, actor, _) in TRANSITIONS {
                if action == A::Undo {
                    continue;
                }
                assert!(next_state(st, action, actor).is_err(), "{st:?} {action:?}");
            }
        }
        assert!(next_state(S::Rejected, A::Undo, PROVINCE).is_err(), "only the final authority's acts are undone");
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
