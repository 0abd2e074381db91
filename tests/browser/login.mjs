// Login in a real browser (Debian's Chromium, playwright-core): a citizen logs in at the
// test OpenID provider (tests/oidc/provider.mjs), sees the form filled from the account with
// the mark "aus Ihrem Konto" and a locked field read-only, and submits; a login below the
// form's trust level gets the page that says what is needed. axe-core checks the login
// pages (login needed, prefilled step, summary, trust too low): no violation. After the
// submission the citizen finds it in "Meine Anträge" (/konto) and reads a Postkorb message
// the authority posted through the admin API (with a PDF); axe checks both pages.
//
// Run by `scripts/browser-test`, which starts the provider and a server with
// `--forms runtime-server/tests/fixtures/login --oidc-issuer …`.
//   WEGWEISER_LOGIN_URL  that server (http://127.0.0.1:PORT), required
//   WEGWEISER_LOGIN_ADMIN_TOKEN  its admin token (the Postkorb message), required

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchChromium, press } from './page-helpers.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.WEGWEISER_LOGIN_URL;
if (!BASE) throw new Error('WEGWEISER_LOGIN_URL is not set (run scripts/browser-test)');
const ADMIN = process.env.WEGWEISER_LOGIN_ADMIN_TOKEN;
if (!ADMIN) throw new Error('WEGWEISER_LOGIN_ADMIN_TOKEN is not set (run scripts/browser-test)');
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
  const reference = (await page.locator('.reference').innerText()).trim();

  // "Meine Anträge": the header links to it; the submission is listed with its reference.
  await press(page, 'header a[href="/konto"]');
  assert.equal(new URL(page.url()).pathname, '/konto');
  const list = await page.locator('main').innerText();
  assert.match(list, /Meine Anträge/);
  assert.ok(list.includes(`Aktenzeichen ${reference}`), list);
  assert.match(list, /Nachrichten: 0/);
  await axeClean(page, 'Meine Anträge');

  // The authority posts a message with a PDF (multipart) through the admin API; its text
  // has markup, which must arrive as text.
  const form = new FormData();
  form.append('kind', 'message');
  form.append('text', 'Guten Tag,\n\nIhre Meldebescheinigung liegt bei. <b>Nicht fett</b>');
  form.append('pdf', new Blob([Buffer.from('%PDF-1.4\n% Bescheid\n%%EOF\n')], { type: 'application/pdf' }), 'bescheid.pdf');
  const posted = await fetch(`${BASE}/api/v1/submissions/${encodeURIComponent(reference)}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}` },
    body: form,
  });
  assert.equal(posted.status, 201, await posted.text());

  await page.reload();
  assert.match(await page.locator('main').innerText(), /Nachrichten: 1 \(1 ungelesen\)/);
  await press(page, `main a[href="/konto/antraege/${encodeURIComponent(reference)}"]`);
  const message = await page.locator('.postkorb').innerText();
  assert.match(message, /Nachricht vom .* \(neu\)/);
  assert.match(message, /Ihre Meldebescheinigung liegt bei\. <b>Nicht fett<\/b>/);
  assert.equal(await page.locator('.postkorb b').count(), 0, 'the markup is text');
  const attachment = page.locator('.postkorb a[download]');
  assert.match(await attachment.innerText(), /bescheid\.pdf/);
  const pdf = await page.request.get(new URL(await attachment.getAttribute('href'), page.url()).href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  await axeClean(page, 'a submission with its Postkorb message');
  // Another browser without the login sees nothing of it.
  const other = await browser.newContext();
  const anon = await other.request.get(new URL(await attachment.getAttribute('href'), page.url()).href, { maxRedirects: 0 });
  assert.equal(anon.status(), 404);
  await other.close();
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
