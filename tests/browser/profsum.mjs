// profsum: summarise a DevTools CPU profile (bench.mjs with PW_PROFILE):
// self time per function, heaviest first, and the share of idle, GC and
// program time.
//   node profsum.mjs FILE [TOP]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg || 40);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = p.timeDeltas;
let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  const n = byId.get(p.samples[i]);
  const name = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}`.trim();
  const us = dt[i + 1] ?? 0;
  self.set(name, (self.get(name) || 0) + us);
  total += us;
}
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(`total ${(total / 1000).toFixed(1)} ms`);
for (const [name, us] of rows) {
  console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${(100 * us / total).toFixed(1).padStart(5)}%  ${name}`);
}

// Total (inclusive) time of the functions named in PW_FOCUS (comma-separated
// substrings): a sample counts once for each focused name on its stack.
if (process.env.PW_FOCUS) {
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const focus = process.env.PW_FOCUS.split(',');
  const incl = new Map(focus.map((f) => [f, 0]));
  for (let i = 0; i < p.samples.length; i++) {
    const us = dt[i + 1] ?? 0;
    const hit = new Set();
    for (let id = p.samples[i]; id !== undefined; id = parent.get(id)) {
      const fn = byId.get(id).callFrame.functionName;
      for (const f of focus) if (fn.includes(f)) hit.add(f);
    }
    for (const f of hit) incl.set(f, incl.get(f) + us);
  }
  console.log('inclusive:');
  for (const [f, us] of incl) console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${(100 * us / total).toFixed(1).padStart(5)}%  ${f}`);
}
