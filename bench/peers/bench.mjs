// The harness of the peer comparison (issue #19): for each size, first checks that every engine
// agrees with the workload's oracle (active fields and fields with a problem, for the fixed
// answers and again after the keystroke) and fails loudly if one does not; only then times
// load, keystroke, fill, validate, and measures memory and bundle size. Prints a markdown
// table (medians over repeats) and writes the raw figures as JSON.
//
//   node --expose-gc bench.mjs --wasm DIR --web DIR --forms DIR [--sizes 100,1000,10000]
//        [--repeats 5] [--check-only] [--engines wegweiser,formio] [--json OUT]
//
// `--forms DIR` holds `form-N.bin`, the compiled Wegweiser forms (`run` makes them);
// `--wasm DIR` the Node build of the module, `--web DIR` the browser build (for its size).

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { ENGINES as ALL_ENGINES, make } from "./engines.mjs";
import { HUB, HUB_VALUES, answers, generate, oracle } from "./workload.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const args = parseArgs(process.argv.slice(2));
// `--engines`: only these (e.g. Wegweiser alone, to measure a change to it in minutes, not 15).
const ENGINES = args.engines ? args.engines.split(",").filter((e) => ALL_ENGINES.includes(e)) : ALL_ENGINES;
const opts = { wasmDir: args.wasm, formDir: args.forms };

if (args.child) {
  await child(args.child, args.engine, Number(args.n));
  process.exit(0);
}

const sizes = (args.sizes || "100,1000,10000").split(",").map(Number);
const repeats = Number(args.repeats || 5);
// A scripted fill that takes longer than this is stopped and reported as such.
const FILL_BUDGET_MS = Number(args["fill-budget-ms"] || 60000);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const engines = {};
for (const name of ENGINES) engines[name] = await make(name, opts);

// --- 1. correctness, before anything is timed ------------------------------------------------

function diff(label, want, got) {
  const missing = [...want].filter((x) => !got.has(x));
  const extra = [...got].filter((x) => !want.has(x));
  if (missing.length === 0 && extra.length === 0) return null;
  return `${label}: ${missing.length} missing (${missing.slice(0, 8).join(", ")}), ${extra.length} extra (${extra.slice(0, 8).join(", ")})`;
}

function check(n) {
  const desc = generate(n);
  const data = answers(desc);
  const after = { ...data, [HUB]: HUB_VALUES[1] };
  const want = oracle(desc, data);
  const wantAfter = oracle(desc, after);
  const failures = [];
  for (const name of ENGINES) {
    const e = engines[name];
    // One answer at a time in form order, as the fill does, on small forms (SurveyJS and
    // form.io need minutes for 10,000 that way); all at once on large ones. The timed fill
    // checks its own result too.
    const live = e.load(e.definition(desc));
    if (n <= 1000) {
      for (const f of desc.fields) if (data[f.id] !== undefined) e.set(live, f.id, data[f.id]);
    } else {
      e.setAll(live, data);
    }
    const found = [
      diff("active", want.active, e.active(live)),
      diff("problems", want.problems, e.validate(live)),
    ];
    e.set(live, HUB, HUB_VALUES[1]);
    found.push(diff("active after the keystroke", wantAfter.active, e.active(live)));
    found.push(diff("problems after the keystroke", wantAfter.problems, e.validate(live)));
    e.free(live);
    for (const f of found.filter(Boolean)) failures.push(`${e.name} at ${n} fields: ${f}`);
  }
  return { failures, active: want.active.size, problems: want.problems.size, activeAfter: wantAfter.active.size, problemsAfter: wantAfter.problems.size };
}

const agreement = {};
for (const n of sizes) {
  const r = check(n);
  if (r.failures.length) {
    console.error(`DISAGREEMENT: the engines do not agree with the workload at ${n} fields; nothing is timed.`);
    for (const f of r.failures) console.error(`  ${f}`);
    process.exit(1);
  }
  agreement[n] = r;
  console.error(
    `agree at ${n} fields: ${r.active} active, ${r.problems} with a problem; after the keystroke ${r.activeAfter} active, ${r.problemsAfter} with a problem`,
  );
}
if (args["check-only"]) process.exit(0);

// --- 2. timing --------------------------------------------------------------------------------

function childRun(op, name, n) {
  const r = spawnSync(
    process.execPath,
    ["--expose-gc", join(here, "bench.mjs"), "--child", op, "--engine", name, "--n", String(n), "--wasm", opts.wasmDir, "--forms", opts.formDir],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(`child ${op} ${name} ${n} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

async function child(op, name, n) {
  const desc = generate(n);
  const e = await make(name, opts);
  if (op === "first") {
    const text = e.definition(desc);
    const t = performance.now();
    const live = e.load(text);
    const ms = performance.now() - t;
    console.log(JSON.stringify({ ms, ok: !!live }));
    return;
  }
  if (op === "memory") {
    const data = answers(desc, true);
    const gcAll = () => {
      for (let i = 0; i < 4; i++) global.gc();
    };
    // The engine's code is loaded and has run once (on a 20-field form, which `run` writes
    // too), so that what grows is the form, not the engine's compiled code.
    e.free(e.load(e.definition(generate(20))));
    gcAll();
    const heap0 = process.memoryUsage().heapUsed;
    const lin0 = e.memory ? e.memory() : 0;
    // The definition's text is read after the baseline and dropped after the load: only
    // what the engine keeps of it counts.
    let text = e.definition(desc);
    let live = e.load(text);
    text = null;
    e.setAll(live, data);
    gcAll();
    const heap = process.memoryUsage().heapUsed - heap0;
    const linear = e.memory ? e.memory() - lin0 : 0;
    console.log(JSON.stringify({ heap, linear, keep: !!live }));
    live = null;
  }
}

const results = { sizes, repeats, engines: ENGINES.map((n) => engines[n].name), agreement, at: new Date().toISOString(), measures: {} };
const put = (measure, n, name, value) => {
  results.measures[measure] ??= {};
  results.measures[measure][n] ??= {};
  results.measures[measure][n][name] = value;
};

for (const n of sizes) {
  const desc = generate(n);
  const data = answers(desc);
  const full = answers(desc, true);
  for (const name of ENGINES) {
    const e = engines[name];
    const text = e.definition(desc);
    console.error(`timing ${e.name} at ${n} fields`);

    // load, warm: the same process, after a few loads
    const loads = [];
    for (let i = 0; i < 3 + repeats; i++) {
      const t = performance.now();
      const live = e.load(text);
      const ms = performance.now() - t;
      e.free(live);
      if (i >= 3) loads.push(ms);
    }
    put("load_warm_ms", n, name, median(loads));

    // load, first in a fresh process
    const firsts = [];
    for (let i = 0; i < repeats; i++) firsts.push(childRun("first", name, n).ms);
    put("load_first_ms", n, name, median(firsts));

    // scripted fill: every answer, one at a time, from an empty form
    const fills = [];
    let stopped = null;
    for (let i = 0; i < repeats && !stopped; i++) {
      const live = e.load(text);
      const t = performance.now();
      let k = 0;
      for (const f of desc.fields) {
        e.set(live, f.id, full[f.id]);
        k++;
        if ((k & 63) === 0 && performance.now() - t > FILL_BUDGET_MS) break;
      }
      const ms = performance.now() - t;
      if (k === desc.fields.length) {
        const d = diff("active after the fill", oracle(desc, full).active, e.active(live));
        if (d) {
          console.error(`DISAGREEMENT: ${e.name} at ${n} fields: ${d}`);
          process.exit(1);
        }
      }
      e.free(live);
      if (k < desc.fields.length) stopped = { ms, done: k, of: desc.fields.length };
      else fills.push(ms);
      // One slow fill is measure enough (the machine is shared).
      if (ms > 10000) break;
    }
    put("fill_ms", n, name, stopped ? { stopped } : median(fills));

    // keystroke on the hub and validate, on the filled form
    const live = e.load(text);
    e.setAll(live, data);
    const keys = [];
    const reps = Math.max(20, repeats);
    for (let i = 0; i < 4 + reps; i++) {
      const v = HUB_VALUES[(i + 1) % 2];
      const t = performance.now();
      e.set(live, HUB, v);
      const ms = performance.now() - t;
      if (i >= 4) keys.push(ms);
    }
    e.set(live, HUB, HUB_VALUES[0]);
    put("keystroke_ms", n, name, median(keys));

    const vals = [];
    for (let i = 0; i < 2 + repeats; i++) {
      const t = performance.now();
      e.validate(live);
      const ms = performance.now() - t;
      if (i >= 2) vals.push(ms);
    }
    put("validate_ms", n, name, median(vals));
    e.free(live);

    // memory of the live, filled form (fresh process, after gc)
    const mems = [];
    for (let i = 0; i < Math.min(3, repeats); i++) mems.push(childRun("memory", name, n));
    put("memory_heap_mib", n, name, median(mems.map((m) => m.heap)) / 1048576);
    put("memory_linear_mib", n, name, median(mems.map((m) => m.linear)) / 1048576);
  }
}

// --- 3. bundle sizes --------------------------------------------------------------------------

async function bundles() {
  const out = {};
  // The peers' bundles only for the peers measured (esbuild is among the npm packages).
  const esbuild = ENGINES.some((e) => e !== "wegweiser") ? await import("esbuild") : null;
  const entries = {
    surveyjs: 'export { Model } from "survey-core";',
    formio: 'export { processSync, ProcessorMap } from "@formio/core";',
    jsonforms: 'export { coreReducer, Actions, isVisible, createAjv, validate } from "@jsonforms/core";',
  };
  for (const [name, contents] of Object.entries(entries)) {
    if (!esbuild || !ENGINES.includes(name)) continue;
    const r = await esbuild.build({
      stdin: { contents, resolveDir: here, loader: "js" },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      write: false,
      logLevel: "silent",
      define: { "process.env.NODE_ENV": '"production"' },
    });
    const code = r.outputFiles[0].contents;
    out[name] = { raw: code.length, gzip: gzipSync(code, { level: 9 }).length };
  }
  if (args.web) {
    const f = (x) => readFileSync(join(args.web, x));
    const wasm = f("wegweiser_wasm_bg.wasm");
    const js = Buffer.concat([f("wegweiser_wasm.js"), f("wegweiser.js")]);
    out.wegweiser = {
      raw: wasm.length + js.length,
      gzip: gzipSync(wasm, { level: 9 }).length + gzipSync(js, { level: 9 }).length,
      module_gzip: gzipSync(wasm, { level: 9 }).length,
      script_gzip: gzipSync(js, { level: 9 }).length,
    };
  }
  return out;
}
results.bundles = await bundles();

// --- 4. the table -----------------------------------------------------------------------------

const fmtMs = (v) => {
  if (v === undefined) return "–";
  if (typeof v === "object") return `> ${(v.stopped.ms / 1000).toFixed(0)} s (stopped after ${v.stopped.done} of ${v.stopped.of})`;
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (v >= 10) return `${v.toFixed(1)} ms`;
  if (v >= 0.1) return `${v.toFixed(2)} ms`;
  return `${(v * 1000).toFixed(1)} µs`;
};
const rows = [
  ["load, warm", "load_warm_ms", fmtMs],
  ["load, first in process", "load_first_ms", fmtMs],
  ["one keystroke on the hub", "keystroke_ms", fmtMs],
  ["scripted fill of every field", "fill_ms", fmtMs],
  ["validate the whole form", "validate_ms", fmtMs],
];
const lines = [];
lines.push(`| measure | fields | ${ENGINES.map((n) => engines[n].name).join(" | ")} |`);
lines.push(`|---|---:|${ENGINES.map(() => "---:").join("|")}|`);
for (const [label, key, fmt] of rows) {
  for (const n of sizes) lines.push(`| ${label} | ${n.toLocaleString("en")} | ${ENGINES.map((e) => fmt(results.measures[key]?.[n]?.[e])).join(" | ")} |`);
}
for (const n of sizes) {
  const cells = ENGINES.map((e) => {
    const h = results.measures.memory_heap_mib[n][e];
    const l = results.measures.memory_linear_mib[n][e];
    return l ? `${(h + l).toFixed(2)} MiB (${h.toFixed(2)} heap + ${l.toFixed(2)} linear)` : `${h.toFixed(2)} MiB`;
  });
  lines.push(`| memory of the live form | ${n.toLocaleString("en")} | ${cells.join(" | ")} |`);
}
// Wegweiser only: compiling the YAML natively (`run` has `compile-form` time it).
const compiles = sizes.map((n) => {
  try {
    return fmtMs(median(JSON.parse(readFileSync(join(opts.formDir, `compile-${n}.json`), "utf8")).compile_ms));
  } catch {
    return null;
  }
});
if (compiles.some(Boolean)) {
  sizes.forEach((n, i) => lines.push(`| compile YAML (native) | ${n.toLocaleString("en")} | ${ENGINES.map((e) => (e === "wegweiser" ? compiles[i] ?? "–" : "–")).join(" | ")} |`));
}
const kb = (b) => (b ? `${(b / 1000).toFixed(1)} KB` : "–");
const bw = results.bundles.wegweiser;
lines.push(
  `| browser bundle, gzip | – | ${ENGINES.map((e) => (e === "wegweiser" && bw ? `${kb(bw.gzip)} (module ${kb(bw.module_gzip)} + scripts ${kb(bw.script_gzip)})` : kb(results.bundles[e]?.gzip))).join(" | ")} |`,
);
console.log(lines.join("\n"));
if (args.json) writeFileSync(args.json, JSON.stringify(results, null, 2));

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) continue;
    const key = a.slice(2);
    if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) out[key] = argv[++i];
    else out[key] = true;
  }
  return out;
}
