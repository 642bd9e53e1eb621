// orgwarden/compiled/react on a server (node --test tests/react/): in Node, 'orgwarden/compiled'
// resolves to its Node entry, which, unlike 'orgwarden''s, is not initialized at import; the
// page's provider would initialize it, but no effect runs on a server. The tests are those of
// ./server-rendering.mjs, after one that renders before anything initialized the module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createElement as h } from 'react';
import { renderToString } from 'react-dom/server';
import init, { Authorizer, moduleStatus } from 'orgwarden/compiled';
import * as bindings from 'orgwarden/compiled/react';
import { serverRenderingTests } from './server-rendering.mjs';

test('before init() a provider renders its fallback, and rendering does not initialize the module', () => {
  assert.equal(moduleStatus().ready, false, 'not initialized at import');
  const olivia = { type: 'User', id: 'olivia' };
  const acme = { type: 'Organization', id: 'acme' };
  const page = h(bindings.Can, { principal: olivia, action: 'viewOrganization', resource: acme }, 'yes');
  assert.equal(renderToString(h(bindings.AuthorizerProvider, { snapshot: { users: [], organizations: [] }, fallback: 'loading' }, page)), 'loading');
  assert.equal(moduleStatus().ready, false);
});

serverRenderingTests(bindings, 'orgwarden/compiled/react', async () => {
  // Without an argument, Node's entry loads the package's own compiled module (the default policies).
  await init();
  return new Authorizer();
});
