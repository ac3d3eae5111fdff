// Generates numbers.txt: doubles with the string ECMAScript gives them.
//
// SPDX-License-Identifier: Apache-2.0
//
// Run: node tests/vectors/ecmascript-numbers/gen.js > tests/vectors/ecmascript-numbers/numbers.txt
// Each line is "<16 hex digits of the IEEE-754 bits>,<JSON.stringify(x)>".
// The output is deterministic: a fixed-seed xorshift64* generator picks the
// random cases, so the same Node version always writes the same file.
'use strict';

const buf = new DataView(new ArrayBuffer(8));
function fromBits(big) { buf.setBigUint64(0, BigInt.asUintN(64, big)); return buf.getFloat64(0); }
function toBits(x) { buf.setFloat64(0, x); return buf.getBigUint64(0); }

let state = 0x9E3779B97F4A7C15n;
function next64() {
  state ^= state >> 12n; state ^= BigInt.asUintN(64, state << 25n); state ^= state >> 27n;
  return BigInt.asUintN(64, state * 0x2545F4914F6CDD1Dn);
}
function nextInt(n) { return Number(next64() % BigInt(n)); }

const out = [];
const seen = new Set();
function add(x) {
  if (!Number.isFinite(x)) return;
  const bits = toBits(x);
  if (seen.has(bits)) return;
  seen.add(bits);
  const s = JSON.stringify(x);
  if (String(x) !== s && !Object.is(x, -0)) throw new Error('stringify and String differ for ' + s);
  out.push(bits.toString(16).padStart(16, '0') + ',' + s);
}
function neighbours(x, k) {
  const b = toBits(x);
  for (let d = -k; d <= k; d++) add(fromBits(b + BigInt(d)));
}

// Special values and boundaries.
[0, -0, 1, -1, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE,
 2.2250738585072014e-308, 2.225073858507201e-308, Number.EPSILON, 0.1, 0.2, 0.3, 1 / 3,
 1e21, 1e-7, 1e-6, 9.999999999999999e20, 123456789012345680000, 5e-324, 1.7976931348623157e308]
  .forEach((x) => { add(x); neighbours(x, 3); add(-x); });
// Powers of ten and two with their neighbours.
for (let e = -324; e <= 308; e++) { const x = Number('1e' + e); neighbours(x, 2); neighbours(-x, 1); }
for (let e = -1074; e <= 1023; e++) neighbours(Math.pow(2, e), 1);
// Integers near 2^53 and the thresholds of the formats (21 digits, 1e-7).
for (let d = -1000; d <= 1000; d++) { add(9007199254740992 + d); add(-(9007199254740992 + d)); }
for (let e = 15; e <= 22; e++) for (let i = 0; i < 200; i++) add(Math.pow(10, e) * (1 + i / 199) );
for (let i = 0; i < 2000; i++) { add((i + 1) * 1e-7); add((i + 1) * 1e-9); add(i * 0.5e20); }
// Subnormals.
for (let i = 0; i < 10000; i++) add(fromBits(BigInt(nextInt(2 ** 52 - 1) + 1) * (next64() & 1n ? 1n : -1n)));
// Short decimals (the shortest form is short) over the whole exponent range.
for (let i = 0; i < 20000; i++) {
  const digits = 1 + nextInt(17);
  let m = '';
  for (let j = 0; j < digits; j++) m += String(j === 0 ? 1 + nextInt(9) : nextInt(10));
  add(Number(m + 'e' + (nextInt(640) - 330)) * (nextInt(2) ? 1 : -1));
}
// Random bit patterns.
let random = 0;
while (random < 100000) {
  const x = fromBits(next64());
  if (Number.isFinite(x)) { const before = out.length; add(x); random += out.length - before; }
}
process.stdout.write(out.join('\n') + '\n');
