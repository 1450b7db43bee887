import type { ImportProblem, ImportTool, SourceMigration } from './types.js';

/** A converted migration with its aeturnis-db version and file name. */
export interface VersionedMigration extends SourceMigration {
  version: number;
  /** `<digits>_<name>.sql` */
  fileName: string;
}

/** What {@link assignVersions} decided. */
export interface VersionAssignment {
  migrations: VersionedMigration[];
  problems: ImportProblem[];
  /** Things that convert but that a user should check (an order that changes). */
  warnings: string[];
}

/**
 * Gives each migration (in the source tool's order) its aeturnis-db version: the source's own
 * whole number, kept as written (`00001` stays `00001`); or with `renumber`, 1, 2, 3, ... in the
 * tool's order, four digits at least. Without `renumber`, a version that is not a whole number,
 * 0, too large, or the same number as another's is a problem.
 */
export function assignVersions(tool: ImportTool, migrations: readonly SourceMigration[], renumber: boolean): VersionAssignment {
  if (renumber) {
    const width = Math.max(4, String(migrations.length).length);
    return {
      migrations: migrations.map((m, index) => versioned(m, String(index + 1).padStart(width, '0'))),
      problems: [],
      warnings: [],
    };
  }
  const result: VersionAssignment = { migrations: [], problems: [], warnings: [] };
  const hint = `import with --renumber to number them 1, 2, 3, ... in ${tool}'s order`;
  const seen = new Map<number, VersionedMigration>();
  for (const migration of migrations) {
    const file = migration.sources[0] as string;
    const digits = migration.versionDigits;
    if (digits === undefined) {
      result.problems.push({
        file,
        reason: `version ${migration.sourceVersion} is not a whole number, as aeturnis-db versions are (${hint})`,
      });
      continue;
    }
    const value = BigInt(digits);
    if (value === 0n) {
      result.problems.push({ file, reason: `version 0: aeturnis-db versions start at 1 (${hint})` });
      continue;
    }
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      result.problems.push({
        file,
        reason: `version ${digits} is larger than aeturnis-db's largest, ${Number.MAX_SAFE_INTEGER} (${hint})`,
      });
      continue;
    }
    const entry = versioned(migration, digits);
    const clash = seen.get(entry.version);
    if (clash) {
      result.problems.push({ file, reason: `version ${digits} is the same number as ${clash.sources[0] as string}'s (${hint})` });
      continue;
    }
    seen.set(entry.version, entry);
    result.migrations.push(entry);
  }
  const reordered = firstReordered(result.migrations);
  if (reordered) {
    const [earlier, later] = reordered;
    result.warnings.push(
      `${tool} applies ${earlier.sources[0] as string} before ${later.sources[0] as string}; aeturnis-db applies migrations by ` +
        `version number, so ${later.fileName} comes first: check that this order works, or ${hint}`,
    );
  }
  return result;
}

function versioned(migration: SourceMigration, digits: string): VersionedMigration {
  return { ...migration, version: Number(digits), fileName: `${digits}_${migration.name}.sql` };
}

/** The first pair, in the tool's order, whose version numbers run backwards. */
function firstReordered(migrations: readonly VersionedMigration[]): [VersionedMigration, VersionedMigration] | undefined {
  let highest: VersionedMigration | undefined;
  for (const migration of migrations) {
    if (highest && migration.version < highest.version) return [highest, migration];
    if (!highest || migration.version > highest.version) highest = migration;
  }
  return undefined;
}
