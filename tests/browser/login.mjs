// Login in a real browser (Debian's Chromium, playwright-core): a citizen logs in at the
// test OpenID provider (tests/oidc/provider.mjs), sees the form filled from the account with
// the mark "aus Ihrem Konto" and a locked field read-only, and submits; a login below the
// form's trust level gets the page that says what is needed. axe-core checks the login
// pages (login needed, prefilled step, summary, trust too low): no violation.
//
// Run by `scripts/browser-test`, which starts the provider and a server with
// `--forms runtime-server/tests/fixtures/login --oidc-issuer …`.
//   WEGWEISER_LOGIN_URL  that server (http://127.0.0.1:PORT), required

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchChromium, press } from './page-helpers.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.WEGWEISER_LOGIN_URL;
if (!BASE) throw new Error('WEGWEISER_LOGIN_URL is not set (run scripts/browser-test)');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

async function newPage() {
  // `bypassCSP` lets axe run under `script-src 'self'`.
  const context = await browser.newContext({ bypassCSP: true, locale: 'de-DE' });
  return { context, page: await context.newPage() };
}

async function axeClean(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), TAGS);
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(found, [], `axe violations on ${name}`);
}

/** From a page with the login button to the provider's page, pressing the account's button. */
async function logIn(page, label) {
  await press(page, 'a[href^="/login"]');
  assert.match(await page.locator('h1').innerText(), /Test-Anmeldung/);
  await press(page, `button:has-text("${label}")`);
}

test('log in, see the prefilled form with its marks, submit', async () => {
  const { context, page } = await newPage();
  const res = await page.goto(`${BASE}/f/meldebescheinigung`);
  assert.equal(res.status(), 200);
  assert.match(await page.locator('main').innerText(), /müssen Sie sich anmelden/);
  await axeClean(page, 'the start page of a form that needs a login');

  await logIn(page, 'Anna Beispiel');
  assert.equal(new URL(page.url()).pathname, '/f/meldebescheinigung/s/person');
  assert.equal(await page.inputValue('#vorname'), 'Anna');
  assert.equal(await page.inputValue('#familienname'), 'Beispiel');
  assert.equal(await page.inputValue('#geburtsdatum'), '12.04.1985');
  assert.equal(await page.getAttribute('#familienname', 'readonly'), '');
  assert.equal(await page.getAttribute('#vorname', 'readonly'), null);
  assert.match(await page.locator('#familienname-account').innerText(), /Aus Ihrem Konto übernommen\. Diese Angabe können Sie hier nicht ändern/);
  // The mark is read with the field.
  assert.match(await page.getAttribute('#familienname', 'aria-describedby'), /familienname-account/);
  await axeClean(page, 'a step prefilled from the account');

  // Typing into the locked field changes nothing.
  await page.locator('#familienname').press('End');
  await page.keyboard.type('X');
  assert.equal(await page.inputValue('#familienname'), 'Beispiel');
  await press(page, 'button[name="_action"][value="continue"]');
  assert.equal(new URL(page.url()).pathname, '/f/meldebescheinigung/s/zweck');
  await page.fill('#zweck', 'Für den Arbeitgeber');
  await press(page, 'button[name="_action"][value="continue"]');
  assert.equal(new URL(page.url()).pathname, '/f/meldebescheinigung/summary');
  assert.match(await page.locator('main').innerText(), /Beispiel \(Aus Ihrem Konto übernommen\.\)/);
  await axeClean(page, 'the summary with answers from the account');
  await press(page, 'form[action$="/submit"] button[type="submit"]');
  assert.equal(new URL(page.url()).pathname, '/f/meldebescheinigung/confirmation');
  await context.close();
});

test('a login below the trust level gets a clear page', async () => {
  const { context, page } = await newPage();
  await page.goto(`${BASE}/f/waffenschein`);
  await logIn(page, 'Ben Muster');
  const res = await page.goto(`${BASE}/f/waffenschein/s/person`);
  assert.equal(res.status(), 403);
  const text = await page.locator('main').innerText();
  assert.match(text, /Eine sicherere Anmeldung ist nötig/);
  assert.match(text, /„hoch“ \(Online-Ausweis\)/);
  assert.match(text, /„substantiell“/);
  await axeClean(page, 'the trust-too-low page');
  // Logging out from there works, and the form's start page offers the login again.
  await press(page, 'form[action="/logout"] button');
  assert.match(await page.locator('h1').innerText(), /abgemeldet/);
  await axeClean(page, 'the logged-out page');
  await page.goto(`${BASE}/f/waffenschein`);
  assert.equal(await page.locator('a[href^="/login"]').count(), 1);
  await context.close();
});
