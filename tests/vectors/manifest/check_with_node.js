// Cross-check: the vectors are canonical (RFC 8785) by Node's JSON.stringify with
// keys sorted by UTF-16 code units, and prints their SHA-256.
// Run: node tests/vectors/manifest/check_with_node.js tests/vectors/manifest/{parent,child,diff}.json
const fs=require('fs'),crypto=require('crypto');
function canon(v){if(Array.isArray(v))return '['+v.map(canon).join(',')+']';
 if(v&&typeof v==='object')return '{'+Object.keys(v).sort().map(k=>JSON.stringify(k)+':'+canon(v[k])).join(',')+'}';
 return JSON.stringify(v);}
for(const f of process.argv.slice(2)){const b=fs.readFileSync(f,'utf8');const c=canon(JSON.parse(b));
console.log(f, c===b?'same':'DIFF', crypto.createHash('sha256').update(c).digest('hex'));}
