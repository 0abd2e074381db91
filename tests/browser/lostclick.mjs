// A click on a submit button always submits (issue #20, point 1). With JavaScript on, the
// error of a field appears when the field is left; pressing "Weiter" takes the focus from
// the field, and the error used to move the button away under the pointer between press
// and release, so the click was lost and nothing was sent. The server decides: the click
// must post, whatever errors appear on blur. Tested with a real mouse (1024×768 and
// 1024×2200) and with touch (390×844, touch emulation), on "Weiter" and "Speichern und
// später fortfahren", pressing near the button's top edge, where a shift of one error
// line takes the button away from the pointer.
//
// Run by `scripts/browser-test` (needs the browser module, which the binary carries):
//   WEGWEISER_URL   the server (http://127.0.0.1:PORT), required
//   CHROMIUM        the browser (default /usr/bin/chromium)

import { test, before, after } from 'node:test';
import { formPath, launchChromium } from './page-helpers.mjs';
import assert from 'node:assert/strict';

const BASE = process.env.WEGWEISER_URL;
if (!BASE) throw new Error('WEGWEISER_URL is not set (run scripts/browser-test)');
const FORM = 'hundesteuer-anmeldung';

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => browser?.close());

async function pressNav(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(selector).first().click()]);
}

/** The keeper's step with the guidance ready: every answer given but the phone number,
 * which is being typed wrong (the cursor still in it); leaving it shows its error, right
 * above the buttons. The page is scrolled so that the field and the buttons are in view,
 * as a citizen has it when they finish the last field and go for "Weiter". */
async function keeperStepWithCursorInPhone(context) {
  const page = await context.newPage();
  await page.goto(`${BASE}${formPath(FORM)}?lang=de`, { waitUntil: 'load' });
  await pressNav(page, '.button-start');
  await page.locator('input[name="wohnsitz_bitburg"][value="true"]').check();
  await pressNav(page, 'button[name="_action"][value="continue"]');
  await page.waitForFunction(() => document.documentElement.dataset.wegweiser === 'ready', null, { timeout: 20000 });
  for (const [name, value] of [['vorname', 'Erika'], ['nachname', 'Mustermann'], ['geburtsdatum', '02.04.1980'],
    ['strasse', 'Hauptstraße 1'], ['plz', '54634'], ['ort', 'Bitburg'], ['email', 'erika@example.de']]) {
    await page.locator(`[name="${name}"]`).fill(value);
  }
  await page.locator('[name="telefon"]').fill('abc');
  await page.locator('button[name="_action"][value="save"]').scrollIntoViewIfNeeded();
  await page.locator('[name="telefon"]').scrollIntoViewIfNeeded();
  await page.locator('[name="telefon"]').focus();
  return page;
}

/** Presses the button with the mouse or a finger near its top edge; true if the form was
 * posted. Also returns how far the button moved while it was pressed. */
async function pressAndSeeWhetherPosted(page, selector, how) {
  const button = page.locator(selector).first();
  const box = await button.boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + 3;
  const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/s/halter'), { timeout: 4000 })
    .then(() => true, () => false);
  if (how === 'touch') {
    await page.touchscreen.tap(x, y);
  } else {
    await page.mouse.move(x, y);
    await page.mouse.down();
    // The moment between press and release, as a person's click has.
    await page.waitForTimeout(80);
    await page.mouse.up();
  }
  return posted;
}

const cases = [
  { name: 'mouse 1024×768', viewport: { width: 1024, height: 768 }, how: 'mouse' },
  { name: 'mouse 1024×2200', viewport: { width: 1024, height: 2200 }, how: 'mouse' },
  { name: 'touch 390×844', viewport: { width: 390, height: 844 }, how: 'touch', hasTouch: true, isMobile: true },
];
const buttons = [
  ['Weiter', 'button[name="_action"][value="continue"]'],
  ['Speichern und später fortfahren', 'button[name="_action"][value="save"]'],
];

for (const c of cases) {
  for (const [label, selector] of buttons) {
    test(`${c.name}: "${label}" posts though leaving the field shows an error`, async () => {
      const context = await browser.newContext({ viewport: c.viewport, hasTouch: !!c.hasTouch, isMobile: !!c.isMobile, locale: 'de-DE' });
      try {
        const page = await keeperStepWithCursorInPhone(context);
        const posted = await pressAndSeeWhetherPosted(page, selector, c.how);
        assert.ok(posted, `the ${c.how} press on "${label}" sent nothing`);
        await page.waitForLoadState('load');
        if (label === 'Weiter') {
          // The server's answer: the step again with its error summary naming the field.
          const summary = await page.locator('.error-summary').innerText();
          assert.match(summary, /Telefon/);
        } else {
          // Saving does not need valid answers: the resume link page.
          await page.locator('.resume-link').waitFor({ timeout: 4000 });
        }
      } finally {
        await context.close();
      }
    });
  }
}

test('without a press on a button, leaving the field still shows its error', async () => {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'de-DE' });
  try {
    const page = await keeperStepWithCursorInPhone(context);
    // A press on the page's text (not a submit button) moves the focus away as usual.
    await page.locator('h1').click();
    await page.locator('[id="telefon-error"]').waitFor({ timeout: 2000 });
    assert.match(await page.locator('[id="telefon-error"]').innerText(), /Telefon/);
  } finally {
    await context.close();
  }
});

// Issue #20, point 6: a consent with a long label keeps its box beside the text at every
// width (the box used to stand alone on a line above the text). The markup is the
// server's (field.html, kind "checkbox"), laid out by the real stylesheet.
test('a consent box stays beside its long label at 320, 390, 768 and 1024 px', async () => {
  const context = await browser.newContext({ locale: 'de-DE' });
  try {
    const page = await context.newPage();
    await page.goto(`${BASE}${formPath(FORM)}?lang=de`, { waitUntil: 'load' });
    await page.evaluate(() => {
      const group = document.createElement('div');
      group.className = 'form-group';
      group.innerHTML = '<div class="choice"><input type="checkbox" id="probe-consent" value="true">'
        + '<label for="probe-consent">Ich bestätige, dass alle Angaben vollständig und richtig sind und dass ich die '
        + 'Hinweise zum Datenschutz und zur Verarbeitung meiner Daten durch die Stadtverwaltung gelesen habe.</label></div>';
      document.querySelector('main').append(group);
    });
    for (const width of [320, 390, 768, 1024]) {
      await page.setViewportSize({ width, height: 800 });
      const box = await page.locator('#probe-consent').boundingBox();
      const label = await page.locator('label[for="probe-consent"]').boundingBox();
      assert.ok(label.x >= box.x + box.width, `${width}px: the label starts right of the box (${JSON.stringify({ box, label })})`);
      assert.ok(label.y < box.y + box.height, `${width}px: the label's first line is beside the box, not below it`);
    }
  } finally {
    await context.close();
  }
});
