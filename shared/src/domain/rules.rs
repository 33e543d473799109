//! The notice's rules checked at submission (R1–R5). Pure: every input is a parameter,
//! and every failed rule is reported at once (一次性告知).

use crate::domain::application::{ApplicationForm, PromotionException, TitleLevel, SECONDMENT_HOSTS};
use crate::domain::path::Method;
use crate::error::{ErrorCode, Violation};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// What the rules need beyond the form, read from the annual batch and the blacklist.
#[derive(Debug, Clone)]
pub struct SubmissionContext {
    /// The batch year (年度).
    pub batch_year: i32,
    /// 材料报送截止日 (二(三)); 2024-09-30 in 2024.
    pub material_cutoff: NaiveDate,
    /// How many years of annual assessment are counted (累计所需资历年限).
    pub assessment_years: u32,
    /// Whether the citizen ID is on the blacklist and still recorded (R5).
    pub blacklisted: bool,
    /// The target series' conditions (R7, R8).
    pub series_rule: SeriesRule,
}

/// Per-series conditions, configured by the province.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeriesRule {
    /// Continuing-education hours required (三(三); 0 = none).
    pub ce_hours_required: u32,
    /// Whether grassroots service is required for 副高级 and above (八(二)).
    pub grassroots_service_required: bool,
    /// Whether the series (and specialty) lies in one of the five fields of 八(二)
    /// (卫生、教育、农业、林业、水利), where 定向评价 applies.
    pub in_field: bool,
}

/// The ten Yangtze River Economic Belt provinces and municipalities besides Hunan whose
/// titles count as equivalent once the unit recognises and files them (八(一)).
pub const YANGTZE_BELT: [&str; 10] = ["上海", "江苏", "浙江", "安徽", "江西", "湖北", "重庆", "四川", "贵州", "云南"];

/// A fact that does not refuse the submission but must be visible to every reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// The rule concerned.
    pub rule: &'static str,
    /// Stable code.
    pub code: &'static str,
    /// Chinese description.
    pub message: String,
}

/// The result of checking a form for submission.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubmissionCheck {
    /// Every failed rule or missing field.
    pub violations: Vec<Violation>,
    /// Declared exceptions and other facts to show reviewers.
    pub flags: Vec<Flag>,
}

fn violation(rule: Option<&'static str>, code: ErrorCode, message: String, field: &str) -> Violation {
    Violation { rule, code, message, field: Some(field.to_owned()) }
}

/// Checks a form against R1–R5 and the fields submission needs.
pub fn check_submission(form: &ApplicationForm, ctx: &SubmissionContext) -> SubmissionCheck {
    let mut out = SubmissionCheck::default();
    required_fields(form, &mut out.violations);
    recognition_title(form, &mut out.violations);
    if form.acquisition() == Method::Review {
        r1_next_lower_title(form, &mut out);
    }
    r2_material_cutoff(form, ctx, &mut out.violations);
    r3_annual_assessments(form, ctx, &mut out.violations);
    r4_integrity(form, &mut out.violations);
    r5_blacklist(ctx, &mut out.violations);
    r6_own_unit(form, &mut out.violations);
    r7_continuing_education(form, ctx, &mut out.violations);
    r8_grassroots_service(form, ctx, &mut out.violations);
    r8_directed_evaluation(form, ctx, &mut out);
    r9_recognised_title(form, &mut out);
    secondment_work(form, &mut out);
    out
}

/// 八(四): work done while seconded to a listed host institution counts. A secondment
/// names a listed host and a period; an achievement marked as earned at a host falls in a
/// secondment there. The counted work is flagged for every reviewer.
fn secondment_work(form: &ApplicationForm, out: &mut SubmissionCheck) {
    for (i, s) in form.secondments.iter().enumerate() {
        if !SECONDMENT_HOSTS.contains(&s.host.trim()) {
            out.violations.push(violation(
                None,
                ErrorCode::SecondmentHostNotListed,
                ErrorCode::SecondmentHostNotListed.render(&[&s.host]),
                &format!("secondments[{i}].host"),
            ));
        }
        if s.from > s.to {
            out.violations.push(violation(
                None,
                ErrorCode::InvalidField,
                "挂职、兼职或项目合作的起始日期不能晚于结束日期".into(),
                &format!("secondments[{i}].to"),
            ));
        }
    }
    let mut counted = Vec::new();
    for (i, a) in form.achievements.iter().enumerate() {
        let Some(host) = a.host.as_deref().map(str::trim).filter(|h| !h.is_empty()) else { continue };
        let within = form.secondments.iter().any(|s| s.host.trim() == host && s.from <= a.date && a.date <= s.to);
        if within {
            counted.push(format!("“{}”（{host}）", a.title));
        } else {
            out.violations.push(violation(
                None,
                ErrorCode::SecondmentAchievementOutsidePeriod,
                ErrorCode::SecondmentAchievementOutsidePeriod.render(&[&a.title, &host]),
                &format!("achievements[{i}].host"),
            ));
        }
    }
    for s in &form.secondments {
        out.flags.push(Flag {
            rule: "八(四)",
            code: "SECONDMENT",
            message: format!("{}于{}（{} 至 {}）", s.kind.label(), s.host, s.from, s.to),
        });
    }
    if !counted.is_empty() {
        out.flags.push(Flag {
            rule: "八(四)",
            code: "SECONDMENT_WORK_COUNTED",
            message: format!("挂职、兼职或项目合作期间的工作业绩作为评审依据：{}", counted.join("、")),
        });
    }
}

/// R6 (四(一)2): public-institution staff inside post management apply only through
/// their own unit; another channel counts as fraud.
fn r6_own_unit(form: &ApplicationForm, v: &mut Vec<Violation>) {
    let Some(e) = &form.employment else { return };
    if !(e.public_institution_staff && e.in_post_management) {
        return;
    }
    match (&e.employer_org, &form.unit_org) {
        (Some(employer), Some(unit)) if employer == unit => {}
        (None, _) => v.push(violation(
            Some("R6"),
            ErrorCode::R6EmployerRequired,
            "已纳入岗位设置管理的事业单位专技人才须填写所在工作单位".into(),
            "employment.employer_org",
        )),
        _ => v.push(violation(
            Some("R6"),
            ErrorCode::R6OwnUnitOnly,
            "已纳入岗位设置管理的事业单位专技人才只能通过所在工作单位申报".into(),
            "unit_org",
        )),
    }
}

/// R7 (三(三)): continuing education is an important condition; the hours required are
/// configured per series.
fn r7_continuing_education(form: &ApplicationForm, ctx: &SubmissionContext, v: &mut Vec<Violation>) {
    let required = ctx.series_rule.ce_hours_required;
    if required == 0 {
        return;
    }
    let hours = form.continuing_education_hours.unwrap_or(0);
    if hours < required {
        v.push(violation(
            Some("R7"),
            ErrorCode::R7ContinuingEducationHours,
            format!("继续教育学时 {hours} 未达到本系列要求的 {required} 学时"),
            "continuing_education_hours",
        ));
    }
}

/// R8 (八(二)): in health, education, agriculture, forestry and water, grassroots
/// front-line service is required for 副高级 and above.
fn r8_grassroots_service(form: &ApplicationForm, ctx: &SubmissionContext, v: &mut Vec<Violation>) {
    if !ctx.series_rule.grassroots_service_required {
        return;
    }
    if form.target_level.is_none_or(|l| l < crate::domain::application::TitleLevel::DeputySenior) {
        return;
    }
    if form.grassroots_service_months.unwrap_or(0) == 0 {
        v.push(violation(
            Some("R8"),
            ErrorCode::R8GrassrootsServiceRequired,
            "本系列晋升副高级以上职称须具有基层一线工作经历".into(),
            "grassroots_service_months",
        ));
    }
}

/// R8 (八(二)): 定向评价、定向使用 exists only in the five fields; a directed application
/// is flagged for every reviewer (and its certificate marked).
fn r8_directed_evaluation(form: &ApplicationForm, ctx: &SubmissionContext, out: &mut SubmissionCheck) {
    if !form.directed_evaluation {
        return;
    }
    if !ctx.series_rule.in_field {
        out.violations.push(violation(
            Some("R8"),
            ErrorCode::R8DirectedEvaluationOutsideFields,
            ErrorCode::R8DirectedEvaluationOutsideFields.template().into(),
            "directed_evaluation",
        ));
        return;
    }
    out.flags.push(Flag {
        rule: "R8",
        code: "DIRECTED_EVALUATION",
        message: "定向评价、定向使用（八(二)）：取得的职称限在基层单位聘用".into(),
    });
}

/// R9 (八(一)): a lower title from the ten Yangtze-belt provinces counts once the unit has
/// recognised and filed it; a title from elsewhere is flagged for the reviewers.
fn r9_recognised_title(form: &ApplicationForm, out: &mut SubmissionCheck) {
    let Some(t) = &form.current_title else { return };
    // 认定 is itself the recognition of that title: its filing is what this produces.
    if form.acquisition() == Method::Recognition {
        if let Some(p) = t.issued_province.as_deref().filter(|p| !YANGTZE_BELT.iter().any(|b| p.starts_with(b))) {
            out.flags.push(Flag {
                rule: "R9",
                code: "R9_OUTSIDE_YANGTZE_BELT",
                message: format!("认定的职称由{p}取得，不在长江经济带互认范围内，请受理机构核实其效力"),
            });
        }
        return;
    }
    let Some(p) = t.issued_province.as_deref().map(str::trim).filter(|p| !p.is_empty() && !p.starts_with("湖南"))
    else {
        return;
    };
    let in_belt = YANGTZE_BELT.iter().any(|b| p.starts_with(b));
    let filed = t.recognition_filing_no.as_deref().is_some_and(|n| !n.trim().is_empty());
    if in_belt && !filed {
        out.violations.push(violation(
            Some("R9"),
            ErrorCode::R9TitleNotRecognised,
            format!("{p}取得的职称须经用人单位认定并报人社部门备案后方与我省职称同等有效"),
            "current_title.recognition_filing_no",
        ));
    } else if !in_belt {
        out.flags.push(Flag {
            rule: "R9",
            code: "R9_OUTSIDE_YANGTZE_BELT",
            message: format!("现有职称由{p}取得，不在长江经济带互认范围内，请审核人员核实其效力"),
        });
    }
}

fn required_fields(form: &ApplicationForm, v: &mut Vec<Violation>) {
    let missing = |field: &str, label: &str| {
        violation(None, ErrorCode::FieldRequired, ErrorCode::FieldRequired.render(&[&label]), field)
    };
    if form.citizen_id.is_none() {
        v.push(missing("citizen_id", "公民身份号码"));
    }
    if form.unit_org.as_deref().is_none_or(str::is_empty) {
        v.push(missing("unit_org", "申报单位"));
    }
    if form.series.as_deref().is_none_or(str::is_empty) {
        v.push(missing("series", "申报系列"));
    }
    let method = form.acquisition();
    match form.target_level {
        None => v.push(missing("target_level", "申报层级")),
        // Annex 3 §1.4: 初定 (by qualification) gives 员级, 助理级 or 中级 only.
        Some(l) if method == Method::Initial && l > TitleLevel::Intermediate => v.push(violation(
            None,
            ErrorCode::InitialLevelTooHigh,
            ErrorCode::InitialLevelTooHigh.render(&[&l.label()]),
            "target_level",
        )),
        Some(_) => {}
    }
    if form.specialty.as_deref().is_none_or(str::is_empty) {
        v.push(missing("specialty", "申报专业"));
    }
    // A title by review names its committee; 初定 and 认定 name the acceptance institution.
    if method == Method::Review {
        if form.committee.as_deref().is_none_or(str::is_empty) {
            v.push(missing("committee", "评委会"));
        }
    } else if form.institution.is_none() {
        v.push(missing("institution", "受理机构"));
    }
}

/// 认定 (annex 3 §1.5, 八(一)): the title recognised is one already held — of the target
/// series and level, with its certificate number.
fn recognition_title(form: &ApplicationForm, v: &mut Vec<Violation>) {
    if form.acquisition() != Method::Recognition {
        return;
    }
    let Some(level) = form.target_level else { return };
    let held = form.current_title.as_ref().is_some_and(|t| {
        t.level == level
            && form.series.as_deref().is_none_or(|s| s == t.series)
            && t.certificate_no.as_deref().is_some_and(|n| !n.trim().is_empty())
    });
    if !held {
        v.push(violation(
            None,
            ErrorCode::RecognitionTitleMismatch,
            ErrorCode::RecognitionTitleMismatch.render(&[&level.label()]),
            "current_title",
        ));
    }
}

/// R1 (三(一)): promotion requires the next-lower title of the same series; a declared
/// national/provincial exception or 破格 is flagged for reviewers, not silently passed.
fn r1_next_lower_title(form: &ApplicationForm, out: &mut SubmissionCheck) {
    if let Some(exception) = form.promotion_exception {
        let what = match exception {
            PromotionException::NationalSpecialRule => "国家特殊规定",
            PromotionException::ProvincialSpecialRule => "省特殊规定",
            PromotionException::Exceptional => "破格申报",
        };
        out.flags.push(Flag {
            rule: "R1",
            code: "R1_EXCEPTION_DECLARED",
            message: format!("申报人声明按{what}申报，未按下一层级同一系列职称晋升，请审核人员重点核实"),
        });
        return;
    }
    let Some(target) = form.target_level else { return };
    let Some(required) = target.next_lower() else { return };
    match &form.current_title {
        None => out.violations.push(violation(
            Some("R1"),
            ErrorCode::R1LowerTitleRequired,
            format!("晋升{}职称须具有下一层级（{}）同一系列职称", target.label(), required.label()),
            "current_title",
        )),
        Some(t) => {
            if t.level != required {
                out.violations.push(violation(
                    Some("R1"),
                    ErrorCode::R1LowerTitleRequired,
                    format!(
                        "晋升{}职称须具有下一层级（{}）职称，现有职称为{}",
                        target.label(),
                        required.label(),
                        t.level.label()
                    ),
                    "current_title.level",
                ));
            }
            if let Some(series) = form.series.as_deref() {
                if t.series != series {
                    out.violations.push(violation(
                        Some("R1"),
                        ErrorCode::R1SameSeriesRequired,
                        format!("现有职称系列（{}）与申报系列（{series}）不一致", t.series),
                        "current_title.series",
                    ));
                }
            }
        }
    }
}

/// R2 (二(三)): only material dated on or before the cutoff counts; later items are
/// reported one by one so the applicant can remove them.
fn r2_material_cutoff(form: &ApplicationForm, ctx: &SubmissionContext, v: &mut Vec<Violation>) {
    let cutoff = ctx.material_cutoff;
    for (i, a) in form.achievements.iter().enumerate() {
        if a.date > cutoff {
            v.push(violation(
                Some("R2"),
                ErrorCode::R2AfterMaterialCutoff,
                format!("“{}”取得时间 {} 晚于材料报送截止日 {cutoff}，不作为有效参评材料", a.title, a.date),
                &format!("achievements[{i}].date"),
            ));
        }
    }
    if let Some(t) = &form.current_title {
        if t.obtained_on > cutoff {
            v.push(violation(
                Some("R2"),
                ErrorCode::R2AfterMaterialCutoff,
                format!("现有职称取得时间 {} 晚于材料报送截止日 {cutoff}", t.obtained_on),
                "current_title.obtained_on",
            ));
        }
    }
}

/// The assessment years counted for R3: the `assessment_years` years before the batch
/// year, but none before the year after the current title was obtained.
pub fn counted_assessment_years(form: &ApplicationForm, ctx: &SubmissionContext) -> Vec<i32> {
    let last = ctx.batch_year - 1;
    let mut first = ctx.batch_year - ctx.assessment_years as i32;
    if let Some(t) = &form.current_title {
        first = first.max(t.obtained_on.year() + 1);
    }
    (first..=last).collect()
}

/// R3 (三(四)): every counted year's assessment is 合格 or better.
fn r3_annual_assessments(form: &ApplicationForm, ctx: &SubmissionContext, v: &mut Vec<Violation>) {
    for year in counted_assessment_years(form, ctx) {
        match form.assessments.iter().position(|a| a.year == year) {
            None => v.push(violation(
                Some("R3"),
                ErrorCode::R3AssessmentMissing,
                format!("缺少 {year} 年度考核结果"),
                "assessments",
            )),
            Some(i) if !form.assessments[i].result.is_qualified_or_better() => v.push(violation(
                Some("R3"),
                ErrorCode::R3AssessmentBelowQualified,
                format!("{year} 年度考核结果未达到“合格”及以上"),
                &format!("assessments[{i}].result"),
            )),
            Some(_) => {}
        }
    }
}

/// R4 (三(四)): under investigation, compulsory measures or criminal penalty, or a
/// disciplinary sanction still in effect ⇒ may not apply.
fn r4_integrity(form: &ApplicationForm, v: &mut Vec<Violation>) {
    let i = &form.integrity;
    let checks = [
        (i.under_investigation, "integrity.under_investigation", "正在立案审查尚未结案期间不得申报"),
        (i.under_compulsory_measures, "integrity.under_compulsory_measures", "被采取强制措施期间不得申报"),
        (i.under_criminal_penalty, "integrity.under_criminal_penalty", "受刑事处罚期间不得申报"),
        (
            i.disciplinary_sanction_in_effect,
            "integrity.disciplinary_sanction_in_effect",
            "党纪政务处分影响期内不得申报晋升职称",
        ),
    ];
    for (hit, field, msg) in checks {
        if hit {
            v.push(violation(Some("R4"), ErrorCode::R4NotEligible, msg.to_owned(), field));
        }
    }
}

/// R5 (七(一), annex 3 §1.21): a person recorded in the integrity file may not apply.
fn r5_blacklist(ctx: &SubmissionContext, v: &mut Vec<Violation>) {
    if ctx.blacklisted {
        v.push(violation(
            Some("R5"),
            ErrorCode::R5Blacklisted,
            "申报人已记入职称评审诚信档案库，记录期内不得申报".to_owned(),
            "citizen_id",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::application::Employment;
    use crate::domain::application::*;
    use crate::domain::citizen_id::CitizenId;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ctx() -> SubmissionContext {
        SubmissionContext {
            batch_year: 2024,
            material_cutoff: d("2024-09-30"),
            assessment_years: 5,
            blacklisted: false,
            series_rule: SeriesRule::default(),
        }
    }

    /// An engineer holding an intermediate title since 2018, applying for deputy senior.
    fn eligible_engineer() -> ApplicationForm {
        ApplicationForm {
            citizen_id: Some(CitizenId::parse("11010519491231002X").unwrap()),
            unit_org: Some("ORG-U1".into()),
            series: Some("工程".into()),
            target_level: Some(TitleLevel::DeputySenior),
            specialty: Some("土木工程".into()),
            committee: Some("CMT-ENG".into()),
            method: None,
            institution: None,
            current_title: Some(CurrentTitle {
                series: "工程".into(),
                level: TitleLevel::Intermediate,
                obtained_on: d("2018-12-01"),
                certificate_no: None,
                issued_province: None,
                recognition_filing_no: None,
            }),
            promotion_exception: None,
            assessments: (2019..=2023).map(|year| Assessment { year, result: AssessmentResult::Qualified }).collect(),
            continuing_education_hours: Some(90),
            achievements: vec![Achievement {
                kind: AchievementKind::Paper,
                title: "论文一".into(),
                date: d("2023-05-01"),
                host: None,
            }],
            secondments: Vec::new(),
            integrity: Integrity::default(),
            employment: None,
            grassroots_service_months: None,
            directed_evaluation: false,
        }
    }

    fn codes(c: &SubmissionCheck) -> Vec<&'static str> {
        c.violations.iter().map(|v| v.code.as_str()).collect()
    }

    #[test]
    fn an_eligible_engineer_passes_every_rule() {
        assert_eq!(check_submission(&eligible_engineer(), &ctx()), SubmissionCheck::default());
    }

    #[test]
    fn r1_promotion_without_the_next_lower_title_is_refused() {
        let mut f = eligible_engineer();
        f.current_title.as_mut().unwrap().level = TitleLevel::Assistant;
        let c = check_submission(&f, &ctx());
        assert_eq!(codes(&c), vec!["R1_LOWER_TITLE_REQUIRED"]);
        assert_eq!(c.violations[0].field.as_deref(), Some("current_title.level"));
    }

    #[test]
    fn r1_a_lower_title_of_another_series_does_not_count() {
        let mut f = eligible_engineer();
        f.current_title.as_mut().unwrap().series = "经济".into();
        assert_eq!(codes(&check_submission(&f, &ctx())), vec!["R1_SAME_SERIES_REQUIRED"]);
    }

    #[test]
    fn r1_a_declared_exception_is_flagged_not_silent() {
        let mut f = eligible_engineer();
        f.current_title = None;
        f.promotion_exception = Some(PromotionException::Exceptional);
        let c = check_submission(&f, &ctx());
        assert!(c.violations.is_empty());
        assert_eq!(c.flags[0].code, "R1_EXCEPTION_DECLARED");
    }

    #[test]
    fn r2_achievements_after_the_cutoff_are_reported_each_by_index() {
        let mut f = eligible_engineer();
        f.achievements.push(Achievement {
            kind: AchievementKind::Patent,
            title: "专利".into(),
            date: d("2024-09-30"),
            host: None,
        });
        f.achievements.push(Achievement {
            kind: AchievementKind::Award,
            title: "奖项".into(),
            date: d("2024-10-01"),
            host: None,
        });
        let c = check_submission(&f, &ctx());
        assert_eq!(codes(&c), vec!["R2_AFTER_MATERIAL_CUTOFF"]);
        assert_eq!(c.violations[0].field.as_deref(), Some("achievements[2].date"));
    }

    #[test]
    fn r3_an_unqualified_counted_year_and_a_missing_year_are_both_reported() {
        let mut f = eligible_engineer();
        f.assessments.retain(|a| a.year != 2020);
        f.assessments[0].result = AssessmentResult::BasicallyQualified; // 2019
        let c = check_submission(&f, &ctx());
        assert_eq!(codes(&c), vec!["R3_ASSESSMENT_BELOW_QUALIFIED", "R3_ASSESSMENT_MISSING"]);
    }

    #[test]
    fn r3_years_before_the_current_title_are_not_counted() {
        let mut f = eligible_engineer();
        f.current_title.as_mut().unwrap().obtained_on = d("2021-06-01");
        f.assessments = vec![
            Assessment { year: 2020, result: AssessmentResult::Unqualified },
            Assessment { year: 2022, result: AssessmentResult::Excellent },
            Assessment { year: 2023, result: AssessmentResult::Good },
        ];
        assert!(check_submission(&f, &ctx()).violations.is_empty());
    }

    #[test]
    fn r4_investigation_and_criminal_penalty_each_refuse() {
        let mut f = eligible_engineer();
        f.integrity.under_investigation = true;
        f.integrity.under_criminal_penalty = true;
        assert_eq!(codes(&check_submission(&f, &ctx())), vec!["R4_NOT_ELIGIBLE", "R4_NOT_ELIGIBLE"]);
    }

    #[test]
    fn r5_a_blacklisted_person_may_not_apply() {
        let c = check_submission(&eligible_engineer(), &SubmissionContext { blacklisted: true, ..ctx() });
        assert_eq!(codes(&c), vec!["R5_BLACKLISTED"]);
    }

    #[test]
    fn every_failed_rule_is_reported_at_once() {
        let mut f = eligible_engineer();
        f.current_title.as_mut().unwrap().level = TitleLevel::Assistant;
        f.assessments.clear();
        f.integrity.under_compulsory_measures = true;
        f.specialty = None;
        let c = check_submission(&f, &SubmissionContext { blacklisted: true, ..ctx() });
        let rules: Vec<_> = c.violations.iter().filter_map(|v| v.rule).collect();
        for r in ["R1", "R3", "R4", "R5"] {
            assert!(rules.contains(&r), "{r} missing from {rules:?}");
        }
        assert!(codes(&c).contains(&"FIELD_REQUIRED"));
    }

    #[test]
    fn r6_post_managed_public_institution_staff_apply_only_through_their_own_unit() {
        let mut f = eligible_engineer();
        f.employment = Some(Employment {
            public_institution_staff: true,
            in_post_management: true,
            employer_org: Some("ORG-HOSPITAL".into()),
        });
        assert_eq!(codes(&check_submission(&f, &ctx())), vec!["R6_OWN_UNIT_ONLY"]);
        f.employment.as_mut().unwrap().employer_org = Some("ORG-U1".into());
        assert!(check_submission(&f, &ctx()).violations.is_empty());
        f.employment.as_mut().unwrap().in_post_management = false;
        f.unit_org = Some("ORG-PUBLIC-HR-SERVICE".into());
        assert!(check_submission(&f, &ctx()).violations.is_empty(), "outside post management any channel is fine");
    }

    #[test]
    fn r7_continuing_education_below_the_series_threshold_is_refused() {
        let c =
            SubmissionContext { series_rule: SeriesRule { ce_hours_required: 120, ..SeriesRule::default() }, ..ctx() };
        assert_eq!(codes(&check_submission(&eligible_engineer(), &c)), vec!["R7_CONTINUING_EDUCATION_HOURS"]);
        let mut f = eligible_engineer();
        f.continuing_education_hours = Some(120);
        assert!(check_submission(&f, &c).violations.is_empty());
    }

    #[test]
    fn r8_grassroots_service_is_required_for_deputy_senior_in_the_five_fields() {
        let c = SubmissionContext {
            series_rule: SeriesRule { grassroots_service_required: true, ..SeriesRule::default() },
            ..ctx()
        };
        let mut f = eligible_engineer();
        assert_eq!(codes(&check_submission(&f, &c)), vec!["R8_GRASSROOTS_SERVICE_REQUIRED"]);
        f.grassroots_service_months = Some(12);
        assert!(check_submission(&f, &c).violations.is_empty());
    }

    #[test]
    fn r8_directed_evaluation_exists_only_in_the_five_fields_and_is_flagged_there() {
        let mut f = eligible_engineer();
        f.directed_evaluation = true;
        assert_eq!(codes(&check_submission(&f, &ctx())), vec!["R8_DIRECTED_EVALUATION_OUTSIDE_FIELDS"]);
        let c = SubmissionContext { series_rule: SeriesRule { in_field: true, ..SeriesRule::default() }, ..ctx() };
        let check = check_submission(&f, &c);
        assert!(check.violations.is_empty());
        assert_eq!(check.flags.iter().map(|f| f.code).collect::<Vec<_>>(), vec!["DIRECTED_EVALUATION"]);
        f.directed_evaluation = false;
        assert!(check_submission(&f, &c).flags.is_empty());
    }

    #[test]
    fn r9_a_yangtze_belt_title_counts_only_once_recognised_and_filed() {
        let mut f = eligible_engineer();
        f.current_title.as_mut().unwrap().issued_province = Some("湖北".into());
        assert_eq!(codes(&check_submission(&f, &ctx())), vec!["R9_TITLE_NOT_RECOGNISED"]);
        f.current_title.as_mut().unwrap().recognition_filing_no = Some("鄂职认备〔2023〕12号".into());
        assert_eq!(check_submission(&f, &ctx()), SubmissionCheck::default());
        f.current_title.as_mut().unwrap().issued_province = Some("广东".into());
        let c = check_submission(&f, &ctx());
        assert!(c.violations.is_empty());
        assert_eq!(c.flags[0].code, "R9_OUTSIDE_YANGTZE_BELT");
    }

    #[test]
    fn an_intermediate_title_by_review_is_accepted_with_the_next_lower_title() {
        let mut f = eligible_engineer();
        f.target_level = Some(TitleLevel::Intermediate);
        f.current_title.as_mut().unwrap().level = TitleLevel::Assistant;
        assert!(check_submission(&f, &ctx()).violations.is_empty(), "{:?}", codes(&check_submission(&f, &ctx())));
    }

    #[test]
    fn an_initial_appointment_names_an_institution_and_stops_at_intermediate() {
        let mut f = eligible_engineer();
        f.method = Some(Method::Initial);
        f.committee = None;
        f.current_title = None;
        let c = check_submission(&f, &ctx());
        assert_eq!(codes(&c), vec!["INITIAL_LEVEL_TOO_HIGH", "FIELD_REQUIRED"]);
        assert_eq!(c.violations[1].field.as_deref(), Some("institution"));
        f.target_level = Some(TitleLevel::Assistant);
        f.institution = Some(3);
        assert!(check_submission(&f, &ctx()).violations.is_empty(), "no lower title needed (R1 is for promotion)");
    }

    #[test]
    fn a_recognition_needs_the_held_title_of_the_same_level_with_its_number() {
        let mut f = eligible_engineer();
        f.method = Some(Method::Recognition);
        f.committee = None;
        f.institution = Some(4);
        assert_eq!(codes(&check_submission(&f, &ctx())), vec!["RECOGNITION_TITLE_MISMATCH"]);
        let t = f.current_title.as_mut().unwrap();
        t.level = TitleLevel::DeputySenior;
        t.certificate_no = Some("Z-2020-0001".into());
        t.issued_province = Some("湖北省".into());
        let c = check_submission(&f, &ctx());
        assert!(c.violations.is_empty(), "{:?}", codes(&c));
        assert!(c.flags.is_empty(), "a belt title needs no prior filing: this is the recognition");
    }

    #[test]
    fn work_at_a_listed_host_counts_within_the_secondment_and_is_flagged() {
        use crate::domain::application::{Secondment, SecondmentKind};
        let mut f = eligible_engineer();
        f.secondments = vec![Secondment {
            host: "合肥国家实验室".into(),
            kind: SecondmentKind::Posting,
            from: d("2022-03-01"),
            to: d("2023-02-28"),
        }];
        f.achievements.push(Achievement {
            kind: AchievementKind::Project,
            title: "量子测量项目".into(),
            date: d("2022-12-01"),
            host: Some("合肥国家实验室".into()),
        });
        let c = check_submission(&f, &ctx());
        assert!(c.violations.is_empty(), "{:?}", codes(&c));
        assert!(c.flags.iter().any(|f| f.code == "SECONDMENT_WORK_COUNTED" && f.message.contains("量子测量项目")));
        // Outside the period, or at a host that is not listed: refused, naming the field.
        f.achievements[1].date = d("2023-05-01");
        f.secondments.push(Secondment {
            host: "某省外研究所".into(),
            kind: SecondmentKind::PartTime,
            from: d("2021-01-01"),
            to: d("2021-06-30"),
        });
        let c = check_submission(&f, &ctx());
        assert_eq!(codes(&c), vec!["SECONDMENT_HOST_NOT_LISTED", "SECONDMENT_ACHIEVEMENT_OUTSIDE_PERIOD"]);
        assert_eq!(c.violations[1].field.as_deref(), Some("achievements[1].host"));
    }
}
