import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway project directory with a `migrations/` folder. */
export interface TempProject {
  dir: string;
  migrationsDir: string;
  /** Writes (or overwrites) `migrations/<fileName>`. */
  write(fileName: string, content: string | Buffer): string;
  remove(): void;
}

/**
 * Creates a temp project with the given migration files.
 *
 * @example
 * const project = tempProject({ '0001_a.sql': '-- UP\nCREATE TABLE a();\n-- DOWN\nDROP TABLE a;\n' });
 */
export function tempProject(files: Record<string, string> = {}): TempProject {
  const dir = mkdtempSync(join(tmpdir(), 'aeturnis-project-'));
  const migrationsDir = join(dir, 'migrations');
  mkdirSync(migrationsDir);
  const write = (fileName: string, content: string | Buffer): string => {
    const path = join(migrationsDir, fileName);
    writeFileSync(path, content);
    return path;
  };
  for (const [fileName, content] of Object.entries(files)) write(fileName, content);
  return { dir, migrationsDir, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A reversible migration creating table `name`. */
export function tableMigration(name: string): string {
  return `-- create ${name}\n-- UP\nCREATE TABLE ${name} (id int PRIMARY KEY);\n-- DOWN\nDROP TABLE ${name};\n`;
}
