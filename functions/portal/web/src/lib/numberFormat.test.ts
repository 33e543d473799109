import { describe, expect, it } from 'vitest';
import { formatFault, newSegment, numberScope, preview, renderNumber, type NumberFormat } from './numberFormat';

// The same cases as shared::certificates::numbering's tests: the preview shows what the server issues.
const parts = { level: 'deputy_senior', series_code: '04', year: 2024, issuing_code: '0100' };
const defaultFormat: NumberFormat = {
  segments: [{ kind: 'level_letter' }, { kind: 'series_code' }, { kind: 'year', digits: 2 }, { kind: 'issuing_code' }, { kind: 'serial', width: 7 }],
  level_letters: { full_senior: 'A', deputy_senior: 'B', intermediate: 'C', assistant: 'D', junior: 'E' },
  series_codes: {},
  grow_by: 1000,
};

describe('the certificate number preview', () => {
  it('renders the default format as the server does', () => {
    expect(renderNumber(defaultFormat, parts, 1)).toBe('B042401000000001');
    expect(numberScope(defaultFormat, parts)).toBe('B04240100#######');
    expect(preview(defaultFormat, parts)).toEqual({ ok: true, first: 'B042401000000001', scope: 'B04240100#######' });
  });

  it('renders configured segments in order, a 4-digit year and a literal', () => {
    const f: NumberFormat = {
      segments: [{ kind: 'literal', text: 'HN' }, { kind: 'year', digits: 4 }, { kind: 'issuing_code' }, { kind: 'level_letter' }, { kind: 'serial', width: 4 }],
      level_letters: { deputy_senior: 'F' },
      grow_by: 10,
    };
    expect(renderNumber(f, parts, 37)).toBe('HN20240100F0037');
    expect(() => renderNumber(f, parts, 10_000)).toThrow('流水号 10000 超出编号格式的位数');
    expect(preview(f, { ...parts, level: 'full_senior' })).toEqual({ ok: false, fault: '证书编号格式未配置层级 full_senior 的字母' });
  });

  it('names the fault of a format the server would refuse', () => {
    const without = { ...defaultFormat, segments: defaultFormat.segments.slice(0, 4) };
    expect(formatFault(without)).toBe('须有且只有一个流水号段');
    expect(formatFault({ ...defaultFormat, segments: [...defaultFormat.segments, { kind: 'serial', width: 3 }] })).toBe('须有且只有一个流水号段');
    expect(formatFault({ ...defaultFormat, segments: [{ kind: 'literal', text: 'H-N' }, { kind: 'serial', width: 7 }] })).toBe('固定文字须为字母或数字');
    expect(formatFault({ ...defaultFormat, segments: [{ kind: 'serial', width: 13 }] })).toBe('流水号位数须为1到12');
    expect(formatFault({ ...defaultFormat, level_letters: { full_senior: '' } })).toBe('层级字母和系列代码须为字母或数字');
    expect(formatFault({ ...defaultFormat, grow_by: 0 })).toBe('自动扩充数量须为1到1000000');
    expect(preview({ ...defaultFormat, grow_by: 0 }, parts)).toEqual({ ok: false, fault: '证书编号格式无效：自动扩充数量须为1到1000000' });
    expect(formatFault(defaultFormat)).toBeNull();
  });

  it('starts a new segment with its parameters', () => {
    expect(newSegment('year')).toEqual({ kind: 'year', digits: 2 });
    expect(newSegment('serial')).toEqual({ kind: 'serial', width: 7 });
    expect(newSegment('issuing_code')).toEqual({ kind: 'issuing_code' });
  });
});
