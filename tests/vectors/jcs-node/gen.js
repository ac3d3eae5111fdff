// Generates cases.txt: random JSON texts and their RFC 8785 canonical form as
// Node computes it.
//
// SPDX-License-Identifier: Apache-2.0
//
// Run: node tests/vectors/jcs-node/gen.js > tests/vectors/jcs-node/cases.txt
// Two lines per case: the input text, then the expected canonical bytes. The
// input is written by a deliberately irregular serialiser (random whitespace,
// random \u and short escapes, surrogate-pair escapes, numbers in other
// spellings of the same double); the expected form is JSON.stringify of the
// value with every object's keys sorted by Array.prototype.sort(), which
// compares UTF-16 code units: exactly RFC 8785 (sections 3.2.2 and 3.2.3).
// A fixed-seed xorshift64* generator makes the file deterministic.
'use strict';

let state = 0x2545F4914F6CDD1Dn;
function next64() {
  state ^= state >> 12n; state ^= BigInt.asUintN(64, state << 25n); state ^= state >> 27n;
  return BigInt.asUintN(64, state * 0x2545F4914F6CDD1Dn);
}
function rnd(n) { return Number(next64() % BigInt(n)); }
function pick(a) { return a[rnd(a.length)]; }

const buf = new DataView(new ArrayBuffer(8));
function randomDouble() {
  switch (rnd(6)) {
    case 0: return rnd(2000) - 1000;
    case 1: return Number((rnd(1e6) / 1000).toFixed(rnd(4)));
    case 2: return Number(`${rnd(9) + 1}.${rnd(1e6)}e${rnd(600) - 300}`);
    case 3: return rnd(2) ? 0 : -0;
    default: {
      for (;;) {
        buf.setBigUint64(0, next64());
        const x = buf.getFloat64(0);
        if (Number.isFinite(x)) return x;
      }
    }
  }
}

// Characters chosen to exercise escaping and UTF-16 ordering.
const pool = ['a', 'b', 'z', 'A', '0', ' ', '"', '\\', '/', '\b', '\f', '\n', '\r', '\t',
  '\u0000', '\u0001', '\u001f', '\u007f', '\u0080', '\u00e9', '\u00ff', '\u0100', '\u2028',
  '\u20ac', '\ud7ff', '\ue000', '\uf8ff', '\ufb01', '\ufffd', '\uffff', '\ud83d\ude00',
  '\ud800\udc00', '\udbff\udfff', '\ud834\udd1e'];
function randomString(max) {
  let s = '';
  const n = rnd(max + 1);
  for (let i = 0; i < n; i++) s += pick(pool);
  return s;
}

function randomValue(depth) {
  const k = rnd(depth > 3 ? 5 : 7);
  switch (k) {
    case 0: return null;
    case 1: return rnd(2) === 1;
    case 2: return randomDouble();
    case 3: case 4: return randomString(6);
    case 5: {
      const a = [];
      const n = rnd(5);
      for (let i = 0; i < n; i++) a.push(randomValue(depth + 1));
      return a;
    }
    default: {
      const o = new Map();
      const n = rnd(7);
      for (let i = 0; i < n; i++) {
        const key = randomString(4);
        if (!o.has(key)) o.set(key, randomValue(depth + 1));
      }
      return o;
    }
  }
}

// ---- the irregular input serialiser ----
function ws() { return pick(['', '', '', ' ', '  ', '\t', ' \t ']); }
function hex4(c) { return c.toString(16).padStart(4, '0').replace(/./g, (d) => (rnd(2) ? d.toUpperCase() : d)); }
function writeString(s) {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const short = { 0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' }[c];
    if (c >= 0xd800 && c <= 0xdbff) {
      const lo = s.charCodeAt(i + 1);
      i++;
      if (rnd(2)) out += '\\u' + hex4(c) + '\\u' + hex4(lo);
      else out += String.fromCharCode(c, lo);
    } else if (short && rnd(3)) out += short;
    else if (c < 0x20 || c === 0x22 || c === 0x5c || rnd(4) === 0) out += '\\u' + hex4(c);
    else if (c === 0x2f && rnd(2)) out += '\\/';
    else out += s[i];
  }
  return out + '"';
}
function writeNumber(x) {
  if (Object.is(x, -0)) return pick(['-0', '-0.0', '-0e5', '0', '-0E-3']);
  const forms = [JSON.stringify(x), x.toExponential(), x.toExponential().toUpperCase()];
  if (Number.isInteger(x) && Math.abs(x) < 1e15) forms.push(x.toFixed(2), `${x}e0`, `${x}0e-1`);
  let f = pick(forms).replace('e+', pick(['e+', 'e', 'E+']));
  if (Number(f) !== x || !/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(f)) f = JSON.stringify(x);
  return f;
}
function writeValue(v) {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return writeNumber(v);
  if (typeof v === 'string') return writeString(v);
  if (Array.isArray(v)) return '[' + ws() + v.map((e) => writeValue(e)).join(ws() + ',' + ws()) + ws() + ']';
  const parts = [];
  for (const [k, e] of v) parts.push(writeString(k) + ws() + ':' + ws() + writeValue(e));
  return '{' + ws() + parts.join(ws() + ',' + ws()) + ws() + '}';
}

// ---- the oracle ----
function canonical(v) {
  if (v instanceof Map) {
    const keys = [...v.keys()].sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonical(v.get(k))).join(',') + '}';
  }
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  return JSON.stringify(v);
}

const lines = [];
for (let i = 0; i < 2000; i++) {
  const v = randomValue(0);
  const text = ws() + writeValue(v) + ws();
  if (JSON.stringify(JSON.parse(text)) === undefined) throw new Error('bad input ' + text);
  lines.push(text, canonical(v));
}
process.stdout.write(lines.join('\n') + '\n');
