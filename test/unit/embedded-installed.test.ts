import { describe, expect, it } from 'vitest';
import { assertEmbeddedInstalled, EMBEDDED_PACKAGES } from '../../src/embedded/database.js';
import { UsageError } from '../../src/errors.js';

/** A resolver that finds only the given packages (as node_modules would after a partial install). */
const resolverOf = (installed: string[]) => (specifier: string) => {
  if (!installed.includes(specifier))
    throw Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' });
  return `file:///app/node_modules/${specifier}/dist/index.js`;
};

describe('the embedded database is an optional dependency', () => {
  it('passes when PGlite and its socket server are installed', () => {
    expect(() => assertEmbeddedInstalled(resolverOf(EMBEDDED_PACKAGES))).not.toThrow();
  });

  it('after npm install --omit=optional: a usage error (exit 2) in one line, naming the packages and both ways out', () => {
    let error: unknown;
    try {
      assertEmbeddedInstalled(resolverOf([]));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    const { message, exitCode } = error as UsageError;
    expect(exitCode).toBe(2);
    expect(message).not.toContain('\n');
    expect(message).toBe(
      'no database configured, and the embedded database is not installed (optional packages @electric-sql/pglite, @electric-sql/pglite-socket left out, ' +
        'e.g. by npm install --omit=optional): set DATABASE_URL or pass --database-url, or install it with npm install --include=optional',
    );
  });

  it('names only the package that is missing', () => {
    expect(() => assertEmbeddedInstalled(resolverOf(['@electric-sql/pglite']))).toThrow(
      /optional package @electric-sql\/pglite-socket left out/,
    );
  });

  it('finds the installed packages from its own place by default', () => {
    expect(() => assertEmbeddedInstalled()).not.toThrow();
  });
});
