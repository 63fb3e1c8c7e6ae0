// Generates the TypeScript types of the published OpenAPI document
// (openapi-typescript) for a client on openapi-fetch, as test/client uses them.
// Binary fields become Blob, so an upload or an image needs no cast.
// Usage: node scripts/openapi-client.mjs [document] [out-file]
import { readFileSync, writeFileSync } from 'node:fs';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import ts from 'typescript';

const [input = 'dist/openapi.json', output = 'test/client/openapi-types.ts'] = process.argv.slice(2);
const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));

const ast = await openapiTS(JSON.parse(readFileSync(input, 'utf8')), {
  transform: (schema) => (schema.format === 'binary' ? BLOB : undefined),
});
writeFileSync(output, `${COMMENT_HEADER}${astToString(ast)}`);
console.log(`Client types written to ${output}`);
