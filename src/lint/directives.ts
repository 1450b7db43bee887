import type { RawFinding } from './finding.js';
import { isKnownRule, OWN_RULE, SYNTAX_ERROR_RULE } from './rules.js';

/**
 * `-- aeturnis:lint-ignore RULE[, RULE...]: REASON` in a migration's header (before `-- UP`)
 * silences the named rules for that whole file. The reason is required: a directive without
 * one silences nothing and is itself a finding, so every exception in the history says why.
 */

/** One valid directive. */
export interface LintIgnore {
  rules: string[];
  reason: string;
  /** 1-based line of the directive in the file. */
  line: number;
}

/** The directives of one file: those that apply, and findings about those that do not. */
export interface LintIgnoreScan {
  ignores: LintIgnore[];
  problems: RawFinding[];
}

/**
 * Rules that mean "this migration fails when it runs": silencing them would only move the
 * failure to `up`, so a directive naming one is refused.
 */
const FAILS_AT_RUN_TIME: Readonly<Record<string, string>> = {
  [SYNTAX_ERROR_RULE]: 'PostgreSQL cannot parse the statement, so the migration fails when it runs: fix the SQL',
  [OWN_RULE.requiresNoTransaction]:
    'the statement fails inside the transaction the migration runs in: add "-- aeturnis:no-transaction" to the header, or move the statement to a migration that has it',
};

const DIRECTIVE = /^\s*--\s*aeturnis:lint-ignore(?![\w-])(.*)$/i;
const RULE_NAME = /^[a-z0-9][a-z0-9-]*$/;
const EXAMPLE = '-- aeturnis:lint-ignore adding-required-field: backfilled in 0012';

/**
 * Finds the lint-ignore directives of a file (normalised text: LF line endings, no BOM). Pure.
 */
export function scanLintIgnores(text: string, upMarkerLine: number): LintIgnoreScan {
  const ignores: LintIgnore[] = [];
  const problems: RawFinding[] = [];
  if (!/aeturnis:lint-ignore/i.test(text)) return { ignores, problems }; // most files have none
  const lines = text.split('\n');
  lines.forEach((lineText, index) => {
    const match = DIRECTIVE.exec(lineText);
    if (!match) return;
    const line = index + 1;
    const column = lineText.indexOf('--') + 1;
    const problem = (message: string): void => {
      problems.push({ rule: OWN_RULE.lintIgnore, line, column, message, help: `write it as: ${EXAMPLE}`, source: 'aeturnis-db' });
    };
    if (line > upMarkerLine) {
      problem('this lint-ignore stands after "-- UP" and silences nothing: directives belong in the header, before "-- UP"');
      return;
    }
    const parsed = parseDirective(match[1] ?? '');
    if (typeof parsed === 'string') problem(parsed);
    else ignores.push({ ...parsed, line });
  });
  return { ignores, problems };
}

/** The rules and reason of a directive's text after `aeturnis:lint-ignore`, or what is wrong with it. */
function parseDirective(rest: string): { rules: string[]; reason: string } | string {
  const colon = rest.indexOf(':');
  const namesText = colon === -1 ? rest : rest.slice(0, colon);
  const reason = colon === -1 ? '' : rest.slice(colon + 1).trim();
  const rules = namesText.split(/[\s,]+/).filter((name) => name !== '');
  if (rules.length === 0) return 'this lint-ignore names no rule, so it silences nothing';
  const unknown = rules.find((rule) => !RULE_NAME.test(rule) || !isKnownRule(rule));
  if (unknown !== undefined) return `this lint-ignore names an unknown rule "${unknown}", so it silences nothing`;
  if (rules.includes(OWN_RULE.lintIgnore)) return `"${OWN_RULE.lintIgnore}" cannot be silenced: fix the directive instead`;
  const fatal = rules.find((rule) => Object.hasOwn(FAILS_AT_RUN_TIME, rule));
  if (fatal !== undefined) return `"${fatal}" cannot be silenced, so this lint-ignore silences nothing: ${FAILS_AT_RUN_TIME[fatal]}`;
  const named = rules.join(', ');
  if (reason === '') return `this lint-ignore of ${named} gives no reason, so it silences nothing: say why after a colon`;
  return { rules, reason };
}

/**
 * True when a finding of `rule` is silenced by one of the file's directives.
 */
export function isIgnored(rule: string, ignores: readonly LintIgnore[]): boolean {
  return ignores.some((ignore) => ignore.rules.includes(rule));
}
