// `cairn experiments list|create` and `cairn runs list`: talk to a tracking server over REST.
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatTable, mlflowCall, resolveServerUrl, trackingUriOption } from './rest-call.js';

interface ExperimentJson { experiment_id: string; name: string; lifecycle_stage: string; artifact_location: string }
interface RunJson {
  info: { run_id: string; run_name: string; status: string; start_time: number; end_time?: number };
  data: { metrics?: Array<{ key: string; value: number | string }>; params?: Array<{ key: string; value: string }> };
}

const jsonOption = () => new Option('--json', 'print the raw JSON response');

export function experimentsCommand(): Command {
  const cmd = new Command('experiments').description('List and create experiments on a tracking server.');
  cmd.command('list')
    .description('List experiments (all pages).')
    .addOption(trackingUriOption())
    .addOption(new Option('--view <type>', 'which experiments').choices(['active', 'deleted', 'all']).default('active'))
    .addOption(jsonOption())
    .action(async (opts: { trackingUri?: string; view: string; json?: boolean }) => {
      const url = resolveServerUrl(opts.trackingUri);
      const viewType = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' }[opts.view];
      const experiments: ExperimentJson[] = [];
      let pageToken: string | undefined;
      do {
        const page = await mlflowCall<{ experiments?: ExperimentJson[]; next_page_token?: string }>(
          url, 'POST', '/experiments/search', { view_type: viewType, max_results: 1000, page_token: pageToken });
        experiments.push(...(page.experiments ?? []));
        pageToken = page.next_page_token;
      } while (pageToken);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ experiments }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${formatTable(['ID', 'NAME', 'STAGE', 'ARTIFACT LOCATION'],
        experiments.map((e) => [e.experiment_id, e.name, e.lifecycle_stage, e.artifact_location]))}\n`);
    });
  cmd.command('create')
    .description('Create an experiment and print its id.')
    .argument('<name>', 'experiment name (unique)')
    .addOption(trackingUriOption())
    .option('--artifact-location <uri>', 'where its runs store artifacts (default: the server\'s default root)')
    .action(async (name: string, opts: { trackingUri?: string; artifactLocation?: string }) => {
      const url = resolveServerUrl(opts.trackingUri);
      const res = await mlflowCall<{ experiment_id: string }>(url, 'POST', '/experiments/create', { name, artifact_location: opts.artifactLocation });
      process.stdout.write(`${res.experiment_id}\n`);
    });
  return cmd;
}

function metricText(v: number | string): string {
  return typeof v === 'number' ? String(Number(v.toPrecision(6))) : v;
}

export function runsCommand(): Command {
  const cmd = new Command('runs').description('Inspect runs on a tracking server.');
  cmd.command('list')
    .description('List the runs of an experiment with their metrics and params.')
    .requiredOption('--experiment-id <id>', 'experiment to list (repeatable as a comma-separated list)')
    .option('--filter <expr>', 'MLflow search filter, e.g. "metrics.accuracy > 0.9 and params.model = \'rf\'"')
    .option('--order-by <clause...>', 'e.g. "metrics.accuracy DESC" (several allowed)')
    .option('--max-results <n>', 'at most this many runs', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 50_000) throw new InvalidArgumentError('--max-results must be an integer between 1 and 50000.');
      return n;
    }, 1000)
    .addOption(trackingUriOption())
    .addOption(jsonOption())
    .action(async (opts: { experimentId: string; filter?: string; orderBy?: string[]; maxResults: number; trackingUri?: string; json?: boolean }) => {
      const url = resolveServerUrl(opts.trackingUri);
      const res = await mlflowCall<{ runs?: RunJson[] }>(url, 'POST', '/runs/search', {
        experiment_ids: opts.experimentId.split(',').map((s) => s.trim()).filter(Boolean),
        filter: opts.filter, order_by: opts.orderBy, max_results: opts.maxResults,
      });
      const runs = res.runs ?? [];
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ runs }, null, 2)}\n`);
        return;
      }
      const metricKeys = [...new Set(runs.flatMap((r) => (r.data.metrics ?? []).map((m) => m.key)))].sort();
      const paramKeys = [...new Set(runs.flatMap((r) => (r.data.params ?? []).map((p) => p.key)))].sort();
      const rows = runs.map((r) => [
        r.info.run_id, r.info.run_name, r.info.status, new Date(r.info.start_time).toISOString(),
        ...metricKeys.map((k) => { const m = r.data.metrics?.find((x) => x.key === k); return m ? metricText(m.value) : ''; }),
        ...paramKeys.map((k) => r.data.params?.find((x) => x.key === k)?.value ?? ''),
      ]);
      process.stdout.write(`${formatTable(['RUN ID', 'NAME', 'STATUS', 'STARTED', ...metricKeys.map((k) => `metrics.${k}`), ...paramKeys.map((k) => `params.${k}`)], rows)}\n`);
    });
  return cmd;
}
