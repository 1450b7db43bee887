import type { FleetEvent, FleetResult, FleetTarget, TargetOutcome } from '../api/fleet.js';
import { FleetFailedError, queryTargets, readTargetsFile, runFleet } from '../api/fleet.js';
import type { CommonOptions } from '../api/options.js';
import { ExitCode } from '../errors.js';
import type { CommandContext } from './context.js';
import { printed, type FleetCommand, type PrintedResult } from './fleet-command.js';
import type { FleetFlags } from './fleet-flags.js';
import { activityOf, LiveView } from './fleet-live.js';
import { painterFor, plainSink, targetOutput, type LineSink } from './fleet-output.js';
import { jsonLines } from './fleet-json.js';
import { periodicCollection } from './fleet-memory.js';
import { doneLine, renderSummary, summaryCells } from './fleet-summary.js';
import type { Output } from './output.js';
import { eventRenderer } from './render.js';

/**
 * A command run on every target: the targets loaded, the live view (a terminal) or plain
 * prefixed lines (CI), then the summary table or --json, and the exit code of the worst target.
 * Interrupted (SIGINT), it returns after the summary and the CLI exits 130.
 */
export async function runFleetCommand<R>(
  commandName: string,
  context: CommandContext,
  fleet: FleetFlags,
  spec: FleetCommand<R>,
): Promise<void> {
  const { output, common } = context;
  const targets = 'file' in fleet.source ? readTargetsFile(fleet.source.file) : await queryTargets(fleet.source.query, common);
  if (targets.length === 0) {
    output.warn('--targets-query returned no rows: there is no target to run on');
    return;
  }
  const infoStream = fleet.json ? process.stderr : process.stdout;
  const painter = await painterFor(infoStream);
  const changed = commandName === 'down' ? 'Rolled back' : 'Applied';
  const live =
    output.format === 'human' && infoStream.isTTY && process.env.TERM !== 'dumb'
      ? new LiveView(infoStream, painter, {
          command: commandName,
          total: targets.length,
          done: 0,
          failed: 0,
          startedAt: performance.now(),
          running: new Map(),
        })
      : undefined;
  const handle = fleetEventHandler(output, live ?? plainSink(infoStream, painter), live, (outcome) => doneLine(outcome, changed));
  const targetFinished = periodicCollection();
  const onEvent = (event: FleetEvent<PrintedResult>): void => {
    handle(event);
    if (event.type === 'target-done') targetFinished();
  };
  live?.start();
  let result: FleetResult<PrintedResult>;
  try {
    result = await runFleet<PrintedResult>(
      {
        ...targetOptions(common),
        targets,
        concurrency: fleet.concurrency,
        failFast: fleet.failFast,
        canary: fleet.canary,
        journal: spec.journal,
        onEvent,
      },
      async (options) => printed(spec, await spec.run(options), fleet.json),
    );
  } finally {
    live?.stop();
  }
  const tracked = spec.journal !== undefined;
  if (fleet.json) output.data(jsonLines(result.outcomes, tracked));
  else {
    const { head, rows } = summaryCells(result.outcomes, { matrix: spec.statusRow !== undefined, tracked, changed }, painter);
    output.data(await renderSummary(head, rows, painter));
  }
  if (context.signal.aborted) output.error(result.summary);
  else if (result.exitCode !== ExitCode.ok) throw new FleetFailedError(result.summary, result.exitCode as ExitCode);
  else output.success(result.summary, { event: 'fleet-done', targets: targets.length });
}

/** The command's options for every target: all but where to connect and whom to tell. */
function targetOptions(common: CommonOptions): Omit<CommonOptions, 'databaseUrl' | 'connection' | 'onEvent'> {
  const { databaseUrl: _url, connection: _connection, onEvent: _onEvent, ...rest } = common;
  return rest;
}

/**
 * Routes each target's events to its own prefixed lines (rendered as the command renders them
 * for one database) and, on a terminal, to its line in the live view; a target's last line says
 * how it ended.
 */
function fleetEventHandler(
  output: Output,
  sink: LineSink,
  live: LiveView | undefined,
  ended: (outcome: TargetOutcome<PrintedResult>) => string,
): (event: FleetEvent<PrintedResult>) => void {
  const renderers = new Map<FleetTarget, ReturnType<typeof eventRenderer>>();
  const outputs = new Map<FleetTarget, Output>();
  return (event) => {
    const { target } = event;
    if (event.type === 'target-start') {
      const targetOut = targetOutput(output, target.name, sink);
      outputs.set(target, targetOut);
      renderers.set(target, eventRenderer(targetOut));
      live?.state.running.set(target.name, { activity: 'starting', since: performance.now() });
    } else if (event.type === 'target-event') {
      renderers.get(target)?.(event.event);
      const activity = activityOf(event.event);
      const running = live?.state.running.get(target.name);
      if (running && activity) running.activity = activity;
    } else {
      const { outcome } = event;
      const targetOut = outputs.get(target) ?? targetOutput(output, target.name, sink);
      const fields = { event: 'target-done', state: outcome.state, exitCode: outcome.exitCode, ms: Math.round(outcome.ms) };
      if (outcome.state === 'succeeded') targetOut.success(ended(outcome), fields);
      else targetOut.error(ended(outcome), fields);
      renderers.delete(target);
      outputs.delete(target);
      if (live) {
        live.state.running.delete(target.name);
        live.state.done += 1;
        if (outcome.state !== 'succeeded') live.state.failed += 1;
      }
    }
  };
}
