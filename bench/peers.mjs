// The peers measured side by side: dbmate, node-pg-migrate, postgrator-cli, installed from npm
// into bench/.work/peers (git-ignored), never into the project.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PACKAGES = ['dbmate', 'node-pg-migrate', 'postgrator-cli', 'pg'];

function readVersion(dir, name) {
  try {
    return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * Installs the peers (once) and returns how to run them:
 * { dbmate: { bin, version }, npm: { script, version }, postgrator: { script, version } }.
 */
export function ensurePeers(workDir, log) {
  const dir = join(workDir, 'peers');
  mkdirSync(dir, { recursive: true });
  const installed = PACKAGES.every((name) => readVersion(dir, name));
  if (!installed) {
    log(`installing peers into ${dir} (npm install ${PACKAGES.join(' ')}) ...`);
    if (!existsSync(join(dir, 'package.json'))) {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'aeturnis-bench-peers', private: true }, null, 2));
    }
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', ...PACKAGES], {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) throw new Error(`npm install of the peers failed (exit ${result.status})`);
  }
  // dbmate's npm package is a Node shim that spawns the Go binary; run the binary itself, as
  // a user of the Go tool (brew, apt, the Docker image) would, so dbmate pays no Node start-up.
  const platformPackage = `@dbmate/${process.platform}-${process.arch === 'x64' ? 'x64' : process.arch}`;
  const dbmateBin = join(dir, 'node_modules', platformPackage, 'bin', 'dbmate');
  if (!existsSync(dbmateBin)) throw new Error(`dbmate binary not found at ${dbmateBin}`);
  // ... and also through the npm package's own command (a Node script that spawns the binary),
  // which is what `npx dbmate` and node_modules/.bin/dbmate run.
  const dbmateShim = realpathSync(join(dir, 'node_modules', '.bin', 'dbmate'));
  return {
    dbmate: { bin: dbmateBin, shim: dbmateShim, version: readVersion(dir, 'dbmate') },
    npm: {
      script: join(dir, 'node_modules', 'node-pg-migrate', 'bin', 'node-pg-migrate.js'),
      version: readVersion(dir, 'node-pg-migrate'),
    },
    postgrator: {
      script: join(dir, 'node_modules', 'postgrator-cli', 'index.js'),
      version: readVersion(dir, 'postgrator-cli'),
      core: readVersion(dir, 'postgrator'),
    },
    pg: readVersion(dir, 'pg'),
  };
}
