// The certificate number format (证书编号格式, annex 3 §1.16) in the browser: the same
// checks and rendering as `shared::certificates::numbering`, so the editor previews the
// number the server will issue before the format is saved.
import type { components } from '../api/schema';

export type NumberSegment = components['schemas']['NumberSegment'];
export type NumberFormat = components['schemas']['NumberFormat'];

/** What a sample number is made of, besides its serial. */
export interface NumberParts {
  level: string;
  series_code: string;
  year: number;
  issuing_code: string;
}

export const segmentLabel: Record<NumberSegment['kind'], string> = {
  level_letter: '层级字母',
  series_code: '系列代码',
  year: '取得年份',
  issuing_code: '发证单位编码',
  literal: '固定文字',
  serial: '流水号',
};

const alnum = (v: string) => v.length > 0 && /^[A-Za-z0-9]+$/.test(v);

/** The format's first fault in Chinese (the server's wording), or null when it is valid. */
export function formatFault(f: NumberFormat): string | null {
  if (f.segments.filter((s) => s.kind === 'serial').length !== 1) return '须有且只有一个流水号段';
  for (const s of f.segments) {
    if (s.kind === 'serial' && !(Number.isInteger(s.width) && s.width >= 1 && s.width <= 12)) return '流水号位数须为1到12';
    if (s.kind === 'year' && s.digits !== 2 && s.digits !== 4) return '年份须为2位或4位';
    if (s.kind === 'literal' && !alnum(s.text)) return '固定文字须为字母或数字';
  }
  const values = [...Object.values(f.level_letters ?? {}), ...Object.values(f.series_codes ?? {})];
  if (!values.every(alnum)) return '层级字母和系列代码须为字母或数字';
  if (!(Number.isInteger(f.grow_by) && f.grow_by >= 1 && f.grow_by <= 1_000_000)) return '自动扩充数量须为1到1000000';
  return null;
}

function serialWidth(f: NumberFormat): number {
  for (const s of f.segments) if (s.kind === 'serial') return s.width;
  return 7;
}

function renderWith(f: NumberFormat, p: NumberParts, serial: string): string {
  let out = '';
  for (const s of f.segments) {
    switch (s.kind) {
      case 'level_letter': {
        const l = f.level_letters?.[p.level];
        if (l === undefined) throw new Error(`证书编号格式未配置层级 ${p.level} 的字母`);
        out += l;
        break;
      }
      case 'series_code':
        out += p.series_code;
        break;
      case 'year':
        out += s.digits === 2 ? String(((p.year % 100) + 100) % 100).padStart(2, '0') : String(p.year).padStart(4, '0');
        break;
      case 'issuing_code':
        out += p.issuing_code;
        break;
      case 'literal':
        out += s.text;
        break;
      case 'serial':
        out += serial;
        break;
    }
  }
  return out;
}

/** The number with `serial` (1 ..= the width's largest), as the server renders it. */
export function renderNumber(f: NumberFormat, p: NumberParts, serial: number): string {
  const w = serialWidth(f);
  if (!Number.isInteger(serial) || serial < 1 || serial > 10 ** w - 1) throw new Error(`流水号 ${serial} 超出编号格式的位数`);
  return renderWith(f, p, String(serial).padStart(w, '0'));
}

/** The scope of a number: `#` for each serial digit (the pool a number is drawn from). */
export function numberScope(f: NumberFormat, p: NumberParts): string {
  return renderWith(f, p, '#'.repeat(serialWidth(f)));
}

/** The preview the editor shows: the first number and the scope, or the fault. */
export function preview(f: NumberFormat, p: NumberParts): { ok: true; first: string; scope: string } | { ok: false; fault: string } {
  const fault = formatFault(f);
  if (fault) return { ok: false, fault: `证书编号格式无效：${fault}` };
  try {
    return { ok: true, first: renderNumber(f, p, 1), scope: numberScope(f, p) };
  } catch (e) {
    return { ok: false, fault: (e as Error).message };
  }
}

/** A new segment of a kind, with its default parameters. */
export function newSegment(kind: NumberSegment['kind']): NumberSegment {
  switch (kind) {
    case 'year':
      return { kind, digits: 2 };
    case 'literal':
      return { kind, text: 'HN' };
    case 'serial':
      return { kind, width: 7 };
    default:
      return { kind } as NumberSegment;
  }
}
