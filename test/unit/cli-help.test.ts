import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

/** The full `--help` text of a command, as commander prints it (its help text hooks included). */
function helpOf(name: string): string {
  const program = buildProgram();
  const command = program.commands.find((candidate) => candidate.name() === name);
  if (!command) throw new Error(`no command ${name}`);
  let text = '';
  command.configureOutput({ writeOut: (chunk) => (text += chunk), writeErr: (chunk) => (text += chunk) });
  command.outputHelp();
  return text;
}

describe('--help of every command', () => {
  const names = buildProgram().commands.map((command) => command.name());

  it.each(names)('%s shows examples and the environment variables it reads', (name) => {
    const help = helpOf(name);
    expect(help).toMatch(new RegExp(`\\nExamples:\\n  \\$ aeturnis-db ${name}`));
    expect(help).toMatch(/\nEnvironment:\n {2}[A-Z]/);
  });

  it('names the variables a command really reads', () => {
    expect(helpOf('up')).toContain('AETURNIS_PARTITIONS');
    expect(helpOf('seed')).toContain('AETURNIS_SEEDS_DIR');
    expect(helpOf('reset')).toContain('NODE_ENV');
    expect(helpOf('lint')).not.toContain('DATABASE_URL');
  });
});
