// Dates as the portal shows and sends them: `YYYY-MM-DD` text, the server's day as today.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `s` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s.trim());
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/**
 * The dates of an official schedule pasted as text (one per line, or separated by commas,
 * spaces or '、'): sorted, without duplicates; the bad entries listed so the form can name them.
 */
export function parseDateList(text: string): { dates: string[]; bad: string[] } {
  const parts = text
    .split(/[\s,，、;；]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = parts.filter((p) => !isIsoDate(p));
  const dates = [...new Set(parts.filter(isIsoDate))].sort();
  return { dates, bad };
}

/** Dates outside `year` (an official schedule covers its own year only). */
export function outsideYear(dates: string[], year: number): string[] {
  return dates.filter((d) => !d.startsWith(`${year}-`));
}

/** A deadline's risk from the working days left (the server's count, from the server's today). */
export function deadlineRisk(left: number | null): 'overdue' | 'at_risk' | 'ok' | 'unknown' {
  if (left === null) return 'unknown';
  if (left < 0) return 'overdue';
  return left <= 2 ? 'at_risk' : 'ok';
}

/** The weeks of a month, Monday first: each row 7 cells, a date (`YYYY-MM-DD`) or null. */
export function monthGrid(year: number, month: number): (string | null)[][] {
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const lead = (new Date(Date.UTC(year, month - 1, 1)).getUTCDay() + 6) % 7;
  const cells: (string | null)[] = Array.from({ length: lead }, () => null);
  for (let d = 1; d <= days; d++) cells.push(`${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  while (cells.length % 7) cells.push(null);
  const rows: (string | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) rows.push(cells.slice(i, i + 7));
  return rows;
}

/**
 * The year of the server's day (`today` of GET /api/health, `YYYY-MM-DD`), plus `offset`:
 * the forms default their year from it, never from the browser's clock. `fallback` when
 * the day is not a date (the health check failed).
 */
export function yearOf(today: string | undefined, fallback: number, offset = 0): number {
  return today && isIsoDate(today) ? Number(today.slice(0, 4)) + offset : fallback;
}
