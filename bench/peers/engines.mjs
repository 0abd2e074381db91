// The four engines behind one small interface, each driven through its own public API the way
// its front end drives it. `bench.mjs` times these operations; it never reaches inside.
//
//   definition(desc)      the engine's definition of the workload as it is shipped: JSON text
//                         (Wegweiser: the compiled form's binary encoding, a Uint8Array)
//   load(text)            parse the definition, build the live form, first evaluation → live
//   set(live, id, value)  one answer changed, until every field's visibility is current again
//   setAll(live, data)    every answer at once (memory measurement only)
//   validate(live)        every problem of the whole form → Set of field ids with a problem
//   active(live)          → Set of the ids of the active (visible) fields
//
// Wegweiser needs its compiled form (made natively from the YAML by `compile-form`, in the
// binary encoding the server serves); the others take their definition straight from
// `workload.mjs`.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { toFormio, toJsonForms, toSurveyJs, wwTyped } from "./workload.mjs";

const require = createRequire(import.meta.url);
const TODAY = "2026-11-22";

// --- Wegweiser (the WebAssembly module, Node build) ------------------------------------------

/** The wasm instance of the glue, captured as it is made, to read the size of its linear memory. */
export let wasmInstance = null;

export async function wegweiser(wasmDir, formDir) {
  const Instance = WebAssembly.Instance;
  WebAssembly.Instance = function (module, imports) {
    wasmInstance = new Instance(module, imports);
    return wasmInstance;
  };
  const glue = require(resolve(wasmDir, "wegweiser_wasm.js"));
  WebAssembly.Instance = Instance;
  const { Guide } = glue;
  return {
    name: "Wegweiser (WASM)",
    definition: (desc) => new Uint8Array(readFileSync(join(formDir, `form-${desc.n}.bin`))),
    load(bytes) {
      const g = new Guide(bytes, "", "de", TODAY, "");
      g.evaluate_all();
      return g;
    },
    set(g, id, value) {
      g.set_typed(id, value === undefined ? "[]" : wwTyped(value));
    },
    setAll(g, data) {
      const typed = {};
      for (const [k, v] of Object.entries(data)) typed[k] = String(v);
      g.set_answers(JSON.stringify(typed));
    },
    validate(g) {
      // `validate` forgets every evaluated result and walks the path again, so this is a cold
      // evaluation of the whole form (what a fresh page does), not a cache lookup; what was
      // read of each answer when it was set is kept, as the peers keep their parsed data.
      // It returns the problems only, as the peers return their errors.
      const problems = JSON.parse(g.validate());
      return new Set(problems.map((p) => p.field).filter(Boolean));
    },
    active(g) {
      return new Set(JSON.parse(g.evaluate_all()).active);
    },
    free(g) {
      g.free();
    },
    memory: () => wasmInstance.exports.memory.buffer.byteLength,
  };
}

// --- SurveyJS (survey-core) -----------------------------------------------------------------

export async function surveyjs() {
  const { Model } = await import("survey-core");
  const visible = (s) => s.pages.filter((p) => p.isVisible).flatMap((p) => p.questions.filter((q) => q.isVisible));
  return {
    name: "SurveyJS",
    definition: (desc) => JSON.stringify(toSurveyJs(desc)),
    load: (text) => new Model(JSON.parse(text)),
    // setValue runs every condition that reads the question (SurveyJS evaluates them eagerly).
    set(s, id, value) {
      s.setValue(id, value);
    },
    setAll(s, data) {
      s.data = data;
    },
    validate(s) {
      // All visible pages; `true` stores each question's errors, where they are read from.
      s.validate(true, false);
      return new Set(visible(s).filter((q) => q.errors.length > 0).map((q) => q.name));
    },
    active: (s) => new Set(visible(s).map((q) => q.name)),
    free() {},
  };
}

// --- form.io (@formio/core: processors over the components) ------------------------------------

export async function formio() {
  const { processSync, ProcessorMap } = require("@formio/core");
  // A change re-runs the conditions over the form (form.io has no dependency graph); the
  // validation adds the validators. The definition's components are the live form: form.io
  // keeps each component's conditional state on it.
  const CONDITIONS = [ProcessorMap.conditions];
  const VALIDATE = [ProcessorMap.conditions, ProcessorMap.validate];
  const run = (live, processors) => {
    const scope = { errors: [] };
    processSync({ components: live.components, data: live.data, processors, scope, config: { server: false } });
    live.scope = scope;
    return scope;
  };
  const hidden = (live) => {
    const out = new Set();
    for (const c of live.scope.conditionals || []) if (c.conditionallyHidden) out.add(c.path);
    return out;
  };
  const activeOf = (live) => {
    const h = hidden(live);
    const out = new Set();
    for (const panel of live.components) {
      if (h.has(panel.key)) continue;
      for (const c of panel.components) if (!h.has(c.key)) out.add(c.key);
    }
    return out;
  };
  return {
    name: "form.io",
    definition: (desc) => JSON.stringify(toFormio(desc)),
    load(text) {
      const components = JSON.parse(text);
      // An empty number input is `null` in form.io's data (its validators refuse `undefined`).
      const data = {};
      for (const p of components) for (const c of p.components) if (c.type === "number") data[c.key] = null;
      const live = { components, data, scope: null };
      run(live, CONDITIONS);
      return live;
    },
    set(live, id, value) {
      live.data[id] = value === undefined ? null : value;
      run(live, CONDITIONS);
    },
    setAll(live, data) {
      Object.assign(live.data, data);
      run(live, CONDITIONS);
    },
    validate(live) {
      const scope = run(live, VALIDATE);
      return new Set(scope.errors.map((e) => e.context?.path ?? e.context?.component?.key));
    },
    active: activeOf,
    free() {},
  };
}

// --- JSON Forms (@jsonforms/core: the core reducer and the UI schema's rules) ------------------

export async function jsonforms() {
  const jf = await import("@jsonforms/core");
  const { coreReducer, Actions, isVisible, createAjv } = jf;
  // What the renderers do after every state change: each control asks whether it is visible
  // (its group's rule, then its own).
  const visibility = (live) => {
    const { data, ajv } = live.state;
    const out = new Set();
    for (const g of live.uischema.elements) {
      if (!isVisible(g, data, undefined, ajv)) continue;
      for (const c of g.elements) if (isVisible(c, data, undefined, ajv)) out.add(c.scope.slice(13));
    }
    live.visible = out;
    return out;
  };
  const fieldOf = (e) => (e.keyword === "required" ? e.params.missingProperty : e.instancePath.slice(1));
  return {
    name: "JSON Forms",
    definition: (desc) => JSON.stringify(toJsonForms(desc)),
    load(text) {
      const { schema, uischema } = JSON.parse(text);
      const ajv = createAjv();
      const state = coreReducer(undefined, Actions.init({}, schema, uischema, { ajv }));
      const live = { state, uischema, visible: null };
      visibility(live);
      return live;
    },
    set(live, id, value) {
      live.state = coreReducer(live.state, Actions.update(id, () => value));
      visibility(live);
    },
    setAll(live, data) {
      live.state = coreReducer(live.state, Actions.update("", () => ({ ...data })));
      visibility(live);
    },
    validate(live) {
      // ajv validates the whole data; JSON Forms shows an error at a control only when the
      // control is rendered, so the problems are those of visible controls.
      const errors = jf.validate(live.state.validator, live.state.data);
      const vis = visibility(live);
      return new Set(errors.map(fieldOf).filter((f) => vis.has(f)));
    },
    active: (live) => visibility(live),
    free() {},
  };
}

export const ENGINES = ["wegweiser", "surveyjs", "formio", "jsonforms"];

export async function make(name, opts) {
  switch (name) {
    case "wegweiser":
      return wegweiser(opts.wasmDir, opts.formDir);
    case "surveyjs":
      return surveyjs();
    case "formio":
      return formio();
    case "jsonforms":
      return jsonforms();
    default:
      throw new Error(`unknown engine ${name}`);
  }
}
