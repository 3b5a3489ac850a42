// Marks a compiled folder as ES modules so Node and bundlers read it as ESM next to a CommonJS build.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
const dir = process.argv[2];
if (!dir) throw new Error('usage: mark-esm.mjs DIR');
writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', sideEffects: false }) + '\n');
