//! Institution kinds (机构类别) of the units, and the 中小学教师 series' scope (notice 八(六)):
//! teachers of ordinary primary and secondary schools, kindergartens, special-education
//! schools, specialised schools and the teaching institutions the education departments run
//! (教研机构, 电化教育机构, 少年宫 …). Pure: the store reads the unit's recorded kind.

use crate::domain::rules::Flag;
use crate::error::{ErrorCode, Violation};

/// Every institution kind a unit may be recorded with: (wire name, label).
pub const KINDS: [(&str, &str); 12] = [
    ("primary_secondary_school", "普通中小学"),
    ("kindergarten", "幼儿园"),
    ("special_education_school", "特殊教育学校"),
    ("specialised_school", "专门学校"),
    ("teaching_research_institution", "教研机构"),
    ("audio_visual_education_institution", "电化教育机构"),
    ("youth_palace", "少年宫"),
    ("university", "高等学校"),
    ("vocational_school", "职业院校"),
    ("hospital", "医疗卫生机构"),
    ("enterprise", "企业"),
    ("other", "其他"),
];

/// The kinds whose teachers may apply in the 中小学教师 series (八(六)).
pub const TEACHER_SCOPE: [&str; 7] = [
    "primary_secondary_school",
    "kindergarten",
    "special_education_school",
    "specialised_school",
    "teaching_research_institution",
    "audio_visual_education_institution",
    "youth_palace",
];

/// The series the scope applies to.
pub const TEACHER_SERIES: &str = "中小学教师";

/// The label of a kind.
pub fn label(kind: &str) -> Option<&'static str> {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, l)| *l)
}

/// What the scope says of a declaration in `series` from `unit` recorded as `kind`: a
/// refusal when the kind is recorded and outside the scope; a flag for the reviewers when
/// no kind is recorded yet (a missing record never blocks a lawful declaration).
pub fn check_teacher_scope(series: &str, unit: &str, kind: Option<&str>) -> (Option<Violation>, Option<Flag>) {
    if series != TEACHER_SERIES {
        return (None, None);
    }
    match kind {
        Some(k) if TEACHER_SCOPE.contains(&k) => (None, None),
        Some(k) => (
            Some(Violation::new(
                None,
                ErrorCode::TeacherInstitutionIneligible,
                &[&unit, &label(k).unwrap_or(k)],
                Some("form.unit_org"),
            )),
            None,
        ),
        None => (
            None,
            Some(Flag {
                rule: "八(六)",
                code: "INSTITUTION_KIND_NOT_RECORDED",
                message: format!("所在单位“{unit}”尚未登记机构类别，请审核其是否属于中小学教师职称申报范围（八(六)）"),
            }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teachers_of_schools_kindergartens_and_the_education_departments_teaching_institutions_are_in_scope() {
        for k in TEACHER_SCOPE {
            assert_eq!(check_teacher_scope(TEACHER_SERIES, "U", Some(k)), (None, None), "{k}");
        }
        let (v, f) = check_teacher_scope(TEACHER_SERIES, "某大学", Some("university"));
        let v = v.expect("a university is outside 八(六)");
        assert_eq!(
            (v.code, v.field.as_deref(), f),
            (ErrorCode::TeacherInstitutionIneligible, Some("form.unit_org"), None)
        );
        assert!(v.message.contains("高等学校"), "{}", v.message);
        let (v, f) = check_teacher_scope(TEACHER_SERIES, "某校", None);
        assert!(v.is_none() && f.is_some_and(|f| f.code == "INSTITUTION_KIND_NOT_RECORDED"));
        assert_eq!(check_teacher_scope("卫生", "某医院", Some("hospital")), (None, None), "other series untouched");
    }
}
