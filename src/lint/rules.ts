import type { FindingLevel, FindingSource, RuleLevel } from './finding.js';

/**
 * Every rule `lint` knows: squawk's (squawk-cli 2.61, pinned) and aeturnis-db's own, with the level a
 * finding of it gets by default. docs/lint.md explains each choice.
 */

/** A rule's entry in the catalogue. */
export interface RuleInfo {
  source: FindingSource;
  /** The level its findings get when it is on (an `--include` turns it on at this level). */
  onLevel: FindingLevel;
  /** On unless the configuration or a flag turns it off. */
  defaultOn: boolean;
  /** squawk runs it only when asked with `--include` (squawk's opt-in rules). */
  squawkOptIn?: boolean;
}

const squawk = (onLevel: FindingLevel, defaultOn = true, squawkOptIn = false): RuleInfo => ({
  source: 'squawk',
  onLevel,
  defaultOn,
  squawkOptIn,
});
const own = (onLevel: FindingLevel): RuleInfo => ({ source: 'aeturnis-db', onLevel, defaultOn: true });

/** aeturnis-db's own rule names. */
export const OWN_RULE = {
  requiresNoTransaction: 'requires-no-transaction',
  notRerunnable: 'not-rerunnable',
  irreversible: 'irreversible',
  lintIgnore: 'lint-ignore',
} as const;

/** The rule squawk reports a statement it cannot parse under. */
export const SYNTAX_ERROR_RULE = 'syntax-error';
/** The rule that aeturnis-db's lock retries make moot (see {@link defaultLevel}). */
const LOCK_TIMEOUT_RULE = 'require-lock-timeout';

const RULES: Readonly<Record<string, RuleInfo>> = {
  // Locks and rewrites that block reads or writes on a live table: errors.
  'adding-field-with-default': squawk('error'),
  'adding-foreign-key-constraint': squawk('error'),
  'adding-not-nullable-field': squawk('error'),
  'adding-required-field': squawk('error'),
  'adding-serial-primary-key-field': squawk('error'),
  'ban-alter-domain-with-add-constraint': squawk('error'),
  'ban-create-domain-with-constraint': squawk('error'),
  'ban-drop-column': squawk('error'),
  'ban-drop-database': squawk('error'),
  'ban-drop-not-null': squawk('error'),
  'ban-drop-table': squawk('error'),
  'ban-truncate-cascade': squawk('error'),
  'ban-uncommitted-transaction': squawk('error'),
  'changing-column-type': squawk('error'),
  'constraint-missing-not-valid': squawk('error'),
  'disallowed-unique-constraint': squawk('error'),
  'identifier-too-long': squawk('error'),
  'renaming-column': squawk('error'),
  'renaming-table': squawk('error'),
  'require-concurrent-index-creation': squawk('error'),
  'require-concurrent-index-deletion': squawk('error'),
  'require-concurrent-partition-detach': squawk('error'),
  'require-concurrent-reindex': squawk('error'),
  'transaction-nesting': squawk('error'),
  [SYNTAX_ERROR_RULE]: squawk('error'),
  // Schema style and advice that depends on the data: warnings.
  'ban-char-field': squawk('warning'),
  'prefer-bigint-over-int': squawk('warning'),
  'prefer-bigint-over-smallint': squawk('warning'),
  'prefer-identity': squawk('warning'),
  'prefer-repack': squawk('warning'),
  'prefer-text-field': squawk('warning'),
  'prefer-timestamp-tz': squawk('warning'),
  'require-enum-value-ordering': squawk('warning'),
  'require-statement-timeout': squawk('warning'),
  'unused-ignore': squawk('warning'),
  // Moot under aeturnis-db: every migration runs in its own transaction (or, with
  // -- aeturnis:no-transaction, is checked by not-rerunnable and requires-no-transaction instead).
  'prefer-robust-stmts': squawk('warning', false),
  'ban-concurrent-index-creation-in-transaction': squawk('error', false),
  // Moot while aeturnis-db's lock retries are on (the default): see defaultLevel.
  [LOCK_TIMEOUT_RULE]: squawk('error', false),
  // squawk's own opt-in rule.
  'require-table-schema': squawk('error', false, true),
  // aeturnis-db's own rules.
  [OWN_RULE.requiresNoTransaction]: own('error'),
  [OWN_RULE.notRerunnable]: own('warning'),
  [OWN_RULE.irreversible]: own('warning'),
  [OWN_RULE.lintIgnore]: own('error'),
};

/**
 * Rules not reported in DOWN sections: undoing a CREATE TABLE or an ADD COLUMN is what a DOWN
 * is for, so every reversible migration would otherwise fail lint.
 */
const NOT_IN_DOWN_SECTIONS = new Set(['ban-drop-table', 'ban-drop-column']);

/**
 * True when a rule's findings count in a section of that kind.
 */
export function appliesToSection(rule: string, section: 'up' | 'down'): boolean {
  return section === 'up' || !NOT_IN_DOWN_SECTIONS.has(rule);
}

/** squawk's rules that `--exclude` / `--include` may be passed to squawk itself for. */
const NOT_SQUAWK_FLAGS = new Set([SYNTAX_ERROR_RULE, 'unused-ignore']);

/** True for a rule name lint knows. */
export function isKnownRule(rule: string): boolean {
  return Object.hasOwn(RULES, rule);
}

/** Context that changes a rule's default. */
export interface RuleContext {
  /**
   * aeturnis-db retries a migration that cannot get a lock in time (its lock_timeout is set
   * for it), unless `--no-lock-retries` / `AETURNIS_LOCK_RETRIES=off`.
   */
  lockRetries: boolean;
}

/**
 * The level a rule has before any configuration. An unknown rule (one a newer squawk reports)
 * is an error, as squawk fails on every finding.
 */
export function defaultLevel(rule: string, context: RuleContext): RuleLevel {
  const info = RULES[rule];
  if (!info) return 'error';
  if (rule === LOCK_TIMEOUT_RULE) return context.lockRetries ? 'off' : info.onLevel;
  return info.defaultOn ? info.onLevel : 'off';
}

/** The level an `--include` (or `"on"` in the configuration) gives a rule. */
export function onLevel(rule: string): FindingLevel {
  return RULES[rule]?.onLevel ?? 'error';
}

/**
 * The `--exclude` and `--include` arguments for squawk, from the resolved levels: squawk need
 * not run a rule whose findings would be dropped, and runs its opt-in rules only when asked.
 */
export function squawkRuleFlags(levelOf: (rule: string) => RuleLevel): { exclude: string[]; include: string[] } {
  const exclude: string[] = [];
  const include: string[] = [];
  for (const [rule, info] of Object.entries(RULES)) {
    if (info.source !== 'squawk' || NOT_SQUAWK_FLAGS.has(rule)) continue;
    const level = levelOf(rule);
    if (level === 'off') exclude.push(rule);
    else if (info.squawkOptIn) include.push(rule);
  }
  return { exclude, include };
}
