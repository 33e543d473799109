// The README's walk-through as a script: one declaration of the demo dataset carried from a
// draft to a certificate the national registry holds, every step over the public API as the
// people of the demo organisations (signed in with their demo accounts), the test clock moved
// between steps. `scripts/walkthrough` starts a fresh app for it (and the test suite runs it, so
// it cannot rot); against an app you started yourself with `scripts/dev --test-mode`:
//   WALK_BASE=http://127.0.0.1:3000 node scripts/walkthrough.mjs
// Any unexpected answer stops the walk with the step, the status and the body.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const BASE = process.env.WALK_BASE ?? 'http://127.0.0.1:3000';
const PASSWORD = process.env.WALK_PASSWORD ?? 'Demo-2026!'; // the demo dataset's (development only)
const SEED = 'demo-walkthrough-seed-2026';
const YEAR = 2026;

let stepNo = 0;
function step(text) {
  stepNo += 1;
  console.log(`${String(stepNo).padStart(2)}. ${text}`);
}

async function call(method, path, token, body, { expect = [200, 201], raw } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let payload;
  if (raw) {
    headers['content-type'] = raw.type;
    payload = raw.bytes;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${BASE}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  if (!expect.includes(res.status)) {
    throw new Error(`${method} ${path}: ${res.status} ${typeof json === 'string' ? json : JSON.stringify(json)}`);
  }
  return json;
}

/** Moves the clock every component sees (test mode only). */
async function clock(iso) {
  await call('POST', '/_host/clock', null, { now: iso });
}

/** Signs `account` in; with `as`, switches to that membership (an org role, or 'judge'). */
async function signIn(account, as) {
  const s = await call('POST', '/api/session/login', null, { account, password: PASSWORD });
  if (!as) return s.access_token;
  if (as === 'judge') return (await call('POST', '/api/session/switch', s.access_token, { role: 'judge' })).access_token;
  const me = await call('GET', '/api/session/me', s.access_token);
  const m = me.memberships.find((x) => x.role === as && x.operator_id != null);
  if (!m) throw new Error(`${account} has no ${as} membership`);
  return (await call('POST', '/api/session/switch', s.access_token, { operator_id: m.operator_id })).access_token;
}

const ACCOUNTS = {
  applicant: ['13800000001'],
  hospital: ['13800000002', 'unit'],
  health: ['13800000003', 'dept'],
  city: ['13800000004', 'dept'],
  office: ['13800000005', 'committee_org'],
  province: ['13800000006', 'province'],
};
const as = (who) => signIn(...ACCOUNTS[who]);
const EXPERT_PHONE = (expertId) => `138000000${10 + Number(expertId.replace('EXP-DEMO-', ''))}`;

/** A stand-in for the national registry (the interface of shared::certificates::registry):
 * it stores each record key once and accepts every batch. Started when WALK_REGISTRY_PORT is
 * set (scripts/walkthrough points the app's `mohrss_registry_origin` at it). */
function startRegistry(port) {
  const held = new Map();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const batch = JSON.parse(body || '{}');
      const results = (batch.records ?? []).map((r) => {
        const duplicate = held.has(r.record_key);
        if (!duplicate) held.set(r.record_key, `MOHRSS-${held.size + 1}`);
        return { record_key: r.record_key, status: duplicate ? 'duplicate' : 'accepted', receipt: held.get(r.record_key) };
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ batch_key: batch.batch_key, results }));
    });
  });
  server.listen(Number(port), '127.0.0.1');
  return server;
}

async function main() {
  const started = Date.now();
  const registry = process.env.WALK_REGISTRY_PORT ? startRegistry(process.env.WALK_REGISTRY_PORT) : null;
  await call('GET', '/api/health');

  step('2026-09-01 — 张三 drafts a 副主任医师 (内科学) declaration, uploads the catalogue’s materials, accepts the commitment, submits');
  await clock('2026-09-01T01:00:00Z');
  let applicant = await as('applicant');
  const draft = await call('POST', '/api/applications', applicant, {
    batch_year: YEAR,
    form: {
      citizen_id: '430102198503151236', unit_org: 'ORG-DEMO-HOSPITAL', series: '卫生', target_level: 'deputy_senior',
      specialty: '内科学', committee: 'CMT-HEALTH',
      current_title: { series: '卫生', level: 'intermediate', obtained_on: '2019-12-01' },
      assessments: [2021, 2022, 2023, 2024, 2025].map((year) => ({ year, result: 'qualified' })),
      continuing_education_hours: 90, grassroots_service_months: 24,
      achievements: [{ kind: 'paper', title: '某病例研究', date: '2025-05-01' }],
    },
  });
  const id = draft.id;
  const checklist = await call('GET', `/api/applications/${id}/material-checklist`, applicant);
  for (const m of checklist.required.filter((r) => !r.uploaded)) {
    const bytes = Buffer.from(`%PDF-1.4\n% ${m.label}\n%%EOF\n`);
    await call('POST', `/api/applications/${id}/materials?kind=${m.kind}&filename=${m.kind}.pdf`, applicant, undefined, {
      raw: { type: 'application/pdf', bytes },
    });
  }
  const commitment = await call('GET', `/api/applications/${id}/commitment`, applicant);
  await call('POST', `/api/applications/${id}/submit`, applicant, {
    commitment: { accepted: true, text_sha256: commitment.text_sha256 },
  });

  step('the hospital approves it into its 5-working-day publicity (09-01 .. 09-08)');
  const publicity = await call('POST', `/api/unit/applications/${id}/approve`, await as('hospital'), {
    publicity_start: '2026-09-01', complaint_office: '演示医院人事处', complaint_phone: '0731-84327000',
  });
  console.log(`    publicity ends ${publicity.publicity?.end ?? publicity.publicity_end}`);

  step('2026-09-09 — the timer closes the publicity; the hospital recommends it within its approved quota');
  await clock('2026-09-09T01:00:00Z');
  await call('POST', '/api/jobs/publicity-timer', await as('province'), {});
  await call('POST', `/api/unit/applications/${id}/recommend`, await as('hospital'), {});

  step('the health commission approves (上级审核), the city HR bureau (形式审查), the committee office rechecks');
  await call('POST', `/api/chain/applications/${id}/approve`, await as('health'), { opinion: '同意推荐' });
  await call('POST', `/api/chain/applications/${id}/approve`, await as('city'), { opinion: '形式审查通过' });
  let office = await as('office');
  await call('POST', `/api/chain/applications/${id}/recheck`, office, { pass: true });

  step('2026-09-10 — the office files its review plan for 2026-11-02 (seed committed), the province approves it');
  await clock('2026-09-10T01:00:00Z');
  office = await as('office');
  const seedCommitment = createHash('sha256').update(SEED).digest('hex');
  const plan = await call('POST', '/api/evaluation/plans', office, {
    committee: 'CMT-HEALTH', batch_year: YEAR, review_start: '2026-11-02', judging_end: '2026-11-06',
    place: '长沙市评审中心', pass_rate_limit_percent: 100,
    scoring_rules: [{ item: '业绩成果', weight: 60 }, { item: '基层服务', weight: 20 }, { item: '答辩', weight: 20 }],
    expert_needs: [{ specialty: '内科学', count: 5 }],
    participants: [id], seed_commitment: seedCommitment,
  });
  await call('POST', `/api/evaluation/plans/${plan.id}/submit`, office, {});
  await call('POST', `/api/evaluation/plans/${plan.id}/audit`, await as('province'), { approve: true, opinion: '同意' });

  step('2026-11-01 — the day before, the office draws five judges: the seed revealed matches its commitment');
  await clock('2026-11-01T01:00:00Z');
  const draw = await call('POST', `/api/evaluation/plans/${plan.id}/draw`, await as('office'), {
    seed: SEED, supervisor: '省卫健委机关纪委 刘某',
  });
  const judges = draw.panel.flat();
  console.log(`    panel: ${judges.join(', ')}`);

  step('2026-11-02 — each judge signs in, reviews the materials, scores, votes (anonymously) and gives an opinion');
  await clock('2026-11-02T01:00:00Z');
  for (const expert of judges) {
    const judge = await signIn(EXPERT_PHONE(expert), 'judge');
    const at = `/api/judging/plans/${plan.id}/participants/${id}`;
    await call('POST', at, judge, { kind: 'material_review', pass: true });
    await call('POST', at, judge, { kind: 'material_score', scores: { 业绩成果: 88, 基层服务: 80, 答辩: 85 } });
    await call('POST', at, judge, { kind: 'interview_score', score: 86 });
    await call('POST', at, judge, { kind: 'vote', choice: 'agree' });
    await call('POST', at, judge, { kind: 'opinion', text: '业绩突出，同意通过' });
  }

  step('the office tallies: passed within the pass-rate and quota controls');
  office = await as('office');
  const tally = await call('POST', `/api/evaluation/plans/${plan.id}/tally`, office, {});
  const outcome = tally.find((r) => r.application_id === id)?.outcome;
  if (outcome !== 'passed') throw new Error(`tally: ${JSON.stringify(tally)}`);

  step('2026-11-03 — the office opens the result publicity (within 3 working days of the vote, R18)');
  await clock('2026-11-03T01:00:00Z');
  office = await as('office');
  const sessions = await call('GET', '/api/results/sessions', office);
  const session = sessions.awaiting_publicity.find((s) => s.voted_on === '2026-11-02');
  const result = await call('POST', '/api/results/publicities', office, {
    committee: 'CMT-HEALTH', voted_on: '2026-11-02', plan_id: session?.plan_id ?? plan.id, start_on: '2026-11-03',
    complaint_office: '演示卫生高评会办公室', complaint_phone: '0731-84320000',
  });
  console.log(`    result publicity ${result.start_on} .. ${result.end_on}; filing due ${result.filing_deadline}`);

  step('the day after it ends, the timer closes it; the office requests filing; the province files it (R19)');
  const after = new Date(`${result.end_on}T00:00:00Z`);
  after.setUTCDate(after.getUTCDate() + 1);
  const dayAfter = after.toISOString().slice(0, 10);
  await clock(`${dayAfter}T01:00:00Z`);
  await call('POST', '/api/jobs/publicity-timer', await as('province'), {});
  const filing = await call('POST', '/api/results/filings', await as('office'), { publicity_id: result.id });
  await call('POST', `/api/results/filings/${filing.id}/audit`, await as('province'), {
    approve: true, doc_no: '湘人社职备〔2026〕1号', filed_on: dayAfter, opinion: '同意备案',
  });

  step('the province issues the sealed electronic certificate and reports it to the national registry');
  const province = await as('province');
  const job = await call('POST', '/api/certificates/jobs', province, { doc_no: '湘人社职备〔2026〕1号' });
  if (job.status !== 'done' || job.issued !== 1) throw new Error(`certificate job: ${JSON.stringify(job)}`);
  const certs = await call('GET', '/api/certificates', province);
  const cert = certs.items.find((c) => c.application_id === id) ?? certs.items[0];
  const report = await call('POST', '/api/mohrss/report', province, { certificate_ids: [cert.id] });
  const outbox = await call('GET', '/api/mohrss/outbox?status=acknowledged', province);
  const reported = outbox.items.some((r) => r.record_key === `issue:${cert.certificate_no}` && r.receipt);
  console.log(`    certificate ${cert.certificate_no}; report ${JSON.stringify(report)}`);
  if (!reported) throw new Error(`the registry has not acknowledged ${cert.certificate_no}: ${JSON.stringify(outbox)}`);

  step('张三 sees it among their certificates; anyone verifies it with its number and verification code');
  applicant = await as('applicant');
  const mine = await call('GET', '/api/certificates', applicant);
  const own = mine.items.find((c) => c.certificate_no === cert.certificate_no);
  if (!own) throw new Error('not among 张三’s certificates');
  const detail = await call('GET', `/api/certificates/${own.id}`, applicant);
  const no = encodeURIComponent(cert.certificate_no);
  const verified = await call('GET', `/api/verify/certificates/${no}?code=${detail.verification_code}`);
  if (!JSON.stringify(verified).includes('副主任医师')) throw new Error(`verify: ${JSON.stringify(verified)}`);
  console.log(`    verified: ${BASE}/verify/certificates/${cert.certificate_no}?code=${detail.verification_code}`);
  const state = (await call('GET', `/api/applications/${id}`, applicant)).state;
  if (state !== 'certified') throw new Error(`final state ${state}`);

  console.log(`walk-through complete: application ${id} certified and reported in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  registry?.close();
}

main().catch((e) => {
  console.error(`walk-through FAILED at step ${stepNo}: ${e.message}`);
  process.exit(1);
});
