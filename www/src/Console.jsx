// The console for one viewer, under the AuthorizerProvider that holds their scoped snapshot.
// `perform` sends an action to the server; when it changed the organization, the viewer's new
// scoped snapshot is fetched and loaded into the provider's authorizer, whose subscribe()
// re-renders the components whose answers changed.
import { useEffect, useMemo, useState } from 'react';
import { useAuthorizer } from 'orgwarden/react';
import { fetchScopedSnapshot, performAction } from './api.js';
import { StatusBar } from './components/StatusBar.jsx';
import { ConsoleContext } from './console-context.js';
import { labelOf } from './presentation.js';
import { AlgorithmsPanel } from './panels/AlgorithmsPanel.jsx';
import { ApiKeysPanel } from './panels/ApiKeysPanel.jsx';
import { InvitationsPanel } from './panels/InvitationsPanel.jsx';
import { MembersPanel } from './panels/MembersPanel.jsx';
import { NoOrganization } from './panels/NoOrganization.jsx';
import { OrganizationPanel } from './panels/OrganizationPanel.jsx';
import { PoliciesPanel } from './panels/PoliciesPanel.jsx';
import { TeamsPanel } from './panels/TeamsPanel.jsx';
import { WorkspacesPanel } from './panels/WorkspacesPanel.jsx';

/** The request's outcome as the console shows it. */
function outcomeOf(title, action, answer) {
  if (!answer.valid) return { kind: 'error', title: `${title}: refused`, action, violations: answer.violations };
  return { kind: 'ok', title: `${title}: done`, action, lines: answer.message ? [answer.message] : [], notices: answer.notices, report: answer.report };
}

export function Console({ viewer, snapshot, setSnapshot, setOutcome, openForm, setOpenForm, tryDenied, customPolicy }) {
  // Not null: the provider shows its fallback until the authorizer is ready.
  const authorizer = useAuthorizer();
  const listing = useMemo(() => authorizer.schemaNames(), [authorizer]);
  const [orgId, setOrgId] = useState(null);
  const org = snapshot.organizations.find((o) => o.id === orgId) ?? snapshot.organizations[0] ?? null;

  const value = useMemo(() => {
    const userOf = (id) => snapshot.users.find((u) => u.id === id);
    const displayUser = (id) => userOf(id)?.name || id;
    const perform = async ({ action, resource, input = {}, fields = {}, label }) => {
      const title = label ?? labelOf(action);
      setOutcome(null); // the last request's outcome is not this one's
      try {
        const answer = await performAction({ viewer, action, resource, input, fields });
        if (answer.changed) {
          const next = await fetchScopedSnapshot(viewer);
          const loaded = authorizer.loadSnapshot(next);
          if (loaded.type !== 'success') throw new Error(loaded.errors.map((e) => `${e.code}: ${e.message}`).join('; '));
          setSnapshot(next);
        }
        if (answer.valid) setOpenForm(null);
        setOutcome(outcomeOf(title, action, answer));
      } catch (error) {
        setOutcome({ kind: 'error', title: `${title}: failed`, action, lines: [error.message] });
      }
    };
    return {
      viewer,
      me: { type: 'User', id: viewer },
      snapshot,
      org,
      setOrgId,
      listing,
      userOf,
      displayUser,
      perform,
      openForm,
      setOpenForm,
      tryDenied,
      customPolicy,
      formContext: {
        vocabulary: listing.snapshotVocabulary,
        teams: org?.teams ?? [],
        people: snapshot.users.map((u) => ({ value: u.id, label: u.name ? `${u.name} (${u.id})` : u.id })),
      },
    };
  }, [viewer, snapshot, org, listing, authorizer, setSnapshot, setOutcome, openForm, setOpenForm, tryDenied, customPolicy]);

  // Marks the page as ready for whoever waits on it (the end-to-end test, a screenshot).
  useEffect(() => {
    document.getElementById('app')?.setAttribute('data-ready', 'true');
  }, []);

  return (
    <ConsoleContext.Provider value={value}>
      <div data-testid="console" data-viewer={viewer}>
        <StatusBar />
        <main className="layout">
          {org ? (
            <>
              <OrganizationPanel />
              <MembersPanel />
              <TeamsPanel />
              <WorkspacesPanel />
              <AlgorithmsPanel />
              <InvitationsPanel />
              <ApiKeysPanel />
            </>
          ) : (
            <NoOrganization />
          )}
          <PoliciesPanel />
        </main>
      </div>
    </ConsoleContext.Provider>
  );
}
