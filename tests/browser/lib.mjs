// Helpers of the browser tests: the browser, the one sign-in helper, fixtures through the
// API, screenshots, axe-core scans, and a minimal .xlsx writer for the certificate import.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
export const OUT = process.env.OUT_DIR ?? 'target/browser';
const HOST_BIN = process.env.HOST_BIN ?? 'target/debug/zhicheng-host';
mkdirSync(OUT, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A bearer token minted by the host (needs SPIN_VARIABLE_AUTH_SECRET in the environment). */
export function mintToken({ role, sub, name, org = '' }) {
  const args = ['mint-token', '--role', role, '--sub', sub, '--name', name, '--ttl-seconds', '3600'];
  if (org) args.push('--org', org);
  return execFileSync(HOST_BIN, args, { encoding: 'utf8' }).trim();
}

/**
 * THE sign-in helper: a browser context signed in as `who`. Until the sign-in API exists,
 * it mints a token on the host and puts it where the portal keeps it (sessionStorage
 * `zc.access`) before any page script runs. Swap this body for a walk through /login once
 * POST /api/session/login is served; no test needs to change.
 */
export async function signedInContext(browser, who, options = {}) {
  const ctx = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
  const token = mintToken(who);
  await ctx.addInitScript((t) => {
    if (!sessionStorage.getItem('zc.access')) sessionStorage.setItem('zc.access', t);
  }, token);
  return ctx;
}

/** An API call for fixtures (what no page of the portal does yet) and the test clock. */
export async function apiCall(method, path, token, body, contentType = 'application/json') {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let data;
  if (body !== undefined) {
    headers['content-type'] = contentType;
    data = contentType === 'application/json' ? JSON.stringify(body) : body;
  }
  const res = await fetch(BASE + path, { method, headers, body: data });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

export async function shot(page, name, options = {}) {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true, ...options });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core over the page (WCAG 2.0/2.1 A and AA); returns the serious and critical violations. */
export async function axe(page) {
  // Evaluated through the DevTools protocol: the portal's CSP rightly refuses inline scripts.
  // Contrast is judged on the settled page: a tag or card caught mid-fade has a lighter colour
  // than anyone will read it in.
  await page.evaluate(() => Promise.all(document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().endTime !== Infinity)
        .map((a) => a.finished.catch(() => null))));
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + n.html.slice(0, 160)).join(' | ')}`);
}

// ---- form helpers shared by the journeys (Element Plus widgets).

/** Chooses `label` in the Element Plus select whose input has id `id`. */
export async function choose(page, id, label) {
  await page.locator(`#${id}`).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: label }).first().click();
}

/** Types a date into an Element Plus date picker. */
export async function date(page, id, value) {
  const input = page.locator(`#${id}`);
  await input.fill(value);
  await input.press('Enter');
}

export async function number(page, id, value) {
  const input = page.locator(`#${id}`);
  await input.fill(String(value));
  await input.blur();
}

export async function step(page, n) {
  await page.locator('.step-nav label, .step-nav .el-radio-button').nth(n).click();
}

/** Fills the declaration in the guide's steps; `complete: false` leaves rule failures. */
export async function fillDeclaration(page, { id, complete }) {
  await step(page, 0);
  await page.fill('#f-citizen-id', id);
  await page.fill('#f-unit-org', 'ORG-DEMO-HOSPITAL');
  await step(page, 1);
  await page.fill('#f-series', '卫生');
  await page.fill('#f-specialty', '内科学');
  await page.fill('#f-committee', 'CMT-HEALTH');
  if (!complete) return;
  await step(page, 2);
  await page.fill('#f-ct-series', '卫生');
  await date(page, 'f-ct-date', '2019-12-01');
  await step(page, 3);
  for (let i = 0; i < 5; i++) {
    if ((await page.locator(`#f-as-year-${i}`).count()) === 0) await page.getByRole('button', { name: '添加年度考核' }).click();
    await number(page, `f-as-year-${i}`, 2021 + i);
  }
  await step(page, 4);
  await number(page, 'f-ce-hours', 90);
  await number(page, 'f-gs-months', 24);
  await step(page, 5);
  if ((await page.locator('#f-ac-title-0').count()) === 0) await page.getByRole('button', { name: '添加业绩成果' }).click();
  await page.fill('#f-ac-title-0', '某病例研究');
  await date(page, 'f-ac-date-0', '2025-05-01');
}

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** On the application's page, uploads a scan for every required material still missing
 * (资格审查材料目录, 一), as the checklist lists them. */
export async function uploadRequired(page, appId) {
  await page.goto(`${BASE}/applicant/applications/${appId}`);
  const checklist = page.getByTestId('material-checklist');
  await checklist.waitFor();
  const missing = checklist.locator('li', { hasText: '未上传' });
  while ((await missing.count()) > 0) {
    const kind = await missing.first().getAttribute('data-kind');
    await page.selectOption('#m-kind', kind);
    await page.locator('#m-file').setInputFiles({ name: `${kind}.png`, mimeType: 'image/png', buffer: PNG });
    await page.getByTestId('upload').click();
    await page.getByTestId('materials').getByText(`${kind}.png`).waitFor();
    await checklist.locator(`li[data-kind="${kind}"]`, { hasText: '已上传' }).waitFor();
  }
}

export async function submit(page) {
  await step(page, 6);
  // The batch's commitment text (告知承诺, 四(一)) is shown in full before it is accepted.
  await page.getByTestId('commitment-text').getByText('告知承诺制').waitFor();
  const commit = page.locator('#f-commit');
  if (!(await commit.isChecked())) await page.locator('label[for="f-commit"], .el-checkbox:has(#f-commit)').first().click();
  await page.getByTestId('submit').click();
}

/**
 * Signs in through the portal's /login page as a person (account: phone or ID number) and,
 * when `membership` is given, switches to the membership whose option matches it.
 */
export async function signIn(browser, account, password, membership, options = {}) {
  const ctx = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 }, ...options });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/login`);
  await page.getByLabel('身份证号或手机号').fill(account);
  await page.getByLabel('密码').first().fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  if (membership) {
    await page.locator('.role-switch').click();
    await page.getByRole('option', { name: membership }).click();
    await page.getByText('已切换身份').first().waitFor();
  }
  return { ctx, page };
}

/** A citizen ID number with its GB 11643 check character. */
export function citizenId(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

// ---- a minimal .xlsx (stored zip, inline strings): enough for the certificate import.
function zip(files) {
  const chunks = [];
  const central = [];
  let offset = 0;
  for (const [name, content] of files) {
    const data = Buffer.from(content, 'utf8');
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    chunks.push(local, nameBuf, data);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x0800, 8);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(data.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(nameBuf.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, cd, end]);
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function xlsx(sheetName, rows) {
  const colName = (i) => String.fromCharCode(65 + i);
  const sheetRows = rows
    .map(
      (r, ri) =>
        `<row r="${ri + 1}">` +
        r.map((v, ci) => `<c r="${colName(ci)}${ri + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`).join('') +
        '</row>',
    )
    .join('');
  return zip([
    [
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ],
    [
      '_rels/.rels',
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    ],
    [
      'xl/workbook.xml',
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${esc(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    ],
    [
      'xl/worksheets/sheet1.xml',
      `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheetRows}</sheetData></worksheet>`,
    ],
  ]);
}
