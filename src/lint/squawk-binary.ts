import { createRequire } from 'node:module';
import { UsageError } from '../errors.js';

/**
 * Finds squawk's binary in the installed packages. squawk-cli is an optional dependency of
 * aeturnis-db, and ships its binary in one optional package per platform
 * (`@squawk-cli/linux-x64`, ...): `npm install --omit=optional` skips both, and installing
 * again with `--include=optional` brings both back.
 */

/** Where the fix is said: an install that skipped optional dependencies needs them back. */
const OPTIONAL_FIX =
  'optional dependencies were skipped (npm install --omit=optional, or omit=optional in .npmrc): ' +
  'run "npm install --include=optional" where aeturnis-db is installed (for a global install: "npm install -g --include=optional aeturnis-db")';

/** The platforms squawk-cli ships a binary for. */
const PLATFORMS = ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64', 'win32-x64'];

/** Resolves a module specifier to a file path, or throws (like `require.resolve`). */
export type Resolve = (specifier: string, from?: string) => string;

/**
 * The path of squawk's binary, or a {@link UsageError} saying in one line how to get it. Pure
 * but for `resolve`.
 */
export function squawkBinaryPath(resolve: Resolve, platform: string, arch: string): string {
  const key = `${platform}-${arch}`;
  let squawkCli: string;
  try {
    squawkCli = resolve('squawk-cli/package.json');
  } catch {
    throw new UsageError(`lint needs squawk, from aeturnis-db's optional dependency squawk-cli, which is not installed: ${OPTIONAL_FIX}`);
  }
  if (!PLATFORMS.includes(key)) {
    throw new UsageError(`lint needs squawk, which has no binary for ${key} (squawk-cli ships ${PLATFORMS.join(', ')})`);
  }
  const pkg = `@squawk-cli/${key}`;
  try {
    return resolve(`${pkg}/bin/${platform === 'win32' ? 'squawk.exe' : 'squawk'}`, squawkCli);
  } catch {
    throw new UsageError(`lint needs squawk's binary for ${key}, the optional package ${pkg}, which is not installed: ${OPTIONAL_FIX}`);
  }
}

/**
 * {@link squawkBinaryPath} for this process: resolved from aeturnis-db's own location, the
 * platform package from squawk-cli's (where npm puts it, hoisted or nested).
 */
export function installedSquawkBinary(): string {
  const resolve: Resolve = (specifier, from) => createRequire(from ?? import.meta.url).resolve(specifier);
  return squawkBinaryPath(resolve, process.platform, process.arch);
}
