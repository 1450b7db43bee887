import { describe, expect, it } from 'vitest';
import { describeBlockers, queryStart, type Blocker } from '../../src/lock-retries/blockers.js';

const report: Blocker = {
  pid: 4242,
  applicationName: 'report-job',
  user: 'analyst',
  state: 'idle in transaction',
  transactionMs: 312_000,
  query: "SELECT count(*)\n  FROM users\n WHERE created_at > now() - interval '1 year' AND deleted_at IS NULL",
};

describe('describeBlockers', () => {
  it('names pid, application, user, state, how long its transaction is open and the start of its query', () => {
    expect(describeBlockers([report])).toBe(
      'pid 4242 (report-job, user analyst, idle in transaction, transaction open 5 min 12 s: SELECT count(*) FROM users WHERE created_at > now() - inter…)',
    );
  });
  it('more than one: the first (longest open) and the pids of the others', () => {
    expect(describeBlockers([report, { ...report, pid: 7 }, { ...report, pid: 8 }])).toMatch(/^pid 4242 \(.*\) and 2 more \(pid 7, 8\)$/);
  });
  it('what our role may not see is left out, not printed as null', () => {
    expect(describeBlockers([{ pid: 9, applicationName: '', user: null, state: null, transactionMs: null, query: null }])).toBe(
      'pid 9 (no application name)',
    );
  });
  it('none seen: says so', () => {
    expect(describeBlockers([])).toBe('a session not seen (it let go before it could be looked up)');
  });
});

describe('queryStart', () => {
  it('never prints a password from the blocking query', () => {
    expect(queryStart("ALTER ROLE app WITH PASSWORD 'hunter2' VALID UNTIL 'infinity'")).toBe(
      "ALTER ROLE app WITH PASSWORD '***' VALID UNTIL 'infinity'",
    );
    expect(queryStart("create user x password E'it''s secret'")).not.toContain('secret');
    expect(queryStart("ALTER ROLE a PASSWORD 'one';\nALTER ROLE b PASSWORD 'two'")).toBe(
      "ALTER ROLE a PASSWORD '***'; ALTER ROLE b PASSWORD '***'",
    );
    expect(queryStart("SELECT 'ALTER ROLE x PASSWORD ''hunter2'''")).toBe("SELECT 'ALTER ROLE x PASSWORD ''***'''");
  });
});
