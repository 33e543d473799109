import { describe, expect, test } from 'vitest';
import { feesFromApi, feesToApi, sentToFormIndex } from './fees';

describe('committee fee rows', () => {
  test('amounts read in fen are shown in yuan with two decimals', () => {
    expect(feesFromApi([{ item: 'review', amount_fen: 30000 }, { item: 'other', amount_fen: 5 }])).toEqual([
      { item: 'review', amount: '300.00' },
      { item: 'other', amount: '0.05' },
    ]);
    expect(feesFromApi(null)).toEqual([]);
  });

  test('blank rows are not sent and a sent row maps back to the row on screen', () => {
    const rows = [
      { item: '', amount: ' ' },
      { item: 'review', amount: ' 300 ' },
      { item: 'interview', amount: '' },
    ];
    expect(feesToApi(rows)).toEqual([
      { item: 'review', amount: '300' },
      { item: 'interview', amount: '' },
    ]);
    expect(sentToFormIndex(rows)).toEqual([1, 2]);
  });
});
