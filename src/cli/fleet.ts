import type { Command } from 'commander';
import type { CommandContext } from './context.js';
import type { FleetCommand } from './fleet-command.js';
import { fleetFlags } from './fleet-flags.js';

export type { FleetCommand, FleetStatusRow } from './fleet-command.js';

/**
 * Runs a command on the configured database, or with --targets / --targets-query on every
 * target (loaded only then). Wiring a command is this one call in its action:
 */
export async function runOnTargets<R>(command: Command, context: CommandContext, spec: FleetCommand<R>): Promise<void> {
  const fleet = fleetFlags(command.optsWithGlobals(), command.name());
  if (!fleet) {
    const result = await spec.run(context.common);
    await spec.report?.(result);
    return;
  }
  const { runFleetCommand } = await import('./fleet-run.js'); // loaded on use: single-database runs stay fast
  await runFleetCommand(command.name(), context, fleet, spec);
}
