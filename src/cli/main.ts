#!/usr/bin/env node
// The `cairn` command: parses flags and dispatches to subcommands; usage errors exit with status 2.
import cluster from 'node:cluster';
import { Command, CommanderError } from 'commander';
import { CairnError } from '../core/errors.js';
import { CAIRN_VERSION } from '../server/version.js';
import { UsageError } from './cli-client.js';
import { runClusterWorker, WORKER_CONFIG_ENV } from './server-cluster.js';
import { importCommand } from './import-command.js';
import { modelsCommand } from './models-commands.js';
import { predictionsCommand } from './predictions-command.js';
import { quickstartCommand } from './quickstart-command.js';
import { reportCommand } from './report-command.js';
import { serveCommand } from './serve-command.js';
import { serverCommand } from './server-command.js';
import { trainCommand } from './train-command.js';
import { experimentsCommand, runsCommand } from './tracking-commands.js';
import { webhookCommand } from './webhook-commands.js';

export function buildProgram(): Command {
  const program = new Command('cairn')
    .description(
      'Cairn: an MLflow-compatible MLOps toolkit (tracking server, model registry, training pipelines, scoring service).',
    )
    .version(CAIRN_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  program.addCommand(serverCommand().exitOverride().showHelpAfterError('(run `cairn server --help` for usage)'));
  for (const cmd of [
    experimentsCommand(),
    runsCommand(),
    modelsCommand(),
    webhookCommand(),
    importCommand(),
    quickstartCommand(),
    trainCommand(),
    reportCommand(),
    serveCommand(),
    predictionsCommand(),
  ]) {
    cmd.exitOverride();
    for (const sub of cmd.commands) sub.exitOverride();
    program.addCommand(cmd);
  }
  return program;
}

/** A store's error with MLflow's error code first (`RESOURCE_DOES_NOT_EXIST: …`); an unreachable server, a hint. */
function errorText(err: unknown): string {
  if (!(err instanceof CairnError)) return (err as Error).message;
  const hint = /^cannot reach /.test(err.message)
    ? ': is `cairn server` running there? Set --tracking-uri, CAIRN_TRACKING_URI or MLFLOW_TRACKING_URI.'
    : '';
  return `${err.errorCode}: ${err.message}${hint}`;
}

async function main(argv: string[]): Promise<void> {
  if (cluster.isWorker && process.env[WORKER_CONFIG_ENV]) {
    await runClusterWorker();
    return;
  }
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`cairn: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof CommanderError) {
      const ok =
        err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
      process.exit(ok ? 0 : 2);
    }
    process.stderr.write(`cairn: ${errorText(err)}\n`);
    process.exit(1);
  }
}

await main(process.argv);
