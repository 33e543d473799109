// The portal in a real browser (issues 16, 17). One file, run in order: the applicant's
// application is then handled by the unit. See scripts/test-browser.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, axe, BASE, citizenId, date, fillDeclaration, launch, mintToken, shot, signedInContext, step, submit, uploadRequired, xlsx } from './lib.mjs';

const APPLICANT = { role: 'applicant', sub: 'app-zhang', name: '张三' };
const PHONE_APPLICANT = { role: 'applicant', sub: 'app-li', name: '李四' };
const UNIT = { role: 'unit', sub: 'hr-1', name: '王人事', org: 'ORG-DEMO-HOSPITAL' };
const DEPT = { role: 'dept', sub: 'op-health', name: '卫健委审核员', org: 'ORG-DEMO-HEALTH' };
const PROVINCE = { role: 'province', sub: 'prov-1', name: '省人社厅专技处', org: 'ORG-PROVINCE' };
const FULL_ID = /\b\d{17}[\dX]\b/;

let browser;
const state = {};

before(async () => {
  // The test clock (the only API call the journeys make besides fixtures): a Friday in the
  // 2026 batch, so the unit's publicity can open on the next Monday.
  const r = await apiCall('POST', '/_host/clock', null, { now: '2026-11-27T02:00:00Z' });
  assert.equal(r.status, 200, r.text);
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

describe('the portal component', () => {
  test('serves pages with a strict CSP and answers unknown API paths with the API 404', async () => {
    const page = await fetch(`${BASE}/applicant/applications`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const csp = page.headers.get('content-security-policy');
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self';/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('referrer-policy'), 'same-origin');
    const html = await page.text();
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'no inline script in index.html');
    const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)[1];
    const a = await fetch(BASE + asset);
    assert.equal(a.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(a.headers.get('content-type'), /javascript/);
    const api = await apiCall('GET', '/api/no-such-thing');
    assert.equal(api.status, 404);
    assert.deepEqual(api.json, { code: 'ROUTE_NOT_FOUND', message: '接口不存在' });
    assert.equal((await apiCall('GET', '/api/health')).status, 200, 'the API routes still win');
  });
});

describe('sign-in against the session component', () => {
  test('the hospital HR signs in with the demo account, switches to the unit and sees its work list', async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${BASE}/login`);
    // A wrong password: the generic refusal, shown on the page.
    await page.getByLabel('身份证号或手机号').fill('13800000002');
    await page.getByLabel('密码').first().fill('Wrong-pass-1');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText('账号或密码错误').first().waitFor();
    // The demo account (development only).
    await page.getByLabel('密码').first().fill('Demo-2026!');
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    // Element Plus overlays its select's input with the placeholder: open it by its box.
    await page.locator('.role-switch').click();
    await page.getByRole('option', { name: /演示医院/ }).click();
    await page.waitForURL(/\/unit\/applications/);
    await page.getByTestId('unit-table').waitFor();
    await shot(page, 'signed-in-unit');
    // Signing out ends the session: the token is refused afterwards.
    const access = await page.evaluate(() => sessionStorage.getItem('zc.access'));
    assert.ok(access, 'a token from the real sign-in');
    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForURL(/\/login/);
    assert.equal((await apiCall('GET', '/api/session/me', access)).status, 401);
    await ctx.close();
  });
});

describe('applicant (desktop)', () => {
  test('the sign-in page renders in Chinese and passes axe', async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(`${BASE}/login`);
    await page.getByRole('heading', { name: /登录/ }).waitFor();
    assert.ok(await page.getByLabel('身份证号或手机号').isVisible());
    await shot(page, 'login');
    assert.deepEqual(await axe(page), []);
    await page.goto(`${BASE}/applicant/applications`);
    await page.waitForURL(/\/login\?next=/);
    await ctx.close();
  });

  test('drafts the declaration, sees every rule failure at once, completes, uploads and submits', async () => {
    const ctx = await signedInContext(browser, APPLICANT, { viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${BASE}/applicant/applications`);
    await page.getByRole('heading', { name: '我的申报' }).waitFor();
    await shot(page, 'applicant-applications');
    assert.deepEqual(await axe(page), [], 'my applications');

    await page.getByRole('button', { name: '新建申报' }).first().click();
    await page.waitForURL(/\/applicant\/applications\/new/);
    await fillDeclaration(page, { id: '430102198503151236', complete: false });
    await page.getByTestId('save').click();
    await page.waitForURL(/\/applicant\/applications\/\d+\/edit/);
    state.appId = Number(page.url().match(/applications\/(\d+)\/edit/)[1]);
    assert.deepEqual(await axe(page), [], 'the declaration form');

    await submit(page);
    const violations = page.getByTestId('violations').locator('li');
    await violations.first().waitFor();
    const n = await violations.count();
    assert.ok(n >= 2, `every failure listed at once (got ${n})`);
    await shot(page, 'applicant-rule-failures');

    await fillDeclaration(page, { id: '430102198503151236', complete: true });
    await page.getByTestId('save').click();
    await page.getByText('已暂存').first().waitFor();
    await page.goto(`${BASE}/applicant/applications/${state.appId}`);
    await page.locator('#m-file').setInputFiles({
      name: '学位证书.png',
      mimeType: 'image/png',
      buffer: Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
        'base64',
      ),
    });
    await page.getByTestId('upload').click();
    await page.getByTestId('materials').getByText('学位证书.png').waitFor();
    await page.getByRole('button', { name: '预览' }).first().click();
    await page.locator('.el-dialog img.preview').waitFor();
    await page.keyboard.press('Escape');
    // The rest of the catalogue's materials (the signed and sealed 评审表).
    await uploadRequired(page, state.appId);

    await page.goto(`${BASE}/applicant/applications/${state.appId}/edit`);
    await page.locator('#f-citizen-id').waitFor();
    await page.fill('#f-citizen-id', '430102198503151236');
    await submit(page);
    await page.waitForURL(new RegExp(`/applicant/applications/${state.appId}$`));
    await page.getByTestId('timeline').getByText('提交申报').waitFor();
    assert.match(await page.getByTestId('summary').innerText(), /单位初审/);
    assert.ok(!FULL_ID.test(await page.content()), 'no full ID number on the page');
    await shot(page, 'applicant-progress');
    assert.deepEqual(await axe(page), [], 'the progress page');
    await ctx.close();
  });
});

describe('the other paths of annex 3', () => {
  test('an initial appointment names its acceptance institution instead of a committee', async () => {
    const who = { role: 'applicant', sub: 'app-chu', name: '初定申报人' };
    const ctx = await signedInContext(browser, who, { viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${BASE}/applicant/applications/new`);
    await fillDeclaration(page, { id: '430102199001011238', complete: false });
    await page.locator('#f-committee').waitFor();
    await page.locator('#f-method').click({ force: true });
    await page.getByRole('option', { name: '初定' }).click();
    await page.locator('#f-committee').waitFor({ state: 'detached' });
    await page.fill('#f-institution', '7');
    assert.deepEqual(await axe(page), [], 'the declaration form with 初定');
    // 八(四): a secondment to a listed host institution, with its period.
    await step(page, 5);
    await page.getByRole('button', { name: '添加挂职兼职经历' }).click();
    await date(page, 'f-sd-from-0', '2023-01-01');
    await date(page, 'f-sd-to-0', '2023-12-31');
    assert.deepEqual(await axe(page), [], 'the achievements step with a secondment');
    await page.getByTestId('save').click();
    await page.waitForURL(/\/applicant\/applications\/\d+\/edit/);
    const id = Number(page.url().match(/applications\/(\d+)\/edit/)[1]);
    const r = await apiCall('GET', `/api/applications/${id}`, mintToken(who));
    assert.equal(r.status, 200, r.text);
    const form = JSON.parse(r.text).form;
    assert.deepEqual([form.method, form.institution, form.target_level, form.committee], ['initial', 7, 'deputy_senior', undefined]);
    assert.deepEqual(form.secondments, [{ host: '崖州湾深海科技城', kind: 'posting', from: '2023-01-01', to: '2023-12-31' }]);
    await ctx.close();
  });
});

describe('unit HR', () => {
  test('approves into publicity from the work list in a batch and prints the notice', async () => {
    const ctx = await signedInContext(browser, UNIT, { viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${BASE}/unit/applications`);
    const row = page.getByTestId('unit-table').locator('tr', { hasText: '张三' }).first();
    await row.waitFor();
    await shot(page, 'unit-work-list');
    assert.deepEqual(await axe(page), [], 'unit work list');
    await row.getByTestId('row-check').click();
    await page.getByTestId('batch-approve').click();
    await date(page, 'pub-start', '2026-11-30');
    await page.fill('#pub-office', '医院人事处');
    await page.fill('#pub-phone', '0731-84327000');
    await page.getByTestId('confirm-publicity').click();
    // The demo data has others in publicity (issue 17): wait for 张三's own row.
    await page.getByTestId('unit-table').locator('tr', { hasText: '张三' }).filter({ hasText: '单位公示' }).first().waitFor();
    await page.emulateMedia({ media: 'print' });
    await shot(page, 'unit-publicity-notice-print');
    await page.emulateMedia({ media: 'screen' });
    await page.goto(`${BASE}/unit/applications/${state.appId}`);
    await page.getByTestId('summary').getByText('医院人事处', { exact: false }).waitFor();
    await shot(page, 'unit-detail');
    await ctx.close();
  });

  test('the applicant sees who holds the application now, as a timeline', async () => {
    const ctx = await signedInContext(browser, APPLICANT);
    const page = await ctx.newPage();
    await page.goto(`${BASE}/applicant/applications/${state.appId}`);
    await page.getByTestId('timeline').getByText('单位初审通过，进入公示').waitFor();
    await ctx.close();
  });
});

describe('applicant at phone width (375×812)', () => {
  test('drafts, fixes and submits on a phone without horizontal scrolling', async () => {
    const ctx = await signedInContext(browser, PHONE_APPLICANT, {
      viewport: { width: 375, height: 812 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await ctx.newPage();
    await page.goto(`${BASE}/applicant/applications/new`);
    await page.locator('#f-citizen-id').waitFor();
    await fillDeclaration(page, { id: citizenId('43010219900307123'), complete: true });
    await page.getByTestId('save').click();
    await page.waitForURL(/\/applicant\/applications\/\d+\/edit/);
    const phoneId = Number(page.url().match(/applications\/(\d+)\/edit/)[1]);
    await uploadRequired(page, phoneId);
    await page.goto(`${BASE}/applicant/applications/${phoneId}/edit`);
    await page.locator('#f-citizen-id').waitFor();
    await page.fill('#f-citizen-id', citizenId('43010219900307123'));
    await submit(page);
    await page.waitForURL(/\/applicant\/applications\/\d+$/);
    await page.getByTestId('timeline').getByText('提交申报').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal scroll at 375 px (overflow ${overflow}px)`);
    await shot(page, 'phone-applicant-progress');
    await page.goto(`${BASE}/applicant/applications`);
    await page.getByRole('heading', { name: '我的申报' }).waitFor();
    await shot(page, 'phone-applicant-applications');
    assert.deepEqual(await axe(page), [], 'phone: my applications');
    await ctx.close();
  });
});

describe('departments and province', () => {
  test('the department work list and the province dashboard render', async () => {
    const ctx = await signedInContext(browser, DEPT, { viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${BASE}/chain/applications`);
    await page.getByTestId('chain-table').waitFor();
    await shot(page, 'dept-work-list');
    assert.deepEqual(await axe(page), [], 'dept work list');
    await ctx.close();

    const pctx = await signedInContext(browser, PROVINCE, { viewport: { width: 1280, height: 900 } });
    const p = await pctx.newPage();
    await p.goto(`${BASE}/province/dashboard`);
    await p.getByTestId('state-chart').locator('canvas').waitFor();
    await p.getByRole('cell', { name: /单位/ }).first().waitFor();
    await shot(p, 'province-dashboard');
    assert.deepEqual(await axe(p), [], 'province dashboard');
    await pctx.close();
  });
});

describe('public certificate verification (issue 17)', () => {
  // The province's own organisation comes with the migrations (0007).
  const PROV_ORG = 'ORG-PROVINCE';
  let valid;
  let revoked;

  before(async () => {
    // Fixture: two sealed certificates through the province's Excel import (§1.29) — the
    // portal has no province pages for it yet — and one of them revoked.
    const prov = mintToken({ role: 'province', sub: 'prov-cert', name: '专技处', org: PROV_ORG });
    // The journey (journey.test.mjs) may have entered the province's code through its page.
    let r = await apiCall('GET', '/api/certificates/issuing-units?page_size=100', prov);
    const units = Array.isArray(r.json) ? r.json : (r.json?.items ?? []);
    if (!units.some((u) => u.org_id === PROV_ORG && u.status === 'active')) {
      r = await apiCall('POST', '/api/certificates/issuing-units', prov, { org_id: PROV_ORG });
      assert.equal(r.status, 201, r.text);
    }
    const header = ['姓名', '身份证号', '工作单位', '系列', '专业', '资格名称', '职称层级', '评审委员会', '审批文号', '取得资格时间', '发证单位编码'];
    const row = (name, id) => [name, id, '某医院', '卫生', '内科学', '主任医师', '正高级', '湖南省卫生高评会', '湘人社职备〔2024〕15号', '2024-10-20', ''];
    const book = xlsx('职称证书', [header, row('赵医生', citizenId('43010219700101123')), row('钱医生', citizenId('43010219710202123'))]);
    r = await apiCall('POST', '/api/certificates/imports?filename=certs.xlsx', prov, book, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.equal(r.status, 201, r.text);
    r = await apiCall('POST', `/api/certificates/imports/${r.json.id}/commit`, prov, {});
    assert.equal(r.status, 200, r.text);
    const [noA, noB] = r.json.certificates;
    const detail = async (no) => {
      const l = await apiCall('GET', `/api/certificates?certificate_no=${encodeURIComponent(no)}`, prov);
      const id = l.json.items[0].id;
      const d = await apiCall('GET', `/api/certificates/${id}`, prov);
      const html = await apiCall('GET', `/api/certificates/${id}/html`, prov);
      // What the QR code holds, as printed on the certificate.
      const qr = html.text.match(/https?:\/\/[^"'<\s]*\/verify\/certificates\/[^"'<\s]+/)[0].replace(/&amp;/g, '&');
      return { id, no, code: d.json.verification_code, qr };
    };
    valid = await detail(noA);
    revoked = await detail(noB);
    r = await apiCall('POST', `/api/certificates/${revoked.id}/revoke`, prov, { reason: '测试撤销' });
    assert.equal(r.status, 200, r.text);
  });

  test('the QR address shows a valid seal, checked by the server and in the browser, within 200 KiB', async () => {
    assert.match(valid.qr, /\/verify\/certificates\/[^?]+\?code=/, 'the QR code opens the page, not the JSON API');
    const ctx = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, locale: 'zh-CN' });
    const page = await ctx.newPage();
    const bodies = [];
    page.on('response', async (res) => {
      if (res.url().startsWith(BASE)) bodies.push(await res.text().catch(() => ''));
    });
    await page.goto(new URL(new URL(valid.qr).pathname + new URL(valid.qr).search, BASE).href);
    await page.getByTestId('status').getByText('有效').waitFor();
    await page.getByTestId('seal-server').getByText('电子印章有效').waitFor();
    await page.getByTestId('seal-browser').getByText('电子印章有效').waitFor();
    const result = await page.getByTestId('result').innerText();
    assert.match(result, /430\*+/, 'the ID number is masked');
    const transferred = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const res = performance.getEntriesByType('resource');
      return (nav?.transferSize ?? 0) + res.reduce((s, r) => s + (r.transferSize || 0), 0);
    });
    console.log(`verification page: ${(transferred / 1024).toFixed(1)} KiB transferred (budget 200 KiB)`);
    assert.ok(transferred > 0 && transferred < 200 * 1024, `${transferred} bytes`);
    await shot(page, 'verify-valid');
    assert.deepEqual(await axe(page), [], 'verification page');
    for (const b of bodies) assert.ok(!FULL_ID.test(b), 'no full ID number in the public page or its API answers');
    assert.ok(!FULL_ID.test(await page.content()));
    await ctx.close();
  });

  test('a tampered verification code shows not found, and the form checks by number and code', async () => {
    const ctx = await browser.newContext({ viewport: { width: 375, height: 812 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    const wrong = valid.code.slice(0, -1) + (valid.code.endsWith('A') ? 'B' : 'A');
    await page.goto(`${BASE}/verify/certificates/${valid.no}?code=${wrong}`);
    await page.getByTestId('not-found').waitFor();
    await shot(page, 'verify-not-found');
    await page.goto(`${BASE}/verify`);
    await page.getByLabel('证书编号', { exact: true }).fill(valid.no);
    await page.getByLabel('验证码（8 位）').fill(valid.code);
    await page.getByRole('button', { name: '查验' }).click();
    await page.getByTestId('seal-browser').getByText('电子印章有效').waitFor();
    assert.match(page.url(), new RegExp(`/verify/certificates/${valid.no}\\?code=`));
    await ctx.close();
  });

  test('a revoked certificate shows as revoked with its date', async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(`${BASE}/verify/certificates/${revoked.no}?code=${revoked.code}`);
    const status = page.getByTestId('status');
    await status.getByText('已撤销').waitFor();
    assert.match(await status.innerText(), /已撤销（\d{4}-\d{2}-\d{2}）/);
    await shot(page, 'verify-revoked');
    await ctx.close();
  });
});
