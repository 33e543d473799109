// The public publicity pages in a real browser (issue 17): an anonymous visitor at phone
// width reads the demo data's notices (scripts/demo-seed.sql) and files objections, which
// the unit sees in its signed-in portal and the committee office in its API; no public page
// or public API answer carries a full ID number. See scripts/test-browser.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, axe, BASE, launch, mintToken, shot, signedInContext } from './lib.mjs';

const FULL_ID = /(?<!\d)\d{17}[\dX](?!\d)/;
const HOSPITAL = 'ORG-DEMO-HOSPITAL';
const UNIT = { role: 'unit', sub: 'hr-pub', name: '王人事', org: HOSPITAL };
const OFFICE = { role: 'committee_org', sub: 'op-pub', name: '孙复核', org: 'ORG-DEMO-CMT-OFFICE' };
const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, locale: 'zh-CN' };

let browser;
const receipts = {};

before(async () => {
  // Inside both demo publicities (11-24..12-01).
  const r = await apiCall('POST', '/_host/clock', null, { now: '2026-11-27T02:00:00Z' });
  assert.equal(r.status, 200, r.text);
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A phone-width anonymous page that records every same-origin response body. */
async function anonymousPage() {
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  const bodies = [];
  page.on('response', async (res) => {
    if (res.url().startsWith(BASE)) bodies.push({ url: res.url(), text: await res.text().catch(() => '') });
  });
  return { ctx, page, bodies };
}

async function noHorizontalScroll(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scroll at 375 px (overflow ${overflow}px)`);
}

async function fileObjection(page, name, content) {
  await page.getByRole('button', { name: `对${name}提出异议` }).click();
  const form = page.getByTestId('objection-form');
  await form.getByLabel('异议内容（5–2000 字）').fill(content);
  await form.getByLabel('联系电话（可不填）').fill('13900001111');
  await form.getByRole('button', { name: '提交异议' }).click();
  const no = await page.getByTestId('receipt-no').innerText();
  assert.match(no, /^YY\d{8}\d{6}[0-9A-F]{4}$/);
  return no;
}

describe('public publicity pages (issue 17)', () => {
  test('an anonymous visitor on a phone opens the unit publicity from the index and files an objection', async () => {
    const { ctx, page, bodies } = await anonymousPage();
    await page.goto(`${BASE}/public`);
    // The demo notice (open since 11-24); the other browser tests add an upcoming one.
    const summary = page.getByTestId('notice-summary').filter({ hasText: '演示医院' }).filter({ hasText: '公示中' });
    await summary.waitFor();
    await noHorizontalScroll(page);
    await shot(page, 'public-index');
    assert.deepEqual(await axe(page), [], 'public index');
    await summary.getByRole('link', { name: '演示医院' }).click();
    await page.waitForURL(`${BASE}/public/units/${HOSPITAL}`);
    const notice = page.getByTestId('notice').first();
    await notice.getByTestId('person').filter({ hasText: '刘思远' }).waitFor();
    assert.match(await notice.getByTestId('period').innerText(), /2026-11-24 至 2026-12-01（5 个工作日）/);
    assert.match(await notice.innerText(), /演示医院人事处，电话 0731-84327000/);
    assert.match(await notice.getByTestId('person').filter({ hasText: '刘思远' }).innerText(), /内科学[\s\S]*卫生系列副高级/);
    await noHorizontalScroll(page);
    assert.deepEqual(await axe(page), [], 'unit publicity page');
    receipts.unit = await fileObjection(page, '刘思远', '该同志申报材料中的论文并非本人独立完成（测试）');
    await shot(page, 'public-unit-objection-receipt');
    const all = bodies.map((b) => b.text).join('\n') + (await page.content());
    assert.ok(!FULL_ID.test(all), 'no full ID number in the page or its API answers');
    assert.ok(!all.includes('13900001111'), 'the contact phone is never shown back publicly');
    await ctx.close();
  });

  test('the unit sees the objection in its signed-in portal against the right applicant', async () => {
    const unitToken = mintToken(UNIT);
    const list = await apiCall('GET', '/api/unit/applications?page_size=100', unitToken);
    assert.equal(list.status, 200, list.text);
    const liu = list.json.items.find((a) => a.applicant_name === '刘思远');
    const chen = list.json.items.find((a) => a.applicant_name === '陈雨桐');
    const ctx = await signedInContext(browser, UNIT, { viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${BASE}/unit/applications/${liu.id}`);
    const panel = page.getByTestId('public-objections');
    await panel.getByText(receipts.unit).waitFor();
    await panel.getByText('13900001111').waitFor();
    await shot(page, 'unit-public-objection');
    const other = await apiCall('GET', `/api/unit/applications/${chen.id}/public-objections`, unitToken);
    assert.deepEqual(other.json, [], 'filed against 刘思远 only');
    await ctx.close();
  });

  test('a result publicity objection reaches the committee office', async () => {
    const { ctx, page } = await anonymousPage();
    await page.goto(`${BASE}/public/committees/CMT-HEALTH`);
    await page.getByTestId('person').filter({ hasText: '黄建国' }).waitFor();
    assert.match(await page.getByTestId('notice').first().innerText(), /评审结果公示[\s\S]*公示中/);
    assert.match(await page.getByTestId('person').filter({ hasText: '黄建国' }).innerText(), /卫生系列正高级/);
    receipts.result = await fileObjection(page, '黄建国', '该同志评审业绩与实际不符（测试）');
    await shot(page, 'public-committee-objection-receipt');
    await ctx.close();
    const got = await apiCall('GET', '/api/results/public-objections', mintToken(OFFICE));
    assert.equal(got.status, 200, got.text);
    const mine = got.json.find((o) => o.receipt_no === receipts.result);
    assert.ok(mine, got.text);
    assert.equal(mine.applicant_name, '黄建国');
    assert.equal(mine.kind, 'result');
  });

  test('no public page or public API answer carries a full 18-character ID number', async () => {
    const paths = [
      '/public',
      `/public/units/${HOSPITAL}`,
      '/public/committees/CMT-HEALTH',
      '/api/public/publicities',
      `/api/public/units/${HOSPITAL}/publicities`,
      '/api/public/committees/CMT-HEALTH/publicities',
    ];
    let scanned = 0;
    for (const p of paths) {
      const r = await apiCall('GET', p);
      assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 200)}`);
      assert.ok(!FULL_ID.test(r.text), `${p} carries a full ID number`);
      scanned += r.text.length;
    }
    // The scanner finds a demo person's number (scripts/demo-seed.sql; stored as a token since issue 10) when present.
    assert.ok(FULL_ID.test('姓名 刘思远 430102198604121239 内科学'));
    console.log(`public pages and API answers scanned: ${paths.length} answers, ${scanned} characters, no full ID number`);
  });
});
