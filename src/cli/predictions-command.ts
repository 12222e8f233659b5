// `cairn predictions export`: the prediction log `cairn serve` writes, as CSV or JSON lines.
import { createWriteStream } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { exportPredictions, parseSince, type ExportFormat } from '../serving/prediction-log/export.js';
import { DEFAULT_PREDICTION_LOG_URI, PredictionLogStore } from '../serving/prediction-log/prediction-log-store.js';

export function predictionsCommand(): Command {
  const cmd = new Command('predictions').description('The prediction log written by `cairn serve`.');
  cmd
    .command('export')
    .description('Write logged predictions (with ground truth from /feedback) as CSV or JSON lines.')
    .option(
      '--prediction-log <uri>',
      `sqlite:///… or postgresql://… (default ${DEFAULT_PREDICTION_LOG_URI})`,
      DEFAULT_PREDICTION_LOG_URI,
    )
    .option('--since <when>', 'only predictions from this ISO date/time, or this long ago (30m, 24h, 7d)', (v) => {
      try {
        return parseSince(v);
      } catch (err) {
        throw new InvalidArgumentError((err as Error).message);
      }
    })
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).default('csv'))
    .option('--output <file>', 'write to this file instead of standard output')
    .action(async (flags: { predictionLog: string; since?: number; format: ExportFormat; output?: string }) => {
      const store = await PredictionLogStore.open(flags.predictionLog);
      try {
        const out = flags.output ? createWriteStream(flags.output) : process.stdout;
        const n = await exportPredictions(store, out, flags.format, flags.since ?? 0);
        if (flags.output) {
          await new Promise<void>((resolve, reject) =>
            out.end((err?: Error | null) => (err ? reject(err) : resolve())),
          );
          process.stderr.write(`wrote ${n} predictions to ${flags.output}\n`);
        }
      } finally {
        await store.close();
      }
    });
  return cmd;
}
