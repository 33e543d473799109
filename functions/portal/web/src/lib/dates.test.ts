import { describe, expect, it, test } from 'vitest';
import { deadlineRisk, isIsoDate, monthGrid, outsideYear, parseDateList, yearOf } from './dates';

describe('dates of the calendar import and the dashboard', () => {
  it('accepts only real YYYY-MM-DD dates', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2027-02-29')).toBe(false);
    expect(isIsoDate('2027-13-01')).toBe(false);
    expect(isIsoDate('2027-1-01')).toBe(false);
  });

  it('reads a pasted schedule: sorted, once each, bad entries named', () => {
    expect(parseDateList('2027-10-02\n2027-10-01，2027-10-01、 2027-02-30 ; 十月一日')).toEqual({
      dates: ['2027-10-01', '2027-10-02'],
      bad: ['2027-02-30', '十月一日'],
    });
    expect(outsideYear(['2027-12-31', '2028-01-01'], 2027)).toEqual(['2028-01-01']);
  });

  it('lays a month out in weeks from Monday', () => {
    const feb = monthGrid(2027, 2); // 2027-02-01 is a Monday
    expect(feb[0][0]).toBe('2027-02-01');
    expect(feb).toHaveLength(4);
    const nov = monthGrid(2026, 11); // 2026-11-01 is a Sunday
    expect(nov[0].slice(0, 7)).toEqual([null, null, null, null, null, null, '2026-11-01']);
    expect(nov.flat().filter(Boolean)).toHaveLength(30);
  });

  it('calls a deadline at risk with two working days or fewer left', () => {
    expect([deadlineRisk(-1), deadlineRisk(0), deadlineRisk(2), deadlineRisk(3), deadlineRisk(null)]).toEqual(['overdue', 'at_risk', 'at_risk', 'ok', 'unknown']);
  });
});

describe('the default year of a form', () => {
  test("comes from the server's day, with an offset", () => {
    expect(yearOf('2029-03-01', 2000)).toBe(2029);
    expect(yearOf('2029-12-31', 2000, 1)).toBe(2030);
  });
  test('falls back when the day is missing or not a date', () => {
    expect(yearOf(undefined, 2026)).toBe(2026);
    expect(yearOf('2029-02-30', 2026)).toBe(2026);
  });
});
