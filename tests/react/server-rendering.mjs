// The server rendering tests of one build's bindings (ssr.test.mjs: orgwarden/react on
// 'orgwarden'; ssr-compiled.test.mjs: orgwarden/compiled/react on 'orgwarden/compiled'). No
// effect runs while rendering to a string: a provider that loads a snapshot renders its fallback
// (the client takes over), and one given a loaded authorizer and no snapshot renders the
// decisions at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createElement as h } from 'react';
import { renderToString } from 'react-dom/server';

const fixture = JSON.parse(fs.readFileSync(new URL('../fixtures/small-org.json', import.meta.url), 'utf8'));
const acme = { type: 'Organization', id: 'acme' };

/**
 * Registers the tests for `bindings` (the components and hooks of `name`), whose authorizers
 * `makeAuthorizer()` makes (a promise: it may have to initialize the module first).
 */
export function serverRenderingTests({ AuthorizerProvider, Can, useCheck }, name, makeAuthorizer) {
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

  test('a provider given a loaded authorizer renders the decisions on the server', async () => {
    const authz = await makeAuthorizer();
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
    assert.throws(() => renderToString(h(Toolbar, { user: 'olivia' })), new RegExp(`^Error: ${name}: useCheck\\(\\) needs an <AuthorizerProvider> above it$`));
  });
}
