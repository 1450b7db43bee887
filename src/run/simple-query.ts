import type pg from 'pg';

/** The parts of pg's Connection this uses (present on every pure-JS `pg` client). */
interface ProtocolConnection {
  stream: NodeJS.WritableStream & { writable: boolean; cork(): void; uncork(): void };
  sendCopyFail(message: string): void;
}

/** What the server said while it ran a multi-statement text. */
export interface SimpleQueryTrace {
  /** CommandComplete tags in order (`BEGIN`, `CREATE TABLE`, `INSERT 0 1`, ...): one per statement that finished. */
  tags: string[];
}

/** Sees each row returned (its text fields) and how many statements had finished before it. */
export type RowObserver = (fields: (string | null)[], tagsSoFar: number) => void;

const QUERY_MESSAGE = 0x51; // 'Q'
const NUL = Buffer.from([0]);

/**
 * Sends the concatenation of `parts` as one simple-protocol Query message and resolves when the
 * server is ready again with what it said: one CommandComplete tag per finished statement (so a
 * failure can be placed at the statement that failed without running anything again) and the rows
 * returned (to `onRow`; nothing is kept). Rejects with the error pg reports (code, position, ...)
 * or with pg's connection error; the trace so far is attached to the error as `trace`.
 *
 * Why not `client.query(text)`: for a multi-statement text, pg keeps one Result object per
 * statement (a 20 MB migration of 200,000 INSERTs: ~80 MB of them), flattens `prefix + text`
 * into a new string and copies it again into its message buffer. This writes the parts straight
 * to the socket (one write), so the text is encoded once, transiently.
 *
 * Falls back to `client.query` for clients without pg's JS protocol connection (pg-native).
 */
export async function runSimpleQuery(client: pg.ClientBase, parts: readonly string[], onRow?: RowObserver): Promise<SimpleQueryTrace> {
  const connection = (client as unknown as { connection?: Partial<ProtocolConnection> }).connection;
  if (!connection?.stream || typeof connection.stream.cork !== 'function') return viaClientQuery(client, parts, onRow);
  const trace: SimpleQueryTrace = { tags: [] };
  await new Promise<void>((resolve, reject) => {
    const submittable = {
      submit(conn: ProtocolConnection): Error | undefined {
        return writeQuery(conn, parts);
      },
      handleRowDescription() {},
      handleDataRow(message: { fields: (string | null)[] }) {
        onRow?.(message.fields, trace.tags.length);
      },
      handleCommandComplete(message: { text: string }) {
        trace.tags.push(message.text);
      },
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyInResponse(conn: ProtocolConnection) {
        // COPY ... FROM STDIN has no data to read here (as with pg's own query()).
        conn.sendCopyFail('COPY FROM STDIN is not supported in a migration: there is no input stream');
      },
      handleCopyData() {},
      handleError(error: unknown) {
        // pg drops the query at its first error (the ReadyForQuery that follows goes to nobody);
        // queries the caller sends next wait for it.
        reject(attachTrace(error, trace));
      },
      handleReadyForQuery() {
        resolve();
      },
    };
    void client.query(submittable as unknown as pg.QueryConfig);
  });
  return trace;
}

function writeQuery(conn: ProtocolConnection, parts: readonly string[]): Error | undefined {
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
}

function attachTrace(error: unknown, trace: SimpleQueryTrace): unknown {
  if (typeof error === 'object' && error !== null) Object.assign(error, { trace: { tags: [...trace.tags] } });
  return error;
}

/**
 * The trace attached to an error thrown by {@link runSimpleQuery}, if any.
 */
export function traceOf(error: unknown): SimpleQueryTrace | undefined {
  const trace = (error as { trace?: SimpleQueryTrace } | null)?.trace;
  return trace && Array.isArray(trace.tags) ? trace : undefined;
}

/** pg-native has no protocol messages: rebuild tags and rows from its results (INSERT tags lack the oid). */
async function viaClientQuery(client: pg.ClientBase, parts: readonly string[], onRow: RowObserver | undefined): Promise<SimpleQueryTrace> {
  const result = (await client.query(parts.join(''))) as pg.QueryResult | pg.QueryResult[];
  const tags: string[] = [];
  for (const statement of Array.isArray(result) ? result : [result]) {
    for (const row of statement.rows as Record<string, unknown>[])
      onRow?.(
        Object.values(row).map((v) => (v === null ? null : String(v))),
        tags.length,
      );
    tags.push(
      statement.command === 'INSERT' ? `INSERT 0 ${statement.rowCount}` : [statement.command, statement.rowCount ?? ''].join(' ').trim(),
    );
  }
  return { tags };
}
