// The page tests/react/react.test.mjs drives in headless Chromium: esbuild bundles it with React
// (development build, so React's own warnings reach the console) and the package as a user's
// bundler would see it ('orgwarden' and 'orgwarden/react' through the package's "exports").
// Each scenario mounts into a fresh root; `window.harness` lets the test mount, unmount, release
// a held snapshot and change the store, and the test reads the DOM.
import { Component, StrictMode, Suspense, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import init, { Authorizer } from 'orgwarden';
import { AuthorizerProvider, Can, useAllowedActions, useAuthorizer, useAuthorizerState, useCheck, useMatrix } from 'orgwarden/react';
import wasmUrl from 'orgwarden/orgwarden_bg.wasm';
import { ErrorView, makeToolbar } from './components.jsx';

const fixture = await (await fetch('./small-org.json')).json();

/** The fixture with `user`'s role in acme changed. */
function withRole(user, role) {
  const copy = structuredClone(fixture);
  const acme = copy.organizations.find((org) => org.id === 'acme');
  acme.members = acme.members.map((m) => (m.user === user ? { ...m, role } : m));
  return copy;
}

/** A snapshot function held until the test releases it: the loading state is there to see. */
function heldSnapshot() {
  let release;
  const released = new Promise((done) => (release = done));
  let calls = 0;
  const source = async ({ signal }) => {
    calls += 1;
    await released;
    if (signal.aborted) throw new DOMException('aborted', 'AbortError');
    return (await fetch('./small-org.json', { signal })).json();
  };
  return { source, release, calls: () => calls };
}

// --- components under test ------------------------------------------------------------------------

const Toolbar = makeToolbar({ Can, useAllowedActions, useCheck, useMatrix });

/** Hands the provider's authorizer and state to the test. */
function Expose() {
  const authorizer = useAuthorizer();
  const state = useAuthorizerState();
  window.harness.authorizer = authorizer;
  return <p id="state" data-status={state.status} data-version={state.version} />;
}

function Users() {
  return (
    <>
      <Toolbar user="olivia" />
      <Toolbar user="adam" />
      <Toolbar user="mia" />
      <Expose />
    </>
  );
}

/** The main app: held snapshot, fallback, errors shown in place, snapshot replaceable. */
function OrgApp({ held }) {
  const [snapshot, setSnapshot] = useState(() => held.source);
  window.harness.setSnapshot = setSnapshot;
  return (
    <AuthorizerProvider snapshot={snapshot} wasm={wasmUrl} fallback={<p id="loading">Loading permissions…</p>} errorFallback={ErrorView}>
      <Users />
    </AuthorizerProvider>
  );
}

/** Many components asking the same thing, and re-renders that change nothing. */
function Stable({ authorizer }) {
  const [tick, setTick] = useState(0);
  window.harness.tick = () => setTick((n) => n + 1);
  return (
    <AuthorizerProvider authorizer={authorizer} snapshot={fixture}>
      <p id="tick" data-tick={tick} />
      <Identity tick={tick} />
      {Array.from({ length: 20 }, (_, i) => (
        <Can key={i} principal={{ type: 'User', id: 'olivia' }} action="deleteOrganization" resource={{ id: 'acme', type: 'Organization' }}>
          <b className="same">yes</b>
        </Can>
      ))}
    </AuthorizerProvider>
  );
}

/** Counts the distinct decision objects it was given while its inputs stayed equal by value. */
function Identity({ tick }) {
  // The keys of the resource in another order on every other render: equal by value.
  const resource = tick % 2 ? { id: 'acme', type: 'Organization' } : { type: 'Organization', id: 'acme' };
  const decision = useCheck({ type: 'User', id: 'olivia' }, 'deleteOrganization', resource, tick % 2 ? undefined : null);
  const seen = useRef([]);
  if (decision.type !== 'loading' && !seen.current.includes(decision)) seen.current.push(decision);
  return <p id="identity" data-distinct={seen.current.length} data-allowed={String(decision.allowed)} />;
}

const MIA_MAY_DELETE = 'permit (principal == User::"mia", action == Action::"deleteOrganization", resource);';

/** Options written inline, as application code does: compared by value. */
function WithOptions() {
  const [tick, setTick] = useState(0);
  const [extra, setExtra] = useState(false);
  window.harness.tick = () => setTick((n) => n + 1);
  window.harness.addPolicy = () => setExtra(true);
  return (
    <AuthorizerProvider
      options={{ includeDefaultPolicies: true, policies: extra ? [{ name: 'extra.cedar', text: MIA_MAY_DELETE }] : [] }}
      snapshot={fixture}
      wasm={wasmUrl}
      fallback={<p id="loading">Loading…</p>}
    >
      <p id="tick" data-tick={tick} />
      <Toolbar user="mia" />
      <Expose />
    </AuthorizerProvider>
  );
}

class Boundary extends Component {
  state = { error: null };
  static getDerivedStateFromError(error) {
    return { error };
  }
  render() {
    if (this.state.error) return <p id="caught" data-code={this.state.error.code ?? ''}>{this.state.error.message}</p>;
    return this.props.children;
  }
}

const scenarios = {
  /** Loading, decisions per user, snapshot replaced, store changed, unmount. */
  org: (held) => (
    <StrictMode>
      <OrgApp held={held} />
    </StrictMode>
  ),
  /** No fallback: the children render and the hooks answer `loading`. */
  inline: (held) => (
    <AuthorizerProvider snapshot={held.source} wasm={wasmUrl}>
      <Toolbar user="mia" />
      <Expose />
    </AuthorizerProvider>
  ),
  /** A snapshot that fails to load, then loads on retry (the snapshot function is called again). */
  failing: () => {
    let calls = 0;
    const source = () => (++calls === 1 ? { users: 'nope' } : structuredClone(fixture));
    return (
      <AuthorizerProvider snapshot={source} wasm={wasmUrl} fallback={<p id="loading">Loading…</p>} errorFallback={ErrorView}>
        <Users />
      </AuthorizerProvider>
    );
  },
  /** No errorFallback: the error goes to the nearest error boundary. */
  thrown: () => (
    <Boundary>
      <AuthorizerProvider snapshot={{ organizations: [{ id: 'acme', name: 'acme', members: [{ user: 'ghost', role: 'owner' }] }] }} wasm={wasmUrl}>
        <Users />
      </AuthorizerProvider>
    </Boundary>
  ),
  /** Invalid options: the constructor's OrgwardenError, shown in place. */
  badOptions: () => (
    <AuthorizerProvider options={{ policies: [{ name: 'broken.cedar', text: 'permit (principal, action, resource' }] }} snapshot={fixture} wasm={wasmUrl} errorFallback={ErrorView}>
      <Users />
    </AuthorizerProvider>
  ),
  /** Suspense boundary above the provider. */
  suspenseAbove: (held) => (
    <StrictMode>
      <Suspense fallback={<p id="suspended">Suspended…</p>}>
        <AuthorizerProvider snapshot={held.source} wasm={wasmUrl} suspense>
          <Toolbar user="olivia" />
          <Expose />
        </AuthorizerProvider>
      </Suspense>
    </StrictMode>
  ),
  /** Suspense boundary inside the provider: what needs no authorizer shows at once. */
  suspenseInside: (held) => (
    <AuthorizerProvider snapshot={held.source} wasm={wasmUrl} suspense>
      <h1 id="static">acme</h1>
      <Suspense fallback={<p id="suspended">Suspended…</p>}>
        <Toolbar user="mia" />
      </Suspense>
    </AuthorizerProvider>
  ),
  /** Inline options: equal ones keep the authorizer, other ones make a new one. */
  options: () => <WithOptions />,
  /** An authorizer of the page's, counted: answers computed once per version and argument. */
  given: (_, authorizer) => <Stable authorizer={authorizer} />,
};

/** An Authorizer that counts its checks. */
class CountingAuthorizer extends Authorizer {
  checks = 0;
  check(...args) {
    this.checks += 1;
    return super.check(...args);
  }
}

let root = null;
window.harness = {
  caught: [],
  held: null,
  given: null,
  async mount(name) {
    this.unmount();
    this.held = heldSnapshot();
    if (name === 'given') {
      await init(wasmUrl);
      this.given = new CountingAuthorizer();
    }
    const container = document.getElementById('root');
    root = createRoot(container, {
      // A caught error is part of the scenario; React would log it as a console error.
      onCaughtError: (error) => this.caught.push(error.message),
    });
    root.render(scenarios[name](this.held, this.given));
  },
  unmount() {
    root?.unmount();
    root = null;
  },
  withRole,
  fixture,
};
document.getElementById('result').dataset.done = '';
