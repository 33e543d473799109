// A committee's fee standards (缴费标准, annex 3 §1.10) as the edit form holds them: one row
// per item, the amount in yuan as typed. The API answers in fen and takes yuan text.

/** 缴费项目 (the API's wire names and the labels it also accepts). */
export const feeItemLabel: Record<string, string> = { review: '评审费', interview: '面试答辩费', other: '其他费用' };

export interface FeeRow {
  item: string;
  amount: string;
}

/** The rows of a committee as read (`amount_fen`), in yuan with two decimals. */
export function feesFromApi(fees: { item?: string; amount_fen?: number }[] | null | undefined): FeeRow[] {
  return (fees ?? []).map((f) => ({ item: f.item ?? '', amount: ((f.amount_fen ?? 0) / 100).toFixed(2) }));
}

/**
 * The rows to send: blank rows (neither item nor amount) dropped, the rest trimmed and
 * kept in order, so an error on `fees[i]` still names the row the user sees as row i.
 */
export function feesToApi(rows: FeeRow[]): FeeRow[] {
  return rows.map((r) => ({ item: r.item.trim(), amount: r.amount.trim() })).filter((r) => r.item || r.amount);
}

/** Index map from sent rows back to the form's rows (blank rows were dropped). */
export function sentToFormIndex(rows: FeeRow[]): number[] {
  const out: number[] = [];
  rows.forEach((r, i) => {
    if (r.item.trim() || r.amount.trim()) out.push(i);
  });
  return out;
}
