// The raw, gzip -9 and brotli -11 sizes of a module: what a download or an edge plan's limit
// counts. Shared by the package's build report and `orgwarden compile`.
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

export function sizes(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

/** A markdown table of `[name, bytes]` rows. */
export function sizeTable(rows) {
  const lines = ['| file | raw | gzip -9 | brotli -11 |', '| --- | --- | --- | --- |'];
  for (const [name, bytes] of rows) {
    const s = sizes(bytes);
    lines.push(`| ${name} | ${kib(s.raw)} | ${kib(s.gzip)} | ${kib(s.brotli)} |`);
  }
  return lines.join('\n');
}
