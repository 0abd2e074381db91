import { chromium } from 'playwright-core';

// The no-JavaScript walk through a step page, shared by a11y.mjs and walk.mjs: answering
// the questions a page shows with a scenario's answers, adding repeated-group entries with
// the add button, pressing buttons that post.

/**
 * Debian's Chromium, headless, as every browser test starts it: playwright-core downloads no
 * browser; the flags keep it off this machine's closed network (background connections are
 * refused, many at a time, without them). A non-persistent browser gets a fresh, empty user
 * data dir of its own.
 */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

export function typed(v) {
  if (typeof v === 'number') return String(v).replace('.', ',');
  const s = String(v);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : s;
}

/** A file whose content sniffs as its type. */
export function fileContent(type, size) {
  const head = type === 'image/png' ? Buffer.from('\x89PNG\r\n\x1a\n', 'latin1')
    : type === 'image/jpeg' ? Buffer.from([0xff, 0xd8, 0xff, 0xe0])
    : Buffer.from('%PDF-1.4\n');
  const buf = Buffer.alloc(Math.max(size, 16), ' ');
  head.copy(buf);
  return buf;
}

export async function press(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(selector).first().click()]);
}

export async function errorSummary(page) {
  const s = page.locator('.error-summary');
  return (await s.count()) ? (await s.innerText()).replace(/\s+/g, ' ') : '';
}

/** Answers every question of the scenario that the current page shows. */
export async function fill(page, answers) {
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
export async function addEntries(page, entries) {
  for (const [group, n] of entries) {
    const add = `button[name="_action"][value="add:${group}"]`;
    if (!(await page.locator(add).count())) continue;
    while ((await page.locator(`fieldset.entry[id^="${group}."]`).count()) < n) {
      await press(page, add);
    }
  }
}

/**
 * Where a bundled form is served. The Hundesteuer is offered by the bundled authorities
 * (form-definitions/authorities/), so the server serves it only under them
 * (docs/authorities.md#serving): the tests use Bitburg, whose rates and postcode are the ones
 * the form's shared scenarios are written for. The other forms stay at /f/{id}.
 */
export const AUTHORITY_OF = { 'hundesteuer-anmeldung': 'bitburg' };

/** A form's address: `/f/{id}`, or `/{authority}/f/{id}`. */
export function formPath(id) {
  const a = AUTHORITY_OF[id];
  return a ? `/${a}/f/${id}` : `/f/${id}`;
}

/** What an authority puts in front of its reference numbers (`BITBURG-`), or ''. */
export function referencePrefix(id) {
  const a = AUTHORITY_OF[id];
  return a ? `${a.toUpperCase()}-` : '';
}
