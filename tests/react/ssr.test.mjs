// orgwarden/react on a server (node --test tests/react/): in Node, 'orgwarden' is the Node entry,
// initialized at import, and no effect runs while rendering to a string. So a provider that loads
// a snapshot renders its fallback (the client takes over), and one given a loaded authorizer and
// no snapshot renders the decisions at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createElement as h } from 'react';
import { renderToString } from 'react-dom/server';
import { Authorizer } from 'orgwarden';
import { AuthorizerProvider, Can, useCheck } from 'orgwarden/react';

const fixture = JSON.parse(fs.readFileSync(new URL('../fixtures/small-org.json', import.meta.url), 'utf8'));
const acme = { type: 'Organization', id: 'acme' };

function Toolbar({ user }) {
  const me = { type: 'User', id: user };
  const remove = useCheck(me, 'deleteOrganization', acme);
  return h(
    'p',
    { id: user },
    h('button', { disabled: !remove.allowed }, 'Delete organization'),
    h(Can, { principal: me, action: 'deleteOrganization', resource: acme, showReason: true, loading: 'checking' }, 'may delete'),
  );
}

test('a provider that loads a snapshot renders its fallback on the server', () => {
  const html = renderToString(h(AuthorizerProvider, { snapshot: fixture, fallback: h('i', null, 'loading') }, h(Toolbar, { user: 'olivia' })));
  assert.equal(html, '<i>loading</i>');
});

test('without a fallback the server renders the loading answers: denied', () => {
  const html = renderToString(h(AuthorizerProvider, { snapshot: fixture }, h(Toolbar, { user: 'olivia' })));
  assert.equal(html, '<p id="olivia"><button disabled="">Delete organization</button>checking</p>');
});

test('a provider given a loaded authorizer renders the decisions on the server', () => {
  const authz = new Authorizer();
  try {
    assert.equal(authz.loadSnapshot(fixture).type, 'success');
    const html = renderToString(h(AuthorizerProvider, { authorizer: authz }, h(Toolbar, { user: 'olivia' }), h(Toolbar, { user: 'mia' })));
    assert.equal(
      html,
      '<p id="olivia"><button>Delete organization</button>may delete</p>' +
        '<p id="mia"><button disabled="">Delete organization</button>Only owners can delete the organization</p>',
    );
  } finally {
    authz.free();
  }
});

test('the hooks outside a provider throw an error that says so', () => {
  assert.throws(() => renderToString(h(Toolbar, { user: 'olivia' })), /useCheck\(\) needs an <AuthorizerProvider> above it/);
});
