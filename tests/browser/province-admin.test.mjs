// The province's administration edit forms in a real browser (issue 16): organisations,
// committees, audit paths with simulation, batches, the work calendar, the certificate
// number format with its live preview, the expert pool's suspensions. Runs after the
// journey (same database); what it changes is its own (a new organisation and committee,
// the 2025 batch, the number format, a 2030 calendar no other test reaches) or put back
// (the suspended expert is reinstated, the test clock set back). Then the organisation
// edit, a committee's fee standards, the forms' default year from the server's day, and
// the screens of park delegations, self-evaluating units' standards and annual plans —
// each on organisations of its own (ORG-UI-*), so other tests' rows are not touched.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiCall, axe, BASE, citizenId, launch, mintToken, shot, signedInContext } from './lib.mjs';

const PROVINCE = { role: 'province', sub: 'prov-admin', name: '省人社厅专技处', org: 'ORG-PROVINCE' };
let browser;
let ctx;
let page;

/** The error Element Plus shows under the form item labelled `label` inside `form`. */
const errorOf = (form, label) => form.locator('.el-form-item', { has: page.locator('.el-form-item__label', { hasText: label }) }).locator('.el-form-item__error');

/** The Element Plus select around the input `#id` (its placeholder overlays the input). */
const select = (id) => page.locator('.el-select', { has: page.locator(`#${id}`) });
async function choose(id, label) {
  await select(id).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: label }).first().click();
}

/** Creates an organisation through the API (a fixture no page of this test is about). */
async function organisation(body) {
  const r = await apiCall('POST', '/api/province/organisations', mintToken(PROVINCE), { region_code: '430100', ...body });
  assert.equal(r.status, 201, r.text);
}

async function tab(name, testid) {
  await page.goto(`${BASE}/province/admin?tab=${name}`);
  await page.getByTestId(testid).waitFor();
}

before(async () => {
  const r = await apiCall('POST', '/_host/clock', null, { now: '2026-11-27T02:00:00Z' });
  assert.equal(r.status, 200, r.text);
  browser = await launch();
  ctx = await signedInContext(browser, PROVINCE, { viewport: { width: 1280, height: 900 } });
  page = await ctx.newPage();
});
after(async () => {
  await ctx?.close();
  await browser?.close();
});

describe('province administration', () => {
  test('creates an organisation with its institution kind; a bad region code is named next to its field', async () => {
    await tab('organisations', 'admin-organisations');
    await page.getByTestId('new-org').click();
    const form = page.getByTestId('org-form');
    await page.fill('#org-id', 'ORG-UI-SCHOOL');
    await page.fill('#org-name', '界面测试中学');
    await page.fill('#org-region', '4301');
    await choose('org-ikind', '中小学');
    await page.getByTestId('save-org').click();
    await errorOf(form, '行政区划代码').getByText('行政区划代码须为6位数字').waitFor();
    await page.fill('#org-region', '430103');
    await page.getByTestId('save-org').click();
    await page.getByText('机构已新增').first().waitFor();
    await page.fill('#org-q', '界面测试中学');
    await page.getByRole('button', { name: '查询' }).click();
    const row = page.getByTestId('admin-organisations').locator('tr', { hasText: 'ORG-UI-SCHOOL' });
    await row.getByText('用人单位').waitFor();
    // The institution kind was recorded with it (八(六)): the edit dialog reads it back.
    await page.getByTestId('org-kind-ORG-UI-SCHOOL').click();
    await page.locator('.el-dialog:visible .el-select__selected-item', { hasText: '中小学' }).waitFor();
    await shot(page, 'province-admin-organisations');
    assert.deepEqual(await axe(page), [], 'organisations with the kind dialog');
  });

  test('creates a committee, is told a past validity next to its field, then edits its name', async () => {
    await tab('committees', 'admin-committees');
    await page.getByTestId('new-committee').click();
    const form = page.getByTestId('committee-form');
    await page.fill('#c-id', 'CMT-UI-EDU');
    await page.fill('#c-name', '界面测试中小学教师高级职称评审委员会');
    await choose('c-series', '卫生');
    await page.fill('#c-valid', '2020-12-31');
    for (const [id, v] of [['c-organisers', 'ORG-DEMO-CMT-OFFICE'], ['c-specialties', '医学']]) {
      await select(id).click();
      await page.keyboard.type(v);
      await page.keyboard.press('Enter');
    }
    await page.fill('#c-op-name', '赵联络');
    await page.fill('#c-op-cid', citizenId('43010219800101123'));
    await page.fill('#c-op-phone', '13800000099');
    await page.fill('#c-remarks', '湘人社函〔2026〕99号（界面测试）');
    await page.getByTestId('save-committee').click();
    await errorOf(form, '有效期至').getByText('有效期不能早于今天').waitFor();
    await page.fill('#c-valid', '2028-12-31');
    await page.getByTestId('save-committee').click();
    await page.getByText('评委会已新增').first().waitFor();
    const table = page.getByTestId('admin-committees');
    await table.locator('tr', { hasText: 'CMT-UI-EDU' }).getByText('2028-12-31').waitFor();

    await page.getByTestId('edit-committee-CMT-UI-EDU').click();
    await page.locator('#c-name').waitFor();
    assert.equal(await page.inputValue('#c-name'), '界面测试中小学教师高级职称评审委员会');
    assert.equal(await page.inputValue('#c-op-cid'), '', 'the stored ID number is masked: entered again');
    await page.fill('#c-name', '界面测试高级职称评审委员会（更名）');
    await page.fill('#c-op-cid', citizenId('43010219800101123'));
    await page.getByTestId('save-committee').click();
    await page.getByText('评委会已保存').first().waitFor();
    await table.locator('tr', { hasText: 'CMT-UI-EDU' }).getByText('（更名）').waitFor();
    await shot(page, 'province-admin-committees');
    assert.deepEqual(await axe(page), [], 'committees');
  });

  test("edits the 2025 batch's dates: a voting deadline before the cutoff is refused next to it", async () => {
    await tab('batches', 'admin-batches');
    await page.getByTestId('edit-batch-2025').click();
    const form = page.getByTestId('batch-form');
    await page.locator('#b-cutoff').waitFor();
    assert.equal(await page.inputValue('#b-cutoff'), '2025-09-30');
    await page.fill('#b-cutoff', '2025-09-20');
    await page.fill('#b-voting', '2025-09-01');
    await page.getByTestId('save-batch').click();
    await errorOf(form, '评审表决截止').getByText('评议投票截止日须晚于材料报送截止日').waitFor();
    await page.fill('#b-voting', '2025-12-10');
    await page.getByTestId('save-batch').click();
    await page.getByText('年度批次已保存').first().waitFor();
    const row = page.getByTestId('admin-batches').locator('tr', { hasText: '2025-09-20' });
    await row.getByText('2025-12-10').waitFor();
    // The year's commitment text opens in full for wording.
    await page.getByTestId('commitment-2026').click();
    await page.getByTestId('commitment-form').waitFor();
    assert.match(await page.inputValue('#b-commitment'), /承诺/);
    await shot(page, 'province-admin-batches');
    assert.deepEqual(await axe(page), [], 'batches with the commitment dialog');
  });

  test('edits the certificate number format and sees the number it will issue before saving', async () => {
    await tab('number-format', 'number-format-form');
    const first = page.getByTestId('preview-first');
    // The default format with the sample (副高级, series 04, 2026, issuing unit 0100).
    await first.getByText('B042601000000001', { exact: true }).waitFor();
    await page.getByTestId('add-segment').click(); // a literal 'HN' after the serial
    await first.getByText('B042601000000001HN', { exact: true }).waitFor();
    await page.getByLabel('第6段上移').click();
    await page.getByLabel('第5段上移').click();
    await page.getByLabel('第4段上移').click();
    await page.getByLabel('第3段上移').click();
    await page.getByLabel('第2段上移').click();
    await page.locator('[data-testid="serial-width-5"] input').fill('5');
    await page.locator('[data-testid="serial-width-5"] input').blur();
    await first.getByText('HNB0426010000001', { exact: true }).waitFor();
    assert.equal(await page.getByTestId('preview-scope').textContent(), 'HNB04260100#####');
    // A literal the server refuses: the preview says why, and so does the save, next to the segments.
    await page.locator('[data-testid="literal-0"]').fill('H-N');
    await page.getByTestId('preview-fault').getByText('固定文字须为字母或数字').waitFor();
    await page.getByTestId('save-number-format').click();
    await errorOf(page.getByTestId('number-format-form'), '编号各段').getByText('证书编号格式无效：固定文字须为字母或数字').waitFor();
    await page.locator('[data-testid="literal-0"]').fill('HN');
    await page.getByTestId('save-number-format').click();
    await page.getByText('编号格式已保存').first().waitFor();
    await page.reload();
    await page.getByTestId('preview-first').getByText('HNB0426010000001', { exact: true }).waitFor();
    await shot(page, 'province-admin-number-format');
    assert.deepEqual(await axe(page), [], 'number format');
  });

  test('suspends an expert and sees the status, then reinstates them', async () => {
    await tab('experts', 'admin-experts');
    const status = page.getByTestId('expert-status-EXP-DEMO-7');
    await status.getByText('在库').waitFor();
    await page.getByTestId('suspend-EXP-DEMO-7').click();
    const form = page.getByTestId('expert-form');
    await page.fill('#x-until', '2026-11-20');
    await page.fill('#x-reason', '无故缺席评审（界面测试）');
    await page.getByTestId('save-expert').click();
    await errorOf(form, '暂停至').waitFor();
    assert.match(await errorOf(form, '暂停至').textContent(), /\S/, 'a past last day is named next to its field');
    await page.fill('#x-until', '2026-12-31');
    await page.getByTestId('save-expert').click();
    await status.getByText('暂停至 2026-12-31').waitFor();
    await choose('x-status', '暂停或取消');
    await page.getByTestId('admin-experts').locator('tr', { hasText: 'EXP-DEMO-7' }).getByText('无故缺席评审（界面测试）').waitFor();
    await shot(page, 'province-admin-experts');
    assert.deepEqual(await axe(page), [], 'expert pool');
    await page.getByTestId('reinstate-EXP-DEMO-7').click();
    await page.fill('#x-reason', '经复核恢复（界面测试）');
    await page.getByTestId('save-expert').click();
    await page.getByText('已恢复').first().waitFor();
    await page.getByTestId('admin-experts').getByText('EXP-DEMO-7').waitFor({ state: 'detached' });
  });

  test('the work calendar shows a year, names bad pasted dates, and imports a schedule', async () => {
    await tab('calendar', 'admin-calendar');
    await page.getByTestId('view-calendar-2026').click();
    const year = page.getByTestId('calendar-year');
    await year.getByText('2026 年工作日历').waitFor();
    // 2026-10-01 (National Day) is a day off in the State Council's schedule.
    assert.equal(await year.locator('td.off[title="2026-10-01 休息"]').count(), 1);
    await page.getByTestId('import-calendar').click();
    const form = page.getByTestId('calendar-form');
    await page.fill('#cal-notice', '国务院办公厅关于2030年部分节假日安排的通知');
    await page.locator('#cal-year input, input#cal-year').first().fill('2030');
    await page.fill('#cal-off', '2030-01-01\n2030-02-30\n2031-01-01');
    await page.getByTestId('save-calendar').click();
    await errorOf(form, '法定休假日').getByText('2030-02-30、2031-01-01').waitFor();
    // Corrected, the schedule is loaded and the year shown (2030-09-29, a Sunday, worked).
    await page.fill('#cal-off', '2030-01-01\n2030-10-01, 2030-10-02');
    await page.fill('#cal-work', '2030-09-29');
    await page.getByTestId('save-calendar').click();
    await page.getByText('2030 年工作日历已导入').first().waitFor();
    await year.getByText('2030 年工作日历').waitFor();
    assert.equal(await year.locator('td.off').count(), 3);
    assert.equal(await year.locator('td.work[title="2030-09-29 调休上班"]').count(), 1);
    await page.getByTestId('admin-calendar').locator('tr', { hasText: '国务院办公厅关于2030年部分节假日安排的通知' }).waitFor();
    await page.getByTestId('import-calendar').click();
    await shot(page, 'province-admin-calendar');
    assert.deepEqual(await axe(page), [], 'calendar with the import dialog');
  });

  test('audit paths: the simulation shows the whole chain of the demo hospital', async () => {
    await tab('paths', 'admin-paths');
    await page.fill('#s-unit', 'ORG-DEMO-HOSPITAL');
    await page.fill('#s-series', '卫生');
    await page.fill('#s-specialty', '内科学');
    await page.fill('#s-committee', 'CMT-HEALTH');
    await page.getByTestId('simulate').click();
    const sim = page.getByTestId('simulation');
    await sim.getByText('路径完整').waitFor();
    await sim.getByText('演示卫生健康委').waitFor();
    await shot(page, 'province-admin-paths');
    assert.deepEqual(await axe(page), [], 'audit paths');
  });

  test("edits an organisation's name, region and parent: a bad region and a loop are named next to their fields", async () => {
    // ORG-UI-BUREAU sits under ORG-UI-SCHOOL (made by the first test): the school under the bureau would loop.
    await organisation({ id: 'ORG-UI-BUREAU', kind: 'dept', name: '界面测试教育局' });
    const bureau = await apiCall('GET', '/api/admin/organisations/ORG-UI-BUREAU', mintToken(PROVINCE));
    const put = await apiCall('PUT', '/api/admin/organisations/ORG-UI-BUREAU', mintToken(PROVINCE), {
      name: '界面测试教育局',
      region_code: '430100',
      parent_id: 'ORG-UI-SCHOOL',
      version: bureau.json.version,
    });
    assert.equal(put.status, 200, put.text);
    await tab('organisations', 'admin-organisations');
    await page.fill('#org-q', 'ORG-UI-SCHOOL');
    await page.getByRole('button', { name: '查询' }).click();
    await page.getByTestId('edit-org-ORG-UI-SCHOOL').click();
    const form = page.getByTestId('org-edit-form');
    await page.locator('#org-edit-name').waitFor();
    assert.equal(await page.inputValue('#org-edit-name'), '界面测试中学');
    await page.fill('#org-edit-name', '界面测试实验中学');
    await page.fill('#org-edit-region', '990104');
    await page.getByTestId('save-org-edit').click();
    await errorOf(form, '行政区划代码').getByText('990104').waitFor();
    await page.fill('#org-edit-region', '430104');
    await page.fill('#org-edit-parent', 'ORG-UI-BUREAU');
    await page.getByTestId('save-org-edit').click();
    await errorOf(form, '上级主管单位').getByText('ORG-UI-SCHOOL → ORG-UI-BUREAU → ORG-UI-SCHOOL').waitFor();
    await page.fill('#org-edit-parent', 'ORG-DEMO-HEALTH');
    await page.getByTestId('save-org-edit').click();
    await page.getByText('机构已保存').first().waitFor();
    const row = page.getByTestId('admin-organisations').locator('tr', { hasText: 'ORG-UI-SCHOOL' });
    await row.getByText('界面测试实验中学').waitFor();
    await row.getByText('430104').waitFor();
    // Read back: the parent is shown by name.
    await page.getByTestId('edit-org-ORG-UI-SCHOOL').click();
    await page.getByTestId('org-edit-parent-name').getByText('演示卫生健康委').waitFor();
    await page.waitForTimeout(400); // the dialog's opening transition, for the screenshot
    await shot(page, 'province-admin-organisation-edit');
    assert.deepEqual(await axe(page), [], 'organisation edit dialog');
    await page.keyboard.press('Escape');
    // The tree of administrative parents: the school under the demo health commission.
    await page.getByTestId('org-view-tree').click();
    await page.fill('#org-tree-filter', '界面测试实验中学');
    const health = page.getByTestId('org-tree').locator('.el-tree-node', { hasText: '演示卫生健康委' }).first();
    await health.getByTestId('tree-org-ORG-UI-SCHOOL').waitFor();
    await shot(page, 'province-admin-organisation-tree');
    assert.deepEqual(await axe(page), [], 'organisation tree');
    await page.getByTestId('org-view-list').click();
  });

  test("edits a committee's fee standards: a bad amount is named on its row, the saved fees read back in yuan", async () => {
    await tab('committees', 'admin-committees');
    await page.getByTestId('edit-committee-CMT-UI-EDU').click();
    await page.locator('#c-name').waitFor();
    await page.fill('#c-op-cid', citizenId('43010219800101123'));
    await page.getByTestId('add-fee').click();
    await page.getByTestId('add-fee').click();
    await choose('c-fee-item-0', '评审费');
    // The two rows offer the same items: the first dropdown is gone before the second opens.
    await page.locator('.el-select-dropdown__item:visible', { hasText: '面试答辩费' }).first().waitFor({ state: 'hidden' });
    await page.fill('#c-fee-amount-0', '300');
    await choose('c-fee-item-1', '面试答辩费');
    await page.fill('#c-fee-amount-1', '一百元');
    await page.getByTestId('save-committee').click();
    const fees = page.getByTestId('committee-fees');
    await errorOf(fees, '第2项 金额').waitFor();
    assert.match(await errorOf(fees, '第2项 金额').textContent(), /金额/);
    assert.equal(await errorOf(fees, '第1项 金额').count(), 0, 'only the bad row is named');
    await page.fill('#c-fee-amount-1', '150.5');
    await page.getByTestId('save-committee').click();
    await page.getByText('评委会已保存').first().waitFor();
    await page.getByTestId('edit-committee-CMT-UI-EDU').click();
    await page.locator('#c-fee-amount-1').waitFor();
    // Read back in yuan (the API keeps fen, listed by item).
    const amounts = [await page.inputValue('#c-fee-amount-0'), await page.inputValue('#c-fee-amount-1')];
    assert.deepEqual(amounts.sort(), ['150.50', '300.00']);
    await page.waitForTimeout(400); // the dialog's opening transition, for the screenshot
    await shot(page, 'province-admin-committee-fees');
    assert.deepEqual(await axe(page), [], 'committee with its fees');
    await page.keyboard.press('Escape');
  });

  test("the new-batch and calendar-import forms take their year from the server's day, not the browser's", async () => {
    // A year before the browser's (a later one would outlive the signed-in token's expiry).
    let r = await apiCall('POST', '/_host/clock', null, { now: '2025-06-01T02:00:00Z' });
    assert.equal(r.status, 200, r.text);
    try {
      await tab('batches', 'admin-batches');
      await page.getByTestId('new-batch').click();
      await page.getByTestId('batch-form').waitFor();
      assert.equal(await page.locator('#b-year input, input#b-year').first().inputValue(), '2025');
      await tab('calendar', 'admin-calendar');
      await page.getByTestId('import-calendar').click();
      await page.getByTestId('calendar-form').waitFor();
      assert.equal(await page.locator('#cal-year input, input#cal-year').first().inputValue(), '2026', "next year's schedule");
    } finally {
      r = await apiCall('POST', '/_host/clock', null, { now: '2026-11-27T02:00:00Z' });
      assert.equal(r.status, 200, r.text);
    }
  });

  test('delegates a dedicated session to a park: a missing document number is named, then the park committee is listed', async () => {
    await organisation({ id: 'ORG-UI-PARK', kind: 'committee_org', name: '界面测试高新园区管委会' });
    await tab('parks', 'admin-parks');
    await page.getByTestId('new-park').click();
    const form = page.getByTestId('park-form');
    await page.fill('#park-id', 'CMT-UI-PARK');
    await page.fill('#park-name', '界面测试园区卫生专场评审委员会');
    await page.fill('#park-org', 'ORG-UI-PARK');
    await choose('park-series', '卫生');
    await page.fill('#park-valid', '2028-12-31');
    await select('park-specialties').click();
    await page.keyboard.type('内科学');
    await page.keyboard.press('Enter');
    await page.fill('#park-scope', '园区引进的高层次卫生人才（界面测试）');
    await page.getByTestId('save-park').click();
    await errorOf(form, '下放专场评审权限的文号').getByText('请填写下放专场评审权限的文号').waitFor();
    await page.fill('#park-doc', '湘人社函〔2026〕77号（界面测试）');
    await page.getByTestId('save-park').click();
    await page.getByText('园区专场评委会已新增').first().waitFor();
    await page.getByTestId('park-form').waitFor({ state: 'hidden' });
    const row = page.getByTestId('admin-parks').locator('tr', { hasText: 'CMT-UI-PARK' });
    await row.getByText('湘人社函〔2026〕77号（界面测试）').waitFor();
    await row.getByText('界面测试高新园区管委会').waitFor();
    await shot(page, 'province-admin-parks');
    assert.deepEqual(await axe(page), [], 'park committees');
  });

  test('a self-evaluating unit files its standard and its annual plan in its own page: a missing filing number is named', async () => {
    await organisation({ id: 'ORG-UI-SELF', kind: 'unit', name: '界面测试自主评审大学', public_institution: true, self_review: true });
    const unitCtx = await signedInContext(browser, { role: 'unit', sub: 'ui-self-hr', name: '界面测试大学人事处', org: 'ORG-UI-SELF' }, { viewport: { width: 1280, height: 900 } });
    try {
      const u = await unitCtx.newPage();
      await u.goto(`${BASE}/unit/self-review`);
      const ruleForm = u.getByTestId('unit-rule-form');
      await ruleForm.waitFor();
      await u.locator('.el-select', { has: u.locator('#ur-series-input') }).click();
      await u.locator('.el-select-dropdown__item:visible', { hasText: '卫生' }).first().click();
      await u.locator('#ur-hours input, input#ur-hours').first().fill('200');
      await u.locator('#ur-achievements input, input#ur-achievements').first().fill('3');
      await u.getByTestId('save-unit-rule').click();
      await ruleForm.locator('.el-form-item', { has: u.locator('.el-form-item__label', { hasText: '备案文号' }) }).locator('.el-form-item__error').getByText('请填写标准条件的备案文号').waitFor();
      await u.fill('#ur-doc', '湘人社职备〔2026〕界面1号');
      await u.getByTestId('save-unit-rule').click();
      await u.getByTestId('own-unit-rules').getByText('湘人社职备〔2026〕界面1号').waitFor();
      // The year defaults to the server's (the test clock's 2026); this plan is for 2027.
      assert.equal(await u.locator('#plan-year input, input#plan-year').first().inputValue(), '2026');
      await u.locator('#plan-year input, input#plan-year').first().fill('2027');
      await u.fill('#plan-title', '界面测试大学2027年度自主评审方案');
      await u.fill('#plan-content', '一、评审系列：卫生\n二、评审时间：2027年10月');
      await u.getByTestId('file-self-review-plan').click();
      const own = u.getByTestId('own-self-review-plans').locator('tr', { hasText: '界面测试大学2027年度自主评审方案' });
      await own.getByText('待审核').waitFor();
      await shot(u, 'unit-self-review');
      assert.deepEqual(await axe(u), [], "the unit's self-review page");
    } finally {
      await unitCtx.close();
    }
  });

  test("reads a self-evaluating unit's filed standard and decides its annual plan: a return needs an opinion", async () => {
    const filed = await apiCall('GET', '/api/province/self-review-plans?year=2027', mintToken(PROVINCE));
    const planId = filed.json.items.find((p) => p.unit_org === 'ORG-UI-SELF').id;

    await tab('unit-rules', 'admin-unit-rules');
    await page.fill('#ur-unit', 'ORG-UI-SELF');
    await page.getByTestId('search-unit-rules').click();
    const rule = page.getByTestId('admin-unit-rules').locator('tr', { hasText: '湘人社职备〔2026〕界面1号' });
    await rule.getByText('界面测试自主评审大学').waitFor();
    await rule.getByText('200', { exact: true }).waitFor();
    await shot(page, 'province-admin-unit-rules');
    assert.deepEqual(await axe(page), [], 'unit standards');

    await tab('self-review-plans', 'admin-self-review-plans');
    await page.fill('#srp-year', '2027');
    await page.getByTestId('search-self-review-plans').click();
    await page.getByTestId(`srp-status-${planId}`).getByText('待审核').waitFor();
    await page.getByTestId(`open-srp-${planId}`).click();
    await page.getByTestId('srp-content').getByText('评审系列：卫生').waitFor();
    await page.getByTestId('return-srp').click();
    await errorOf(page.getByTestId('srp-form'), '审核意见').getByText('退回须填写意见').waitFor();
    await shot(page, 'province-admin-self-review-plan');
    assert.deepEqual(await axe(page), [], 'self-review plan decision');
    await page.getByTestId('approve-srp').click();
    await page.getByText('方案已备案').first().waitFor();
    await page.getByTestId(`srp-status-${planId}`).getByText('已备案').waitFor();
  });
});
