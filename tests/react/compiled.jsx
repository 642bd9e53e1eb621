// The page tests/react/compiled.test.mjs drives in headless Chromium: orgwarden/compiled/react on
// the compiled runtime, bundled as an application on that runtime would be ('orgwarden/compiled',
// 'orgwarden/compiled/react' and the compiled module 'orgwarden/compiled.wasm', emitted as a file
// whose URL the provider gives to init()). Nothing initializes the module before a provider does.
import { createRoot } from 'react-dom/client';
import init, { Authorizer, moduleStatus } from 'orgwarden/compiled';
import * as bindings from 'orgwarden/compiled/react';
import wasmUrl from 'orgwarden/compiled.wasm';
import { ErrorView, makeToolbar } from './components.jsx';

const { AuthorizerProvider } = bindings;
const Toolbar = makeToolbar(bindings);
const fixture = await (await fetch('./small-org.json')).json();

function Users() {
  return ['olivia', 'adam', 'mia'].map((user) => <Toolbar key={user} user={user} />);
}

const MIA_MAY_DELETE = 'permit (principal == User::"mia", action == Action::"deleteOrganization", resource);';

const scenarios = {
  /** The provider initializes the compiled runtime with its .wasm, then loads the snapshot. */
  org: () => (
    <AuthorizerProvider snapshot={fixture} wasm={wasmUrl} fallback={<p id="loading">Loading permissions…</p>} errorFallback={ErrorView}>
      <Users />
    </AuthorizerProvider>
  ),
  /** Policy text in the options, which the compiled runtime does not run: the provider shows its refusal. */
  policyText: () => (
    <AuthorizerProvider options={{ policies: [{ name: 'extra.cedar', text: MIA_MAY_DELETE }] }} snapshot={fixture} wasm={wasmUrl} errorFallback={ErrorView}>
      <Users />
    </AuthorizerProvider>
  ),
  /** An authorizer the page made with 'orgwarden/compiled', given to the provider. */
  given: (authorizer) => (
    <AuthorizerProvider authorizer={authorizer}>
      <Users />
    </AuthorizerProvider>
  ),
};

let root = null;
window.harness = {
  readyAtStart: moduleStatus().ready,
  async mount(name) {
    this.unmount();
    let given = null;
    if (name === 'given') {
      await init(wasmUrl);
      given = new Authorizer();
      given.loadSnapshot(fixture);
    }
    root = createRoot(document.getElementById('root'));
    root.render(scenarios[name](given));
  },
  unmount() {
    root?.unmount();
    root = null;
  },
};
document.getElementById('result').dataset.done = '';
