// The README's multi-tenant Worker over the full package (`orgwarden`), as bench/workerd.mjs
// measures it in workerd; its routes are bench/workerd/routes.mjs.
import '../../pkg/entries/workerd.js';
import { handle } from './routes.mjs';

export default { fetch: handle };
