// The README's esbuild browser recipe in TypeScript: init() from 'orgwarden/web', whose
// declaration takes the .wasm's URL, and that URL imported through the package's
// "./orgwarden_bg.wasm" export, typed by ./wasm.d.ts (esbuild's --loader:.wasm=file).
import init, { Authorizer } from 'orgwarden/web';
import wasmUrl from 'orgwarden/orgwarden_bg.wasm';

export async function start(): Promise<boolean> {
  await init(wasmUrl);
  return new Authorizer().isAllowed({ type: 'User', id: 'olivia' }, 'viewMembers', { type: 'Organization', id: 'acme' });
}
