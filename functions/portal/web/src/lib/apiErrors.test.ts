import { describe, expect, it } from 'vitest';
import { errorFor, errorsByField, fieldRoot } from './apiErrors';

describe('API errors next to the field they name', () => {
  it('puts a one-field error next to its field and nothing above the form', () => {
    expect(errorsByField({ message: '有效期不能早于今天', field: 'valid_until' })).toEqual({ fields: { valid_until: '有效期不能早于今天' }, general: '' });
  });

  it('lists every violation by field and the summary above the form', () => {
    const e = {
      message: '申报条件不符（2项）',
      field: null,
      violations: [
        { field: 'education', message: '学历不符' },
        { field: 'education', message: '学位不符' },
        { field: null, message: '无字段' },
        { field: 'ce_hours', message: '继续教育学时不足' },
      ],
    };
    expect(errorsByField(e)).toEqual({ fields: { education: '学历不符；学位不符', ce_hours: '继续教育学时不足' }, general: '申报条件不符（2项）' });
  });

  it('shows an error without a field above the form', () => {
    expect(errorsByField({ message: '数据已被他人修改' })).toEqual({ fields: {}, general: '数据已被他人修改' });
  });

  it('finds the errors of an array or an object field by its name', () => {
    const fields = { 'organisers[1]': '组建单位 X 不存在或未生效', 'operator.phone': '联系人电话格式不正确', name: '请填写名称' };
    expect(errorFor(fields, 'organisers')).toBe('组建单位 X 不存在或未生效');
    expect(errorFor(fields, 'operator')).toBe('联系人电话格式不正确');
    expect(errorFor(fields, 'name')).toBe('请填写名称');
    expect(errorFor(fields, 'nam')).toBe('');
    expect(fieldRoot('fees[0].amount')).toBe('fees');
  });
});
