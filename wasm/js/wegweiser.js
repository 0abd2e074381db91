// Wegweiser: help at each field, without a round trip. Progressive enhancement of the
// server-rendered step page; the page works without it, and the server checks every post
// again with the same engine (it stays the authority).
//
// Loaded as <script type="module" src="/assets/wegweiser.js"> (CSP: script-src 'self'
// 'wasm-unsafe-eval'; no inline script; the fetch below is same-origin, default-src 'self').
// It fetches the compiled form in its binary encoding from the address the form element
// carries (an immutable asset named by its hash, which the page also preloads), in parallel
// with loading the module, and reads two JSON data blocks the server renders,
//   <script type="application/json" id="wegweiser-snapshot">   the session's answers
//   <script type="application/json" id="wegweiser-parameters"> the authority's parameter values
// and enhances <form data-wegweiser-step="STEP_ID" data-wegweiser-form="/assets/forms/HASH.bin"
// data-today="YYYY-MM-DD">: field wrappers
// carry data-field="PATH" (inactive ones rendered with `hidden`), texts with {{ }} carry
// data-text="PATH#label|hint|text" or "#title"/"#text", computed values are <output id=PATH>.
// What the page shows comes from the engine's view of the step (`Guide.step_view`, the view
// the server rendered the page from): while the citizen types, fields appear and disappear,
// options no longer offered hide, and values and texts follow; when
// they leave a field, its errors show or clear in the server's markup. Changes are announced
// politely in one live region; focus is never moved.

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const esc = (s) => CSS.escape(s);

export async function start(doc = document) {
  const form = $("form[data-wegweiser-step][data-wegweiser-form]", doc);
  if (!form) return null;
  const t0 = performance.now();
  // The form's bytes and the module, in parallel. The request matches the page's
  // <link rel="preload" as="fetch" crossorigin> (cors mode, same-origin credentials), so the
  // preloaded response is used.
  const formBytes = fetch(new URL(form.dataset.wegweiserForm, doc.baseURI)).then((r) => {
    if (!r.ok) throw new Error(`the compiled form: HTTP ${r.status}`);
    return r.arrayBuffer();
  });
  const wasm = await import(new URL("./wegweiser_wasm.js", import.meta.url));
  const [, buffer] = await Promise.all([wasm.default(), formBytes]);
  const lang = doc.documentElement.lang || "de";
  const today = form.dataset.today || new Date().toISOString().slice(0, 10);
  const snapshot = $("#wegweiser-snapshot", doc)?.textContent || "";
  // The authority's values of the form's parameters (rates …); empty: the form's defaults.
  const parameters = $("#wegweiser-parameters", doc)?.textContent || "";
  const guide = new wasm.Guide(new Uint8Array(buffer), snapshot, lang, today, parameters);
  const step = form.dataset.wegweiserStep;
  const en = lang === "en";
  const word = { error: form.dataset.tError || (en ? "Error" : "Fehler"), summary: form.dataset.tErrorSummary || (en ? "There is a problem" : "Es gibt ein Problem") };

  // What the page shows may be newer than the snapshot (the browser restores typed values):
  // the engine reads it as the server reads the post of this step.
  const values = {};
  for (const path of names(form)) values[path] = read(form, path);
  try {
    guide.answer_step(step, JSON.stringify({ values }));
  } catch { /* a step of another form version: the snapshot stands */ }
  guide.evaluate_all();
  let view = JSON.parse(guide.step_view(step));
  const live = liveRegion(doc);
  const touched = new Set();
  // Errors the server rendered count as shown: they clear as soon as they are fixed.
  const shown = new Map($$("[data-field]", form).filter((w) => $(`#${esc(w.dataset.field)}-error`, w)).map((w) => [w.dataset.field, true]));
  const stepRules = $$(".error-summary li", doc).map((li) => li.textContent.trim()).filter((m) => !shown.size || view.problems.some((p) => !p.field && p.message === m));
  apply(false);
  doc.documentElement.dataset.wegweiser = "ready";
  const ms = performance.now() - t0;
  doc.dispatchEvent(new CustomEvent("wegweiser:ready", { detail: { ms } }));

  // A click on a submit button must always submit: the server decides. Pressing a button
  // takes the focus from a field, and the error that appears when a field is left would
  // move the button away under the pointer between press and release, and the click would
  // be lost (issue #20). So while a submit button is pressed (mouse or touch), the errors
  // wait; the click submits, or, without a click, they show a moment later. For touch the
  // focus moves only after the finger is lifted (emulated mousedown), hence the grace time.
  let holding = false, deferred = false, submitting = false, releaseTimer;
  const isSubmit = (el) => !!el && el.form === form && (el.type === "submit" || el.type === "image");
  const release = (ms) => {
    clearTimeout(releaseTimer);
    releaseTimer = setTimeout(() => {
      holding = false;
      if (deferred && !submitting) {
        deferred = false;
        errors(true);
      }
    }, ms);
  };
  doc.addEventListener("pointerdown", (e) => {
    const b = e.target instanceof Element ? e.target.closest("button, input") : null;
    if (isSubmit(b)) {
      clearTimeout(releaseTimer);
      holding = true;
    }
  }, true);
  doc.addEventListener("pointerup", () => holding && release(800), true);
  doc.addEventListener("pointercancel", () => holding && release(0), true);
  form.addEventListener("click", (e) => {
    if (holding && isSubmit(e.target instanceof Element ? e.target.closest("button, input") : null)) release(800);
  }, true);
  form.addEventListener("submit", () => {
    submitting = true;
    // The server shows errors only for fields the citizen has seen; tell it which were
    // shown here (questions revealed without a round trip). It changes no answer.
    let shownInput = form.querySelector('input[name="_shown"]');
    if (!shownInput) {
      shownInput = doc.createElement("input");
      shownInput.type = "hidden";
      shownInput.name = "_shown";
      form.append(shownInput);
    }
    shownInput.value = $$("[data-field]", form).filter((w) => !w.hidden && !w.closest("[hidden]")).map((w) => w.dataset.field).join(" ");
  });
  // A submission that comes back from the bfcache (Back) may be pressed again.
  (doc.defaultView || globalThis).addEventListener("pageshow", () => { submitting = false; });
  const showErrors = (announce) => {
    if (holding) {
      deferred = true;
      return;
    }
    errors(announce);
  };

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("focusout", (e) => {
    const path = e.target.name;
    if (!path || path.startsWith("_")) return;
    // Leaving one radio for the next of the same field is not leaving the field.
    if (e.relatedTarget && e.relatedTarget.name === path) return;
    touched.add(path);
    showErrors(true);
  });

  function changed(e) {
    const path = e.target.name;
    if (!path || path.startsWith("_") || e.target.type === "file") return;
    try {
      guide.set_typed(path, JSON.stringify(read(form, path)));
    } catch {
      return;
    }
    apply(true);
    // A fixed answer clears its error at once; new errors wait until the field is left.
    showErrors(false);
  }

  // Updates the page from the engine's view of the step: which fields show, computed
  // values, texts (rendered with their placeholders), options offered.
  function apply(announce) {
    const before = view;
    view = JSON.parse(guide.step_view(step));
    const fields = instances(view);
    const shownNow = new Set(fields.filter((f) => f.shown).map((f) => f.path));
    let appeared = 0, gone = 0;
    for (const w of $$("[data-field]", form)) {
      const hide = !shownNow.has(w.dataset.field);
      if (w.hidden !== hide) {
        w.hidden = hide;
        hide ? gone++ : appeared++;
      }
    }
    const texts = new Map([["#title", view.title], ["#text", view.text ?? ""]]);
    for (const f of fields) {
      texts.set(`${f.path}#label`, f.label);
      texts.set(`${f.path}#hint`, f.hint ?? "");
      if (f.text !== null) texts.set(`${f.path}#text`, f.text);
      if (f.kind === "computed") {
        const o = doc.getElementById(f.path);
        if (o && o.textContent !== f.value) o.textContent = f.value;
      }
      for (const o of f.options) {
        // The server renders the options offered when the page was made: one that is no
        // longer offered hides (one that becomes offered needs the next page).
        const input = f.kind === "select" ? $(`option[value="${esc(o.value)}"]`, $(`select[name="${esc(f.path)}"]`, form) || form) : $(`input[name="${esc(f.path)}"][value="${esc(o.value)}"]`, form);
        const el = input && (f.kind === "select" ? input : input.closest(".choice"));
        if (el && el.hidden !== !o.shown) el.hidden = !o.shown;
      }
    }
    for (const el of $$("[data-text]", doc)) {
      const text = texts.get(el.dataset.text);
      if (text !== undefined && el.textContent !== text) el.textContent = text;
    }
    if (announce && (appeared || gone) && before) {
      const parts = [];
      if (appeared) parts.push(en ? `${appeared} new question${appeared > 1 ? "s" : ""}` : `${appeared} neue Frage${appeared > 1 ? "n" : ""}`);
      if (gone) parts.push(en ? `${gone} question${gone > 1 ? "s" : ""} hidden` : `${gone} Frage${gone > 1 ? "n" : ""} ausgeblendet`);
      live(parts.join(", "));
    }
  }

  // Shows the first problem of each field that was left (or already shows an error), in
  // the server's markup; clears the others.
  function errors(announce) {
    const first = new Map();
    for (const p of view.problems) if (p.field && !first.has(p.field)) first.set(p.field, p.message);
    const said = [];
    for (const w of $$("[data-field]", form)) {
      const path = w.dataset.field;
      const msg = w.hidden ? undefined : first.get(path);
      const old = $(`#${esc(path)}-error`, w);
      if (msg && (touched.has(path) || shown.has(path))) {
        if (!old || old.lastChild.textContent.trim() !== msg) said.push(msg);
        showError(w, path, msg, old);
        shown.set(path, true);
      } else if (old) {
        clearError(w, path, old);
        shown.delete(path);
      }
    }
    const rules = stepRules.filter((m) => view.problems.some((p) => !p.field && p.message === m));
    summary($$("[data-field]", form).filter((w) => shown.has(w.dataset.field)).map((w) => [w.dataset.field, first.get(w.dataset.field)]), rules);
    if (announce && said.length) live(said.map((m) => `${word.error}: ${m}`).join(". "));
  }

  function showError(w, path, msg, old) {
    let p = old;
    if (!p) {
      p = doc.createElement("p");
      p.id = `${path}-error`;
      p.className = "error-message";
      const hidden = doc.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = `${word.error}:`;
      p.append(hidden, doc.createTextNode(""));
      const hint = $(`#${esc(path)}-hint`, w);
      const label = hint || $(`label[for="${esc(path)}"], legend`, w);
      if (label && label.parentNode) label.after(p);
      else w.prepend(p);
    }
    p.lastChild.textContent = ` ${msg}`;
    (w.classList.contains("form-group") ? w : w.closest(".form-group") || w).classList.add("form-group-error");
    for (const i of $$(`[name="${esc(path)}"]`, w)) i.setAttribute("aria-invalid", "true");
    for (const d of describers(w, path)) {
      const ids = (d.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      if (!ids.includes(p.id)) d.setAttribute("aria-describedby", [...ids, p.id].join(" "));
    }
  }

  function clearError(w, path, old) {
    old.remove();
    (w.classList.contains("form-group") ? w : w.closest(".form-group") || w).classList.remove("form-group-error");
    for (const i of $$(`[name="${esc(path)}"]`, w)) i.removeAttribute("aria-invalid");
    for (const d of describers(w, path)) {
      const ids = (d.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => id && id !== `${path}-error`);
      ids.length ? d.setAttribute("aria-describedby", ids.join(" ")) : d.removeAttribute("aria-describedby");
    }
  }

  // The element that names the error for assistive technology: the input, or the fieldset
  // of radios and checkboxes (as in the server's templates).
  function describers(w, path) {
    const input = $(`[name="${esc(path)}"]`, w);
    if (!input) return [];
    if (input.type === "radio" || (input.type === "checkbox" && input.closest(".choices"))) {
      const fs = input.closest("fieldset");
      return fs ? [fs] : [];
    }
    return [input];
  }

  function summary(items, rules) {
    let box = $(".error-summary", doc);
    if (!items.length && !rules.length) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      // Made quietly: no role=alert, no focus; the live region speaks.
      box = doc.createElement("div");
      box.className = "error-summary";
      box.setAttribute("aria-labelledby", "error-summary-title");
      box.tabIndex = -1;
      const h = doc.createElement("h2");
      h.id = "error-summary-title";
      h.textContent = word.summary;
      box.append(h, doc.createElement("ul"));
      const main = $("main", doc) || form.parentNode;
      main.prepend(box);
    }
    const ul = $("ul", box);
    const lis = items.map(([path, msg]) => {
      const li = doc.createElement("li");
      const a = doc.createElement("a");
      a.href = `#${path}`;
      a.textContent = msg;
      li.append(a);
      return li;
    });
    for (const m of rules) {
      const li = doc.createElement("li");
      li.textContent = m;
      lis.push(li);
    }
    ul.replaceChildren(...lis);
  }

  return { guide, ms };
}

// Every field instance of a step's view, in page order (members and entries' fields
// after their group).
function instances(view) {
  const out = [];
  const walk = (f) => {
    out.push(f);
    f.members.forEach(walk);
    for (const e of f.entries) e.fields.forEach(walk);
  };
  view.fields.forEach(walk);
  return out;
}

// The names of the answerable inputs on the page (hidden ones included), in page order.
function names(form) {
  const out = [];
  for (const el of form.elements) {
    if (el.name && !el.name.startsWith("_") && el.type !== "file" && el.type !== "hidden" && !out.includes(el.name)) out.push(el.name);
  }
  return out;
}

// What the citizen typed for a field, as a post sends it: the values of its inputs, blank
// included (a text as typed, a radio's or a consent box's value when checked, the ticked
// options). Whether a blank clears a default, or is no answer, is the engine's rule: the
// same one the server reads the post with.
function read(form, path) {
  const els = $$(`[name="${esc(path)}"]`, form);
  if (els[0]?.type === "radio" || els[0]?.type === "checkbox") return els.filter((e) => e.checked).map((e) => e.value);
  // NFC here, as the server normalises: the module carries no Unicode tables of its own.
  return els.map((e) => e.value.normalize("NFC"));
}

// One polite live region; announcements are debounced so typing does not chatter.
function liveRegion(doc) {
  let region = $("#wegweiser-live", doc);
  if (!region) {
    region = doc.createElement("div");
    region.id = "wegweiser-live";
    region.className = "visually-hidden";
    region.setAttribute("aria-live", "polite");
    doc.body.append(region);
  }
  let timer, pending = [];
  return (text) => {
    if (!pending.includes(text)) pending.push(text);
    clearTimeout(timer);
    timer = setTimeout(() => {
      region.textContent = pending.join(". ");
      pending = [];
    }, 700);
  };
}

if (typeof document !== "undefined") start().catch(() => { /* the page works without guidance */ });
