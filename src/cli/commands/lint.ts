import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import { commandContext } from '../context.js';
import { coloursPossible } from '../output.js';
import { plural } from '../../plural.js';

interface LintFlags {
  all?: boolean;
  json?: boolean;
  exclude?: string;
  include?: string;
  config?: string;
}

/** `lint [FILE...] [--all] [--json]`: the lint code itself is loaded only when it runs. */
export function registerLint(program: Command): void {
  program
    .command('lint')
    .argument('[files...]', 'migration files to check (default: the pending migrations)')
    .description('check migrations with squawk plus aeturnis-db rules; exit 3 on an error-level finding')
    .option('--all', 'check every migration under --dir (no database needed)')
    .option('--json', 'print the findings as a JSON array on stdout (nothing else on stdout)')
    .option('--exclude <rules>', 'turn these rules off (comma-separated)')
    .option('--include <rules>', 'turn these rules on (comma-separated)')
    .option('--config <file>', 'lint configuration (default: ./aeturnis-db.lint.json when it exists)')
    .action(async (files: string[], flags: LintFlags, command: Command) => {
      const { output, common } = await commandContext(command, { stdoutIsData: Boolean(flags.json) });
      const [{ lint, parseRuleList }, format] = await Promise.all([import('../../api/lint.js'), import('../lint-format.js')]);
      const result = await lint({
        ...common,
        files,
        all: flags.all,
        exclude: flags.exclude === undefined ? undefined : parseRuleList(flags.exclude, '--exclude'),
        include: flags.include === undefined ? undefined : parseRuleList(flags.include, '--include'),
        config: flags.config,
      });
      if (flags.json) {
        output.data(format.findingsJson(result.findings));
      } else if (result.files.length === 0) {
        output.info('Nothing to lint: no pending migrations');
      } else {
        const paint = await levelPaint();
        for (const finding of result.findings) output.data(format.formatFinding(finding, paint));
        output.info(format.summaryLine({ files: result.files.length, errors: result.errors, warnings: result.warnings }));
      }
      if (!result.ok) {
        throw new ValidationError(`lint found ${plural(result.errors, 'error-level finding')}`);
      }
    });
}

/** Red and yellow level tags on a terminal (chalk is loaded only then). */
async function levelPaint(): Promise<{ error(text: string): string; warning(text: string): string } | undefined> {
  if (!coloursPossible()) return undefined;
  const { Chalk, supportsColor } = await import('chalk');
  const chalk = new Chalk({ level: supportsColor ? supportsColor.level : 0 });
  return { error: chalk.red, warning: chalk.yellow };
}
