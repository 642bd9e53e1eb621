// Components the pages of tests/react/ share: a user's toolbar, whose DOM the tests read
// (browser.mjs, shownFor), and the view of a provider's error. The toolbar is made on the
// bindings of one build, as a page imports them: 'orgwarden/react' or 'orgwarden/compiled/react'.

const ACME = { type: 'Organization', id: 'acme' };

/** `<Toolbar user>` on `bindings`: the decisions about acme the tests compare with the engine's. */
export function makeToolbar({ Can, useAllowedActions, useCheck, useMatrix }) {
  return function Toolbar({ user }) {
    // New objects on every render, as application code writes them: the hooks compare by value.
    const me = { type: 'User', id: user };
    const remove = useCheck(me, 'deleteOrganization', ACME);
    const actions = useAllowedActions(me, ACME);
    const matrix = useMatrix(me, [ACME, { type: 'Workspace', id: 'research' }], ['viewOrganization', 'editWorkspace']);
    return (
      <section id={user} data-check={remove.type}>
        <button className="delete" disabled={!remove.allowed}>
          Delete organization
        </button>
        <span className="reason">
          <Can principal={me} action="deleteOrganization" resource={ACME} showReason loading="checking…">
            <span className="may-delete">You may delete acme</span>
          </Can>
        </span>
        <span className="invite">
          <Can principal={me} action="inviteMember" resource={ACME} fallback={<i className="no-invite">no invitations</i>}>
            <button className="invite-button">Invite member</button>
          </Can>
        </span>
        <Can principal={me} action="viewBilling" resource={ACME}>
          {(decision) => (
            <span className="billing" data-type={decision.type} data-allowed={String(decision.allowed)}>
              billing
            </span>
          )}
        </Can>
        <span className="allowed">{actions.type === 'success' ? actions.allowed.join(',') : actions.type}</span>
        <span className="matrix">{matrix.type === 'success' ? matrix.rows.map((row) => row.cells.map((c) => (c.allowed ? 'Y' : 'n')).join('')).join('|') : matrix.type}</span>
      </section>
    );
  };
}

/** A provider's `errorFallback`: the error's code and message, and a retry button. */
export function ErrorView(error, retry) {
  return (
    <div id="error">
      <span className="code">{error.code ?? error.name}</span>
      <span className="message">{error.message}</span>
      <button className="retry" onClick={retry}>
        Retry
      </button>
    </div>
  );
}
