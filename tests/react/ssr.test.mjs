// orgwarden/react on a server (node --test tests/react/): in Node, 'orgwarden' is the Node entry,
// initialized at import. The tests are those of ./server-rendering.mjs.
import { Authorizer } from 'orgwarden';
import * as bindings from 'orgwarden/react';
import { serverRenderingTests } from './server-rendering.mjs';

serverRenderingTests(bindings, 'orgwarden/react', async () => new Authorizer());
