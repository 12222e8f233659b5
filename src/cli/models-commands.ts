// `cairn models …`: the model registry over REST — list, show, versions, stage transitions, aliases,
// the audit history and promotion policies (Cairn's /api/2.0/cairn/registry endpoints).
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatTable, resolveServerUrl, restCall, trackingUriOption, UsageError } from './rest-call.js';

const MLFLOW = '/api/2.0/mlflow';
const CAIRN = '/api/2.0/cairn/registry';

interface VersionJson { name: string; version: string; current_stage: string; run_id?: string; creation_timestamp: number; aliases?: string[]; description?: string; source: string }
interface ModelJson {
  name: string; description?: string; last_updated_timestamp: number; latest_versions?: VersionJson[];
  aliases?: Array<{ alias: string; version: string }>; tags?: Array<{ key: string; value: string }>;
}
interface AuditJson {
  id: number; timestamp: number; user: string; version: string | null; alias: string | null; action: string;
  from: string | null; to: string | null; reason: string | null; forced: boolean;
}
interface CriterionJson { kind: string; criterion: string; passed: boolean; value: number | null; current_value?: number | null; detail?: string }
interface CheckJson { name: string; version: string; target: string; passed: boolean; policy: unknown; criteria: CriterionJson[] }
type PolicyJson = { name: string; target: string; require: Array<Record<string, unknown>>; mustBeat?: { metric: string; current: string; by: number }; description?: string };

interface Common { trackingUri?: string; json?: boolean; user?: string }

const commonOptions = (cmd: Command): Command => cmd
  .addOption(trackingUriOption())
  .addOption(new Option('--json', 'print the raw JSON response'));

/** Writes commands also say who is acting (recorded in the registry's audit trail). */
const userOption = (cmd: Command): Command => cmd
  .addOption(new Option('--user <name>', 'who is making the change (default: CAIRN_USER, else the login name)'));

function server(opts: Common): string {
  return resolveServerUrl(opts.trackingUri);
}

function userHeader(opts: Common): Record<string, string> {
  let user = opts.user || process.env.CAIRN_USER;
  if (!user) {
    try { user = os.userInfo().username; } catch { user = undefined; }
  }
  return user ? { 'X-Cairn-User': user } : {};
}

function print(opts: Common, json: unknown, human: () => string): void {
  process.stdout.write(`${opts.json ? JSON.stringify(json, null, 2) : human()}\n`);
}

const time = (ms: number | undefined) => (ms ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : '');
const num = (v: number | null | undefined) => (v === null || v === undefined ? 'missing' : String(Number(v.toPrecision(6))));

/** `--force` overrides a failing promotion policy and must come with `--reason`. */
function overrideFields(opts: { force?: boolean; reason?: string }): Record<string, unknown> {
  if (opts.force && !opts.reason?.trim()) throw new UsageError('--force needs --reason "<why>" (it is recorded in the audit trail).');
  return { force: opts.force ? true : undefined, reason: opts.reason };
}

async function allModels(url: string): Promise<ModelJson[]> {
  const out: ModelJson[] = [];
  let pageToken: string | undefined;
  do {
    const page = await restCall<{ registered_models?: ModelJson[]; next_page_token?: string }>(
      url, 'GET', `${MLFLOW}/registered-models/search`, { max_results: 1000, page_token: pageToken });
    out.push(...(page.registered_models ?? []));
    pageToken = page.next_page_token;
  } while (pageToken);
  return out;
}

function policyText(p: PolicyJson): string {
  const lines = [`${p.target}${p.description ? `  (${p.description})` : ''}`];
  for (const r of p.require) {
    const op = Object.keys(r).find((k) => k !== 'metric') as string;
    lines.push(`  require  ${String(r.metric)} ${op} ${String(r[op])}`);
  }
  if (p.mustBeat) lines.push(`  mustBeat ${p.mustBeat.metric} > holder of ${p.mustBeat.current} + ${p.mustBeat.by}`);
  return lines.join('\n');
}

function checkText(r: CheckJson): string {
  if (!r.policy) return `${r.name} v${r.version} → ${r.target}: no promotion policy; allowed.`;
  const rows = r.criteria.map((c) => [c.passed ? 'PASS' : 'FAIL', c.criterion, num(c.value),
    c.kind === 'mustBeat' ? num(c.current_value) : '', c.detail ?? '']);
  return `${formatTable(['RESULT', 'CRITERION', 'VALUE', 'CURRENT', 'DETAIL'], rows)}\n`
    + `${r.name} v${r.version} → ${r.target}: ${r.passed ? 'PASSES' : 'FAILS'} the promotion policy.`;
}

function overrideExitRecursively(cmd: Command): Command {
  cmd.exitOverride();
  for (const sub of cmd.commands) overrideExitRecursively(sub);
  return cmd;
}

export function modelsCommand(): Command {
  const cmd = new Command('models').description('Registered models: versions, stages, aliases, audit history and promotion policies.');

  commonOptions(cmd.command('list').description('List registered models with their latest versions per stage and aliases.'))
    .action(async (opts: Common) => {
      const models = await allModels(server(opts));
      print(opts, { registered_models: models }, () => formatTable(['NAME', 'LATEST VERSIONS', 'ALIASES', 'UPDATED'], models.map((m) => [
        m.name,
        (m.latest_versions ?? []).map((v) => `${v.current_stage}:v${v.version}`).join(' '),
        (m.aliases ?? []).map((a) => `@${a.alias}=v${a.version}`).join(' '),
        time(m.last_updated_timestamp),
      ])));
    });

  commonOptions(cmd.command('show').description('Show a registered model, its aliases, tags and promotion policies.').argument('<name>'))
    .action(async (name: string, opts: Common) => {
      const url = server(opts);
      const { registered_model: m } = await restCall<{ registered_model: ModelJson }>(url, 'GET', `${MLFLOW}/registered-models/get`, { name });
      // an MLflow server has no Cairn endpoints: show the model without policies
      const policies = await restCall<{ policies: PolicyJson[] }>(url, 'GET', `${CAIRN}/policies`, { name })
        .then((r) => r.policies, (err: Error) => { process.stderr.write(`cairn: policies not available: ${err.message}\n`); return []; });
      print(opts, { registered_model: m, policies }, () => [
        `name:         ${m.name}`,
        `description:  ${m.description ?? ''}`,
        `updated:      ${time(m.last_updated_timestamp)}`,
        `latest:       ${(m.latest_versions ?? []).map((v) => `${v.current_stage}:v${v.version}`).join(' ') || '-'}`,
        `aliases:      ${(m.aliases ?? []).map((a) => `@${a.alias}=v${a.version}`).join(' ') || '-'}`,
        `tags:         ${(m.tags ?? []).map((t) => `${t.key}=${t.value}`).join(' ') || '-'}`,
        `policies:     ${policies.length === 0 ? '-' : `\n${policies.map(policyText).join('\n')}`}`,
      ].join('\n'));
    });

  commonOptions(cmd.command('versions').description('List the versions of a registered model, newest first.').argument('<name>'))
    .action(async (name: string, opts: Common) => {
      const quoted = name.includes("'") ? `"${name}"` : `'${name}'`;
      const res = await restCall<{ model_versions?: VersionJson[] }>(server(opts), 'GET', `${MLFLOW}/model-versions/search`, {
        filter: `name = ${quoted}`, order_by: 'version_number DESC', max_results: 10_000,
      });
      const versions = res.model_versions ?? [];
      print(opts, { model_versions: versions }, () => formatTable(['VERSION', 'STAGE', 'ALIASES', 'RUN ID', 'CREATED', 'DESCRIPTION'], versions.map((v) => [
        v.version, v.current_stage, (v.aliases ?? []).map((a) => `@${a}`).join(' '), v.run_id ?? '', time(v.creation_timestamp), v.description ?? '',
      ])));
    });

  userOption(commonOptions(cmd.command('transition')
    .description('Move a version to a stage (None, Staging, Production, Archived); gated by the stage\'s promotion policy.')
    .argument('<name>').argument('<version>').argument('<stage>')
    .option('--archive-existing', 'archive the versions already in the stage')
    .option('--force', 'override a failing promotion policy (needs --reason)')
    .option('--reason <text>', 'why; recorded in the audit trail')))
    .action(async (name: string, version: string, stage: string, opts: Common & { archiveExisting?: boolean; force?: boolean; reason?: string }) => {
      const res = await restCall<{ model_version: VersionJson }>(server(opts), 'POST', `${MLFLOW}/model-versions/transition-stage`, {
        name, version, stage, archive_existing_versions: opts.archiveExisting === true, ...overrideFields(opts),
      }, userHeader(opts));
      print(opts, res, () => `${name} v${res.model_version.version} is now in ${res.model_version.current_stage}.`);
    });

  userOption(commonOptions(cmd.command('alias')
    .description('Point an alias (e.g. champion) at a version; gated by the model\'s @alias promotion policy.')
    .argument('<name>').argument('<alias>').argument('<version>')
    .option('--force', 'override a failing promotion policy (needs --reason)')
    .option('--reason <text>', 'why; recorded in the audit trail')))
    .action(async (name: string, alias: string, version: string, opts: Common & { force?: boolean; reason?: string }) => {
      const res = await restCall(server(opts), 'POST', `${MLFLOW}/registered-models/alias`, { name, alias, version, ...overrideFields(opts) }, userHeader(opts));
      print(opts, res, () => `${name}@${alias} now points at v${version}.`);
    });

  // the version is an argument, not --version: that flag is the program's own
  commonOptions(cmd.command('history').description('The audit trail of a registered model (or one of its versions), newest first.')
    .argument('<name>').argument('[version]', 'only this version')
    .option('--max-results <n>', 'at most this many entries (1-1000)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('--max-results must be an integer between 1 and 1000.');
      return n;
    }, 100))
    .action(async (name: string, version: string | undefined, opts: Common & { maxResults: number }) => {
      const res = await restCall<{ entries: AuditJson[]; next_page_token?: string }>(server(opts), 'GET', `${CAIRN}/history`, {
        name, version, max_results: opts.maxResults,
      });
      print(opts, res, () => formatTable(['TIME', 'USER', 'ACTION', 'VERSION', 'ALIAS/TARGET', 'FROM', 'TO', 'FORCED', 'REASON'], res.entries.map((e) => [
        time(e.timestamp), e.user, e.action, e.version ?? '', e.alias ?? '',
        // policy documents are long; the table shows that one was set, --json shows it
        e.action.endsWith('_policy') ? (e.from ? 'policy' : '') : e.from ?? '',
        e.action.endsWith('_policy') ? (e.to ? 'policy' : '') : e.to ?? '',
        e.forced ? 'yes' : '', e.reason ?? '',
      ])));
    });

  const policy = cmd.command('policy').description('Promotion policies: per model and target (a stage, or "@alias").');
  userOption(commonOptions(policy.command('set').description('Set the policy (or a JSON list of policies) in a file, replacing the target\'s earlier one.')
    .argument('<name>').requiredOption('--file <path>', 'policy JSON, e.g. {"target": "Production", "require": [{"metric": "accuracy", ">=": 0.91}]}')
    .option('--reason <text>', 'why; recorded in the audit trail')))
    .action(async (name: string, opts: Common & { file: string; reason?: string }) => {
      let doc: unknown;
      try {
        doc = JSON.parse(await readFile(opts.file, 'utf8'));
      } catch (err) {
        throw new UsageError(`cannot read policy file ${opts.file}: ${(err as Error).message}`);
      }
      const url = server(opts);
      const stored: PolicyJson[] = [];
      for (const p of Array.isArray(doc) ? doc : [doc]) {
        stored.push((await restCall<{ policy: PolicyJson }>(url, 'PUT', `${CAIRN}/policies`, { name, policy: p, reason: opts.reason }, userHeader(opts))).policy);
      }
      print(opts, { policies: stored }, () => stored.map((p) => `set ${name} policy for ${policyText(p)}`).join('\n'));
    });
  commonOptions(policy.command('show').description('Show the model\'s promotion policies.').argument('<name>')
    .option('--target <target>', 'only the policy for this stage or @alias'))
    .action(async (name: string, opts: Common & { target?: string }) => {
      const res = await restCall<{ policies: PolicyJson[] }>(server(opts), 'GET', `${CAIRN}/policies`, { name, target: opts.target });
      print(opts, res, () => (res.policies.length === 0 ? `${name} has no promotion policies.` : res.policies.map(policyText).join('\n')));
    });
  userOption(commonOptions(policy.command('delete').description('Delete the policy for a target.').argument('<name>')
    .requiredOption('--target <target>', 'the stage or @alias').option('--reason <text>', 'why; recorded in the audit trail')))
    .action(async (name: string, opts: Common & { target: string; reason?: string }) => {
      const res = await restCall(server(opts), 'DELETE', `${CAIRN}/policies`, { name, target: opts.target, reason: opts.reason }, userHeader(opts));
      print(opts, res, () => `deleted ${name} policy for ${opts.target}.`);
    });

  commonOptions(cmd.command('check').description('Dry-run a version against the policy for a target; exits 1 when it fails.')
    .argument('<name>').argument('<version>').requiredOption('--target <target>', 'a stage (Production) or @alias'))
    .action(async (name: string, version: string, opts: Common & { target: string }) => {
      const { result } = await restCall<{ result: CheckJson }>(server(opts), 'POST', `${CAIRN}/policies/check`, { name, version, target: opts.target });
      print(opts, { result }, () => checkText(result));
      if (!result.passed) process.exitCode = 1;
    });

  return overrideExitRecursively(cmd);
}
