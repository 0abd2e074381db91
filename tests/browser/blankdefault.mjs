// Blank versus default, with and without JavaScript (issue #18): `ort` in the
// Bewohnerparkausweis form (form-definitions/bewohnerparkausweis.yaml) is required and has
// the default "Tübingen". A citizen who empties it has answered blank: the default does not
// come back, and the field's `required` error shows. Without JavaScript the server says so
// after the post; with JavaScript the browser module says so when the field is left, before
// any post, because the script sends what was typed and the engine reads it by the rule the
// server reads the post with. The same message both ways. (The script used to send `null`
// for a blank field: the default came back and no error showed until the post.)
//
// Run by `scripts/browser-test`, which starts the server and sets:
//   WEGWEISER_URL   the server (http://127.0.0.1:PORT), required
//   CHROMIUM        the browser (default /usr/bin/chromium)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, press } from './page-helpers.mjs';

const BASE = process.env.WEGWEISER_URL;
if (!BASE) throw new Error('WEGWEISER_URL is not set (run scripts/browser-test)');
const FORM = 'bewohnerparkausweis';

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => browser?.close());

const continueButton = 'button[name="_action"][value="continue"]';
const text = async (locator) => (await locator.textContent()).replace(/\s+/g, ' ').trim();

/** From the start page to the applicant's step, with every field but `ort` answered. */
async function toApplicant(page, javaScriptEnabled) {
  await page.goto(`${BASE}/f/${FORM}?lang=de`, { waitUntil: 'load' });
  await press(page, '.button-start');
  await page.locator('input[name="zone"][value="suedstadt"]').check();
  // The question about the main residence appears with the zone: at once with the module,
  // after a post without it.
  if (!javaScriptEnabled) await press(page, continueButton);
  await page.locator('input[name="hauptwohnsitz_in_zone"][value="true"]').check();
  await press(page, continueButton);
  assert.ok(page.url().endsWith(`/f/${FORM}/s/antragsteller`), `at the applicant's step, not ${page.url()}`);
  for (const [name, value] of [['vorname', 'Erika'], ['nachname', 'Mustermann'], ['geburtsdatum', '20.05.1990'],
    ['strasse', 'Hechinger Straße 12'], ['plz', '72072'], ['email', 'erika@example.de']]) {
    await page.locator(`[name="${name}"]`).fill(value);
  }
}

/** Empties `ort` on the applicant's step and returns the error shown for it. */
async function blankOrt(javaScriptEnabled) {
  const context = await browser.newContext({ javaScriptEnabled, locale: 'de-DE' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await toApplicant(page, javaScriptEnabled);
    if (javaScriptEnabled) await page.waitForFunction(() => document.documentElement.dataset.wegweiser === 'ready', null, { timeout: 10000 });
    const ort = page.locator('[name="ort"]');
    assert.equal(await ort.inputValue(), 'Tübingen', 'the default stands in as the answer');
    await ort.fill('');
    const error = page.locator('[id="ort-error"]');
    if (javaScriptEnabled) {
      // Leaving the field shows its error, without a page load.
      let navigations = 0;
      page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations++; });
      await ort.press('Tab');
      await error.waitFor({ state: 'visible', timeout: 5000 });
      assert.equal(navigations, 0, 'no page load');
      assert.equal(await ort.inputValue(), '', 'the default does not come back');
    } else {
      await press(page, continueButton);
      assert.ok(page.url().endsWith(`/f/${FORM}/s/antragsteller`), 'the step is shown again');
      assert.equal(await ort.inputValue(), '', 'the blank answer is kept, not replaced by the default');
    }
    assert.equal(await ort.getAttribute('aria-invalid'), 'true');
    const message = await text(error);
    const summary = await text(page.locator('.error-summary a[href="#ort"]'));
    assert.ok(message.endsWith(summary), `the summary names the same problem: ${summary}`);
    // No other field is in error: the blank is the only problem of the step.
    assert.equal(await page.locator('.error-message').count(), 1, 'only `ort` is in error');
    if (javaScriptEnabled) {
      // The server, reading the post, agrees.
      await press(page, continueButton);
      assert.ok(page.url().endsWith(`/f/${FORM}/s/antragsteller`), 'the server keeps the citizen on the step');
      assert.equal(await text(page.locator('[id="ort-error"]')), message, 'the server says what the browser said');
    }
    assert.deepEqual(errors, [], 'no script errors');
    return message;
  } finally {
    await context.close();
  }
}

test('blanking a required field with a default: the same required error with and without JavaScript', async () => {
  const withoutJs = await blankOrt(false);
  const withJs = await blankOrt(true);
  assert.match(withoutJs, /^Fehler: \S/);
  assert.equal(withJs, withoutJs);
  console.log(`ort emptied: "${withJs}" with and without JavaScript`);
});
