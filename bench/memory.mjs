// Module memory per authorizer, in the release package: `node bench/memory.mjs [--pkg=DIR]`.
//
// WebAssembly memory grows in 64 KiB pages and never shrinks, so each row makes many
// authorizers in a fresh process and divides the growth of the module's memory by their
// number. It prints a Markdown table: what an unfreed authorizer holds, and that freeing
// returns the memory for reuse (the module does not grow when the same number is made again).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const pkgDir = process.argv.find((a) => a.startsWith('--pkg='))?.slice(6) ?? 'pkg';
const entry = pathToFileURL(resolve(pkgDir, 'entries/node.js')).href;
const fixture = readFileSync(new URL('../tests/fixtures/small-org.json', import.meta.url), 'utf8');
const COUNT = 2000;

const custom = `@id("members-see-usage") permit (principal is User, action == Action::"viewUsage", resource is Organization) when { principal in resource.members };`;

const rows = {
  'defaults, empty store': `new ow.Authorizer()`,
  'one custom policy, empty store': `new ow.Authorizer({ policies: [{ name: 'c.cedar', text: ${JSON.stringify(custom)} }] })`,
  'defaults, small org loaded (tests/fixtures/small-org.json)': `(() => { const a = new ow.Authorizer(); a.loadSnapshot(${JSON.stringify(fixture)}); return a; })()`,
};

function measure(make) {
  const source = `
    const ow = await import(${JSON.stringify(entry)});
    const before = ow.moduleStatus().memoryBytes;
    const held = [];
    for (let i = 0; i < ${COUNT}; i++) held.push(${make});
    const unfreed = ow.moduleStatus().memoryBytes;
    for (const a of held) a.free();
    held.length = 0;
    for (let i = 0; i < ${COUNT}; i++) held.push(${make});
    const again = ow.moduleStatus().memoryBytes;
    console.log(JSON.stringify({ before, unfreed, again }));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const mib = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
console.log(`Module memory per authorizer (${pkgDir}, Node ${process.version}, ${COUNT.toLocaleString('en')} authorizers a row)\n`);
console.log('| authorizer | per authorizer, unfreed | module before → after | after free() and as many again |');
console.log('| --- | --- | --- | --- |');
for (const [name, make] of Object.entries(rows)) {
  const { before, unfreed, again } = measure(make);
  console.log(`| ${name} | ${kib((unfreed - before) / COUNT)} | ${mib(before)} → ${mib(unfreed)} | ${mib(again)} |`);
}
