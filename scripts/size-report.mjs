// Prints the raw, gzip and brotli sizes of a file as a table.
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const path = process.argv[2];
const bytes = readFileSync(path);
const gzip = gzipSync(bytes, { level: 9 }).length;
const brotli = brotliCompressSync(bytes, {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
}).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`| file | raw | gzip -9 | brotli -11 |`);
console.log(`| --- | --- | --- | --- |`);
console.log(`| ${path.split('/').pop()} | ${kb(bytes.length)} | ${kb(gzip)} | ${kb(brotli)} |`);
