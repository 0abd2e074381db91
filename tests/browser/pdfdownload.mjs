// The bundled form with FIM ids (bewohnerparkausweis.yaml) walked in Chromium without
// JavaScript, every step answered as a citizen would (the keeper's page and the BonusCard
// upload included), submitted, and the PDF link of the confirmation page followed: the
// answer is `application/pdf`, and its text (`pdftotext`, poppler-utils) holds every answer
// typed, as the summary shows it: option labels, German dates and numbers, Ja/Nein, file
// names.
//
// The server delivers the form by FIT-Connect to the stand-in Zustelldienst and by e-mail to
// the test SMTP server (runtime-server/examples/delivery-targets.rs): the stand-in must get one
// submission (decrypted, its metadata and FIM-keyed Fachdaten validated by it) whose `form`
// attachment is the very PDF downloaded, with the uploads as attachments and the citizen's
// address as the reply channel, and the SMTP server an e-mail with the same PDF.
//
// The answers are written for the day the scenarios are (`today:` in the *.test.yaml); the
// server runs with the hidden, testing-only `serve --today` set to it. Run by
// `scripts/browser-test`, which starts that server and the delivery targets.
//   WEGWEISER_WALK_URL    the server started with --today (http://127.0.0.1:PORT), required
//   WEGWEISER_TODAY       the day it was given (YYYY-MM-DD), required
//   WEGWEISER_DELIVERIES  the folder delivery-targets writes what it receives to, required
//   CHROMIUM              the browser (default /usr/bin/chromium)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { errorSummary, fill, launchChromium, press } from './page-helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BASE = process.env.WEGWEISER_WALK_URL;
const TODAY = process.env.WEGWEISER_TODAY;
const DELIVERIES = process.env.WEGWEISER_DELIVERIES;
if (!BASE || !TODAY || !DELIVERIES) {
  throw new Error('WEGWEISER_WALK_URL, WEGWEISER_TODAY and WEGWEISER_DELIVERIES are not set (run scripts/browser-test)');
}
const FORM_FILE = join(here, '..', '..', 'form-definitions', 'bewohnerparkausweis.yaml');

// A keeper other than the applicant, two years, with the BonusCard: every question page.
// Valid on 2026-11-22 (the scenarios' day): the permit starts within three months.
const ANSWERS = new Map(Object.entries({
  zone: 'weststadt',
  hauptwohnsitz_in_zone: true,
  vorname: 'Johanna',
  nachname: 'Fröhlich-Übermuth',
  geburtsdatum: '1985-03-07',
  strasse: 'Rappstraße 14',
  plz: '72070',
  email: 'johanna.froehlich@example.de',
  telefon: '07071 123456',
  kennzeichen: 'TÜ-JF 2024',
  antrieb: 'elektro',
  leergewicht: 2150,
  halter: 'andere_person',
  fahrzeugschein: { name: 'zulassung-teil1.pdf', size: 120000, type: 'application/pdf' },
  halter_name: 'Karl Fröhlich',
  halter_strasse: 'Gartenstraße 3',
  halter_plz: '72074',
  halter_ort: 'Tübingen',
  halter_verhaeltnis: 'eltern',
  nutzungserklaerung: { name: 'erklaerung-halter.png', size: 30000, type: 'image/png' },
  beginn: '2027-01-15',
  laufzeit: '2',
  bonuscard: true,
  bonuscard_nachweis: { name: 'bonuscard.jpg', size: 50000, type: 'image/jpeg' },
  kein_stellplatzanspruch: true,
  richtigkeit: true,
}));

let browser;
let tmp;

before(async () => {
  browser = await launchChromium();
  tmp = mkdtempSync(join(tmpdir(), 'wegweiser-pdf-'));
});

after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** How the summary (and so the PDF) shows an answer, in German. */
function shown(form, id, v) {
  const field = findField(form, id);
  if (field?.options) {
    const options = typeof field.options === 'string' ? form.lists[field.options] : field.options;
    const o = options.find((o) => String(o.value) === String(v));
    assert.ok(o, `${id}: ${v} is an option`);
    return typeof o.label === 'string' ? o.label : o.label.de;
  }
  if (typeof v === 'boolean') return v ? 'Ja' : 'Nein';
  if (typeof v === 'number') return new Intl.NumberFormat('de-DE').format(v);
  if (v && typeof v === 'object') return v.name;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : v;
}

function findField(form, id) {
  for (const step of form.steps) {
    for (const f of step.fields ?? []) if (f.id === id) return f;
  }
  return undefined;
}

/** The JSON files of a folder of delivery-targets, parsed, oldest first. */
function received(folder) {
  const dir = join(DELIVERIES, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

/** Waits (at most 30 s) until `find` finds something in what a target received. */
async function waitFor(folder, what, find) {
  for (let i = 0; i < 300; i++) {
    const hit = find(received(folder));
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} never arrived; ${folder} holds ${JSON.stringify(received(folder)).slice(0, 2000)}`);
}

const header = (msg, name) => msg.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Whitespace left out: the PDF breaks long lines where it must. */
const squeeze = (s) => s.replace(/\s+/g, '');

test('bewohnerparkausweis: walked without JavaScript, its PDF holds every answer', async () => {
  const form = parseYaml(readFileSync(FORM_FILE, 'utf8'));
  assert.ok(form.fim, 'the form names its FIM Stammdatenschema');
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'de-DE', acceptDownloads: true });
  try {
    const page = await context.newPage();
    await page.goto(`${BASE}/f/${form.id}`, { waitUntil: 'load' });
    await press(page, '.button-start');
    const steps = [];
    for (let i = 0; i < 20 && !page.url().endsWith('/summary'); i++) {
      const url = page.url();
      steps.push(url.split('/').pop());
      // A post that reveals new questions shows the step again with them: answer, post again.
      for (let tries = 0; tries < 4 && page.url() === url; tries++) {
        await fill(page, ANSWERS);
        await press(page, 'button[name="_action"][value="continue"]');
      }
      assert.notEqual(page.url(), url, `step ${steps.at(-1)} not accepted: ${await errorSummary(page)}`);
    }
    assert.deepEqual(steps, ['wohnung', 'antragsteller', 'fahrzeug', 'halter-daten', 'gueltigkeit', 'abschluss']);
    await press(page, 'form[action$="/submit"] button[type="submit"]');
    assert.ok(page.url().endsWith(`/f/${form.id}/confirmation`), `not confirmed, at ${page.url()}`);
    const reference = (await page.locator('.reference').innerText()).trim();

    // The link as the citizen follows it (a download), and its answer's headers.
    const link = page.locator('a[download][href$="antrag.pdf"]');
    assert.equal(await link.count(), 1, 'one PDF link on the confirmation page');
    const href = new URL(await link.getAttribute('href'), page.url()).toString();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = join(tmp, 'antrag.pdf');
    await download.saveAs(file);
    const res = await context.request.get(href);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'], /^application\/pdf\b/);
    const bytes = readFileSync(file);
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(Buffer.from(await res.body()).equals(bytes), 'the download is the document the link serves');

    writeFileSync(join(tmp, 'check.pdf'), bytes);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', join(tmp, 'check.pdf'), '-'], { encoding: 'utf8' });
    const squeezed = squeeze(text);
    const missing = [];
    for (const [id, v] of ANSWERS) {
      const want = shown(form, id, v);
      if (!squeezed.includes(squeeze(want))) missing.push(`${id}: ${want}`);
    }
    assert.ok(squeezed.includes(squeeze(reference)), `the reference ${reference} is in the PDF`);
    assert.deepEqual(missing, [], `answers missing from the PDF text:\n${text}`);
    console.log(`  ${form.id}: ${steps.length} steps → ${reference}, PDF ${bytes.length} bytes, ${ANSWERS.size} answers found`);

    // FIT-Connect: the stand-in accepted it only after decrypting it and validating the
    // metadata (official schema) and the Fachdaten (the form's FIM schema).
    const sub = await waitFor('fitconnect', `the FIT-Connect submission of ${reference}`, (list) =>
      list.find((s) => s.metadata.additionalReferenceInfo.senderReference === reference));
    const [pdfPart, ...uploads] = sub.attachments;
    assert.equal(pdfPart.purpose, 'form');
    assert.equal(pdfPart.mime_type, 'application/pdf');
    assert.ok(Buffer.from(pdfPart.base64, 'base64').equals(bytes), 'the form attachment is the PDF the citizen downloaded');
    const files = [...ANSWERS.values()].filter((v) => v && typeof v === 'object').map((v) => [v.name, v.type]);
    assert.deepEqual(
      uploads.map((u) => [u.filename, u.mime_type]).sort(),
      files.sort(),
      'every upload is an attachment, with its name and type');
    assert.ok(uploads.every((u) => u.purpose === 'attachment'));
    assert.equal(sub.metadata.replyChannel?.eMail?.address, ANSWERS.get('email'));
    assert.equal(sub.metadata.publicServiceType.name, 'Bewohnerparkausweis beantragen');
    const data = JSON.stringify(sub.data);
    for (const v of ['Johanna', 'Fröhlich-Übermuth', 'Rappstraße 14', 'TÜ-JF 2024']) {
      assert.ok(data.includes(v), `the Fachdaten hold ${v}: ${data}`);
    }
    assert.equal(received('fitconnect').filter((s) => s.metadata.additionalReferenceInfo.senderReference === reference).length, 1);

    // E-mail: the authority's message carries the same PDF.
    const mail = await waitFor('mail', `the e-mail of ${reference}`, (list) =>
      list.find((m) => header(m, 'X-Wegweiser-Reference') === reference));
    const pdfMail = mail.parts.find((p) => p.content_type === 'application/pdf');
    assert.ok(pdfMail, 'the e-mail has the PDF attached');
    assert.equal(pdfMail.sha256, sha256(bytes), 'the e-mail carries the PDF the citizen downloaded');
    console.log(`  delivered: FIT-Connect submission ${sub.submission_id} (${sub.attachments.length} attachments), e-mail to ${mail.rcpt_tos.join(', ')}`);
  } finally {
    await context.close();
  }
});
