import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

/**
 * Type-checks `files` in `cwd` with the repository's TypeScript as a user's strict Node project
 * would (ES2022, NodeNext modules, Node's types) and returns tsc's exit code and all it printed.
 *
 * @example
 * expect(typecheckStrict(dir, ['db.ts', 'queries.ts'])).toEqual({ code: 0, output: '' });
 */
export function typecheckStrict(cwd: string, files: readonly string[]): { code: number | null; output: string } {
  const tsc = spawnSync(
    process.execPath,
    [
      join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      '--target',
      'es2022',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--types',
      'node',
      ...files,
    ],
    { cwd, encoding: 'utf8' },
  );
  return { code: tsc.status, output: tsc.stdout + tsc.stderr };
}
