// 职称巡查 (issue 13): labels of inspections and their items.
export const inspectionStatus: Record<string, string> = { committed: '已承诺待抽取', open: '巡查中', closed: '已办结' };
export const inspectionKind: Record<string, string> = { sampling: '抽查', special: '专项巡查' };
export const itemStatus: Record<string, string> = {
  pending: '待检查',
  compliant: '未发现问题',
  rectifying: '整改中',
  responded: '已报整改情况',
  rectified: '已整改',
};
export const aspectLabel: Record<string, string> = {
  policy_execution: '政策执行',
  material_review: '材料审核',
  judging: '评审过程',
  self_evaluation: '自主评审单位',
  complaint: '投诉事项',
};
export const targetLabel: Record<string, string> = { committee: '评委会', unit: '单位', application: '申报' };
