#!/usr/bin/env node
// The `cairn` command: parses flags and dispatches to subcommands; usage errors exit with status 2.
import cluster from 'node:cluster';
import { Command, CommanderError } from 'commander';
import { CairnError } from '../core/errors.js';
import { CAIRN_VERSION } from '../server/version.js';
import { UsageError } from './cli-client.js';
import { WORKER_CONFIG_ENV } from './server-cluster-env.js';

// Each command's module is imported only when that command runs (or for the full list in --help):
// the pipelines, the scoring service and the server pull in large libraries (ECharts, resvg,
// Fastify's plugins) that `cairn models list` should not pay for at every start.
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Command>]> = [
  ['server', async () => (await import('./server-command.js')).serverCommand()],
  ['experiments', async () => (await import('./tracking-commands.js')).experimentsCommand()],
  ['runs', async () => (await import('./tracking-commands.js')).runsCommand()],
  ['models', async () => (await import('./models-commands.js')).modelsCommand()],
  ['webhook', async () => (await import('./webhook-commands.js')).webhookCommand()],
  ['users', async () => (await import('./auth-commands.js')).usersCommand()],
  ['permissions', async () => (await import('./auth-commands.js')).permissionsCommand()],
  ['import', async () => (await import('./import-command.js')).importCommand()],
  ['quickstart', async () => (await import('./quickstart-command.js')).quickstartCommand()],
  ['train', async () => (await import('./train-command.js')).trainCommand()],
  ['report', async () => (await import('./report-command.js')).reportCommand()],
  ['serve', async () => (await import('./serve-command.js')).serveCommand()],
  ['predictions', async () => (await import('./predictions-command.js')).predictionsCommand()],
  ['simulate', async () => (await import('./simulate-command.js')).simulateCommand()],
  ['evaluate', async () => (await import('./evaluate-command.js')).evaluateCommand()],
  ['monitor', async () => (await import('./monitor-command.js')).monitorCommand()],
];

/** The program with the command `argv` names, or with every command (help, a typo, no command). */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('cairn')
    .description(
      'Cairn: an MLflow-compatible MLOps toolkit (tracking server, model registry, training pipelines, scoring service).',
    )
    .version(CAIRN_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  const named = COMMANDS.filter(([name]) => name === argv[2]);
  for (const [name, load] of named.length > 0 ? named : COMMANDS) {
    const cmd = await load();
    cmd.exitOverride();
    if (name === 'server') cmd.showHelpAfterError('(run `cairn server --help` for usage)');
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
    await (await import('./server-cluster.js')).runClusterWorker();
    return;
  }
  try {
    await (await buildProgram(argv)).parseAsync(argv);
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
