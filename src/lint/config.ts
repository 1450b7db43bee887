import { UsageError } from '../errors.js';
import type { RuleLevel } from './finding.js';
import { defaultLevel, isKnownRule, onLevel, type RuleContext } from './rules.js';

/** The configuration file `lint` reads from the working directory when it exists. */
export const LINT_CONFIG_FILE = 'aeturnis-db.lint.json';

/** `aeturnis-db.lint.json`, parsed. */
export interface LintConfig {
  /** A level per rule: `"error"`, `"warning"` or `"off"` (`"on"`: the rule's usual level). */
  rules: Record<string, RuleLevel>;
  /** The PostgreSQL version squawk judges for (`--pg-version`), e.g. `"15"`. */
  pgVersion?: string | undefined;
}

const CONFIG_KEYS = new Set(['rules', 'pgVersion']);
const LEVEL_WORDS = new Set(['error', 'warning', 'off', 'on']);

/**
 * Parses the configuration file's text; any problem is a {@link UsageError} naming the file
 * (and the key or rule). Pure.
 */
export function parseLintConfig(text: string, fileName: string): LintConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${fileName}: not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(value)) throw new UsageError(`${fileName}: must hold a JSON object like {"rules": {"ban-drop-column": "off"}}`);
  for (const key of Object.keys(value)) {
    if (!CONFIG_KEYS.has(key)) throw new UsageError(`${fileName}: unknown key "${key}" (known: rules, pgVersion)`);
  }
  return { rules: parseRules(value.rules, fileName), pgVersion: parsePgVersion(value.pgVersion, fileName) };
}

function parseRules(value: unknown, fileName: string): Record<string, RuleLevel> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new UsageError(`${fileName}: "rules" must be an object of rule names and levels`);
  const rules: Record<string, RuleLevel> = {};
  for (const [rule, level] of Object.entries(value)) {
    assertKnownRule(rule, fileName);
    if (typeof level !== 'string' || !LEVEL_WORDS.has(level)) {
      throw new UsageError(`${fileName}: rule "${rule}" must be "error", "warning", "off" or "on" (got ${JSON.stringify(level)})`);
    }
    rules[rule] = level === 'on' ? onLevel(rule) : (level as RuleLevel);
  }
  return rules;
}

function parsePgVersion(value: unknown, fileName: string): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+(\.\d+)?$/.test(text)) {
    throw new UsageError(`${fileName}: "pgVersion" must be a PostgreSQL version like "15" or "15.4" (got ${JSON.stringify(value)})`);
  }
  return text;
}

/**
 * Reads a comma-separated rule list of `--exclude` / `--include`, refusing unknown names.
 */
export function parseRuleList(value: string, flag: string): string[] {
  const rules = value
    .split(',')
    .map((rule) => rule.trim())
    .filter((rule) => rule !== '');
  for (const rule of rules) assertKnownRule(rule, flag);
  return rules;
}

/** Throws a {@link UsageError} naming `where` when `rule` is not a rule lint knows. */
function assertKnownRule(rule: string, where: string): void {
  if (!isKnownRule(rule)) {
    throw new UsageError(`${where}: unknown rule "${rule}" (docs/lint.md lists the rules)`);
  }
}

/** Everything that decides a rule's level. */
export interface LevelSettings extends RuleContext {
  config: LintConfig;
  /** `--include`: on at the rule's usual level (unless the configuration gave it one). */
  include: readonly string[];
  /** `--exclude`: off, whatever else says. */
  exclude: readonly string[];
}

/**
 * The level of each rule: flags win over the configuration file, which wins over the default;
 * `--exclude` wins over `--include`, and `--include` keeps a level the file gave a rule.
 */
export function resolveLevels(settings: LevelSettings): (rule: string) => RuleLevel {
  const excluded = new Set(settings.exclude);
  const included = new Set(settings.include);
  return (rule) => {
    if (excluded.has(rule)) return 'off';
    const configured = settings.config.rules[rule];
    if (included.has(rule)) return configured !== undefined && configured !== 'off' ? configured : onLevel(rule);
    return configured ?? defaultLevel(rule, settings);
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
