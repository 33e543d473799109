// Chinese labels for the API's wire names.
import type { Role } from './client';

export const roleLabel: Record<Role, string> = {
  applicant: '申报人',
  unit: '用人单位',
  dept: '主管部门/人社部门',
  committee_org: '高评会组建单位',
  judge: '评委',
  province: '省人社厅',
};

export const levelLabel: Record<string, string> = {
  junior: '员级',
  assistant: '助理级',
  intermediate: '中级',
  deputy_senior: '副高级',
  full_senior: '正高级',
};

export const assessmentLabel: Record<string, string> = {
  excellent: '优秀',
  good: '良好',
  qualified: '合格',
  basically_qualified: '基本合格',
  unqualified: '不合格',
  not_rated: '未定等次',
};

export const achievementLabel: Record<string, string> = {
  degree: '学历学位',
  award: '获奖',
  patent: '专利',
  paper: '论文',
  book: '著作',
  project: '项目',
  open_source: '开源贡献',
};

export const materialKinds: { value: string; label: string }[] = [
  { value: 'evaluation_form', label: '专业技术职称评审表' },
  { value: 'id_card', label: '身份证' },
  { value: 'degree', label: '学历学位证书' },
  { value: 'title_certificate', label: '现任职称证书' },
  { value: 'assessment', label: '年度考核材料' },
  { value: 'continuing_education', label: '继续教育证明' },
  { value: 'achievement', label: '业绩成果材料' },
  { value: 'publicity_result', label: '公示结果' },
  { value: 'other', label: '其他' },
];

export const stateOptions: { value: string; label: string }[] = [
  { value: 'draft', label: '暂存' },
  { value: 'unit_review', label: '单位初审' },
  { value: 'returned', label: '退回补正' },
  { value: 'unit_publicity', label: '单位公示' },
  { value: 'recommendable', label: '可推荐上报' },
  { value: 'upper_audit', label: '上级审核中' },
  { value: 'formal_review', label: '形式审查中' },
  { value: 'return_descending', label: '退回中' },
  { value: 'returned_to_unit', label: '退回至单位' },
  { value: 'recheck', label: '材料复核中' },
  { value: 'qualified', label: '复核合格，进入评审' },
  { value: 'terminated', label: '复核不合格' },
  { value: 'rejected', label: '不予通过' },
  { value: 'in_plan', label: '列入评审方案' },
  { value: 'passed', label: '评审通过' },
  { value: 'not_passed', label: '评审未通过' },
  { value: 'result_publicity', label: '评审结果公示中' },
  { value: 'result_on_hold', label: '公示异议调查中' },
  { value: 'publicity_passed', label: '公示无异议，待备案' },
  { value: 'filing_requested', label: '备案审核中' },
  { value: 'filed', label: '已备案' },
  { value: 'certified', label: '已发证' },
  { value: 'revoked', label: '职称已撤销' },
];

/** Asia/Shanghai display of a UTC timestamp. */
export function shanghai(ts?: string | null): string {
  if (!ts) return '';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}
