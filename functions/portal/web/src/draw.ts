// The judge draw replayed in the browser (R14): the same computation as
// `shared::domain::evaluation::draw`, so anyone holding the revealed seed and the pool
// snapshot checks the panel the committee office announced, without trusting the server.

export interface PoolExpert {
  id: string;
  specialty: string;
  org: string;
  person: string;
}
export interface ExpertNeed {
  specialty: string;
  count: number;
}
export interface Recusal {
  participant_orgs: string[];
  participant_persons: string[];
  related_experts: string[];
}

/** SHA-256 hex of a UTF-8 string (Web Crypto; needs a secure context: https or localhost). */
export async function sha256hex(s: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A fresh random seed for a plan (hex, 32 bytes): kept secret until the draw. */
export function newSeed(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 of the canonical JSON of the pool (sorted by id), as the server records it. */
export async function snapshotHash(pool: PoolExpert[]): Promise<string> {
  const sorted = [...pool].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const json = JSON.stringify(sorted.map((e) => ({ id: e.id, specialty: e.specialty, org: e.org, person: e.person })));
  return sha256hex(json);
}

function excluded(r: Recusal, e: PoolExpert): boolean {
  return r.participant_orgs.includes(e.org) || r.participant_persons.includes(e.person) || r.related_experts.includes(e.id);
}

/** Candidates of need `i` in draw order: by SHA-256(seed | i | id), ascending. */
export async function candidateOrder(seed: string, i: number, need: ExpertNeed, pool: PoolExpert[], r: Recusal): Promise<string[]> {
  const keyed = await Promise.all(
    pool.filter((e) => e.specialty === need.specialty && !excluded(r, e)).map(async (e) => [await sha256hex(`${seed}|${i}|${e.id}`), e.id] as const),
  );
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return keyed.map((k) => k[1]);
}

/** The panel: for each need, its drawn expert ids in order (null when the pool falls short). */
export async function replayDraw(seed: string, pool: PoolExpert[], needs: ExpertNeed[], r: Recusal): Promise<string[][] | null> {
  const taken = new Set<string>();
  const panel: string[][] = [];
  for (const [i, need] of needs.entries()) {
    const chosen = (await candidateOrder(seed, i, need, pool, r)).filter((id) => !taken.has(id)).slice(0, need.count);
    if (chosen.length < need.count) return null;
    chosen.forEach((id) => taken.add(id));
    panel.push(chosen);
  }
  return panel;
}
