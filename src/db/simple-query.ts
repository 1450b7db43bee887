import type pg from 'pg';

/** The parts of pg's Connection this uses (present on every pure-JS `pg` client). */
interface ProtocolConnection {
  stream: NodeJS.WritableStream & { writable: boolean; cork(): void; uncork(): void };
  sendCopyFail(message: string): void;
}

const QUERY_MESSAGE = 0x51; // 'Q'
const NUL = Buffer.from([0]);

/**
 * Sends the concatenation of `parts` as one simple-protocol Query message and resolves when the
 * server is ready again, keeping nothing of the results; rejects with the error pg reports
 * (the same `DatabaseError`: code, position, ...) or with pg's connection error.
 *
 * Why not `client.query(text)`: for a multi-statement text, pg keeps one Result object per
 * statement (a 20 MB migration of 200,000 INSERTs: ~80 MB of them), flattens `prefix + text`
 * into a new string and copies it again into its message buffer. This writes the parts straight
 * to the socket (one write), so the text is encoded once, transiently.
 *
 * Falls back to `client.query` for clients without pg's JS protocol connection (pg-native).
 *
 * @example
 * await runSimpleQuery(client, ['BEGIN;\n', migration.up.sql]);
 */
export async function runSimpleQuery(client: pg.ClientBase, parts: readonly string[]): Promise<void> {
  const connection = (client as unknown as { connection?: Partial<ProtocolConnection> }).connection;
  if (!connection?.stream || typeof connection.stream.cork !== 'function') {
    await client.query(parts.join(''));
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const submittable = {
      submit(conn: ProtocolConnection): Error | undefined {
        const stream = conn.stream;
        if (!stream.writable) return new Error('Connection terminated: the socket is not writable');
        let length = 4 + 1; // the length field itself, and the NUL ending the text
        for (const part of parts) length += Buffer.byteLength(part, 'utf8');
        const header = Buffer.allocUnsafe(5);
        header[0] = QUERY_MESSAGE;
        header.writeInt32BE(length, 1);
        stream.cork();
        stream.write(header);
        for (const part of parts) stream.write(part, 'utf8');
        stream.write(NUL);
        stream.uncork();
        return undefined;
      },
      handleRowDescription() {},
      handleDataRow() {},
      handleCommandComplete() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyInResponse(conn: ProtocolConnection) {
        // COPY ... FROM STDIN has no data to read here (as with pg's own query()).
        conn.sendCopyFail('COPY FROM STDIN is not supported in a migration: there is no input stream');
      },
      handleCopyData() {},
      handleError(error: unknown) {
        reject(error);
      },
      handleReadyForQuery() {
        resolve();
      },
    };
    void client.query(submittable as unknown as pg.QueryConfig);
  });
}
