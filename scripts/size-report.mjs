// Prints the raw, gzip and brotli sizes of a file as a table.
import { readFileSync } from 'node:fs';
import { sizeTable } from '../pkg/bin/sizes.mjs';

const path = process.argv[2];
console.log(sizeTable([[path.split('/').pop(), readFileSync(path)]]));
