// Supervision in the browser (issue 13): the province runs a 职称巡查 sampling run — the seed
// committed, then revealed, the sample drawn and replayed — records a finding with a
// working-day deadline; the inspected committee office answers on its own page; the
// province accepts, settles the other items and closes. Then the credit-platform outbox page.
// See scripts/test-browser (one host, the demo data; runs after the other files).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, BASE, citizenId, launch, mintToken, number, shot, signedInContext } from './lib.mjs';

const PROVINCE = { role: 'province', sub: 'prov-insp', name: '省人社厅巡查组', org: 'ORG-PROVINCE' };
const OFFICE = { role: 'committee_org', sub: 'cmt-insp', name: '高评办', org: 'ORG-DEMO-CMT-OFFICE' };

let browser;
const state = {};

before(async () => {
  // Friday 2026-11-27: five working days later is Friday 2026-12-04.
  const r = await apiCall('POST', '/_host/clock', null, { now: '2026-11-27T02:00:00Z' });
  assert.equal(r.status, 200, r.text);
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

describe('职称巡查 (notice 七)', () => {
  test('the province commits to a seed, reveals it, draws and replays the sample, and requests rectification', async () => {
    const ctx = await signedInContext(browser, PROVINCE);
    const page = await ctx.newPage();
    await page.goto(`${BASE}/province/inspections`);
    await page.getByRole('heading', { name: '职称巡查' }).waitFor();
    await page.fill('#i-title', '2026年度职称评审巡查（浏览器）');
    await number(page, 'i-year', 2026);
    await number(page, 'i-ratio', 100);
    await page.fill('#i-depts', '演示卫生健康委');
    await page.getByTestId('create-inspection').click();
    const seed = (await page.getByTestId('seed').textContent()).trim();
    assert.match(seed, /^[0-9a-f]{32}$/);
    const row = page.getByTestId('inspections').locator('tr', { hasText: '2026年度职称评审巡查（浏览器）' });
    await row.getByText('已承诺待抽取').waitFor();
    await row.getByRole('link', { name: '查看' }).click();
    await page.getByRole('heading', { name: '巡查详情' }).waitFor();
    state.id = Number(page.url().split('/').pop());
    // The seed stayed in this browser; the server knew only its hash until now.
    assert.equal(await page.inputValue('#d-seed'), seed);
    await page.getByTestId('draw').click();
    await page.getByTestId('inspection-status').getByText('巡查中').waitFor();
    assert.equal((await page.getByTestId('revealed-seed').textContent()).trim(), seed);
    assert.match(await page.getByTestId('sample').textContent(), /CMT-HEALTH/);
    await page.getByTestId('replay').click();
    await page.getByTestId('replay-result').getByText('复算结果与记录一致').waitFor();
    await shot(page, 'inspection-drawn');

    // The committee's policy execution: rectify within 5 working days.
    const items = page.getByTestId('items');
    // The demo committee's row: other tests of the run add committees of the same office.
    const first = items.locator('tr', { hasText: '政策执行' }).filter({ hasText: 'CMT-HEALTH' });
    await first.getByRole('button', { name: '记录发现' }).click();
    await page.getByTestId('result-rectify').click();
    await page.fill('#fi-finding', '评审会议记录不完整');
    await page.fill('#fi-req', '补齐会议记录');
    await number(page, 'fi-days', 5);
    await page.getByTestId('save-finding').click();
    await first.getByText('2026-12-04（5个工作日）').waitFor();
    await first.getByText('整改中').waitFor();
    await ctx.close();
  });

  test('the inspected committee office sees its own item and reports its rectification', async () => {
    const ctx = await signedInContext(browser, OFFICE);
    const page = await ctx.newPage();
    await page.goto(`${BASE}/inspections/items`);
    await page.getByRole('heading', { name: '巡查整改' }).waitFor();
    // The office is responsible for every sampled item of its committees (the run's other
    // tests add committees and applications): it filters to the items awaiting its answer.
    await page.locator('.toolbar .el-select').click();
    await page.getByRole('option', { name: '整改中' }).click();
    const row = page.getByTestId('my-items').locator('tr', { hasText: '补齐会议记录' });
    await row.getByText('2026-12-04').waitFor();
    await row.getByRole('button', { name: '报送整改' }).click();
    await page.fill('#r-response', '已补齐会议记录并存档');
    await page.getByTestId('send-response').click();
    // Answered, it leaves the list of items awaiting an answer for the answered ones.
    await row.waitFor({ state: 'detached' });
    await page.locator('.toolbar .el-select').click();
    await page.getByRole('option', { name: '已报整改情况' }).click();
    await row.getByText('已报整改情况').waitFor();
    await shot(page, 'inspection-office-response');
    // The province's pages are not the office's.
    const token = mintToken(OFFICE);
    assert.equal((await apiCall('GET', '/api/province/inspections', token)).status, 403);
    await ctx.close();
  });

  test('the province accepts the rectification, settles the other items and closes the inspection', async () => {
    const ctx = await signedInContext(browser, PROVINCE);
    const page = await ctx.newPage();
    await page.goto(`${BASE}/province/inspections/${state.id}`);
    const items = page.getByTestId('items');
    // The demo committee's row: other tests of the run add committees of the same office.
    const first = items.locator('tr', { hasText: '政策执行' }).filter({ hasText: 'CMT-HEALTH' });
    await first.getByRole('button', { name: '审核整改' }).click();
    await page.fill('#de-opinion', '整改到位');
    await page.getByTestId('accept').click();
    await first.getByText('已整改').waitFor();
    // Every other item: no problem found.
    for (;;) {
      const next = items.getByRole('button', { name: '记录发现' }).first();
      if ((await next.count()) === 0) break;
      await next.click();
      await page.fill('#fi-finding', '未发现问题');
      await page.getByTestId('save-finding').click();
      await page.locator('.el-dialog').first().waitFor({ state: 'hidden' });
    }
    await page.fill('#c-conclusion', '总体规范，个别问题已整改');
    await page.getByTestId('close').click();
    await page.getByTestId('inspection-status').getByText('已办结').waitFor();
    await shot(page, 'inspection-closed');
    await ctx.close();
  });
});

describe('credit-platform export (七(一))', () => {
  test('an integrity-file entry is queued for the credit platform and the province sees the outbox', async () => {
    const token = mintToken(PROVINCE);
    const r = await apiCall('POST', '/api/admin/blacklist', token, { citizen_id: citizenId('43010219880808123'), name: '测试造假', reason: '伪造学历证明' });
    assert.equal(r.status, 201, r.text);
    const ctx = await signedInContext(browser, PROVINCE);
    const page = await ctx.newPage();
    await page.goto(`${BASE}/province/credit`);
    await page.getByRole('heading', { name: '信用信息报送' }).waitFor();
    const row = page.getByTestId('credit-outbox').locator('tr', { hasText: '诚信档案记录' }).first();
    await row.getByText('待报送').waitFor();
    // The platform's origin is the `.invalid` default here: the send fails and waits to retry.
    await page.getByTestId('credit-report-all').click();
    await page.getByTestId('credit-outcome').getByText('待重试 1 条').waitFor();
    await row.getByText('待报送').waitFor();
    assert.equal((await row.locator('td').nth(4).textContent()).trim(), '1', 'one attempt recorded');
    await shot(page, 'credit-outbox');
    await ctx.close();
  });
});
