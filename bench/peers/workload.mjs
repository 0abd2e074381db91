// The one generated workload of the peer comparison (issue #19), as a neutral description
// and translated into each engine's definition: Wegweiser YAML (the form language), SurveyJS
// JSON, form.io components (JSONLogic), JSON Forms JSON Schema + UI schema. Also the fixed
// answer set and the oracle: which fields are active and which have a problem for those
// answers, computed from the description alone, so every engine is checked against it.
//
// Deterministic: the same `n` gives the same form and answers on every run (seeded PRNG).
//
// Shape: n fields on n / 20 pages of 20 fields. Types text / number / date / choice /
// boolean. About 30% of the fields have a visibility condition, about 10% are required and
// about 10% required-if (booleans are never required: a required checkbox in form.io means
// "ticked", a required yes/no in Wegweiser means "answered"). Every fifth page has a
// page-level condition. One hub field (`hub`, a number on the first page) is read by 50 of
// the conditions (all of them when the form has fewer than 50). Number fields are bounded
// 0..1000, so an answer of 1500 is a second kind of problem besides required-missing.
//
// So that the engines' differing rules for hidden answers (SurveyJS keeps them, form.io
// clears them, Wegweiser counts them as empty) cannot matter, a condition reads only a
// "driver": a number / choice / boolean field without a condition of its own, on a page
// without one, earlier in the form. The semantics every engine then shares: a field is
// active when its page's condition (if any) and its own condition (if any) hold; an empty
// answer makes every comparison false.
//
//   node workload.mjs write DIR N    writes DIR/form-N.yaml (and the peers' definitions)

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const HUB = "hub";
export const HUB_READERS = 50;
export const FIELDS_PER_PAGE = 20;
export const TYPES = ["text", "number", "date", "choice", "boolean"];
export const OPTIONS = ["a", "b", "c"];
export const MIN = 0;
export const MAX = 1000;
// The hub's answer in the fixed set, and what one keystroke turns it into (a digit deleted).
export const HUB_VALUES = [50, 5];

/** mulberry32: a small seeded PRNG, the same sequence on every run. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    below: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (xs) => xs[Math.floor(next() * xs.length)],
  };
}

/**
 * The neutral description of the form with `n` fields:
 * `{ n, pages: [{ id, when, fields: [id] }], fields: [{ id, type, page, visibleIf, required }] }`
 * where a condition is `{ field, op: ">" | "==" | "is", value }` and `required` is `true`,
 * `false` or a condition.
 */
export function generate(n) {
  const r = rng(0x5eed0000 + n);
  const pageCount = Math.max(1, Math.floor(n / FIELDS_PER_PAGE));
  const pages = [];
  const fields = [];
  const drivers = []; // fields a condition may read, in form order (the hub first)
  const conds = []; // every condition, in creation order (to choose the hub's readers)
  const cond = () => {
    const others = drivers.filter((d) => d.id !== HUB);
    const c = others.length === 0 ? { field: HUB } : { field: r.pick(others).id };
    conds.push(c);
    return c;
  };
  for (let p = 0; p < pageCount; p++) {
    const page = { id: `p${p}`, when: p % 5 === 4 ? cond() : null, fields: [] };
    pages.push(page);
    for (let k = 0; k < FIELDS_PER_PAGE && fields.length < n; k++) {
      const i = fields.length;
      const f = {
        id: i === 0 ? HUB : `f${i}`,
        type: i === 0 ? "number" : r.pick(TYPES),
        page: p,
        visibleIf: null,
        required: false,
      };
      if (i > 0 && r.chance(0.3)) f.visibleIf = cond();
      if (i > 0 && f.type !== "boolean") {
        const x = r.next();
        if (x < 0.1) f.required = true;
        else if (x < 0.2) f.required = cond();
      }
      fields.push(f);
      page.fields.push(f.id);
      if (!page.when && !f.visibleIf && f.type !== "text" && f.type !== "date") drivers.push(f);
    }
  }
  // Exactly HUB_READERS conditions read the hub (all when there are fewer): those with no other
  // driver to read, then evenly spaced others.
  const forced = conds.filter((c) => c.field === HUB).length;
  const free = conds.filter((c) => c.field !== HUB);
  const want = Math.max(0, Math.min(HUB_READERS, conds.length) - forced);
  const chosen = new Set();
  for (let j = 0; j < want; j++) chosen.add(free[Math.floor((j * free.length) / want)]);
  const byId = new Map(fields.map((f) => [f.id, f]));
  for (const c of conds) {
    if (c.field === HUB || chosen.has(c)) {
      c.field = HUB;
      c.op = ">";
      c.value = r.below(100);
      continue;
    }
    const d = byId.get(c.field);
    if (d.type === "number") Object.assign(c, { op: ">", value: r.below(100) });
    else if (d.type === "choice") Object.assign(c, { op: "==", value: "b" });
    else Object.assign(c, { op: "is", value: true });
  }
  return { n, pages, fields, hubReaders: conds.filter((c) => c.field === HUB).length, conditions: conds.length };
}

/**
 * The fixed answer set: `{ id: value }` in form order (numbers as numbers, dates ISO): a
 * quarter of the fields left empty and one number in twelve out of bounds, so that there are
 * problems to find. With `complete`, every field answered within its bounds (the scripted fill).
 */
export function answers(desc, complete = false) {
  const r = rng(0xa115 + desc.n + (complete ? 1 : 0));
  const out = {};
  // Even the smallest form has problems to find: the first required and the first
  // required-if field are left empty, the first bounded number (the hub aside) is too large.
  const firsts = new Set();
  if (!complete) {
    const first = (p) => desc.fields.find((f) => f.id !== HUB && p(f));
    firsts.add(first((f) => f.required === true && !f.visibleIf && !desc.pages[f.page].when));
    firsts.add(first((f) => f.required && f.required !== true && !f.visibleIf && !desc.pages[f.page].when));
  }
  const big = complete ? null : desc.fields.find((f) => f.id !== HUB && f.type === "number" && !f.visibleIf && !desc.pages[f.page].when);
  for (const f of desc.fields) {
    if (firsts.has(f)) continue;
    if (f === big) {
      out[f.id] = 1500;
      continue;
    }
    if (f.id === HUB) {
      out[f.id] = HUB_VALUES[0];
      continue;
    }
    if (!complete && !r.chance(0.75)) continue;
    switch (f.type) {
      case "text":
        out[f.id] = `Antwort ${f.id}`;
        break;
      case "number":
        out[f.id] = !complete && r.chance(0.08) ? 1500 : r.below(100);
        break;
      case "date":
        out[f.id] = `20${10 + r.below(15)}-0${1 + r.below(9)}-1${r.below(10)}`;
        break;
      case "choice":
        out[f.id] = r.pick(OPTIONS);
        break;
      case "boolean":
        out[f.id] = r.chance(0.5);
        break;
    }
  }
  return out;
}

export function holds(c, data) {
  const v = data[c.field];
  if (c.op === ">") return typeof v === "number" && v > c.value;
  if (c.op === "==") return v === c.value;
  return v === true;
}

/** What every engine must report for `data`: active field ids and field ids with a problem. */
export function oracle(desc, data) {
  const active = new Set();
  const problems = new Set();
  for (const f of desc.fields) {
    const page = desc.pages[f.page];
    if (page.when && !holds(page.when, data)) continue;
    if (f.visibleIf && !holds(f.visibleIf, data)) continue;
    active.add(f.id);
    const v = data[f.id];
    const required = f.required === true || (f.required !== false && holds(f.required, data));
    if (v === undefined) {
      if (required) problems.add(f.id);
    } else if (f.type === "number" && (v < MIN || v > MAX)) {
      problems.add(f.id);
    }
  }
  return { active, problems };
}

// --- Wegweiser: the form language ---------------------------------------------------------

function wwCond(c) {
  if (c.op === ">") return `${c.field} > ${c.value}`;
  if (c.op === "==") return `${c.field} == "${c.value}"`;
  return `${c.field} == true`;
}

const WW_TYPE = { text: "text", number: "number", date: "date", choice: "choice", boolean: "boolean" };

/** The form as Wegweiser YAML (docs/form-language.md). */
export function toWegweiser(desc) {
  const y = [
    "wegweiser: 1",
    `id: peers-${desc.n}`,
    'version: "bench"',
    "title: Vergleich mit SurveyJS, form.io und JSON Forms",
    "lists:",
    "  abc:",
    ...OPTIONS.map((o) => `    - { value: ${o}, label: Option ${o.toUpperCase()} }`),
    "steps:",
  ];
  for (const page of desc.pages) {
    y.push(`  - id: ${page.id}`, `    title: Seite ${page.id.slice(1)}`);
    if (page.when) y.push(`    when: '${wwCond(page.when)}'`);
    y.push("    fields:");
    for (const id of page.fields) {
      const f = desc.fields[id === HUB ? 0 : Number(id.slice(1))];
      const parts = [`id: ${f.id}`, `type: ${WW_TYPE[f.type]}`, `label: Feld ${f.id}`];
      if (f.type === "number") parts.push(`min: ${MIN}`, `max: ${MAX}`);
      if (f.type === "choice") parts.push("options: abc");
      if (f.visibleIf) parts.push(`visible_if: '${wwCond(f.visibleIf)}'`);
      if (f.required === true) parts.push("required: true");
      else if (f.required) parts.push(`required: '${wwCond(f.required)}'`);
      y.push(`      - { ${parts.join(", ")} }`);
    }
  }
  return y.join("\n") + "\n";
}

/** What a citizen types for an answer, as the Wegweiser script hands it to `set_typed`. */
export function wwTyped(v) {
  return JSON.stringify([String(v)]);
}

// --- SurveyJS: expressions in `visibleIf` / `requiredIf` -------------------------------------

function sjCond(c) {
  if (c.op === ">") return `{${c.field}} > ${c.value}`;
  if (c.op === "==") return `{${c.field}} = '${c.value}'`;
  return `{${c.field}} = true`;
}

export function toSurveyJs(desc) {
  const el = (f) => {
    const e = { name: f.id, title: `Feld ${f.id}` };
    switch (f.type) {
      case "text":
        e.type = "text";
        break;
      case "number":
        Object.assign(e, { type: "text", inputType: "number", validators: [{ type: "numeric", minValue: MIN, maxValue: MAX }] });
        break;
      case "date":
        Object.assign(e, { type: "text", inputType: "date" });
        break;
      case "choice":
        Object.assign(e, { type: "dropdown", choices: OPTIONS });
        break;
      case "boolean":
        e.type = "boolean";
        break;
    }
    if (f.visibleIf) e.visibleIf = sjCond(f.visibleIf);
    if (f.required === true) e.isRequired = true;
    else if (f.required) e.requiredIf = sjCond(f.required);
    return e;
  };
  const byId = new Map(desc.fields.map((f) => [f.id, f]));
  return {
    // Keep answers of hidden questions while the form is filled (the default clears them only
    // on completion): the workload's conditions never read a field that can be hidden anyway.
    clearInvisibleValues: "none",
    pages: desc.pages.map((p) => {
      const page = { name: p.id, elements: p.fields.map((id) => el(byId.get(id))) };
      if (p.when) page.visibleIf = sjCond(p.when);
      return page;
    }),
  };
}

// --- form.io: components with JSONLogic conditionals and validation --------------------------

function jl(c) {
  const v = { var: `data.${c.field}` };
  if (c.op === ">") return { ">": [v, c.value] };
  return { "===": [v, c.value] };
}

export function toFormio(desc) {
  const comp = (f) => {
    const c = { key: f.id, label: `Feld ${f.id}`, input: true, validate: {} };
    switch (f.type) {
      case "text":
        c.type = "textfield";
        break;
      case "number":
        Object.assign(c, { type: "number", validate: { min: MIN, max: MAX } });
        break;
      case "date":
        // form.io's date input stores an ISO date string in a textfield-like component.
        Object.assign(c, { type: "textfield", inputType: "date" });
        break;
      case "choice":
        Object.assign(c, { type: "radio", values: OPTIONS.map((o) => ({ label: o, value: o })) });
        break;
      case "boolean":
        c.type = "checkbox";
        break;
    }
    // A panel's conditional hides the panel, but @formio/core does not carry it to the
    // panel's children (its hideChildren processor only ever sets them hidden, never back),
    // so a field on a page with a condition carries the page's condition as well.
    const page = desc.pages[f.page].when;
    const own = [page, f.visibleIf].filter(Boolean).map(jl);
    if (own.length) c.conditional = { json: own.length === 1 ? own[0] : { and: own } };
    if (f.required === true) c.validate.required = true;
    else if (f.required) {
      // Required-if in JSONLogic: valid unless the condition holds and the answer is missing.
      c.validate.json = { if: [jl(f.required), { if: [{ missing: [`data.${f.id}`] }, "required", true] }, true] };
    }
    return c;
  };
  const byId = new Map(desc.fields.map((f) => [f.id, f]));
  return desc.pages.map((p) => {
    const panel = { type: "panel", key: p.id, title: `Seite ${p.id.slice(1)}`, input: false, components: p.fields.map((id) => comp(byId.get(id))) };
    if (p.when) panel.conditional = { json: jl(p.when) };
    return panel;
  });
}

// --- JSON Forms: JSON Schema (required via if/then) and UI schema rules -----------------------

function jfRule(c) {
  const s = c.op === ">" ? { exclusiveMinimum: c.value } : { const: c.value };
  return { effect: "SHOW", condition: { scope: `#/properties/${c.field}`, schema: s, failWhenUndefined: true } };
}

function jfIf(c) {
  const s = c.op === ">" ? { exclusiveMinimum: c.value } : { const: c.value };
  return { properties: { [c.field]: s }, required: [c.field] };
}

export function toJsonForms(desc) {
  const properties = {};
  const required = [];
  const allOf = [];
  for (const f of desc.fields) {
    switch (f.type) {
      case "text":
        properties[f.id] = { type: "string" };
        break;
      case "number":
        properties[f.id] = { type: "number", minimum: MIN, maximum: MAX };
        break;
      case "date":
        properties[f.id] = { type: "string", format: "date" };
        break;
      case "choice":
        properties[f.id] = { type: "string", enum: OPTIONS };
        break;
      case "boolean":
        properties[f.id] = { type: "boolean" };
        break;
    }
    if (f.required === true) required.push(f.id);
    else if (f.required) allOf.push({ if: jfIf(f.required), then: { required: [f.id] } });
  }
  const schema = { type: "object", properties, required };
  if (allOf.length) schema.allOf = allOf;
  const byId = new Map(desc.fields.map((f) => [f.id, f]));
  const uischema = {
    type: "VerticalLayout",
    elements: desc.pages.map((p) => {
      const g = {
        type: "Group",
        label: `Seite ${p.id.slice(1)}`,
        elements: p.fields.map((id) => {
          const f = byId.get(id);
          const c = { type: "Control", scope: `#/properties/${id}` };
          if (f.visibleIf) c.rule = jfRule(f.visibleIf);
          return c;
        }),
      };
      if (p.when) g.rule = jfRule(p.when);
      return g;
    }),
  };
  return { schema, uischema };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cmd, dir, nArg] = process.argv.slice(2);
  if (cmd !== "write" || !dir || !nArg) {
    console.error("usage: node workload.mjs write DIR N");
    process.exit(2);
  }
  const n = Number(nArg);
  const desc = generate(n);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `form-${n}.yaml`), toWegweiser(desc));
  writeFileSync(join(dir, `surveyjs-${n}.json`), JSON.stringify(toSurveyJs(desc)));
  writeFileSync(join(dir, `formio-${n}.json`), JSON.stringify(toFormio(desc)));
  writeFileSync(join(dir, `jsonforms-${n}.json`), JSON.stringify(toJsonForms(desc)));
  writeFileSync(join(dir, `answers-${n}.json`), JSON.stringify(answers(desc)));
  console.log(JSON.stringify({ n, pages: desc.pages.length, conditions: desc.conditions, hubReaders: desc.hubReaders }));
}
