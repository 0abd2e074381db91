// Accessibility of every page type of `wegweiser serve` in a real browser (Debian's
// Chromium, driven by playwright-core), checked with axe-core against WCAG 2.0/2.1 A and
// AA; and a walk of the Hundesteuer form without JavaScript, from the start page to the
// confirmation, with the answers of its complete scenario.
//
// Run by `scripts/browser-test`, which starts the server and sets WEGWEISER_URL.
//   WEGWEISER_URL  the server (http://127.0.0.1:PORT), required
//   CHROMIUM       the browser (default /usr/bin/chromium)
//   SCREENSHOTS    folder for the screenshots (default /tmp)
//   AXE_TAGS       the axe rule tags to run (default below)
// Any axe violation fails the test; each is printed with its rule, impact, target and help URL.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { parse as parseYaml } from 'yaml';
import { addEntries, errorSummary, fill, formPath, launchChromium, press } from './page-helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.WEGWEISER_URL;
if (!BASE) throw new Error('WEGWEISER_URL is not set (run scripts/browser-test)');
const FORMS_DIR = join(here, '..', '..', 'form-definitions');
const SHOTS = process.env.SCREENSHOTS || tmpdir();
// WCAG 2.0 and 2.1, A and AA (BITV 2.0 via EN 301 549), and axe's best practices
// (landmarks, heading order, …). AXE_TAGS=wcag2a,wcag2aa,wcag21a,wcag21aa for WCAG alone.
const TAGS = (process.env.AXE_TAGS || 'wcag2a,wcag2aa,wcag21a,wcag21aa,best-practice').split(',');

let browser;
const checked = []; // { name, url }
const violations = []; // { page, id, impact, help, helpUrl, targets }

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  console.log(`\naxe: ${checked.length} pages checked, ${violations.length} violations`);
  for (const c of checked) console.log(`  checked: ${c.name} (${c.url})`);
});

/** A fresh browser context (own cookies). `bypassCSP` lets axe run under `script-src 'self'`. */
async function newPage({ javaScriptEnabled = true, width = 1024, height = 768 } = {}) {
  const context = await browser.newContext({ bypassCSP: true, javaScriptEnabled, viewport: { width, height }, locale: 'de-DE' });
  const page = await context.newPage();
  return { context, page };
}

async function runAxe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    TAGS,
  );
}

/** Runs axe on the page; records and returns the violations. */
async function axe(page, name) {
  const url = page.url().replace(BASE, '');
  const result = await runAxe(page);
  checked.push({ name, url });
  const found = result.violations.map((v) => ({
    page: `${name} (${url})`,
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
  violations.push(...found);
  return found;
}

function report(found) {
  return found
    .map((v) => `  ${v.page}: [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${v.targets.map((t) => `    at ${t}`).join('\n')}`)
    .join('\n');
}

/** Axe on the current page, failing the test on any violation. */
async function check(page, name) {
  const found = await axe(page, name);
  assert.equal(found.length, 0, `axe violations on ${name}:\n${report(found)}`);
}

/** Presses a submit button and waits for the page that the POST (and its redirect) loads. */
async function goto(page, path) {
  const res = await page.goto(BASE + path, { waitUntil: 'load' });
  return res;
}

// ---------------------------------------------------------------------------------------
// Scenarios from form-definitions/*.test.yaml: the complete one ("vollständig", no language).

function scenario(name, overrides = {}) {
  const doc = parseYaml(readFileSync(join(FORMS_DIR, `${name}.test.yaml`), 'utf8'));
  const sc = doc.scenarios.find((s) => s.name.includes('vollständig') && !s.language);
  assert.ok(sc, `${name}: a complete scenario`);
  const answers = new Map(); // path -> value (string | string[] | boolean | file)
  const entries = new Map(); // group path -> number of entries
  const collect = (prefix, obj) => {
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix + k;
      if (Array.isArray(v) && v.length && typeof v[0] === 'object') {
        entries.set(path, v.length);
        v.forEach((e, i) => collect(`${path}.${i}.`, e));
      } else if (v && typeof v === 'object' && !Array.isArray(v) && !('type' in v && 'name' in v)) {
        collect(`${path}.`, v);
      } else if (v !== null && v !== undefined) {
        answers.set(path, v);
      }
    }
  };
  collect('', sc.answers);
  for (const [k, v] of Object.entries(overrides)) answers.set(k, v);
  return { answers, entries };
}

/** A value as a citizen types it: dates as 02.04.1980, decimals with a comma. */
/**
 * Walks the form from its start page to the confirmation. `onPage(page, name)` runs on
 * every page before it is answered. Returns the reference number.
 */
async function walk(page, formId, sc, onPage = async () => {}) {
  await goto(page, formPath(formId));
  await onPage(page, `start page of ${formId}`);
  await press(page, '.button-start');
  for (let i = 0; i < 40; i++) {
    const url = page.url();
    if (url.endsWith('/summary')) break;
    const step = url.split('/').pop();
    await onPage(page, `step ${step} of ${formId}`);
    await addEntries(page, sc.entries);
    // A post that reveals new questions shows the step again with them: answer, post again.
    for (let tries = 0; tries < 4 && page.url() === url; tries++) {
      await fill(page, sc.answers);
      await press(page, 'button[name="_action"][value="continue"]');
    }
    assert.notEqual(page.url(), url, `step ${step} of ${formId} not accepted: ${await errorSummary(page)}`);
  }
  assert.ok(page.url().endsWith('/summary'), `${formId}: no summary after 40 pages`);
  await onPage(page, `summary of ${formId}`);
  await press(page, 'form[action$="/submit"] button[type="submit"]');
  assert.ok(page.url().endsWith(`${formPath(formId)}/confirmation`), `${formId}: not confirmed, at ${page.url()}`);
  await onPage(page, `confirmation of ${formId}`);
  return (await page.locator('.reference').innerText()).trim();
}

// ---------------------------------------------------------------------------------------

test('axe finds violations on a broken page (the check itself works)', async () => {
  const { context, page } = await newPage();
  try {
    await page.setContent('<html><body><img src="x.png"><a href="/"></a><input type="text"></body></html>');
    const result = await runAxe(page);
    const ids = result.violations.map((v) => v.id);
    for (const id of ['html-has-lang', 'image-alt', 'link-name', 'label']) assert.ok(ids.includes(id), `${id} in ${ids}`);
  } finally {
    await context.close();
  }
});

test('every page type of the Hundesteuer form has no axe violation (JavaScript on)', async () => {
  const { context, page } = await newPage();
  const found = [];
  const run = async (name) => found.push(...(await axe(page, name)));
  const sc = scenario('hundesteuer');
  try {
    // The bundled folder has authorities: the start page lists them with their services,
    // each authority has a page of its own, in its branding (docs/authorities.md#serving).
    await goto(page, '/');
    await run('start page: the authorities and their services');
    await goto(page, '/bitburg/');
    await run("an authority's page (branded)");
    await goto(page, '/bitburg/impressum');
    await run("an authority's Impressum from its authority file");
    await goto(page, '/');
    await page.locator('a[href="/bitburg/f/hundesteuer-anmeldung"]').click();
    await page.waitForLoadState('load');
    await run('start page');
    await press(page, '.button-start');
    assert.ok(page.url().endsWith('/s/zustaendigkeit'));
    await run('step with radios (yes/no), clean');
    await press(page, 'button[value="continue"]');
    assert.match(await errorSummary(page), /Problem/);
    await run('step with radios, posted empty (errors)');
    await page.locator('.error-summary a').first().focus();
    await page.screenshot({ path: join(SHOTS, 'wegweiser-radios-errors-1024.png'), fullPage: true });
    // The exit page.
    await page.getByLabel('Nein').check();
    await press(page, 'button[value="continue"]');
    assert.ok(page.url().endsWith('/s/nicht-zustaendig'), page.url());
    await run('exit page');
    await page.locator('main a', { hasText: 'Angaben ändern' }).click();
    await page.waitForLoadState('load');
    await page.getByLabel('Ja').check();
    await press(page, 'button[value="continue"]');
    assert.ok(page.url().endsWith('/s/halter'), page.url());
    await run('step with text inputs, clean');
    await press(page, 'button[value="continue"]');
    await run('step with text inputs, posted empty (error summary, inline errors)');
    // The error summary takes the focus (autofocus) and links to the fields.
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'error-summary');
    await page.screenshot({ path: join(SHOTS, 'wegweiser-errors-1024.png'), fullPage: true });
    await page.setViewportSize({ width: 320, height: 640 });
    await page.screenshot({ path: join(SHOTS, 'wegweiser-errors-320.png'), fullPage: true });
    await run('step with errors at 320 px');
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.locator('#nachname').focus();
    await page.screenshot({ path: join(SHOTS, 'wegweiser-focus-1024.png') });
    // The English version of a step.
    await goto(page, '/bitburg/f/hundesteuer-anmeldung/s/halter?lang=en');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await run('step in English');
    await goto(page, '/bitburg/f/hundesteuer-anmeldung/s/halter?lang=de');
    await fill(page, sc.answers);
    await press(page, 'button[value="continue"]');
    assert.ok(page.url().endsWith('/s/hunde'), `${page.url()}: ${await errorSummary(page)}`);
    // The repeated group: add an entry with the no-JS button, then remove it again.
    await run('step with a repeated group (one entry)');
    await press(page, 'button[value="add:hund"]');
    assert.equal(await page.locator('fieldset.entry').count(), 2);
    await run('step with a repeated group (two entries)');
    await press(page, 'button[value="remove:hund.1"]');
    assert.equal(await page.locator('fieldset.entry').count(), 1);
    // The file upload: asking for an exemption reveals the reason and the proof.
    // (The browser module shows the exemption question as soon as breed and danger are
    // answered; without it, it appears once they are posted.)
    await fill(page, sc.answers);
    await page.locator('input[name="hund.0.einzelfall_gefaehrlich"][value="false"]').check();
    if (await page.locator('[data-field="hund.0.befreiung_beantragt"]').isHidden()) await press(page, 'button[value="continue"]');
    await page.locator('input[name="hund.0.befreiung_beantragt"][value="true"]').check();
    await press(page, 'button[value="continue"]');
    assert.equal(await page.locator('input[type="file"]').count(), 1);
    await run('step with a file upload (revealed)');
    await press(page, 'button[value="continue"]');
    await run('step with a file upload, posted empty (errors)');
    await page.locator('input[name="hund.0.befreiung_beantragt"][value="false"]').check();
    await press(page, 'button[value="continue"]');
    assert.ok(page.url().endsWith('/s/zahlung'), `${page.url()}: ${await errorSummary(page)}`);
    await run('step with a computed value and radios');
    await fill(page, sc.answers);
    await press(page, 'button[value="continue"]');
    assert.ok(page.url().endsWith('/s/abschluss'), page.url());
    await run('step with a consent checkbox');
    // Save and continue later.
    await press(page, 'button[value="save"]');
    assert.equal(await page.locator('.resume-link a').count(), 1);
    await run('saved page with the resume link');
    // The link asks before it moves the draft (a GET moves nothing); its button posts.
    const link = await page.locator('.resume-link a').getAttribute('href');
    await goto(page, link);
    await run('resume link: continue here?');
    await press(page, 'main form button[type="submit"]');
    assert.ok(page.url().endsWith('/s/abschluss'), page.url());
    await fill(page, sc.answers);
    await press(page, 'button[value="continue"]');
    assert.ok(page.url().endsWith('/summary'), page.url());
    await run('summary');
    await page.setViewportSize({ width: 320, height: 640 });
    await page.screenshot({ path: join(SHOTS, 'wegweiser-summary-320.png'), fullPage: true });
    await page.setViewportSize({ width: 1024, height: 768 });
    await goto(page, '/bitburg/f/hundesteuer-anmeldung/summary?lang=en');
    await run('summary in English');
    await goto(page, '/bitburg/f/hundesteuer-anmeldung/summary?lang=de');
    await press(page, 'form[action$="/submit"] button[type="submit"]');
    assert.ok(page.url().endsWith('/confirmation'), page.url());
    await run('confirmation');
    const res = await goto(page, '/nowhere');
    assert.equal(res.status(), 404);
    await run('404 page');
    // The footer's pages: the built-in accessibility statement, an Impressum from the
    // operator's text file, and a page not configured (a 404 page that says so).
    await goto(page, '/barrierefreiheit');
    await run('accessibility statement');
    await goto(page, '/barrierefreiheit?lang=en');
    await run('accessibility statement in English');
    await goto(page, '/barrierefreiheit?lang=de');
    await goto(page, '/impressum');
    await run('Impressum from a text file');
    await goto(page, '/datenschutz');
    await run('Datenschutz (not configured)');
    await goto(page, '/resume/00000000000000000000000000000000');
    await run('expired resume link');
  } finally {
    await context.close();
  }
  assert.equal(found.length, 0, `axe violations:\n${report(found)}`);
});

test('a form with checkboxes, a nested group, an upload and repeats (Kita) has no axe violation', async () => {
  const { context, page } = await newPage();
  const found = [];
  // The scenario's wish date is fixed; keep it within "today .. today + 2 years".
  const d = new Date();
  d.setMonth(d.getMonth() + 6);
  const wish = `01.${String(d.getMonth() + 1).padStart(2, '0')}.${d.getFullYear()}`;
  const sc = scenario('kita-anmeldung', { 'kinder.0.wunschtermin': wish });
  try {
    const ref = await walk(page, 'kita-anmeldung', sc, async (p, name) => found.push(...(await axe(p, name))));
    assert.ok(ref.length > 3, ref);
  } finally {
    await context.close();
  }
  assert.equal(found.length, 0, `axe violations:\n${report(found)}`);
});

test('the Hundesteuer form walks to the confirmation without JavaScript', async () => {
  const { context, page } = await newPage({ javaScriptEnabled: false });
  try {
    const ref = await walk(page, 'hundesteuer-anmeldung', scenario('hundesteuer'));
    assert.match(ref, /^BITBURG-HST-\d{4}-\d{6}$/);
    assert.match(await page.locator('h1').innerText(), /Antrag eingegangen/);
  } finally {
    await context.close();
  }
});

test('no axe violation on any page checked', () => {
  assert.ok(checked.length >= 13, `only ${checked.length} pages checked`);
  assert.equal(violations.length, 0, `axe violations:\n${report(violations)}`);
});
