// `cairn experiments` and `cairn runs` (as `mlflow experiments` / `mlflow runs`): through the client,
// so they work against a tracking server or straight on its database.
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CairnClient } from '../client/cairn-client.js';
import { experimentToJson, runToJson } from '../tracking/mlflow-json.js';
import type { Experiment, Run, ViewType } from '../tracking/entities.js';
import type { Int64 } from '../core/int64.js';
import { UsageError, formatTable, trackingUriOption, withClient } from './cli-client.js';

const jsonOption = () => new Option('--json', 'print the raw JSON response');

type KeyedList = ReadonlyArray<{ key: string; value: string | number }>;

/** The sorted union of the keys the runs have in one of their lists (metrics, params or tags). */
function keysAcross(runs: readonly Run[], pick: (r: Run) => KeyedList): string[] {
  return [...new Set(runs.flatMap((r) => pick(r).map((e) => e.key)))].sort();
}

/** The value under `key` in one of a run's lists, or undefined. */
function valueOf(list: KeyedList, key: string): string | number | undefined {
  return list.find((e) => e.key === key)?.value;
}

/** Every experiment the search finds, following page tokens. */
async function allExperiments(client: CairnClient, viewType: ViewType): Promise<Experiment[]> {
  const out: Experiment[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.searchExperiments({ viewType, maxResults: 1000, pageToken });
    out.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

/** MLflow's search answers an unknown experiment with no runs; a command names it instead (NotFound). */
async function requireExperiments(client: CairnClient, ids: readonly string[]): Promise<void> {
  for (const id of ids) await client.getExperiment(id);
}

export function experimentsCommand(): Command {
  const cmd = new Command('experiments').description(
    'List, create, rename, delete, restore and export experiments (on a server or a database).',
  );
  cmd
    .command('list')
    .description('List experiments (all pages).')
    .addOption(trackingUriOption())
    .addOption(new Option('--view <type>', 'which experiments').choices(['active', 'deleted', 'all']).default('active'))
    .addOption(jsonOption())
    .action(async (opts: { trackingUri?: string; view: string; json?: boolean }) => {
      const viewType = ({ active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' } as const)[opts.view as 'active'];
      const experiments = await withClient(opts, (client) => allExperiments(client, viewType));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ experiments: experiments.map(experimentToJson) }, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `${formatTable(
          ['ID', 'NAME', 'STAGE', 'ARTIFACT LOCATION'],
          experiments.map((e) => [e.experimentId, e.name, e.lifecycleStage, e.artifactLocation]),
        )}\n`,
      );
    });
  cmd
    .command('create')
    .description('Create an experiment and print its id.')
    .argument('<name>', 'experiment name (unique)')
    .addOption(trackingUriOption())
    .option('--artifact-location <uri>', "where its runs store artifacts (default: the server's default root)")
    .action(async (name: string, opts: { trackingUri?: string; artifactLocation?: string }) => {
      const id = await withClient(opts, (client) =>
        client.createExperiment(name, { artifactLocation: opts.artifactLocation }),
      );
      process.stdout.write(`${id}\n`);
    });
  cmd
    .command('rename')
    .description('Rename an experiment.')
    .argument('<experiment-id>')
    .argument('<new-name>')
    .addOption(trackingUriOption())
    .action(async (id: string, newName: string, opts: { trackingUri?: string }) => {
      await withClient(opts, (client) => client.renameExperiment(id, newName));
      process.stdout.write(`renamed experiment ${id} to ${newName}\n`);
    });
  lifecycleCommands(cmd, 'experiment', {
    delete: 'Mark an experiment and its runs deleted (restorable).',
    restore: 'Restore a deleted experiment and its runs.',
  });
  cmd
    .command('csv')
    .description(
      'Write every run of an experiment as CSV: one row per run, columns run_id … end_time, then metrics.*, params.*, tags.*.',
    )
    .requiredOption('--experiment-id <id>', 'experiment to export')
    .option('--filename <path>', 'write to this file instead of standard output')
    .addOption(trackingUriOption())
    .action(async (opts: { experimentId: string; filename?: string; trackingUri?: string }) => {
      const runs = await withClient(opts, async (client) => {
        await requireExperiments(client, [opts.experimentId]);
        const orderBy = ['attributes.start_time DESC'];
        return client.searchAllRuns([opts.experimentId], { maxResults: 50_000, orderBy });
      });
      const text = runsCsv(runs);
      if (opts.filename) {
        writeFileSync(opts.filename, text);
        process.stderr.write(`wrote ${runs.length} runs to ${opts.filename}\n`);
      } else {
        process.stdout.write(text);
      }
    });
  return cmd;
}

export interface ComparisonRow {
  field: string;
  values: Array<string | null>;
  differs: boolean;
}

/** The rows of `runs compare`: attributes, then params and latest metrics by key (null where a run lacks one). */
export function runComparison(runs: readonly Run[], diffOnly: boolean): { header: string[]; rows: ComparisonRow[] } {
  const header = runs.map((r) => `${r.info.runName || '(unnamed)'} (${r.info.runId.slice(0, 8)})`);
  const row = (field: string, values: Array<string | null>): ComparisonRow => ({
    field,
    values,
    differs: new Set(values).size > 1,
  });
  const duration = (r: Run) =>
    r.info.endTime ? `${((Number(r.info.endTime) - Number(r.info.startTime)) / 1000).toFixed(1)} s` : null;
  const keyed = (prefix: string, pick: (r: Run) => KeyedList, text: (v: string | number) => string) =>
    keysAcross(runs, pick).map((k) =>
      row(
        `${prefix}${k}`,
        runs.map((r) => {
          const v = valueOf(pick(r), k);
          return v === undefined ? null : text(v);
        }),
      ),
    );
  const data = [
    ...keyed('params.', (r) => r.data.params, String),
    ...keyed(
      'metrics.',
      (r) => r.data.metrics,
      (v) => metricText(v),
    ),
  ];
  return {
    header,
    rows: [
      row(
        'experiment',
        runs.map((r) => r.info.experimentId),
      ),
      row(
        'status',
        runs.map((r) => r.info.status),
      ),
      row(
        'started',
        runs.map((r) => isoTime(r.info.startTime) || null),
      ),
      row('duration', runs.map(duration)),
      ...(diffOnly ? data.filter((r) => r.differs) : data),
    ],
  };
}

/** `delete ID` and `restore ID` for experiments or runs (MLflow's soft delete: lifecycle_stage). */
function lifecycleCommands(
  cmd: Command,
  entity: 'experiment' | 'run',
  descriptions: Record<'delete' | 'restore', string>,
): void {
  for (const verb of ['delete', 'restore'] as const) {
    cmd
      .command(verb)
      .description(descriptions[verb])
      .argument(`<${entity}-id>`)
      .addOption(trackingUriOption())
      .action(async (id: string, opts: { trackingUri?: string }) => {
        await withClient(opts, (client) => {
          if (entity === 'experiment') {
            return verb === 'delete' ? client.deleteExperiment(id) : client.restoreExperiment(id);
          }
          return verb === 'delete' ? client.deleteRun(id) : client.restoreRun(id);
        });
        process.stdout.write(`${verb === 'delete' ? 'deleted' : 'restored'} ${entity} ${id}\n`);
      });
  }
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A run time as ISO 8601; an int64 beyond what a Date holds (±8.64e15 ms) is written as its number. */
const isoTime = (ms: Int64 | null | undefined): string => {
  if (ms === undefined || ms === null) return '';
  const date = new Date(Number(ms));
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
};

/** The runs as MLflow's `experiments csv` lays them out (mlflow.search_runs columns). */
export function runsCsv(runs: readonly Run[]): string {
  const metricKeys = keysAcross(runs, (r) => r.data.metrics);
  const paramKeys = keysAcross(runs, (r) => r.data.params);
  const tagKeys = keysAcross(runs, (r) => r.data.tags);
  const header = [
    'run_id',
    'experiment_id',
    'run_name',
    'status',
    'artifact_uri',
    'start_time',
    'end_time',
    ...metricKeys.map((k) => `metrics.${k}`),
    ...paramKeys.map((k) => `params.${k}`),
    ...tagKeys.map((k) => `tags.${k}`),
  ];
  const lines = runs.map((r) => [
    r.info.runId,
    r.info.experimentId,
    r.info.runName ?? '',
    r.info.status,
    r.info.artifactUri ?? '',
    isoTime(r.info.startTime),
    isoTime(r.info.endTime),
    ...metricKeys.map((k) => String(valueOf(r.data.metrics, k) ?? '')),
    ...paramKeys.map((k) => String(valueOf(r.data.params, k) ?? '')),
    ...tagKeys.map((k) => String(valueOf(r.data.tags, k) ?? '')),
  ]);
  return [header, ...lines].map((cells) => cells.map(csvField).join(',')).join('\n') + '\n';
}

function metricText(v: number | string): string {
  return typeof v === 'number' ? String(Number(v.toPrecision(6))) : v;
}

export function runsCommand(): Command {
  const cmd = new Command('runs').description(
    'List, describe, compare, delete and restore runs (on a server or a database).',
  );
  cmd
    .command('list')
    .description('List the runs of an experiment with their metrics and params.')
    .requiredOption('--experiment-id <id>', 'experiment to list (repeatable as a comma-separated list)')
    .option('--filter <expr>', 'MLflow search filter, e.g. "metrics.accuracy > 0.9 and params.model = \'rf\'"')
    .option('--order-by <clause...>', 'e.g. "metrics.accuracy DESC" (several allowed)')
    .option(
      '--max-results <n>',
      'at most this many runs',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 50_000)
          throw new InvalidArgumentError('--max-results must be an integer between 1 and 50000.');
        return n;
      },
      1000,
    )
    .addOption(trackingUriOption())
    .addOption(jsonOption())
    .action(
      async (opts: {
        experimentId: string;
        filter?: string;
        orderBy?: string[];
        maxResults: number;
        trackingUri?: string;
        json?: boolean;
      }) => {
        const experimentIds = opts.experimentId
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const runs = await withClient(opts, async (client) => {
          await requireExperiments(client, experimentIds);
          const query = { filter: opts.filter, orderBy: opts.orderBy, maxResults: opts.maxResults };
          const page = await client.searchRuns(experimentIds, query);
          return page.items;
        });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ runs: runs.map(runToJson) }, null, 2)}\n`);
          return;
        }
        const metricKeys = keysAcross(runs, (r) => r.data.metrics);
        const paramKeys = keysAcross(runs, (r) => r.data.params);
        const rows = runs.map((r) => [
          r.info.runId,
          r.info.runName,
          r.info.status,
          isoTime(r.info.startTime),
          ...metricKeys.map((k) => {
            const v = valueOf(r.data.metrics, k);
            return v === undefined ? '' : metricText(v);
          }),
          ...paramKeys.map((k) => String(valueOf(r.data.params, k) ?? '')),
        ]);
        process.stdout.write(
          `${formatTable(['RUN ID', 'NAME', 'STATUS', 'STARTED', ...metricKeys.map((k) => `metrics.${k}`), ...paramKeys.map((k) => `params.${k}`)], rows)}\n`,
        );
      },
    );
  cmd
    .command('describe')
    .description('Print a run (info, metrics, params, tags, inputs) as JSON.')
    .argument('<run-id>')
    .addOption(trackingUriOption())
    .action(async (runId: string, opts: { trackingUri?: string }) => {
      const run = await withClient(opts, (client) => client.getRun(runId));
      process.stdout.write(`${JSON.stringify(runToJson(run), null, 2)}\n`);
    });
  cmd
    .command('compare')
    .description('Runs side by side: status, times, then every param and latest metric; rows that differ are marked *.')
    .argument('<run-ids...>', 'two or more run ids')
    .option('--diff-only', 'only the params and metrics whose values differ')
    .addOption(trackingUriOption())
    .addOption(jsonOption())
    .action(async (runIds: string[], opts: { diffOnly?: boolean; trackingUri?: string; json?: boolean }) => {
      if (runIds.length < 2) throw new UsageError('runs compare needs at least two run ids.');
      const runs = await withClient(opts, (client) => Promise.all(runIds.map((id) => client.getRun(id))));
      const table = runComparison(runs, opts.diffOnly === true);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ run_ids: runIds, rows: table.rows }, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `${formatTable(
          ['', ...table.header],
          table.rows.map((r) => [`${r.differs ? '* ' : '  '}${r.field}`, ...r.values.map((v) => v ?? '-')]),
        )}\n`,
      );
    });
  lifecycleCommands(cmd, 'run', { delete: 'Mark a run deleted (restorable).', restore: 'Restore a deleted run.' });
  return cmd;
}
