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
import { parse as parseYaml } from 'yaml';
import { addEntries, errorSummary, fill, formPath, launchChromium, press, referencePrefix } from './page-helpers.mjs';

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
  browser = await launchChromium();
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
/** Start page to confirmation; returns the steps seen and the reference number. */
async function walk(page, f) {
  await page.goto(`${BASE}${formPath(f.id)}`, { waitUntil: 'load' });
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
  assert.ok(page.url().endsWith(`${formPath(f.id)}/confirmation`), `${f.id}: not confirmed, at ${page.url()}`);
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
      // HST-{year}-{seq:6} → ^HST-2026-\d{6}$ (the year of the fixed today); under an
      // authority with its id in front (BITBURG-HST-2026-000001).
      const pattern = f.reference
        .replace('{year}', TODAY.slice(0, 4))
        .replace(/\{seq:(\d+)\}/, (_, n) => `\\d{${n}}`)
        .replace('{seq}', '\\d+');
      assert.match(reference, new RegExp(`^${referencePrefix(f.id)}${pattern}$`));
      assert.match(await page.locator('h1').innerText(), /Antrag eingegangen/);
      console.log(`  ${f.id}: ${steps.length} steps (${steps.join(', ')}), "${f.scenario}" → ${reference}`);
    } finally {
      await context.close();
    }
  });
}
