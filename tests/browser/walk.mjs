// Every bundled form walked in Chromium with JavaScript off, from its start page to the
// confirmation, with the answers of its complete scenario (`*.test.yaml`, the scenario
// whose name contains "vollständig" and that sets no language).
//
// The scenarios are written for one day (`today:` in each *.test.yaml); the server runs
// with the hidden, testing-only `serve --today` set to that day, so the date rules accept
// them on any day. Run by `scripts/browser-test`, which starts that server.
//   WEGWEISER_WALK_URL  the server started with --today (http://127.0.0.1:PORT), required
//   WEGWEISER_TODAY     the day it was given (YYYY-MM-DD), required
//   CHROMIUM            the browser (default /usr/bin/chromium)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { parse as parseYaml } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const BASE = process.env.WEGWEISER_WALK_URL;
const TODAY = process.env.WEGWEISER_TODAY;
if (!BASE || !TODAY) throw new Error('WEGWEISER_WALK_URL and WEGWEISER_TODAY are not set (run scripts/browser-test)');
const FORMS_DIR = join(here, '..', '..', 'form-definitions');

// The bundled forms: every *.yaml with a *.test.yaml beside it.
const FORMS = readdirSync(FORMS_DIR)
  .filter((f) => f.endsWith('.test.yaml'))
  .map((f) => f.replace(/\.test\.yaml$/, ''))
  .sort();

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
});

/** The form's id and reference pattern, and its complete scenario. */
function load(name) {
  const form = parseYaml(readFileSync(join(FORMS_DIR, `${name}.yaml`), 'utf8'));
  const doc = parseYaml(readFileSync(join(FORMS_DIR, `${name}.test.yaml`), 'utf8'));
  const sc = doc.scenarios.find((s) => s.name.includes('vollständig') && !s.language);
  assert.ok(sc, `${name}: a complete scenario`);
  const answers = new Map(); // path -> value (string | string[] | boolean | file)
  const entries = new Map(); // group path -> number of entries
  const isFile = (v) => v && typeof v === 'object' && 'type' in v && 'name' in v;
  const collect = (prefix, obj) => {
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix + k;
      if (Array.isArray(v) && v.length && typeof v[0] === 'object') {
        entries.set(path, v.length);
        v.forEach((e, i) => collect(`${path}.${i}.`, e));
      } else if (v && typeof v === 'object' && !Array.isArray(v) && !isFile(v)) {
        collect(`${path}.`, v);
      } else if (v !== null && v !== undefined) {
        answers.set(path, v);
      }
    }
  };
  collect('', sc.answers);
  return { id: form.id, reference: form.submission.reference, today: String(doc.today), scenario: sc.name, answers, entries };
}

/** A value as a citizen types it: dates as 02.04.1980, decimals with a comma. */
function typed(v) {
  if (typeof v === 'number') return String(v).replace('.', ',');
  const s = String(v);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : s;
}

/** A file whose content sniffs as its type. */
function fileContent(type, size) {
  const head = type === 'image/png' ? Buffer.from('\x89PNG\r\n\x1a\n', 'latin1')
    : type === 'image/jpeg' ? Buffer.from([0xff, 0xd8, 0xff, 0xe0])
    : Buffer.from('%PDF-1.4\n');
  const buf = Buffer.alloc(Math.max(size, 16), ' ');
  head.copy(buf);
  return buf;
}

async function press(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(selector).first().click()]);
}

async function errorSummary(page) {
  const s = page.locator('.error-summary');
  return (await s.count()) ? (await s.innerText()).replace(/\s+/g, ' ') : '';
}

/** Answers every question of the scenario that the current page shows. */
async function fill(page, answers) {
  for (const [path, v] of answers) {
    const els = page.locator(`[name="${path}"]`);
    const n = await els.count();
    if (!n) continue;
    const first = els.first();
    // Inactive questions are on the page too, hidden (the browser module reveals them);
    // without JavaScript the citizen neither sees nor answers them.
    if (await first.evaluate((e) => !!e.closest('[hidden]'))) continue;
    const tag = await first.evaluate((e) => e.tagName.toLowerCase());
    const type = await first.getAttribute('type');
    if (tag === 'select') {
      await first.selectOption(String(v));
    } else if (type === 'radio') {
      await page.locator(`input[name="${path}"][value="${String(v)}"]`).check();
    } else if (type === 'checkbox' && Array.isArray(v)) {
      for (let i = 0; i < n; i++) {
        const box = els.nth(i);
        if (v.includes(await box.getAttribute('value'))) await box.check(); else await box.uncheck();
      }
    } else if (type === 'checkbox') {
      if (v === true || v === 'true') await first.check(); else await first.uncheck();
    } else if (type === 'file') {
      await first.setInputFiles({ name: v.name, mimeType: v.type, buffer: fileContent(v.type, Number(v.size)) });
    } else {
      await first.fill(typed(v));
    }
  }
}

/** Adds entries of repeated groups with the no-JS add button until the scenario's count. */
async function addEntries(page, entries) {
  for (const [group, n] of entries) {
    const add = `button[name="_action"][value="add:${group}"]`;
    if (!(await page.locator(add).count())) continue;
    while ((await page.locator(`fieldset.entry[id^="${group}."]`).count()) < n) {
      await press(page, add);
    }
  }
}

/** Start page to confirmation; returns the steps seen and the reference number. */
async function walk(page, f) {
  await page.goto(`${BASE}/f/${f.id}`, { waitUntil: 'load' });
  await press(page, '.button-start');
  const steps = [];
  for (let i = 0; i < 40 && !page.url().endsWith('/summary'); i++) {
    const url = page.url();
    const step = url.split('/').pop();
    steps.push(step);
    await addEntries(page, f.entries);
    // A post that reveals new questions shows the step again with them: answer, post again.
    for (let tries = 0; tries < 4 && page.url() === url; tries++) {
      await fill(page, f.answers);
      await press(page, 'button[name="_action"][value="continue"]');
    }
    assert.notEqual(page.url(), url, `step ${step} of ${f.id} not accepted: ${await errorSummary(page)}`);
  }
  assert.ok(page.url().endsWith('/summary'), `${f.id}: no summary after 40 pages`);
  await press(page, 'form[action$="/submit"] button[type="submit"]');
  assert.ok(page.url().endsWith(`/f/${f.id}/confirmation`), `${f.id}: not confirmed, at ${page.url()}`);
  return { steps, reference: (await page.locator('.reference').innerText()).trim() };
}

test('the bundled forms are the five expected', () => {
  assert.deepEqual(FORMS, ['bewohnerparkausweis', 'gewerbeanmeldung', 'hundesteuer', 'kita-anmeldung', 'sondernutzung']);
});

for (const name of FORMS) {
  test(`${name} walks to the confirmation without JavaScript`, async () => {
    const f = load(name);
    assert.equal(f.today, TODAY, `${name}.test.yaml is written for ${f.today}, the server runs with --today ${TODAY}`);
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'de-DE' });
    try {
      const page = await context.newPage();
      const { steps, reference } = await walk(page, f);
      // HST-{year}-{seq:6} → ^HST-2026-\d{6}$ (the year of the fixed today).
      const pattern = f.reference
        .replace('{year}', TODAY.slice(0, 4))
        .replace(/\{seq:(\d+)\}/, (_, n) => `\\d{${n}}`)
        .replace('{seq}', '\\d+');
      assert.match(reference, new RegExp(`^${pattern}$`));
      assert.match(await page.locator('h1').innerText(), /Antrag eingegangen/);
      console.log(`  ${f.id}: ${steps.length} steps (${steps.join(', ')}), "${f.scenario}" → ${reference}`);
    } finally {
      await context.close();
    }
  });
}
