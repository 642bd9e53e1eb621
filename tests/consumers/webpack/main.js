import init, { Authorizer, moduleStatus } from 'orgwarden';
import snapshot from './small-org.json';
import { decide, report } from './decide.js';

await report(async () => {
  await init();
  return decide({ Authorizer, moduleStatus }, snapshot);
});
