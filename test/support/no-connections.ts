import net from 'node:net';

/**
 * Setup file of the `unit` project: unit tests test pure functions and must pass with no
 * PostgreSQL running, so any attempt to open a network connection (pg, TLS, HTTP: all go
 * through net.Socket#connect) fails that test at once with one line saying where it belongs,
 * instead of passing here only because a server happens to be up.
 */
function refuseConnection(this: net.Socket, ...args: unknown[]): never {
  const target = args
    .slice(0, 2)
    .map((arg) => (typeof arg === 'object' && arg !== null ? JSON.stringify(arg) : String(arg)))
    .join(' ');
  throw new Error(`a unit test tried to open a connection (${target}); tests that need a server belong in test/integration`);
}

net.Socket.prototype.connect = refuseConnection as unknown as typeof net.Socket.prototype.connect;
