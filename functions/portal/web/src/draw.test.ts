import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { candidateOrder, replayDraw, sha256hex, snapshotHash, type PoolExpert, type Recusal } from './draw';

const pool: PoolExpert[] = Array.from({ length: 8 }, (_, i) => ({
  id: `EXP-${String(i).padStart(2, '0')}`,
  specialty: i < 6 ? '内科学' : '外科学',
  org: i < 2 ? 'ORG-HOSP' : `ORG-${i}`,
  person: `p${i}`,
}));
const none: Recusal = { participant_orgs: [], participant_persons: [], related_experts: [] };
const hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('the draw replayed in the browser', () => {
  it('hashes UTF-8 text as SHA-256 does', async () => {
    expect(await sha256hex('评审|0|EXP-01')).toBe(hex('评审|0|EXP-01'));
  });

  it('orders the candidates of a need by SHA-256(seed | need index | id)', async () => {
    const order = await candidateOrder('seed', 1, { specialty: '内科学', count: 2 }, pool, none);
    const expected = pool
      .filter((e) => e.specialty === '内科学')
      .map((e) => [hex(`seed|1|${e.id}`), e.id])
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map((x) => x[1]);
    expect(order).toEqual(expected);
  });

  it('never draws a recused expert (participant unit, participant, declared relation)', async () => {
    const r: Recusal = { participant_orgs: ['ORG-HOSP'], participant_persons: ['p2'], related_experts: ['EXP-03'] };
    const order = await candidateOrder('seed', 0, { specialty: '内科学', count: 1 }, pool, r);
    expect(order.sort()).toEqual(['EXP-04', 'EXP-05']);
  });

  it('gives the same panel for the same seed and a panel without repeats per need', async () => {
    const needs = [
      { specialty: '内科学', count: 3 },
      { specialty: '外科学', count: 2 },
    ];
    const a = await replayDraw('abc', pool, needs, none);
    expect(a).toEqual(await replayDraw('abc', [...pool].reverse(), needs, none));
    expect(a![0]).toHaveLength(3);
    expect(new Set(a!.flat()).size).toBe(5);
    expect(a![1].sort()).toEqual(['EXP-06', 'EXP-07']);
    expect(a![0]).toEqual((await candidateOrder('abc', 0, needs[0], pool, none)).slice(0, 3));
  });

  it('answers null when the pool falls short of a need', async () => {
    expect(await replayDraw('abc', pool, [{ specialty: '外科学', count: 3 }], none)).toBeNull();
  });

  it('hashes the pool snapshot in id order whatever order it is given', async () => {
    const sorted = JSON.stringify(pool.map((e) => ({ id: e.id, specialty: e.specialty, org: e.org, person: e.person })));
    expect(await snapshotHash([...pool].reverse())).toBe(hex(sorted));
  });
});
