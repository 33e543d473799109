//! Every stable error code: one enum, each code with its HTTP status and its one Chinese
//! message template (`{}` placeholders, filled in order by [`ErrorCode::render`]).

/// A stable error code, as the JSON body's `code` and the OpenAPI `ErrorCode` schema list it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `UNAUTHENTICATED` (401): 未登录或登录已失效，请重新登录
    Unauthenticated,
    /// `FORBIDDEN` (403): 当前角色无权执行此操作
    Forbidden,
    /// `NOT_FOUND` (404): {}不存在
    NotFound,
    /// `INVALID_FIELD` (400): {}
    InvalidField,
    /// `MALFORMED_BODY` (400): 请求内容格式错误：{}
    MalformedBody,
    /// `PAYLOAD_TOO_LARGE` (413): 上传内容超过大小上限（{} 字节）
    PayloadTooLarge,
    /// `UNSUPPORTED_MEDIA_TYPE` (415): {}
    UnsupportedMediaType,
    /// `RULES_FAILED` (422): 不符合申报条件（共 {} 项）
    RulesFailed,
    /// `CALENDAR_YEAR_NOT_PUBLISHED` (422): {} 年的法定节假日安排尚未发布或未导入，无法计算工作日
    CalendarYearNotPublished,
    /// `STORE_BUSY` (503): 系统繁忙，请稍后重试
    StoreBusy,
    /// `INTERNAL` (500): 服务器内部错误
    Internal,
    /// `FIELD_REQUIRED` (400): 请填写{}
    FieldRequired,
    /// `APPLICATION_STALE` (409): 申报已被他人处理或修改，请刷新后重试
    ApplicationStale,
    /// `LOGIN_FAILED` (401): 账号或密码错误
    LoginFailed,
    /// `ACCOUNT_LOCKED` (423): 连续登录失败次数过多，账号已锁定，请于 {} 后再试
    AccountLocked,
    /// `TOO_MANY_ATTEMPTS` (429): 登录尝试过于频繁，请稍后再试
    TooManyAttempts,
    /// `PERSON_EXISTS` (409): 该身份证号码已注册，请直接登录或找回密码
    PersonExists,
    /// `PHONE_TAKEN` (409): 该手机号码已被其他账号使用
    PhoneTaken,
    /// `NO_SESSION` (409): 该令牌不是通过登录取得的（开发用令牌），不能执行此操作
    NoSession,
    /// `OPERATOR_ALREADY_IN_STATE` (409): 操作员已处于该状态
    OperatorAlreadyInState,
    /// `CANNOT_DISABLE_SELF` (409): 管理员不能停用自己
    CannotDisableSelf,
    /// `OPERATOR_STALE` (409): 操作员信息已被修改，请刷新后重试
    OperatorStale,
    /// `NOT_OWN_CITIZEN_ID` (403): 只能以本人的身份证号码申报
    NotOwnCitizenId,
    /// `COMMITMENT_REQUIRED` (422): 提交申报前须阅读并承诺《{}》
    CommitmentRequired,
    /// `INVALID_STATE` (409): 当前状态不能执行此操作：{}
    InvalidState,
    /// `OBJECTION_NOT_PENDING` (409): 该异议不存在或已处理
    ObjectionNotPending,
    /// `OBJECTION_RESOLVED` (409): 该异议已处理
    ObjectionResolved,
    /// `PUBLICITY_NOT_COMPLETED` (409): 未经单位公示的申报不得推荐上报（R11）
    PublicityNotCompleted,
    /// `PUBLICITY_ENDED` (409): 公示期已结束，不能再登记异议
    PublicityEnded,
    /// `NOT_YOUR_STEP` (409): 该申报当前不在本单位审核环节，不能操作
    NotYourStep,
    /// `NOTHING_TO_UNDO` (409): 该申报没有可回退的终审操作
    NothingToUndo,
    /// `UNDO_OUT_OF_ORDER` (409): 须按倒序逐一回退：{}
    UndoOutOfOrder,
    /// `TRANSFER_STATE` (409): 申报 {} 当前状态为“{}”，不能调整评委会，本次调整未执行
    TransferState,
    /// `UNIT_NOT_REGISTERED` (409): 单位 {} 未注册或未通过审核
    UnitNotRegistered,
    /// `COMMITTEE_NOT_FOUND` (409): 所选评委会不存在
    CommitteeNotFound,
    /// `NO_UPPER` (409): 机构 {} 未配置{}的上级审核单位
    NoUpper,
    /// `PATH_LOOP` (409): 审核路径在 {} 处形成循环
    PathLoop,
    /// `NO_FORMAL_REVIEW` (409): 审核路径中没有形式审查环节（市州人社局或省直厅局）
    NoFormalReview,
    /// `COMMITTEE_CANCELLED` (409): 评委会 {} 已撤销
    CommitteeCancelled,
    /// `COMMITTEE_EXPIRED` (409): 评委会 {} 已超过有效期（{}），评审不予认可
    CommitteeExpired,
    /// `COMMITTEE_NOT_FINAL` (409): 评委会 {} 不是终审机构
    CommitteeNotFinal,
    /// `COMMITTEE_SERIES_MISMATCH` (409): 评委会 {} 不评审{}系列
    CommitteeSeriesMismatch,
    /// `COMMITTEE_LEVEL_EXCEEDED` (409): 评委会 {} 无权评审{}职称
    CommitteeLevelExceeded,
    /// `COMMITTEE_SPECIALTY_NOT_COVERED` (409): 评委会 {} 无权评审“{}”专业，超出评审范围不予认可
    CommitteeSpecialtyNotCovered,
    /// `TARGET_LEVEL_NOT_SENIOR` (422): 申报层级须为副高级或正高级
    TargetLevelNotSenior,
    /// `R1_LOWER_TITLE_REQUIRED` (422): 须取得下一级职称（R1）
    R1LowerTitleRequired,
    /// `R1_SAME_SERIES_REQUIRED` (422): 须取得同系列的下一级职称（R1）
    R1SameSeriesRequired,
    /// `R2_AFTER_MATERIAL_CUTOFF` (422): 材料截止日期之后取得的业绩成果不予认可（R2）
    R2AfterMaterialCutoff,
    /// `R3_ASSESSMENT_MISSING` (422): 缺少计算年度的年度考核结果（R3）
    R3AssessmentMissing,
    /// `R3_ASSESSMENT_BELOW_QUALIFIED` (422): 年度考核结果须为合格及以上（R3）
    R3AssessmentBelowQualified,
    /// `R4_NOT_ELIGIBLE` (422): 处于立案审查、强制措施、刑事处罚或处分影响期内，不得申报（R4）
    R4NotEligible,
    /// `R5_BLACKLISTED` (422): 已被记入诚信档案黑名单，记录期内不得申报（R5）
    R5Blacklisted,
    /// `R6_EMPLOYER_REQUIRED` (422): 请填写工作单位（R6）
    R6EmployerRequired,
    /// `R6_OWN_UNIT_ONLY` (422): 纳入岗位管理的事业单位专技人员须通过本单位申报（R6）
    R6OwnUnitOnly,
    /// `R7_CONTINUING_EDUCATION_HOURS` (422): 继续教育学时未达到要求（R7）
    R7ContinuingEducationHours,
    /// `R8_GRASSROOTS_SERVICE_REQUIRED` (422): 须具备基层服务经历（R8）
    R8GrassrootsServiceRequired,
    /// `R9_TITLE_NOT_RECOGNISED` (422): 外省取得的职称须经单位确认备案（R9）
    R9TitleNotRecognised,
    /// `R10_QUOTA_EXCEEDED` (422): 事业单位须在核定评审职数内推荐：{} 年度{}{}已核定 {} 个，已推荐 {} 人，不能再推荐（R10）
    R10QuotaExceeded,
    /// `R13_PLAN_TOO_LATE` (422): {}须在开评前 {} 个工作日报送评审方案（开评 {}，最迟 {}），今日 {} 已逾期（R13）
    R13PlanTooLate,
    /// `R16_NO_REJUDGING` (422): 申报 {} 的申报人本年度评审未通过，不得复评（R16）
    R16NoRejudging,
    /// `R17_VOTING_CLOSED` (422): 评议投票须在 {} 前完成（R17）
    R17VotingClosed,
    /// `PLAN_STALE` (409): 评审方案已被他人处理或修改，请刷新后重试
    PlanStale,
    /// `PLAN_AUDIT_DESK` (409): {}评审方案由 {} 审核
    PlanAuditDesk,
    /// `PARTICIPANT_STATE` (409): 参评申报 {} 当前状态为“{}”，方案未核准
    ParticipantState,
    /// `EXPERT_EXISTS` (409): 专家编号 {} 已存在
    ExpertExists,
    /// `PLAN_OFFLINE` (409): 线下评审方案不进行系统抽取
    PlanOffline,
    /// `PLAN_ONLINE` (409): 线上评审方案须由评委投票产生结果
    PlanOnline,
    /// `PLAN_NOT_APPROVED` (409): 评审方案未经核准
    PlanNotApproved,
    /// `DRAW_NOT_TODAY` (409): 评委须于开评前1天（{}）抽取
    DrawNotToday,
    /// `DRAW_SHORTFALL` (409): 可抽取的专家不足：{}
    DrawShortfall,
    /// `JUDGE_NOT_DRAWN` (409): 该评委已请辞
    JudgeNotDrawn,
    /// `JUDGING_CLOSED` (409): 该方案不在评审阶段
    JudgingClosed,
    /// `OUTSIDE_JUDGING_WINDOW` (409): 评审时间为 {} 至 {}
    OutsideJudgingWindow,
    /// `ALREADY_VOTED` (409): 您已对该参评人员投票
    AlreadyVoted,
    /// `NOTHING_TO_PUBLICISE` (409): 该场评审没有待公示的评审通过人员
    NothingToPublicise,
    /// `NOTHING_TO_FILE` (409): 没有公示无异议、待备案的人员
    NothingToFile,
    /// `FILING_AUDITED` (409): 该备案申请已审核
    FilingAudited,
    /// `NOT_FILED` (409): 申报 {} 没有审核通过的备案
    NotFiled,
    /// `NOTHING_TO_ISSUE` (409): 没有符合条件的待发证人员
    NothingToIssue,
    /// `CERTIFICATE_STALE` (409): 证书数据已被他人处理或修改，请刷新后重试
    CertificateStale,
    /// `CERTIFICATE_REVOKED` (409): 该证书已撤销
    CertificateRevoked,
    /// `CERTIFICATE_NUMBER` (409): 证书编号无法分配：{}
    CertificateNumber,
    /// `SERIES_CODE_MISSING` (409): 系列“{}”没有证书编号代码，请在编号格式中配置
    SeriesCodeMissing,
    /// `ISSUING_CODE_TAKEN` (409): 发证单位编码 {} 已被使用
    IssuingCodeTaken,
    /// `ISSUING_UNIT_EXISTS` (409): 该机构已有有效的发证单位编码，请先注销
    IssuingUnitExists,
    /// `ISSUING_UNIT_CANCELLED` (409): 该发证单位编码已注销
    IssuingUnitCancelled,
    /// `ISSUING_UNIT_MISSING` (409): 本单位没有有效的发证单位编码，请先配置（发证单位编码配置）
    IssuingUnitMissing,
    /// `IMPORT_COMMITTED` (409): 该导入已提交
    ImportCommitted,
    /// `QUOTA_STALE` (409): 该申报已被处理，请刷新
    QuotaStale,
    /// `QUOTA_DEADLINE_PASSED` (409): 评审职数申报审核已于 {} 截止
    QuotaDeadlinePassed,
    /// `QUOTA_ALREADY_DECLARED` (409): 本年度该系列层级已申报评审职数
    QuotaAlreadyDeclared,
    /// `SPECIAL_QUOTA_WINDOW_CLOSED` (409): 特殊情况评审职数须于 {} 至 {} 向省人社厅提交
    SpecialQuotaWindowClosed,
    /// `NOT_PUBLIC_INSTITUTION` (409): 评审职数管理适用于事业单位
    NotPublicInstitution,
    /// `BATCH_DATE_NOT_SET` (409): 年度批次未设置{}
    BatchDateNotSet,
    /// `ORGANISATION_EXISTS` (409): 机构编号 {} 已存在
    OrganisationExists,
    /// `CREDIT_CODE_TAKEN` (409): 统一社会信用代码 {} 已被其他机构使用
    CreditCodeTaken,
    /// `COMMITTEE_EXISTS` (409): 评委会编号 {} 已存在
    CommitteeExists,
    /// `COMMITTEE_SPECIALTY_IN_USE` (409): 尚有 {} 份未办结申报（{}）按专业“{}”由该评委会评审，不能移除该专业
    CommitteeSpecialtyInUse,
    /// `COMMITTEE_HAS_OPEN_APPLICATIONS` (409): 该评委会尚有 {} 份未办结申报（{}），请先将其转移至其他评委会后再注销
    CommitteeHasOpenApplications,
    /// `LOWER_ALREADY_DESIGNATED` (409): 该单位在此层级和取得方式下已有上级审核单位
    LowerAlreadyDesignated,
    /// `EDGE_NOT_ACTIVE` (409): 该审核路径已取消
    EdgeNotActive,
    /// `ADMIN_STALE` (409): {}已被他人修改，请刷新后重试
    AdminStale,
    /// `BATCH_EXISTS` (409): {} 年度批次已存在
    BatchExists,
    /// `BLACKLIST_DUPLICATE` (409): 该人员在此期间已有未解除的黑名单记录
    BlacklistDuplicate,
    /// `BLACKLIST_LIFTED` (409): 该记录已解除
    BlacklistLifted,
    /// `CALENDAR_YEAR_PUBLISHED` (409): {} 年的节假日安排已导入；如需更正，请设置 replace 为 true
    CalendarYearPublished,
    /// `IMPORT_ALREADY_COMMITTED` (409): 该导入批次已提交
    ImportAlreadyCommitted,
    /// `INSTITUTION_EXISTS` (409): 该机构已是此职称等级和取得方式的受理机构
    InstitutionExists,
    /// `INSTITUTION_CANCELLED` (409): 受理机构已注销
    InstitutionCancelled,
    /// `ALREADY_AN_ORGANISATION` (409): 当前账号已属于某单位，无需注册
    AlreadyAnOrganisation,
    /// `REGISTRATION_APPROVED` (409): 注册已审核通过，不能再{}
    RegistrationApproved,
    /// `REGISTRATION_NOT_APPROVED` (409): 注册申请当前状态为“{}”，审核通过后方可登录单位网厅
    RegistrationNotApproved,
    /// `REGISTRATION_NOT_PENDING` (409): 注册申请当前状态为“{}”，不能审核
    RegistrationNotPending,
    /// `SPECIALTY_IN_USE` (409): 专业“{}”正被{}使用，不能删除或改名
    SpecialtyInUse,
    /// `SPECIALTY_CODE_TAKEN` (409): 专业代码 {} 已存在
    SpecialtyCodeTaken,
    /// `SPECIALTY_NAME_TAKEN` (409): 专业名称“{}”已存在
    SpecialtyNameTaken,
    /// `SPECIALTY_ROOT_FIXED` (409): 专业大类为固定栏目，不能修改或删除
    SpecialtyRootFixed,
    /// `SPECIALTY_HAS_CHILDREN` (409): 该专业有下级专业，{}
    SpecialtyHasChildren,
    /// `TITLE_NAME_TAKEN` (409): {}系列已有职称“{}”
    TitleNameTaken,
    /// `TITLE_IN_USE` (409): 职称“{}”已有申报使用，{}
    TitleInUse,
    /// `COMMITMENT_TEXT_CHANGED` (422): 《{}》内容已更新，请重新阅读并确认
    CommitmentTextChanged,
    /// `FEDERATION_NOT_CONFIGURED` (409): 未配置统一身份认证
    FederationNotConfigured,
    /// `OBJECTION_RATE_LIMITED` (429): 异议提交过于频繁（每个网络地址每小时最多 {} 条），请稍后再试
    ObjectionRateLimited,
    /// `PUBLICITY_NOT_STARTED` (409): 公示将于 {} 开始，届时方可提出异议
    PublicityNotStarted,
    /// `QUALIFICATION_AUDIT_CLOSED` (422): 线上资格审查须于 {} 前完成（二(一)），{}已不能{}；如需延期，须由省人社厅登记延期
    QualificationAuditClosed,
    /// `R11_PUBLICITY_START_PAST` (422): 单位公示开始日期 {} 早于今天（{}），公示须从今天或以后开始，满 {} 个工作日（R11，四(二)2）
    R11PublicityStartPast,
    /// `R18_RESULT_PUBLICITY_LATE` (422): 评审结果须于投票（{}）后 {} 个工作日内公示，最迟 {} 开始，{} 已逾期；如确需延后，须由省人社厅登记例外（R18，六(一)）
    R18ResultPublicityLate,
    /// `TITLE_NOT_IN_TREE` (409): 职称树中没有{}系列{}的职称名称，请省人社厅先在职称树中维护（附件3 §1.2），再生成证书
    TitleNotInTree,
    /// `R15_PASS_RATE_REQUIRED` (422): 评审方案须载明通过率（继续实行通过率控制，R15，五(三)）
    R15PassRateRequired,
    /// `R15_PASS_RATE_ABOVE_LIMIT` (422): 评审方案的通过率 {}% 高于省人社厅核定的 {}%；因特殊情况需要突破通过率的，须在方案中提前报备并经省人社厅审核同意（R15，五(三)）
    R15PassRateAboveLimit,
    /// `R15_PASS_RATE_EXCEPTION_NOT_APPROVED` (422): 该方案报备的通过率 {}% 高于核定的 {}%，核准方案须同时审核同意突破通过率（approve_pass_rate_exception）（R15，五(三)）
    R15PassRateExceptionNotApproved,
    /// `R8_DIRECTED_EVALUATION_OUTSIDE_FIELDS` (422): 定向评价仅适用于卫生、教育、农业、林业、水利领域的基层专业技术人才（R8，八(二)）
    R8DirectedEvaluationOutsideFields,
    /// `SPECIAL_QUOTA_NOT_SUBMITTED` (409): 该特殊情况评审职数申请尚未经市州人社局或省直部门初核汇总报送，省人社厅暂不能审核（三(二)2）
    SpecialQuotaNotSubmitted,
    /// `SPECIAL_QUOTA_PRECHECKED` (409): 该特殊情况评审职数申请已初核{}
    SpecialQuotaPrechecked,
    /// `MATERIALS_MISSING` (422): 缺少资格审查材料：{}（一：资格审查材料须实名签字、加盖公章后扫描上传）
    MaterialsMissing,
    /// `TEACHER_INSTITUTION_INELIGIBLE` (422): 中小学教师职称的申报范围为普通中小学、幼儿园、特殊教育学校、专门学校及教育部门主管的教研机构、电化教育机构、少年宫等教学机构的教师（八(六)），所在单位“{}”登记的机构类别为“{}”
    TeacherInstitutionIneligible,
    /// `COMMITTEE_OUTSIDE_APPROVAL` (422): 评委会“{}”超出核准的评审范围或有效期（{}），其评审结果不予备案（七(四)）
    CommitteeOutsideApproval,

    /// `FIELD_TOO_LONG` (422): 字段 {} 不能超过 {} 字
    FieldTooLong,
    /// `COMMITTEE_TIER_MISMATCH` (409): 评委会 {} 为{}，不评审{}职称（附件3 §1.6–1.8）
    CommitteeTierMismatch,
    /// `INSTITUTION_NOT_ACCEPTING` (409): 受理机构 {} 不受理{}（{}）：不存在、已注销，或职称等级、取得方式不符（附件3 §1.3）
    InstitutionNotAccepting,
    /// `INITIAL_LEVEL_TOO_HIGH` (422): 初定适用于员级、助理级和中级职称，不能初定{}（附件3 §1.4）
    InitialLevelTooHigh,
    /// `RECOGNITION_TITLE_MISMATCH` (422): 认定须提交已取得的同系列{}职称（现有职称的系列、层级与申报一致，并填写证书编号；八(一)）
    RecognitionTitleMismatch,
    /// `METHOD_MISMATCH` (409): 申报 {} 的取得方式为{}，不能{}
    MethodMismatch,
    /// `DESIGNATION_DECLINED` (409): {} 已拒绝确认 {} 对其的审核层级指定（{}），该路径不可用（附件2 §1.6.2）
    DesignationDeclined,
    /// `DESIGNATION_NOT_PENDING` (409): 该审核层级指定已{}，不能再次处理
    DesignationNotPending,
    /// `DESIGNATION_PENDING` (409): {} 尚未确认 {} 对其的审核层级指定（{}），该路径暂不可用（附件2 §1.6.2）
    DesignationPending,
    /// `SECONDMENT_HOST_NOT_LISTED` (422): 挂职、兼职或项目合作单位“{}”不在八(四)所列单位之内（崖州湾深海科技城、合肥国家实验室、中科院合肥物质所、上海科技创新中心（张江科学城））
    SecondmentHostNotListed,
    /// `SECONDMENT_ACHIEVEMENT_OUTSIDE_PERIOD` (422): 成果“{}”标注在{}取得，须在申报表所填该单位的挂职、兼职或项目合作期间内（八(四)）
    SecondmentAchievementOutsidePeriod,
    /// `UNIT_RULE_BELOW_PROVINCE` (422): 自主评审单位的标准条件不能低于省标：本系列继续教育学时省标为 {}，所填为 {}（三(一)）
    UnitRuleBelowProvince,
    /// `NOT_SELF_REVIEW_UNIT` (422): {} 不是自主评审单位（二(五)）
    NotSelfReviewUnit,
    /// `UNIT_RULE_NOT_MET` (422): 未达到所在自主评审单位经备案的标准条件（{}）：{}
    UnitRuleNotMet,
    /// `SELF_REVIEW_PLAN_FILED` (409): {} 年度评审方案已报备（{}），不能重复报备
    SelfReviewPlanFiled,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 152] = [
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::InvalidField,
        ErrorCode::MalformedBody,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::RulesFailed,
        ErrorCode::CalendarYearNotPublished,
        ErrorCode::StoreBusy,
        ErrorCode::Internal,
        ErrorCode::FieldRequired,
        ErrorCode::ApplicationStale,
        ErrorCode::LoginFailed,
        ErrorCode::AccountLocked,
        ErrorCode::TooManyAttempts,
        ErrorCode::PersonExists,
        ErrorCode::PhoneTaken,
        ErrorCode::NoSession,
        ErrorCode::OperatorAlreadyInState,
        ErrorCode::CannotDisableSelf,
        ErrorCode::OperatorStale,
        ErrorCode::NotOwnCitizenId,
        ErrorCode::CommitmentRequired,
        ErrorCode::InvalidState,
        ErrorCode::ObjectionNotPending,
        ErrorCode::ObjectionResolved,
        ErrorCode::PublicityNotCompleted,
        ErrorCode::PublicityEnded,
        ErrorCode::NotYourStep,
        ErrorCode::NothingToUndo,
        ErrorCode::UndoOutOfOrder,
        ErrorCode::TransferState,
        ErrorCode::UnitNotRegistered,
        ErrorCode::CommitteeNotFound,
        ErrorCode::NoUpper,
        ErrorCode::PathLoop,
        ErrorCode::NoFormalReview,
        ErrorCode::CommitteeCancelled,
        ErrorCode::CommitteeExpired,
        ErrorCode::CommitteeNotFinal,
        ErrorCode::CommitteeSeriesMismatch,
        ErrorCode::CommitteeLevelExceeded,
        ErrorCode::CommitteeSpecialtyNotCovered,
        ErrorCode::TargetLevelNotSenior,
        ErrorCode::R1LowerTitleRequired,
        ErrorCode::R1SameSeriesRequired,
        ErrorCode::R2AfterMaterialCutoff,
        ErrorCode::R3AssessmentMissing,
        ErrorCode::R3AssessmentBelowQualified,
        ErrorCode::R4NotEligible,
        ErrorCode::R5Blacklisted,
        ErrorCode::R6EmployerRequired,
        ErrorCode::R6OwnUnitOnly,
        ErrorCode::R7ContinuingEducationHours,
        ErrorCode::R8GrassrootsServiceRequired,
        ErrorCode::R9TitleNotRecognised,
        ErrorCode::R10QuotaExceeded,
        ErrorCode::R13PlanTooLate,
        ErrorCode::R16NoRejudging,
        ErrorCode::R17VotingClosed,
        ErrorCode::PlanStale,
        ErrorCode::PlanAuditDesk,
        ErrorCode::ParticipantState,
        ErrorCode::ExpertExists,
        ErrorCode::PlanOffline,
        ErrorCode::PlanOnline,
        ErrorCode::PlanNotApproved,
        ErrorCode::DrawNotToday,
        ErrorCode::DrawShortfall,
        ErrorCode::JudgeNotDrawn,
        ErrorCode::JudgingClosed,
        ErrorCode::OutsideJudgingWindow,
        ErrorCode::AlreadyVoted,
        ErrorCode::NothingToPublicise,
        ErrorCode::NothingToFile,
        ErrorCode::FilingAudited,
        ErrorCode::NotFiled,
        ErrorCode::NothingToIssue,
        ErrorCode::CertificateStale,
        ErrorCode::CertificateRevoked,
        ErrorCode::CertificateNumber,
        ErrorCode::SeriesCodeMissing,
        ErrorCode::IssuingCodeTaken,
        ErrorCode::IssuingUnitExists,
        ErrorCode::IssuingUnitCancelled,
        ErrorCode::IssuingUnitMissing,
        ErrorCode::ImportCommitted,
        ErrorCode::QuotaStale,
        ErrorCode::QuotaDeadlinePassed,
        ErrorCode::QuotaAlreadyDeclared,
        ErrorCode::SpecialQuotaWindowClosed,
        ErrorCode::NotPublicInstitution,
        ErrorCode::BatchDateNotSet,
        ErrorCode::OrganisationExists,
        ErrorCode::CreditCodeTaken,
        ErrorCode::CommitteeExists,
        ErrorCode::CommitteeSpecialtyInUse,
        ErrorCode::CommitteeHasOpenApplications,
        ErrorCode::LowerAlreadyDesignated,
        ErrorCode::EdgeNotActive,
        ErrorCode::AdminStale,
        ErrorCode::BatchExists,
        ErrorCode::BlacklistDuplicate,
        ErrorCode::BlacklistLifted,
        ErrorCode::CalendarYearPublished,
        ErrorCode::ImportAlreadyCommitted,
        ErrorCode::InstitutionExists,
        ErrorCode::InstitutionCancelled,
        ErrorCode::AlreadyAnOrganisation,
        ErrorCode::RegistrationApproved,
        ErrorCode::RegistrationNotApproved,
        ErrorCode::RegistrationNotPending,
        ErrorCode::SpecialtyInUse,
        ErrorCode::SpecialtyCodeTaken,
        ErrorCode::SpecialtyNameTaken,
        ErrorCode::SpecialtyRootFixed,
        ErrorCode::SpecialtyHasChildren,
        ErrorCode::TitleNameTaken,
        ErrorCode::TitleInUse,
        ErrorCode::CommitmentTextChanged,
        ErrorCode::FederationNotConfigured,
        ErrorCode::ObjectionRateLimited,
        ErrorCode::PublicityNotStarted,
        ErrorCode::QualificationAuditClosed,
        ErrorCode::R11PublicityStartPast,
        ErrorCode::R18ResultPublicityLate,
        ErrorCode::TitleNotInTree,
        ErrorCode::R15PassRateRequired,
        ErrorCode::R15PassRateAboveLimit,
        ErrorCode::R15PassRateExceptionNotApproved,
        ErrorCode::R8DirectedEvaluationOutsideFields,
        ErrorCode::SpecialQuotaNotSubmitted,
        ErrorCode::SpecialQuotaPrechecked,
        ErrorCode::MaterialsMissing,
        ErrorCode::TeacherInstitutionIneligible,
        ErrorCode::CommitteeOutsideApproval,
        ErrorCode::FieldTooLong,
        ErrorCode::CommitteeTierMismatch,
        ErrorCode::InstitutionNotAccepting,
        ErrorCode::InitialLevelTooHigh,
        ErrorCode::RecognitionTitleMismatch,
        ErrorCode::MethodMismatch,
        ErrorCode::DesignationDeclined,
        ErrorCode::DesignationNotPending,
        ErrorCode::DesignationPending,
        ErrorCode::SecondmentHostNotListed,
        ErrorCode::SecondmentAchievementOutsidePeriod,
        ErrorCode::UnitRuleBelowProvince,
        ErrorCode::NotSelfReviewUnit,
        ErrorCode::UnitRuleNotMet,
        ErrorCode::SelfReviewPlanFiled,
    ];

    /// The wire name (`APPLICATION_STALE`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::InvalidField => "INVALID_FIELD",
            ErrorCode::MalformedBody => "MALFORMED_BODY",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            ErrorCode::RulesFailed => "RULES_FAILED",
            ErrorCode::CalendarYearNotPublished => "CALENDAR_YEAR_NOT_PUBLISHED",
            ErrorCode::StoreBusy => "STORE_BUSY",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::FieldRequired => "FIELD_REQUIRED",
            ErrorCode::ApplicationStale => "APPLICATION_STALE",
            ErrorCode::LoginFailed => "LOGIN_FAILED",
            ErrorCode::AccountLocked => "ACCOUNT_LOCKED",
            ErrorCode::TooManyAttempts => "TOO_MANY_ATTEMPTS",
            ErrorCode::PersonExists => "PERSON_EXISTS",
            ErrorCode::PhoneTaken => "PHONE_TAKEN",
            ErrorCode::NoSession => "NO_SESSION",
            ErrorCode::OperatorAlreadyInState => "OPERATOR_ALREADY_IN_STATE",
            ErrorCode::CannotDisableSelf => "CANNOT_DISABLE_SELF",
            ErrorCode::OperatorStale => "OPERATOR_STALE",
            ErrorCode::NotOwnCitizenId => "NOT_OWN_CITIZEN_ID",
            ErrorCode::CommitmentRequired => "COMMITMENT_REQUIRED",
            ErrorCode::InvalidState => "INVALID_STATE",
            ErrorCode::ObjectionNotPending => "OBJECTION_NOT_PENDING",
            ErrorCode::ObjectionResolved => "OBJECTION_RESOLVED",
            ErrorCode::PublicityNotCompleted => "PUBLICITY_NOT_COMPLETED",
            ErrorCode::PublicityEnded => "PUBLICITY_ENDED",
            ErrorCode::NotYourStep => "NOT_YOUR_STEP",
            ErrorCode::NothingToUndo => "NOTHING_TO_UNDO",
            ErrorCode::UndoOutOfOrder => "UNDO_OUT_OF_ORDER",
            ErrorCode::TransferState => "TRANSFER_STATE",
            ErrorCode::UnitNotRegistered => "UNIT_NOT_REGISTERED",
            ErrorCode::CommitteeNotFound => "COMMITTEE_NOT_FOUND",
            ErrorCode::NoUpper => "NO_UPPER",
            ErrorCode::PathLoop => "PATH_LOOP",
            ErrorCode::NoFormalReview => "NO_FORMAL_REVIEW",
            ErrorCode::CommitteeCancelled => "COMMITTEE_CANCELLED",
            ErrorCode::CommitteeExpired => "COMMITTEE_EXPIRED",
            ErrorCode::CommitteeNotFinal => "COMMITTEE_NOT_FINAL",
            ErrorCode::CommitteeSeriesMismatch => "COMMITTEE_SERIES_MISMATCH",
            ErrorCode::CommitteeLevelExceeded => "COMMITTEE_LEVEL_EXCEEDED",
            ErrorCode::CommitteeSpecialtyNotCovered => "COMMITTEE_SPECIALTY_NOT_COVERED",
            ErrorCode::TargetLevelNotSenior => "TARGET_LEVEL_NOT_SENIOR",
            ErrorCode::R1LowerTitleRequired => "R1_LOWER_TITLE_REQUIRED",
            ErrorCode::R1SameSeriesRequired => "R1_SAME_SERIES_REQUIRED",
            ErrorCode::R2AfterMaterialCutoff => "R2_AFTER_MATERIAL_CUTOFF",
            ErrorCode::R3AssessmentMissing => "R3_ASSESSMENT_MISSING",
            ErrorCode::R3AssessmentBelowQualified => "R3_ASSESSMENT_BELOW_QUALIFIED",
            ErrorCode::R4NotEligible => "R4_NOT_ELIGIBLE",
            ErrorCode::R5Blacklisted => "R5_BLACKLISTED",
            ErrorCode::R6EmployerRequired => "R6_EMPLOYER_REQUIRED",
            ErrorCode::R6OwnUnitOnly => "R6_OWN_UNIT_ONLY",
            ErrorCode::R7ContinuingEducationHours => "R7_CONTINUING_EDUCATION_HOURS",
            ErrorCode::R8GrassrootsServiceRequired => "R8_GRASSROOTS_SERVICE_REQUIRED",
            ErrorCode::R9TitleNotRecognised => "R9_TITLE_NOT_RECOGNISED",
            ErrorCode::R10QuotaExceeded => "R10_QUOTA_EXCEEDED",
            ErrorCode::R13PlanTooLate => "R13_PLAN_TOO_LATE",
            ErrorCode::R16NoRejudging => "R16_NO_REJUDGING",
            ErrorCode::R17VotingClosed => "R17_VOTING_CLOSED",
            ErrorCode::PlanStale => "PLAN_STALE",
            ErrorCode::PlanAuditDesk => "PLAN_AUDIT_DESK",
            ErrorCode::ParticipantState => "PARTICIPANT_STATE",
            ErrorCode::ExpertExists => "EXPERT_EXISTS",
            ErrorCode::PlanOffline => "PLAN_OFFLINE",
            ErrorCode::PlanOnline => "PLAN_ONLINE",
            ErrorCode::PlanNotApproved => "PLAN_NOT_APPROVED",
            ErrorCode::DrawNotToday => "DRAW_NOT_TODAY",
            ErrorCode::DrawShortfall => "DRAW_SHORTFALL",
            ErrorCode::JudgeNotDrawn => "JUDGE_NOT_DRAWN",
            ErrorCode::JudgingClosed => "JUDGING_CLOSED",
            ErrorCode::OutsideJudgingWindow => "OUTSIDE_JUDGING_WINDOW",
            ErrorCode::AlreadyVoted => "ALREADY_VOTED",
            ErrorCode::NothingToPublicise => "NOTHING_TO_PUBLICISE",
            ErrorCode::NothingToFile => "NOTHING_TO_FILE",
            ErrorCode::FilingAudited => "FILING_AUDITED",
            ErrorCode::NotFiled => "NOT_FILED",
            ErrorCode::NothingToIssue => "NOTHING_TO_ISSUE",
            ErrorCode::CertificateStale => "CERTIFICATE_STALE",
            ErrorCode::CertificateRevoked => "CERTIFICATE_REVOKED",
            ErrorCode::CertificateNumber => "CERTIFICATE_NUMBER",
            ErrorCode::SeriesCodeMissing => "SERIES_CODE_MISSING",
            ErrorCode::IssuingCodeTaken => "ISSUING_CODE_TAKEN",
            ErrorCode::IssuingUnitExists => "ISSUING_UNIT_EXISTS",
            ErrorCode::IssuingUnitCancelled => "ISSUING_UNIT_CANCELLED",
            ErrorCode::IssuingUnitMissing => "ISSUING_UNIT_MISSING",
            ErrorCode::ImportCommitted => "IMPORT_COMMITTED",
            ErrorCode::QuotaStale => "QUOTA_STALE",
            ErrorCode::QuotaDeadlinePassed => "QUOTA_DEADLINE_PASSED",
            ErrorCode::QuotaAlreadyDeclared => "QUOTA_ALREADY_DECLARED",
            ErrorCode::SpecialQuotaWindowClosed => "SPECIAL_QUOTA_WINDOW_CLOSED",
            ErrorCode::NotPublicInstitution => "NOT_PUBLIC_INSTITUTION",
            ErrorCode::BatchDateNotSet => "BATCH_DATE_NOT_SET",
            ErrorCode::OrganisationExists => "ORGANISATION_EXISTS",
            ErrorCode::CreditCodeTaken => "CREDIT_CODE_TAKEN",
            ErrorCode::CommitteeExists => "COMMITTEE_EXISTS",
            ErrorCode::CommitteeSpecialtyInUse => "COMMITTEE_SPECIALTY_IN_USE",
            ErrorCode::CommitteeHasOpenApplications => "COMMITTEE_HAS_OPEN_APPLICATIONS",
            ErrorCode::LowerAlreadyDesignated => "LOWER_ALREADY_DESIGNATED",
            ErrorCode::EdgeNotActive => "EDGE_NOT_ACTIVE",
            ErrorCode::AdminStale => "ADMIN_STALE",
            ErrorCode::BatchExists => "BATCH_EXISTS",
            ErrorCode::BlacklistDuplicate => "BLACKLIST_DUPLICATE",
            ErrorCode::BlacklistLifted => "BLACKLIST_LIFTED",
            ErrorCode::CalendarYearPublished => "CALENDAR_YEAR_PUBLISHED",
            ErrorCode::ImportAlreadyCommitted => "IMPORT_ALREADY_COMMITTED",
            ErrorCode::InstitutionExists => "INSTITUTION_EXISTS",
            ErrorCode::InstitutionCancelled => "INSTITUTION_CANCELLED",
            ErrorCode::AlreadyAnOrganisation => "ALREADY_AN_ORGANISATION",
            ErrorCode::RegistrationApproved => "REGISTRATION_APPROVED",
            ErrorCode::RegistrationNotApproved => "REGISTRATION_NOT_APPROVED",
            ErrorCode::RegistrationNotPending => "REGISTRATION_NOT_PENDING",
            ErrorCode::SpecialtyInUse => "SPECIALTY_IN_USE",
            ErrorCode::SpecialtyCodeTaken => "SPECIALTY_CODE_TAKEN",
            ErrorCode::SpecialtyNameTaken => "SPECIALTY_NAME_TAKEN",
            ErrorCode::SpecialtyRootFixed => "SPECIALTY_ROOT_FIXED",
            ErrorCode::SpecialtyHasChildren => "SPECIALTY_HAS_CHILDREN",
            ErrorCode::TitleNameTaken => "TITLE_NAME_TAKEN",
            ErrorCode::TitleInUse => "TITLE_IN_USE",
            ErrorCode::CommitmentTextChanged => "COMMITMENT_TEXT_CHANGED",
            ErrorCode::FederationNotConfigured => "FEDERATION_NOT_CONFIGURED",
            ErrorCode::ObjectionRateLimited => "OBJECTION_RATE_LIMITED",
            ErrorCode::PublicityNotStarted => "PUBLICITY_NOT_STARTED",
            ErrorCode::QualificationAuditClosed => "QUALIFICATION_AUDIT_CLOSED",
            ErrorCode::R11PublicityStartPast => "R11_PUBLICITY_START_PAST",
            ErrorCode::R18ResultPublicityLate => "R18_RESULT_PUBLICITY_LATE",
            ErrorCode::TitleNotInTree => "TITLE_NOT_IN_TREE",
            ErrorCode::R15PassRateRequired => "R15_PASS_RATE_REQUIRED",
            ErrorCode::R15PassRateAboveLimit => "R15_PASS_RATE_ABOVE_LIMIT",
            ErrorCode::R15PassRateExceptionNotApproved => "R15_PASS_RATE_EXCEPTION_NOT_APPROVED",
            ErrorCode::R8DirectedEvaluationOutsideFields => "R8_DIRECTED_EVALUATION_OUTSIDE_FIELDS",
            ErrorCode::SpecialQuotaNotSubmitted => "SPECIAL_QUOTA_NOT_SUBMITTED",
            ErrorCode::SpecialQuotaPrechecked => "SPECIAL_QUOTA_PRECHECKED",
            ErrorCode::MaterialsMissing => "MATERIALS_MISSING",
            ErrorCode::TeacherInstitutionIneligible => "TEACHER_INSTITUTION_INELIGIBLE",
            ErrorCode::CommitteeOutsideApproval => "COMMITTEE_OUTSIDE_APPROVAL",

            ErrorCode::FieldTooLong => "FIELD_TOO_LONG",
            ErrorCode::CommitteeTierMismatch => "COMMITTEE_TIER_MISMATCH",
            ErrorCode::InstitutionNotAccepting => "INSTITUTION_NOT_ACCEPTING",
            ErrorCode::InitialLevelTooHigh => "INITIAL_LEVEL_TOO_HIGH",
            ErrorCode::RecognitionTitleMismatch => "RECOGNITION_TITLE_MISMATCH",
            ErrorCode::MethodMismatch => "METHOD_MISMATCH",
            ErrorCode::DesignationDeclined => "DESIGNATION_DECLINED",
            ErrorCode::DesignationNotPending => "DESIGNATION_NOT_PENDING",
            ErrorCode::DesignationPending => "DESIGNATION_PENDING",
            ErrorCode::SecondmentHostNotListed => "SECONDMENT_HOST_NOT_LISTED",
            ErrorCode::SecondmentAchievementOutsidePeriod => "SECONDMENT_ACHIEVEMENT_OUTSIDE_PERIOD",
            ErrorCode::UnitRuleBelowProvince => "UNIT_RULE_BELOW_PROVINCE",
            ErrorCode::NotSelfReviewUnit => "NOT_SELF_REVIEW_UNIT",
            ErrorCode::UnitRuleNotMet => "UNIT_RULE_NOT_MET",
            ErrorCode::SelfReviewPlanFiled => "SELF_REVIEW_PLAN_FILED",
        }
    }

    /// The HTTP status the code maps to.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::InvalidField | ErrorCode::MalformedBody | ErrorCode::FieldRequired => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::LoginFailed => 401,
            ErrorCode::AccountLocked => 423,
            ErrorCode::TooManyAttempts => 429,
            ErrorCode::PersonExists | ErrorCode::SpecialQuotaNotSubmitted => 409,
            ErrorCode::PhoneTaken | ErrorCode::SpecialQuotaPrechecked => 409,
            ErrorCode::NoSession => 409,
            ErrorCode::OperatorAlreadyInState => 409,
            ErrorCode::CannotDisableSelf => 409,
            ErrorCode::OperatorStale => 409,
            ErrorCode::NotOwnCitizenId => 403,
            ErrorCode::CommitmentRequired | ErrorCode::MaterialsMissing => 422,
            ErrorCode::ApplicationStale
            | ErrorCode::InvalidState
            | ErrorCode::ObjectionNotPending
            | ErrorCode::ObjectionResolved
            | ErrorCode::PublicityNotCompleted
            | ErrorCode::PublicityEnded
            | ErrorCode::NotYourStep
            | ErrorCode::NothingToUndo
            | ErrorCode::UndoOutOfOrder
            | ErrorCode::TransferState
            | ErrorCode::UnitNotRegistered
            | ErrorCode::CommitteeNotFound
            | ErrorCode::NoUpper
            | ErrorCode::PathLoop
            | ErrorCode::NoFormalReview
            | ErrorCode::CommitteeCancelled
            | ErrorCode::CommitteeExpired
            | ErrorCode::CommitteeNotFinal
            | ErrorCode::CommitteeSeriesMismatch
            | ErrorCode::CommitteeLevelExceeded
            | ErrorCode::CommitteeSpecialtyNotCovered
            | ErrorCode::PlanStale
            | ErrorCode::PlanAuditDesk
            | ErrorCode::ParticipantState
            | ErrorCode::ExpertExists
            | ErrorCode::PlanOffline
            | ErrorCode::PlanOnline
            | ErrorCode::PlanNotApproved
            | ErrorCode::DrawNotToday
            | ErrorCode::DrawShortfall
            | ErrorCode::JudgeNotDrawn
            | ErrorCode::JudgingClosed
            | ErrorCode::OutsideJudgingWindow
            | ErrorCode::AlreadyVoted
            | ErrorCode::NothingToPublicise
            | ErrorCode::NothingToFile
            | ErrorCode::FilingAudited
            | ErrorCode::NotFiled
            | ErrorCode::NothingToIssue
            | ErrorCode::CertificateStale
            | ErrorCode::CertificateRevoked
            | ErrorCode::CertificateNumber
            | ErrorCode::SeriesCodeMissing
            | ErrorCode::IssuingCodeTaken
            | ErrorCode::IssuingUnitExists
            | ErrorCode::IssuingUnitCancelled
            | ErrorCode::IssuingUnitMissing
            | ErrorCode::ImportCommitted
            | ErrorCode::QuotaStale
            | ErrorCode::QuotaDeadlinePassed
            | ErrorCode::QuotaAlreadyDeclared
            | ErrorCode::SpecialQuotaWindowClosed
            | ErrorCode::NotPublicInstitution
            | ErrorCode::BatchDateNotSet
            | ErrorCode::OrganisationExists
            | ErrorCode::CreditCodeTaken
            | ErrorCode::CommitteeExists
            | ErrorCode::CommitteeSpecialtyInUse
            | ErrorCode::CommitteeHasOpenApplications
            | ErrorCode::LowerAlreadyDesignated
            | ErrorCode::EdgeNotActive
            | ErrorCode::AdminStale
            | ErrorCode::BatchExists
            | ErrorCode::BlacklistDuplicate
            | ErrorCode::BlacklistLifted
            | ErrorCode::CalendarYearPublished
            | ErrorCode::ImportAlreadyCommitted
            | ErrorCode::InstitutionExists
            | ErrorCode::InstitutionCancelled
            | ErrorCode::AlreadyAnOrganisation
            | ErrorCode::RegistrationApproved
            | ErrorCode::RegistrationNotApproved
            | ErrorCode::RegistrationNotPending
            | ErrorCode::SpecialtyInUse
            | ErrorCode::SpecialtyCodeTaken
            | ErrorCode::SpecialtyNameTaken
            | ErrorCode::SpecialtyRootFixed
            | ErrorCode::SpecialtyHasChildren
            | ErrorCode::TitleNameTaken
            | ErrorCode::TitleInUse
            | ErrorCode::FederationNotConfigured
            | ErrorCode::PublicityNotStarted => 409,
            ErrorCode::ObjectionRateLimited => 429,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::RulesFailed
            | ErrorCode::CalendarYearNotPublished
            | ErrorCode::TargetLevelNotSenior
            | ErrorCode::R1LowerTitleRequired
            | ErrorCode::R1SameSeriesRequired
            | ErrorCode::R2AfterMaterialCutoff
            | ErrorCode::R3AssessmentMissing
            | ErrorCode::R3AssessmentBelowQualified
            | ErrorCode::R4NotEligible
            | ErrorCode::R5Blacklisted
            | ErrorCode::R6EmployerRequired
            | ErrorCode::R6OwnUnitOnly
            | ErrorCode::R7ContinuingEducationHours
            | ErrorCode::R8GrassrootsServiceRequired
            | ErrorCode::R9TitleNotRecognised
            | ErrorCode::R10QuotaExceeded
            | ErrorCode::R13PlanTooLate
            | ErrorCode::R16NoRejudging
            | ErrorCode::R17VotingClosed
            | ErrorCode::CommitmentTextChanged
            | ErrorCode::TeacherInstitutionIneligible
            | ErrorCode::CommitteeOutsideApproval => 422,
            ErrorCode::QualificationAuditClosed => 422,
            ErrorCode::R11PublicityStartPast => 422,
            ErrorCode::R18ResultPublicityLate => 422,
            ErrorCode::TitleNotInTree => 409,
            ErrorCode::R15PassRateRequired => 422,
            ErrorCode::R15PassRateAboveLimit => 422,
            ErrorCode::R15PassRateExceptionNotApproved => 422,
            ErrorCode::R8DirectedEvaluationOutsideFields => 422,
            ErrorCode::FieldTooLong => 422,
            ErrorCode::CommitteeTierMismatch => 409,
            ErrorCode::InstitutionNotAccepting => 409,
            ErrorCode::InitialLevelTooHigh => 422,
            ErrorCode::RecognitionTitleMismatch => 422,
            ErrorCode::MethodMismatch => 409,
            ErrorCode::DesignationDeclined => 409,
            ErrorCode::DesignationNotPending => 409,
            ErrorCode::DesignationPending => 409,
            ErrorCode::SecondmentHostNotListed => 422,
            ErrorCode::SecondmentAchievementOutsidePeriod => 422,
            ErrorCode::UnitRuleBelowProvince => 422,
            ErrorCode::NotSelfReviewUnit => 422,
            ErrorCode::UnitRuleNotMet => 422,
            ErrorCode::SelfReviewPlanFiled => 409,
            ErrorCode::Internal => 500,
            ErrorCode::StoreBusy => 503,
        }
    }

    /// The one Chinese message template of the code; `{}` marks a parameter.
    pub fn template(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "未登录或登录已失效，请重新登录",
            ErrorCode::Forbidden => "当前角色无权执行此操作",
            ErrorCode::NotFound => "{}不存在",
            ErrorCode::InvalidField => "{}",
            ErrorCode::MalformedBody => "请求内容格式错误：{}",
            ErrorCode::PayloadTooLarge => "上传内容超过大小上限（{} 字节）",
            ErrorCode::UnsupportedMediaType => "{}",
            ErrorCode::RulesFailed => "不符合申报条件（共 {} 项）",
            ErrorCode::CalendarYearNotPublished => "{} 年的法定节假日安排尚未发布或未导入，无法计算工作日",
            ErrorCode::StoreBusy => "系统繁忙，请稍后重试",
            ErrorCode::Internal => "服务器内部错误",
            ErrorCode::FieldRequired => "请填写{}",
            ErrorCode::ApplicationStale => "申报已被他人处理或修改，请刷新后重试",
            ErrorCode::LoginFailed => "账号或密码错误",
            ErrorCode::AccountLocked => "连续登录失败次数过多，账号已锁定，请于 {} 后再试",
            ErrorCode::TooManyAttempts => "登录尝试过于频繁，请稍后再试",
            ErrorCode::PersonExists => "该身份证号码已注册，请直接登录或找回密码",
            ErrorCode::PhoneTaken => "该手机号码已被其他账号使用",
            ErrorCode::NoSession => "该令牌不是通过登录取得的（开发用令牌），不能执行此操作",
            ErrorCode::OperatorAlreadyInState => "操作员已处于该状态",
            ErrorCode::CannotDisableSelf => "管理员不能停用自己",
            ErrorCode::OperatorStale => "操作员信息已被修改，请刷新后重试",
            ErrorCode::NotOwnCitizenId => "只能以本人的身份证号码申报",
            ErrorCode::CommitmentRequired => "提交申报前须阅读并承诺《{}》",
            ErrorCode::InvalidState => "当前状态不能执行此操作：{}",
            ErrorCode::ObjectionNotPending => "该异议不存在或已处理",
            ErrorCode::ObjectionResolved => "该异议已处理",
            ErrorCode::PublicityNotCompleted => "未经单位公示的申报不得推荐上报（R11）",
            ErrorCode::PublicityEnded => "公示期已结束，不能再登记异议",
            ErrorCode::NotYourStep => "该申报当前不在本单位审核环节，不能操作",
            ErrorCode::NothingToUndo => "该申报没有可回退的终审操作",
            ErrorCode::UndoOutOfOrder => "须按倒序逐一回退：{}",
            ErrorCode::TransferState => "申报 {} 当前状态为“{}”，不能调整评委会，本次调整未执行",
            ErrorCode::UnitNotRegistered => "单位 {} 未注册或未通过审核",
            ErrorCode::CommitteeNotFound => "所选评委会不存在",
            ErrorCode::NoUpper => "机构 {} 未配置{}的上级审核单位",
            ErrorCode::PathLoop => "审核路径在 {} 处形成循环",
            ErrorCode::NoFormalReview => "审核路径中没有形式审查环节（市州人社局或省直厅局）",
            ErrorCode::CommitteeCancelled => "评委会 {} 已撤销",
            ErrorCode::CommitteeExpired => "评委会 {} 已超过有效期（{}），评审不予认可",
            ErrorCode::CommitteeNotFinal => "评委会 {} 不是终审机构",
            ErrorCode::CommitteeSeriesMismatch => "评委会 {} 不评审{}系列",
            ErrorCode::CommitteeLevelExceeded => "评委会 {} 无权评审{}职称",
            ErrorCode::CommitteeSpecialtyNotCovered => "评委会 {} 无权评审“{}”专业，超出评审范围不予认可",
            ErrorCode::TargetLevelNotSenior => "申报层级须为副高级或正高级",
            ErrorCode::R1LowerTitleRequired => "须取得下一级职称（R1）",
            ErrorCode::R1SameSeriesRequired => "须取得同系列的下一级职称（R1）",
            ErrorCode::R2AfterMaterialCutoff => "材料截止日期之后取得的业绩成果不予认可（R2）",
            ErrorCode::R3AssessmentMissing => "缺少计算年度的年度考核结果（R3）",
            ErrorCode::R3AssessmentBelowQualified => "年度考核结果须为合格及以上（R3）",
            ErrorCode::R4NotEligible => "处于立案审查、强制措施、刑事处罚或处分影响期内，不得申报（R4）",
            ErrorCode::R5Blacklisted => "已被记入诚信档案黑名单，记录期内不得申报（R5）",
            ErrorCode::R6EmployerRequired => "请填写工作单位（R6）",
            ErrorCode::R6OwnUnitOnly => "纳入岗位管理的事业单位专技人员须通过本单位申报（R6）",
            ErrorCode::R7ContinuingEducationHours => "继续教育学时未达到要求（R7）",
            ErrorCode::R8GrassrootsServiceRequired => "须具备基层服务经历（R8）",
            ErrorCode::R9TitleNotRecognised => "外省取得的职称须经单位确认备案（R9）",
            ErrorCode::R10QuotaExceeded => {
                "事业单位须在核定评审职数内推荐：{} 年度{}{}已核定 {} 个，已推荐 {} 人，不能再推荐（R10）"
            }
            ErrorCode::R13PlanTooLate => {
                "{}须在开评前 {} 个工作日报送评审方案（开评 {}，最迟 {}），今日 {} 已逾期（R13）"
            }
            ErrorCode::R16NoRejudging => "申报 {} 的申报人本年度评审未通过，不得复评（R16）",
            ErrorCode::R17VotingClosed => "评议投票须在 {} 前完成（R17）",
            ErrorCode::PlanStale => "评审方案已被他人处理或修改，请刷新后重试",
            ErrorCode::PlanAuditDesk => "{}评审方案由 {} 审核",
            ErrorCode::ParticipantState => "参评申报 {} 当前状态为“{}”，方案未核准",
            ErrorCode::ExpertExists => "专家编号 {} 已存在",
            ErrorCode::PlanOffline => "线下评审方案不进行系统抽取",
            ErrorCode::PlanOnline => "线上评审方案须由评委投票产生结果",
            ErrorCode::PlanNotApproved => "评审方案未经核准",
            ErrorCode::DrawNotToday => "评委须于开评前1天（{}）抽取",
            ErrorCode::DrawShortfall => "可抽取的专家不足：{}",
            ErrorCode::JudgeNotDrawn => "该评委已请辞",
            ErrorCode::JudgingClosed => "该方案不在评审阶段",
            ErrorCode::OutsideJudgingWindow => "评审时间为 {} 至 {}",
            ErrorCode::AlreadyVoted => "您已对该参评人员投票",
            ErrorCode::NothingToPublicise => "该场评审没有待公示的评审通过人员",
            ErrorCode::NothingToFile => "没有公示无异议、待备案的人员",
            ErrorCode::FilingAudited => "该备案申请已审核",
            ErrorCode::NotFiled => "申报 {} 没有审核通过的备案",
            ErrorCode::NothingToIssue => "没有符合条件的待发证人员",
            ErrorCode::CertificateStale => "证书数据已被他人处理或修改，请刷新后重试",
            ErrorCode::CertificateRevoked => "该证书已撤销",
            ErrorCode::CertificateNumber => "证书编号无法分配：{}",
            ErrorCode::SeriesCodeMissing => "系列“{}”没有证书编号代码，请在编号格式中配置",
            ErrorCode::IssuingCodeTaken => "发证单位编码 {} 已被使用",
            ErrorCode::IssuingUnitExists => "该机构已有有效的发证单位编码，请先注销",
            ErrorCode::IssuingUnitCancelled => "该发证单位编码已注销",
            ErrorCode::IssuingUnitMissing => "本单位没有有效的发证单位编码，请先配置（发证单位编码配置）",
            ErrorCode::ImportCommitted => "该导入已提交",
            ErrorCode::QuotaStale => "该申报已被处理，请刷新",
            ErrorCode::QuotaDeadlinePassed => "评审职数申报审核已于 {} 截止",
            ErrorCode::QuotaAlreadyDeclared => "本年度该系列层级已申报评审职数",
            ErrorCode::SpecialQuotaWindowClosed => "特殊情况评审职数须于 {} 至 {} 向省人社厅提交",
            ErrorCode::NotPublicInstitution => "评审职数管理适用于事业单位",
            ErrorCode::BatchDateNotSet => "年度批次未设置{}",
            ErrorCode::OrganisationExists => "机构编号 {} 已存在",
            ErrorCode::CreditCodeTaken => "统一社会信用代码 {} 已被其他机构使用",
            ErrorCode::CommitteeExists => "评委会编号 {} 已存在",
            ErrorCode::CommitteeSpecialtyInUse => "尚有 {} 份未办结申报（{}）按专业“{}”由该评委会评审，不能移除该专业",
            ErrorCode::CommitteeHasOpenApplications => {
                "该评委会尚有 {} 份未办结申报（{}），请先将其转移至其他评委会后再注销"
            }
            ErrorCode::LowerAlreadyDesignated => "该单位在此层级和取得方式下已有上级审核单位",
            ErrorCode::EdgeNotActive => "该审核路径已取消",
            ErrorCode::AdminStale => "{}已被他人修改，请刷新后重试",
            ErrorCode::BatchExists => "{} 年度批次已存在",
            ErrorCode::BlacklistDuplicate => "该人员在此期间已有未解除的黑名单记录",
            ErrorCode::BlacklistLifted => "该记录已解除",
            ErrorCode::CalendarYearPublished => "{} 年的节假日安排已导入；如需更正，请设置 replace 为 true",
            ErrorCode::ImportAlreadyCommitted => "该导入批次已提交",
            ErrorCode::InstitutionExists => "该机构已是此职称等级和取得方式的受理机构",
            ErrorCode::InstitutionCancelled => "受理机构已注销",
            ErrorCode::AlreadyAnOrganisation => "当前账号已属于某单位，无需注册",
            ErrorCode::RegistrationApproved => "注册已审核通过，不能再{}",
            ErrorCode::RegistrationNotApproved => "注册申请当前状态为“{}”，审核通过后方可登录单位网厅",
            ErrorCode::RegistrationNotPending => "注册申请当前状态为“{}”，不能审核",
            ErrorCode::SpecialtyInUse => "专业“{}”正被{}使用，不能删除或改名",
            ErrorCode::SpecialtyCodeTaken => "专业代码 {} 已存在",
            ErrorCode::SpecialtyNameTaken => "专业名称“{}”已存在",
            ErrorCode::SpecialtyRootFixed => "专业大类为固定栏目，不能修改或删除",
            ErrorCode::SpecialtyHasChildren => "该专业有下级专业，{}",
            ErrorCode::TitleNameTaken => "{}系列已有职称“{}”",
            ErrorCode::TitleInUse => "职称“{}”已有申报使用，{}",
            ErrorCode::CommitmentTextChanged => "《{}》内容已更新，请重新阅读并确认",
            ErrorCode::FederationNotConfigured => "未配置统一身份认证",
            ErrorCode::ObjectionRateLimited => "异议提交过于频繁（每个网络地址每小时最多 {} 条），请稍后再试",
            ErrorCode::PublicityNotStarted => "公示将于 {} 开始，届时方可提出异议",
            ErrorCode::QualificationAuditClosed => "线上资格审查须于 {} 前完成（二(一)），{}已不能{}；如需延期，须由省人社厅登记延期",
            ErrorCode::R11PublicityStartPast => "单位公示开始日期 {} 早于今天（{}），公示须从今天或以后开始，满 {} 个工作日（R11，四(二)2）",
            ErrorCode::R18ResultPublicityLate => "评审结果须于投票（{}）后 {} 个工作日内公示，最迟 {} 开始，{} 已逾期；如确需延后，须由省人社厅登记例外（R18，六(一)）",
            ErrorCode::TitleNotInTree => "职称树中没有{}系列{}的职称名称，请省人社厅先在职称树中维护（附件3 §1.2），再生成证书",
            ErrorCode::R15PassRateRequired => "评审方案须载明通过率（继续实行通过率控制，R15，五(三)）",
            ErrorCode::R15PassRateAboveLimit => "评审方案的通过率 {}% 高于省人社厅核定的 {}%；因特殊情况需要突破通过率的，须在方案中提前报备并经省人社厅审核同意（R15，五(三)）",
            ErrorCode::R15PassRateExceptionNotApproved => "该方案报备的通过率 {}% 高于核定的 {}%，核准方案须同时审核同意突破通过率（approve_pass_rate_exception）（R15，五(三)）",
            ErrorCode::R8DirectedEvaluationOutsideFields => "定向评价仅适用于卫生、教育、农业、林业、水利领域的基层专业技术人才（R8，八(二)）",
            ErrorCode::SpecialQuotaNotSubmitted => "该特殊情况评审职数申请尚未经市州人社局或省直部门初核汇总报送，省人社厅暂不能审核（三(二)2）",
            ErrorCode::SpecialQuotaPrechecked => "该特殊情况评审职数申请已初核{}",
            ErrorCode::MaterialsMissing => "缺少资格审查材料：{}（一：资格审查材料须实名签字、加盖公章后扫描上传）",
            ErrorCode::TeacherInstitutionIneligible => "中小学教师职称的申报范围为普通中小学、幼儿园、特殊教育学校、专门学校及教育部门主管的教研机构、电化教育机构、少年宫等教学机构的教师（八(六)），所在单位“{}”登记的机构类别为“{}”",
            ErrorCode::CommitteeOutsideApproval => "评委会“{}”超出核准的评审范围或有效期（{}），其评审结果不予备案（七(四)）",

            ErrorCode::FieldTooLong => "字段 {} 不能超过 {} 字",
            ErrorCode::CommitteeTierMismatch => "评委会 {} 为{}，不评审{}职称（附件3 §1.6–1.8）",
            ErrorCode::InstitutionNotAccepting => "受理机构 {} 不受理{}（{}）：不存在、已注销，或职称等级、取得方式不符（附件3 §1.3）",
            ErrorCode::InitialLevelTooHigh => "初定适用于员级、助理级和中级职称，不能初定{}（附件3 §1.4）",
            ErrorCode::RecognitionTitleMismatch => "认定须提交已取得的同系列{}职称（现有职称的系列、层级与申报一致，并填写证书编号；八(一)）",
            ErrorCode::MethodMismatch => "申报 {} 的取得方式为{}，不能{}",
            ErrorCode::DesignationDeclined => "{} 已拒绝确认 {} 对其的审核层级指定（{}），该路径不可用（附件2 §1.6.2）",
            ErrorCode::DesignationNotPending => "该审核层级指定已{}，不能再次处理",
            ErrorCode::DesignationPending => "{} 尚未确认 {} 对其的审核层级指定（{}），该路径暂不可用（附件2 §1.6.2）",
            ErrorCode::SecondmentHostNotListed => "挂职、兼职或项目合作单位“{}”不在八(四)所列单位之内（崖州湾深海科技城、合肥国家实验室、中科院合肥物质所、上海科技创新中心（张江科学城））",
            ErrorCode::SecondmentAchievementOutsidePeriod => "成果“{}”标注在{}取得，须在申报表所填该单位的挂职、兼职或项目合作期间内（八(四)）",
            ErrorCode::UnitRuleBelowProvince => "自主评审单位的标准条件不能低于省标：本系列继续教育学时省标为 {}，所填为 {}（三(一)）",
            ErrorCode::NotSelfReviewUnit => "{} 不是自主评审单位（二(五)）",
            ErrorCode::UnitRuleNotMet => "未达到所在自主评审单位经备案的标准条件（{}）：{}",
            ErrorCode::SelfReviewPlanFiled => "{} 年度评审方案已报备（{}），不能重复报备",
        }
    }

    /// The message: the template with each `{}` replaced by the next of `args` (a missing
    /// argument leaves the placeholder empty; extra arguments are ignored).
    pub fn render(self, args: &[&dyn std::fmt::Display]) -> String {
        let mut out = String::new();
        let mut args = args.iter();
        let mut parts = self.template().split("{}");
        if let Some(first) = parts.next() {
            out.push_str(first);
        }
        for part in parts {
            if let Some(a) = args.next() {
                out.push_str(&a.to_string());
            }
            out.push_str(part);
        }
        out
    }

    /// How many parameters the template takes.
    pub fn arity(self) -> usize {
        self.template().matches("{}").count()
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_unique_name_a_status_and_a_chinese_template() {
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len(), "duplicate code names");
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
            assert!((400..600).contains(&c.status()), "{c}");
            assert!(!c.template().is_empty(), "{c}");
        }
    }

    #[test]
    fn a_template_is_filled_in_order() {
        assert_eq!(
            ErrorCode::OutsideJudgingWindow.render(&[&"2024-11-01", &"2024-11-08"]),
            "评审时间为 2024-11-01 至 2024-11-08"
        );
        assert_eq!(ErrorCode::ApplicationStale.arity(), 0);
    }

    #[test]
    fn the_openapi_document_lists_every_code() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../openapi.json")).expect("openapi.json parses");
        let listed: Vec<&str> = doc["components"]["schemas"]["ErrorCode"]["enum"]
            .as_array()
            .expect("components.schemas.ErrorCode.enum")
            .iter()
            .map(|v| v.as_str().expect("a code is a string"))
            .collect();
        let all: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(listed, all, "components.schemas.ErrorCode.enum must equal ErrorCode::ALL, in order");
    }
}
