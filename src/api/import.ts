/**
 * `import`: converting another tool's migration files. The conversion is pure (src/import/);
 * this is its entry for the CLI and the API.
 */
export { ImportError, importMigrations, type ImportOptions, type ImportResult, type ImportedMigration } from '../import/import.js';
export type { ImportTool } from '../import/types.js';
