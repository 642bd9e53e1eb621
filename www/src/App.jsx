// The console's shell: "view as", the custom policy, the last outcome, and one AuthorizerProvider
// per viewer. The provider initializes the module, makes the authorizer with the policies the
// server decides with, and loads the snapshot the server scoped for the viewer: the browser never
// holds the whole organization. Another viewer, or a reset, is a new provider (keyed), so no
// answer of one viewer's snapshot is ever shown for another.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { AuthorizerProvider } from 'orgwarden/react';
import wasmFile from 'orgwarden/orgwarden_bg.wasm';
import { fetchCustomPolicies, fetchScopedSnapshot, fetchViewers, putCustomPolicy, resetOrganization } from './api.js';
import { Console } from './Console.jsx';
import { Header } from './components/Header.jsx';
import { Outcome } from './components/Outcome.jsx';

// The bundler emits the package's .wasm (the compiled runtime's, in that runtime's bundle) beside
// the bundle and names it relative to the bundle, not to the page: the provider gives init() its
// full URL.
const WASM_URL = new URL(wasmFile, import.meta.url);

function Fatal({ error, retry }) {
  return (
    <div className="fatal" data-testid="fatal">
      <h2>The console could not start</h2>
      <pre>{String(error?.message ?? error)}</pre>
      {retry ? (
        <button type="button" className="btn" onClick={retry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/** The viewer named by `?as=`, if the server offers it, else the first one. */
function initialViewer(viewers) {
  const asked = new URLSearchParams(location.search).get('as');
  return viewers.includes(asked) ? asked : viewers[0];
}

/** The custom policy's editor state, and `apply(text | null)`, which asks the server to put it in force. */
function useCustomPolicy(setOutcome) {
  const [policies, setPolicies] = useState(null); // in force on the server; null until known
  const [draft, setDraft] = useState('');
  const [errors, setErrors] = useState(null);
  const apply = useCallback(
    async (text) => {
      setOutcome(null);
      try {
        const answer = await putCustomPolicy(text);
        if (answer.type !== 'success') {
          setErrors(answer.diagnostics);
          setOutcome({ kind: 'error', title: 'Custom policy rejected', lines: [`${answer.diagnostics.length} problem(s), see the policy panel.`] });
          return;
        }
        setErrors(null);
        setDraft(text ?? '');
        setPolicies(answer.policies);
        setOutcome({ kind: 'ok', title: text ? 'Custom policy applied' : 'Custom policy removed', lines: ['The console was evaluated again with the policies in force.'] });
      } catch (error) {
        setOutcome({ kind: 'error', title: 'Custom policy: failed', lines: [error.message] });
      }
    },
    [setOutcome],
  );
  return { policies, setPolicies, editor: { active: Boolean(policies?.length), draft, setDraft, errors, apply } };
}

export function App() {
  const [viewers, setViewers] = useState(null);
  const [viewer, setViewer] = useState(null);
  const [startError, setStartError] = useState(null);
  const [resets, setResets] = useState(0);
  const [snapshot, setSnapshot] = useState(null);
  const [outcome, setOutcome] = useState(null);
  const [openForm, setOpenForm] = useState(null);
  const [tryDenied, setTryDenied] = useState(false);
  const { policies, setPolicies, editor } = useCustomPolicy(setOutcome);

  useEffect(() => {
    Promise.all([fetchViewers(), fetchCustomPolicies()]).then(([ids, custom]) => {
      setViewers(ids);
      setPolicies(custom);
      setViewer(initialViewer(ids));
    }, setStartError);
  }, [setPolicies]);

  // Stable per viewer: the provider calls it for its first load (and on retry or new options).
  const loadScopedSnapshot = useCallback(
    async ({ signal }) => {
      const scoped = await fetchScopedSnapshot(viewer, { signal });
      if (!signal?.aborted) setSnapshot(scoped);
      return scoped;
    },
    [viewer],
  );
  const options = useMemo(() => ({ policies: policies ?? [] }), [policies]);

  const switchViewer = (id) => {
    setViewer(id);
    setOpenForm(null);
    setOutcome(null);
  };
  const reset = async () => {
    try {
      await resetOrganization();
      setOpenForm(null);
      setResets((n) => n + 1);
      setOutcome({ kind: 'info', title: 'Example organization restored', lines: [] });
    } catch (error) {
      setOutcome({ kind: 'error', title: 'Reset: failed', lines: [error.message] });
    }
  };

  let body;
  if (startError) body = <Fatal error={startError} />;
  else if (!viewer || !policies) body = <p className="loading">Loading…</p>;
  else {
    body = (
      <AuthorizerProvider
        key={`${viewer} ${resets}`}
        snapshot={loadScopedSnapshot}
        options={options}
        wasm={WASM_URL}
        fallback={<p className="loading">Loading the organization as {viewer}…</p>}
        errorFallback={(error, retry) => <Fatal error={error} retry={retry} />}
      >
        <Console
          viewer={viewer}
          snapshot={snapshot}
          setSnapshot={setSnapshot}
          setOutcome={setOutcome}
          openForm={openForm}
          setOpenForm={setOpenForm}
          tryDenied={tryDenied}
          customPolicy={editor}
        />
      </AuthorizerProvider>
    );
  }
  return (
    <>
      <Header viewers={viewers} viewer={viewer} onViewer={switchViewer} tryDenied={tryDenied} onTryDenied={setTryDenied} onReset={reset} />
      {body}
      <Outcome outcome={outcome} onClose={() => setOutcome(null)} />
    </>
  );
}
