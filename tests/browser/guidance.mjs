// Guidance in the browser (issue #5), end to end in Debian's Chromium: on the dogs step of
// the Hundesteuer form (form-definitions/hundesteuer.yaml) the WebAssembly module reveals a
// conditional field, updates a computed value, shows an error when the citizen leaves a
// field and clears it when it is fixed, all without a page load; the same page with
// JavaScript off still works by posting. Then "guidance ready" (page load → the script's
// `wegweiser:ready` event, detail.ms) on the generated 1,000-field form, printed.
//
// Run by `scripts/browser-test`, which builds the server (with the module inside it,
// runtime-server/build.rs), starts it and sets:
//   WEGWEISER_URL   the server (http://127.0.0.1:PORT), required
//   BIGFORM_JSON    the compiled 1,000-field form as JSON (parity-gen writes it; the page's
//                   layout is made from it), required
//   BIGFORM_BIN     the same form in its binary encoding (what the module fetches), required
//   CHROMIUM        the browser (default /usr/bin/chromium)

import { test, before, after } from 'node:test';
import { formPath, launchChromium } from './page-helpers.mjs';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const BASE = process.env.WEGWEISER_URL;
if (!BASE) throw new Error('WEGWEISER_URL is not set (run scripts/browser-test)');
const FORM = 'hundesteuer-anmeldung';
const CHIP_MESSAGE = 'Eine Chipnummer besteht aus genau 15 Ziffern.';

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => browser?.close());

/** A fresh context (own cookies). The server's CSP stays on: the module must run under it. */
async function newPage({ javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({ javaScriptEnabled, locale: 'de-DE' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // (The browser's own request for /favicon.ico is not the page's.)
  page.on('console', (m) => { if (m.type() === 'error' && !m.location().url?.endsWith('/favicon.ico')) errors.push(`${m.text()} ${m.location().url}`); });
  return { context, page, errors };
}

const byId = (id) => `[id="${id}"]`;

async function press(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(selector).first().click()]);
}

/** From the start page to the dogs step: lives in Bitburg, the keeper's details. */
async function toDogsStep(page) {
  await page.goto(`${BASE}${formPath(FORM)}?lang=de`, { waitUntil: 'load' });
  await press(page, '.button-start');
  await page.locator('input[name="wohnsitz_bitburg"][value="true"]').check();
  await press(page, 'button[name="_action"][value="continue"]');
  for (const [name, value] of [['vorname', 'Erika'], ['nachname', 'Mustermann'], ['geburtsdatum', '02.04.1980'],
    ['strasse', 'Hauptstraße 1'], ['plz', '54634'], ['ort', 'Bitburg'], ['email', 'erika@example.de']]) {
    await page.locator(`[name="${name}"]`).fill(value);
  }
  await press(page, 'button[name="_action"][value="continue"]');
  assert.ok(page.url().endsWith(`${formPath(FORM)}/s/hunde`), `at the dogs step, not ${page.url()}`);
}

test('guidance: a field appears, a value updates, an error shows and clears, without a page load', async () => {
  const { context, page, errors } = await newPage();
  try {
    await toDogsStep(page);
    await page.waitForFunction(() => document.documentElement.dataset.wegweiser === 'ready', null, { timeout: 10000 });

    // Every page load of the main frame would count here, and would lose the marker.
    let navigations = 0;
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations++; });
    await page.evaluate(() => { window.wegweiserMarker = 'still here'; });

    // The conditional field is on the page, hidden; choosing "other breed" reveals it.
    const other = page.locator('[data-field="hund.0.rasse_sonstige"]');
    assert.equal(await other.count(), 1, 'the inactive field is rendered');
    assert.equal(await other.isHidden(), true, 'and hidden');
    const breed = page.locator('[name="hund.0.rasse"]');
    await breed.focus();
    await breed.selectOption('sonstige');
    await other.waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'hund.0.rasse', 'focus stays where the citizen is');

    // A computed value follows: the dog counts as dangerous once the office said so, and
    // the exemption question disappears (it is only for dogs that are not dangerous).
    const dangerous = page.locator(byId('hund.0.gefaehrlich'));
    const before = (await dangerous.textContent()).trim();
    await page.locator('input[name="hund.0.einzelfall_gefaehrlich"][value="true"]').check();
    await page.waitForFunction((b) => document.getElementById('hund.0.gefaehrlich').textContent.trim() !== b, before, { timeout: 5000 });
    assert.equal((await dangerous.textContent()).trim(), 'Ja');
    await page.locator('[data-field="hund.0.befreiung_beantragt"]').waitFor({ state: 'hidden', timeout: 5000 });

    // An invalid chip number: no error while typing, an error in the server's markup when
    // the field is left.
    const chip = page.locator('[name="hund.0.chipnummer"]');
    await chip.fill('12345');
    assert.equal(await page.locator(byId('hund.0.chipnummer-error')).count(), 0, 'no error while the citizen types');
    await chip.press('Tab');
    const error = page.locator(byId('hund.0.chipnummer-error'));
    await error.waitFor({ state: 'visible', timeout: 5000 });
    assert.equal((await error.textContent()).replace(/\s+/g, ' ').trim(), `Fehler: ${CHIP_MESSAGE}`);
    assert.equal(await chip.getAttribute('aria-invalid'), 'true');
    assert.ok((await chip.getAttribute('aria-describedby')).split(' ').includes('hund.0.chipnummer-error'));
    assert.ok(await page.locator('[data-field="hund.0.chipnummer"]').evaluate((w) => w.classList.contains('form-group-error')));
    const summaryLink = page.locator('.error-summary a[href="#hund.0.chipnummer"]');
    assert.equal((await summaryLink.textContent()).trim(), CHIP_MESSAGE);
    const live = page.locator('#wegweiser-live');
    assert.equal(await live.getAttribute('aria-live'), 'polite');
    await page.waitForFunction((m) => document.getElementById('wegweiser-live').textContent.includes(m), CHIP_MESSAGE, { timeout: 5000 });

    // Fixed: the error goes at once, from the field, the attributes and the summary.
    await chip.fill('276098100000001');
    await error.waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await chip.getAttribute('aria-invalid'), null);
    assert.equal(await chip.getAttribute('aria-describedby'), 'hund.0.chipnummer-hint');
    assert.equal(await summaryLink.count(), 0);

    assert.equal(navigations, 0, 'no page load in between');
    assert.equal(await page.evaluate(() => window.wegweiserMarker), 'still here');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('the same page without JavaScript works by posting', async () => {
  const { context, page } = await newPage({ javaScriptEnabled: false });
  try {
    await toDogsStep(page);
    // (Playwright's own evaluation still works; the page's scripts did not run.)
    assert.equal(await page.evaluate(() => document.documentElement.dataset.wegweiser ?? 'no guidance'), 'no guidance');
    const other = page.locator('[data-field="hund.0.rasse_sonstige"]');
    assert.equal(await other.isHidden(), true);
    await page.locator('[name="hund.0.hund_name"]').fill('Bello');
    await page.locator('[name="hund.0.rasse"]').selectOption('sonstige');
    await page.locator('input[name="hund.0.einzelfall_gefaehrlich"][value="false"]').check();
    await page.locator('[name="hund.0.chipnummer"]').fill('12345');
    await press(page, 'button[name="_action"][value="continue"]');
    // The step again: the revealed field shown (without an error yet), the chip error in
    // the same markup the script writes.
    assert.ok(page.url().endsWith(`${formPath(FORM)}/s/hunde`));
    assert.equal(await other.isVisible(), true, 'the post revealed the field');
    assert.equal(await page.locator(byId('hund.0.rasse_sonstige-error')).count(), 0, 'no error for a field not seen yet');
    const error = page.locator(byId('hund.0.chipnummer-error'));
    assert.equal((await error.textContent()).replace(/\s+/g, ' ').trim(), `Fehler: ${CHIP_MESSAGE}`);
    assert.equal(await page.locator('[name="hund.0.chipnummer"]').getAttribute('aria-invalid'), 'true');
    assert.equal((await page.locator('.error-summary a[href="#hund.0.chipnummer"]').textContent()).trim(), CHIP_MESSAGE);
  } finally {
    await context.close();
  }
});

test('guidance ready on a 1,000-field form (page load → wegweiser:ready)', async () => {
  const json = process.env.BIGFORM_JSON;
  const bin = process.env.BIGFORM_BIN;
  assert.ok(json && bin, 'BIGFORM_JSON or BIGFORM_BIN is not set (run scripts/browser-test)');
  const form = readFileSync(json, 'utf8');
  const bytes = readFileSync(bin);
  const compiled = JSON.parse(form);
  // The first step's page as the server renders it (wrappers, inputs, outputs, the form's
  // address and the preloads of the form and the module), at the server's origin so that the real /assets/wegweiser.js and
  // module load under the same rules; the form's bytes come from a route of the test.
  const first = compiled.steps[0];
  const fields = first.fields.map((id) => {
    const f = compiled.fields[id];
    return f.ty === 'computed'
      ? `<div class="form-group computed" data-field="${f.id}"><p><span class="label">${f.id}</span> <output id="${f.id}"></output></p></div>`
      : `<div class="form-group" data-field="${f.id}"><label for="${f.id}" class="label"><span data-text="${f.id}#label">${f.id}</span></label><input class="input" type="text" id="${f.id}" name="${f.id}" value=""></div>`;
  }).join('\n');
  const html = `<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>1,000 fields</title>
<link rel="preload" href="/big-form.bin" as="fetch" crossorigin>
<link rel="modulepreload" href="/assets/wegweiser.js"><link rel="modulepreload" href="/assets/wegweiser_wasm.js">
<link rel="preload" href="/assets/wegweiser_wasm_bg.wasm" as="fetch" crossorigin></head><body><main>
<form method="post" action="/nowhere" novalidate data-wegweiser-step="${first.id}" data-today="2026-11-22" data-wegweiser-form="/big-form.bin">${fields}</form>
<script type="application/json" id="wegweiser-snapshot"></script>
<script type="module" src="/assets/wegweiser.js"></script></main></body></html>`;
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const { context, page, errors } = await newPage();
    try {
      await page.route(`${BASE}/big-form`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
      await page.route(`${BASE}/big-form.bin`, (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body: bytes }));
      // Registered before any script of the page runs.
      // (performance.now() counts from the navigation's start.)
      await page.addInitScript(() => {
        document.addEventListener('wegweiser:ready', (e) => { window.wegweiserReady = { ms: e.detail.ms, at: performance.now() }; });
      });
      await page.goto(`${BASE}/big-form`, { waitUntil: 'load' });
      await page.waitForFunction(() => window.wegweiserReady !== undefined, null, { timeout: 20000 });
      runs.push(await page.evaluate(() => window.wegweiserReady));
      assert.deepEqual(errors, []);
      assert.equal(await page.locator('[data-field]').count(), first.fields.length);
    } finally {
      await context.close();
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[2];
  const list = (xs) => xs.map((x) => x.toFixed(0)).join(', ');
  console.log(`guidance ready, 1,000-field form (${(bytes.length / 1024).toFixed(0)} KiB binary, ${(form.length / 1024).toFixed(0)} KiB as JSON; a step of ${first.fields.length} fields) in Chromium, 5 page loads: `
    + `navigation start → ready median ${median(runs.map((r) => r.at)).toFixed(1)} ms (${list(runs.map((r) => r.at))}); `
    + `script start → ready (detail.ms: load module and fetch form in parallel, decode form, first evaluation) median ${median(runs.map((r) => r.ms)).toFixed(1)} ms (${list(runs.map((r) => r.ms))})`);
});
