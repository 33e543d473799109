// Chinese labels of the administration pages' wire names.

export const orgKindLabel: Record<string, string> = {
  unit: '用人单位',
  dept: '主管部门',
  city_hr: '市州人社部门',
  public_hr_service: '公共人才服务机构',
  committee_org: '高评会组建单位',
  province: '省人社厅',
};

export const orgStatusLabel: Record<string, string> = {
  pending: '待审核',
  active: '有效',
  rejected: '已驳回',
  cancelled: '已注销',
};

export const institutionKindLabel: Record<string, string> = {
  primary_secondary_school: '中小学',
  kindergarten: '幼儿园',
  special_education_school: '特殊教育学校',
  specialised_school: '专门学校',
  teaching_research_institution: '教研机构',
  audio_visual_education_institution: '电教机构',
  youth_palace: '青少年宫',
  university: '高等学校',
  vocational_school: '职业学校',
  hospital: '医院',
  enterprise: '企业',
  other: '其他',
};

export const stepLabel: Record<string, string> = { audit: '上级审核', formal_review: '形式审查', recheck: '材料复核' };

export const methodLabel: Record<string, string> = { review: '评审', initial: '初次认定', recognition: '认定' };

export const selfReviewPlanStatusLabel: Record<string, string> = { submitted: '待审核', approved: '已备案', returned: '已退回' };

export const committeeStatusLabel: Record<string, string> = { active: '有效', cancelled: '已注销' };
