// Labels of the committee's evaluation (plans, outcomes, filings).
export const planStatus: Record<string, string> = {
  draft: '草稿',
  submitted: '待省人社厅审核',
  approved: '已核准',
  rejected: '未核准（已退回）',
  drawn: '评委已抽取',
  tallied: '已计票',
};

export const outcomeLabel: Record<string, string> = {
  passed: '通过',
  failed_vote: '表决未通过',
  over_pass_rate: '超通过率',
  over_quota: '超核定职数',
};

export const filingStatus: Record<string, string> = {
  pending: '待审核',
  approved: '已备案',
  rejected: '已退回',
};
