// Fails when src/api/schema.d.ts is not what `npm run gen:api` makes from shared/openapi.json,
// so the portal's API types cannot drift from the served description.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const spec = JSON.parse(readFileSync(here('../../../../shared/openapi.json'), 'utf8'));
const fresh = astToString(await openapiTS(spec));
const committed = readFileSync(here('../src/api/schema.d.ts'), 'utf8');
const norm = (s) => s.replace(/^\/\*\*[\s\S]*?\*\/\s*/, '').trim();
if (norm(fresh) !== norm(committed)) {
  console.error('src/api/schema.d.ts is out of date with shared/openapi.json: run `npm run gen:api` and commit it');
  process.exit(1);
}
console.log('API types are up to date with shared/openapi.json');
