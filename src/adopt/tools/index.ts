import type { AdoptTool, SourceTool } from '../types.js';
import { flyway } from './flyway.js';
import { nodePgMigrate } from './node-pg-migrate.js';
import { dbmate, golangMigrate, goose } from './numbered.js';

/** Every tool `adopt --from` reads. */
export const SOURCE_TOOLS: Record<AdoptTool, SourceTool> = {
  dbmate,
  'golang-migrate': golangMigrate,
  goose,
  flyway,
  'node-pg-migrate': nodePgMigrate,
};
