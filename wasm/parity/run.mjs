// WebAssembly half of the native/WebAssembly parity test: replays every sequence written by
// `cargo run -p wegweiser-wasm --example parity-gen -- DIR` in the module built by
// `scripts/build-wasm` and compares, after every change (typed values as the script sends
// them, or an Input), the engine's Changes, the whole
// session's state (path, activity, values, problems) and the changed field's step view
// with the native results. Exits 1 at the first difference and prints it.
//
//   node wasm/parity/run.mjs PARITY_DIR WASM_DIR
//
// Also measures the start-up of a 1,000-field form ("guidance ready": instantiate the
// module, decode the compiled form's bytes, first evaluation), and checks that a guide owns its
// form: 100 loads of that form in one module, each guide freed, leave the module's linear
// memory where it was after the first few (no leak per page).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { performance } from "node:perf_hooks";

const [dir = "target/parity", wasmDir = "target/wasm-web"] = process.argv.slice(2);
const t0 = performance.now();
const bytes = readFileSync(join(wasmDir, "wegweiser_wasm_bg.wasm"));
const glue = await import(resolve(wasmDir, "wegweiser_wasm.js"));
glue.initSync({ module: bytes });
const tInit = performance.now() - t0;

// The module has no Unicode tables: the script hands it text in NFC (String.prototype.normalize),
// and so does this runner; the native side normalises in the engine.
const nfc = (json) => JSON.stringify(JSON.parse(json), (_, v) => (typeof v === "string" ? v.normalize("NFC") : v));

// Problems reported in Changes come from sets whose order is not part of the contract.
const norm = (c) => ({ ...c, problems_added: sortJson(c.problems_added), problems_cleared: sortJson(c.problems_cleared) });
const sortJson = (l) => l.map((x) => JSON.stringify(x)).sort();

const lines = readFileSync(join(dir, "parity.jsonl"), "utf8").split("\n");
// The forms as the server serves them to the module: their binary encoding.
const forms = Object.fromEntries(JSON.parse(lines[0]).map((id) => [id, new Uint8Array(readFileSync(join(dir, "forms", `${id}.bin`)))]));
let sequences = 0, changes = 0;
for (let n = 0; n + 1 < lines.length; n++) {
  const seq = JSON.parse(lines[n + 1]);
  const g = new glue.Guide(forms[seq.form], "", seq.lang, seq.today, "");
  const first = JSON.parse(g.evaluate_all());
  if (!isDeepStrictEqual(first, seq.first)) fail(n, seq, -1, "first evaluation", seq.first, first);
  for (const [i, st] of seq.steps.entries()) {
    // Typed values (what the script sends) or an Input; a typed value that is no option
    // is refused on both sides (changes `null`).
    let c = null;
    try {
      c = JSON.parse(st.typed !== undefined ? g.set_typed(st.path, nfc(st.typed)) : g.set_answer(st.path, nfc(st.value)));
    } catch (e) {
      if (st.typed === undefined) throw e;
    }
    if (c === null || st.changes === null ? c !== st.changes : !isDeepStrictEqual(norm(c), norm(st.changes))) fail(n, seq, i, "changes", st.changes, c);
    const state = JSON.parse(g.evaluate_all());
    if (!isDeepStrictEqual(state, st.state)) fail(n, seq, i, "state", st.state, state);
    // The view shows answers as typed: the native side got them as generated (NFD too),
    // the module in NFC as the script sends them.
    const step = JSON.parse(g.step_view(st.step.step));
    if (!isDeepStrictEqual(step, JSON.parse(nfc(JSON.stringify(st.step))))) fail(n, seq, i, "step view", st.step, step);
    changes++;
  }
  g.free();
  sequences++;
}
console.log(`parity: ${sequences} sequences, ${changes} changes: native and WebAssembly agree (changes, path, activity, values, problems, step views)`);

// Guidance ready on the 1,000-field form: a fresh instance, as on a page load.
const big = new Uint8Array(readFileSync(join(dir, "bigform.bin")));
const bigJson = readFileSync(join(dir, "bigform.json"));
const runs = [];
for (let r = 0; r < 5; r++) {
  const s = performance.now();
  glue.initSync({ module: new WebAssembly.Module(bytes) });
  const g = new glue.Guide(big, "", "de", "2026-11-22", "");
  g.evaluate_all();
  g.step_view("s0");
  runs.push(performance.now() - s);
  g.free();
}
runs.sort((a, b) => a - b);
console.log(`guidance ready, 1,000-field form (${(big.length / 1024).toFixed(0)} KiB binary; ${(bigJson.length / 1024).toFixed(0)} KiB as JSON): median ${runs[2].toFixed(1)} ms (min ${runs[0].toFixed(1)}, max ${runs[4].toFixed(1)}; compile+instantiate+decode+first evaluation; first module init ${tInit.toFixed(1)} ms)`);

// A guide owns its form (no leak per page): 100 loads in one module instance, each freed. The
// allocator keeps what it has, so linear memory may grow over the first loads (fragmentation)
// but must then stay flat; a leaked form (~1-2 MiB each) would grow it by 100 MiB and more.
{
  // initSync answers the module's exports, its memory among them.
  const exports = glue.initSync({ module: new WebAssembly.Module(bytes) });
  const memory = () => exports.memory.buffer.byteLength;
  const sizes = [];
  const times = [];
  for (let i = 0; i < 100; i++) {
    const s = performance.now();
    const g = new glue.Guide(big, "", "de", "2026-11-22", "");
    g.evaluate_all();
    times.push(performance.now() - s);
    g.free();
    sizes.push(memory());
  }
  const mib = (b) => (b / 1048576).toFixed(2);
  const after10 = sizes[9], last = sizes[99];
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`100 loads of the 1,000-field form in one module, each freed: linear memory ${mib(sizes[0])} MiB after the first, ${mib(after10)} after 10, ${mib(last)} after 100; load+first evaluation median of loads 1-10 ${med(times.slice(0, 10)).toFixed(1)} ms, of loads 91-100 ${med(times.slice(90)).toFixed(1)} ms`);
  if (last > after10 + 1048576) {
    console.error(`parity: linear memory grew by ${mib(last - after10)} MiB over loads 10-100: a guide leaks its form`);
    process.exit(1);
  }
}

function fail(n, seq, i, what, expected, actual) {
  console.error(`parity: difference in sequence ${n} (form ${seq.form}, ${seq.lang}) at change ${i}${i >= 0 ? ` (${seq.steps[i].path} = ${seq.steps[i].typed ?? seq.steps[i].value})` : ""}: ${what}`);
  console.error("native:      " + JSON.stringify(expected));
  console.error("WebAssembly: " + JSON.stringify(actual));
  process.exit(1);
}
