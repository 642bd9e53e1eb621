// The browser entry's declarations: init() takes the .wasm's URL (or a Response, bytes, a
// WebAssembly.Module), initSync() a module or bytes.
import init, { initSync, Authorizer, type Decision } from 'orgwarden/web';

export async function start(wasmUrl: URL, compiled: WebAssembly.Module): Promise<Decision> {
  await init(wasmUrl);
  initSync({ module: compiled });
  // @ts-expect-error initSync needs its options
  initSync();
  return new Authorizer().check({ type: 'User', id: 'olivia' }, 'viewMembers', { type: 'Organization', id: 'acme' });
}
