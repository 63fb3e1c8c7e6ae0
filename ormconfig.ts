// The DataSource for the TypeORM CLI on the TypeScript sources; the compiled
// twin is dist/database/data-source.js (used by `npm run migration:run`).
export { default } from './src/database/data-source.js';
