// `cairn models …`: the model registry through the client (a server, or a database directly) — list,
// show, versions, stage transitions, aliases, the audit history and promotion policies.
import os from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CairnClient } from '../client/cairn-client.js';
import type { ModelVersion, RegisteredModel } from '../registry/entities.js';
import type { PolicyResult } from '../registry/policies/policy-evaluator.js';
import { policyToJson, type PromotionPolicy } from '../registry/policies/promotion-policy.js';
import type { ChangeContext } from '../registry/store.js';
import { modelVersionToJson, registeredModelToJson } from '../server/registry-json.js';
import { auditEntryToJson, policyResultToJson } from '../server/routes/cairn-registry.js';
import { formatTable, trackingUriOption, UsageError, withClient } from './cli-client.js';
import { parsePolicyFile } from './policy-file.js';

interface Common {
  trackingUri?: string;
  json?: boolean;
  user?: string;
}

const commonOptions = (cmd: Command): Command =>
  cmd.addOption(trackingUriOption()).addOption(new Option('--json', 'print the raw JSON response'));

/** Writes commands also say who is acting (recorded in the registry's audit trail). */
const userOption = (cmd: Command): Command =>
  cmd.addOption(new Option('--user <name>', 'who is making the change (default: CAIRN_USER, else the login name)'));

/** Who is acting: --user, else CAIRN_USER, else the login name (recorded, not authenticated). */
function actingUser(opts: Common): string | undefined {
  let user = opts.user || process.env.CAIRN_USER;
  if (!user) {
    try {
      user = os.userInfo().username;
    } catch {
      user = undefined;
    }
  }
  return user || undefined;
}

function print(opts: Common, json: unknown, human: () => string): void {
  process.stdout.write(`${opts.json ? JSON.stringify(json, null, 2) : human()}\n`);
}

const time = (ms: number | undefined) => (ms ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : '');
const num = (v: number | null | undefined) =>
  v === null || v === undefined ? 'missing' : String(Number(v.toPrecision(6)));

/** Who and why; `--force` overrides a failing promotion policy and must come with `--reason`. */
function changeContext(opts: Common & { force?: boolean; reason?: string }): ChangeContext {
  if (opts.force && !opts.reason?.trim())
    throw new UsageError('--force needs --reason "<why>" (it is recorded in the audit trail).');
  return { user: actingUser(opts), reason: opts.reason, force: opts.force === true };
}

async function allModels(client: CairnClient): Promise<RegisteredModel[]> {
  const out: RegisteredModel[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.registry.searchRegisteredModels({ maxResults: 1000, pageToken });
    out.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

/** Every version of the model, newest first; NotFound when no such model exists (not an empty table). */
async function allVersions(client: CairnClient, name: string): Promise<ModelVersion[]> {
  const quoted = name.includes("'") ? `"${name}"` : `'${name}'`;
  const out: ModelVersion[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.registry.searchModelVersions({
      filter: `name = ${quoted}`,
      orderBy: ['version_number DESC'],
      maxResults: 10_000,
      pageToken,
    });
    out.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  if (out.length === 0) await client.registry.getRegisteredModel(name);
  return out;
}

const policyJson = (name: string, p: PromotionPolicy) => ({ name, ...policyToJson(p) });

function policyText(p: PromotionPolicy): string {
  const lines = [`${p.target}${p.description ? `  (${p.description})` : ''}`];
  for (const r of p.require) lines.push(`  require  ${r.metric} ${r.op} ${r.threshold}`);
  if (p.mustBeat) lines.push(`  mustBeat ${p.mustBeat.metric} > holder of ${p.mustBeat.current} + ${p.mustBeat.by}`);
  return lines.join('\n');
}

function checkText(r: PolicyResult): string {
  if (!r.policy) return `${r.name} v${r.version} → ${r.target}: no promotion policy; allowed.`;
  const rows = r.criteria.map((c) => [
    c.passed ? 'PASS' : 'FAIL',
    c.criterion,
    num(c.value),
    c.kind === 'mustBeat' ? num(c.currentValue) : '',
    c.detail ?? '',
  ]);
  return (
    `${formatTable(['RESULT', 'CRITERION', 'VALUE', 'CURRENT', 'DETAIL'], rows)}\n` +
    `${r.name} v${r.version} → ${r.target}: ${r.passed ? 'PASSES' : 'FAILS'} the promotion policy.`
  );
}

function overrideExitRecursively(cmd: Command): Command {
  cmd.exitOverride();
  for (const sub of cmd.commands) overrideExitRecursively(sub);
  return cmd;
}

export function modelsCommand(): Command {
  const cmd = new Command('models').description(
    'Registered models: versions, stages, aliases, audit history and promotion policies.',
  );

  commonOptions(
    cmd.command('list').description('List registered models with their latest versions per stage and aliases.'),
  ).action(async (opts: Common) => {
    const models = await withClient(opts, allModels);
    const json = { registered_models: models.map(registeredModelToJson) };
    print(opts, json, () =>
      formatTable(
        ['NAME', 'LATEST VERSIONS', 'ALIASES', 'UPDATED'],
        models.map((m) => [
          m.name,
          m.latestVersions.map((v) => `${v.currentStage}:v${v.version}`).join(' '),
          m.aliases.map((a) => `@${a.alias}=v${a.version}`).join(' '),
          time(m.lastUpdatedTimestamp),
        ]),
      ),
    );
  });

  commonOptions(
    cmd
      .command('show')
      .description('Show a registered model, its aliases, tags and promotion policies.')
      .argument('<name>'),
  ).action(async (name: string, opts: Common) => {
    const { m, policies } = await withClient(opts, async (client) => {
      const model = await client.registry.getRegisteredModel(name);
      // an MLflow server has no Cairn endpoints: show the model without policies
      const found = await client.registry.getPromotionPolicies(name).catch((err: Error) => {
        process.stderr.write(`cairn: policies not available: ${err.message}\n`);
        return [];
      });
      return { m: model, policies: found };
    });
    const json = { registered_model: registeredModelToJson(m), policies: policies.map((p) => policyJson(name, p)) };
    print(opts, json, () =>
      [
        `name:         ${m.name}`,
        `description:  ${m.description ?? ''}`,
        `updated:      ${time(m.lastUpdatedTimestamp)}`,
        `latest:       ${m.latestVersions.map((v) => `${v.currentStage}:v${v.version}`).join(' ') || '-'}`,
        `aliases:      ${m.aliases.map((a) => `@${a.alias}=v${a.version}`).join(' ') || '-'}`,
        `tags:         ${m.tags.map((t) => `${t.key}=${t.value}`).join(' ') || '-'}`,
        `policies:     ${policies.length === 0 ? '-' : `\n${policies.map(policyText).join('\n')}`}`,
      ].join('\n'),
    );
  });

  commonOptions(
    cmd.command('versions').description('List the versions of a registered model, newest first.').argument('<name>'),
  ).action(async (name: string, opts: Common) => {
    const versions = await withClient(opts, (client) => allVersions(client, name));
    const header = ['VERSION', 'STAGE', 'ALIASES', 'RUN ID', 'CREATED', 'DESCRIPTION'];
    print(opts, { model_versions: versions.map(modelVersionToJson) }, () =>
      formatTable(
        header,
        versions.map((v) => [
          v.version,
          v.currentStage,
          v.aliases.map((a) => `@${a}`).join(' '),
          v.runId ?? '',
          time(v.creationTimestamp),
          v.description ?? '',
        ]),
      ),
    );
  });

  userOption(
    commonOptions(
      cmd
        .command('transition')
        .description(
          "Move a version to a stage (None, Staging, Production, Archived); gated by the stage's promotion policy.",
        )
        .argument('<name>')
        .argument('<version>')
        .argument('<stage>')
        .option('--archive-existing', 'archive the versions already in the stage')
        .option('--force', 'override a failing promotion policy (needs --reason)')
        .option('--reason <text>', 'why; recorded in the audit trail'),
    ),
  ).action(
    async (
      name: string,
      version: string,
      stage: string,
      opts: Common & { archiveExisting?: boolean; force?: boolean; reason?: string },
    ) => {
      const context = changeContext(opts);
      const moved = await withClient(opts, (client) =>
        client.registry.transitionModelVersionStage(name, version, stage, opts.archiveExisting === true, context),
      );
      const said = `${name} v${moved.version} is now in ${moved.currentStage}.`;
      print(opts, { model_version: modelVersionToJson(moved) }, () => said);
    },
  );

  userOption(
    commonOptions(
      cmd
        .command('alias')
        .description("Point an alias (e.g. champion) at a version; gated by the model's @alias promotion policy.")
        .argument('<name>')
        .argument('<alias>')
        .argument('<version>')
        .option('--force', 'override a failing promotion policy (needs --reason)')
        .option('--reason <text>', 'why; recorded in the audit trail'),
    ),
  ).action(
    async (name: string, alias: string, version: string, opts: Common & { force?: boolean; reason?: string }) => {
      const context = changeContext(opts);
      await withClient(opts, (client) => client.registry.setRegisteredModelAlias(name, alias, version, context));
      print(opts, {}, () => `${name}@${alias} now points at v${version}.`);
    },
  );

  // the version is an argument, not --version: that flag is the program's own
  commonOptions(
    cmd
      .command('history')
      .description('The audit trail of a registered model (or one of its versions), newest first.')
      .argument('<name>')
      .argument('[version]', 'only this version')
      .option(
        '--max-results <n>',
        'at most this many entries (1-1000)',
        (v) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1 || n > 1000)
            throw new InvalidArgumentError('--max-results must be an integer between 1 and 1000.');
          return n;
        },
        100,
      ),
  ).action(async (name: string, version: string | undefined, opts: Common & { maxResults: number }) => {
    const page = await withClient(opts, async (client) => {
      const history = await client.registry.getRegistryHistory({ name, version, maxResults: opts.maxResults });
      // the trail outlives a deleted model, so only an empty one asks whether the model exists at all
      if (history.items.length === 0) {
        await (version ? client.registry.getModelVersion(name, version) : client.registry.getRegisteredModel(name));
      }
      return history;
    });
    const res = { entries: page.items.map(auditEntryToJson), next_page_token: page.nextPageToken };
    const header = ['TIME', 'USER', 'ACTION', 'VERSION', 'ALIAS/TARGET', 'FROM', 'TO', 'FORCED', 'REASON'];
    print(opts, res, () =>
      formatTable(
        header,
        page.items.map((e) => [
          time(e.timestamp),
          e.user,
          e.action,
          e.version ?? '',
          e.alias ?? '',
          // policy documents are long; the table shows that one was set, --json shows it
          e.action.endsWith('_policy') ? (e.from ? 'policy' : '') : (e.from ?? ''),
          e.action.endsWith('_policy') ? (e.to ? 'policy' : '') : (e.to ?? ''),
          e.forced ? 'yes' : '',
          e.reason ?? '',
        ]),
      ),
    );
  });

  const policy = cmd.command('policy').description('Promotion policies: per model and target (a stage, or "@alias").');
  userOption(
    commonOptions(
      policy
        .command('set')
        .description("Set the policy (or a JSON list of policies) in a file, replacing the target's earlier one.")
        .argument('<name>')
        .requiredOption(
          '--file <path>',
          'policy JSON, e.g. {"target": "Production", "require": [{"metric": "accuracy", ">=": 0.91}]}',
        )
        .option('--reason <text>', 'why; recorded in the audit trail'),
    ),
  ).action(async (name: string, opts: Common & { file: string; reason?: string }) => {
    const doc = await parsePolicyFile(opts.file);
    const context = changeContext(opts);
    const stored = await withClient(opts, async (client) => {
      const out: PromotionPolicy[] = [];
      for (const p of Array.isArray(doc) ? doc : [doc]) {
        out.push(await client.registry.setPromotionPolicy(name, p, context));
      }
      return out;
    });
    const said = stored.map((p) => `set ${name} policy for ${policyText(p)}`).join('\n');
    print(opts, { policies: stored.map((p) => policyJson(name, p)) }, () => said);
  });
  commonOptions(
    policy
      .command('show')
      .description("Show the model's promotion policies.")
      .argument('<name>')
      .option('--target <target>', 'only the policy for this stage or @alias'),
  ).action(async (name: string, opts: Common & { target?: string }) => {
    const policies = await withClient(opts, (client) => client.registry.getPromotionPolicies(name, opts.target));
    print(opts, { policies: policies.map((p) => policyJson(name, p)) }, () =>
      policies.length === 0 ? `${name} has no promotion policies.` : policies.map(policyText).join('\n'),
    );
  });
  userOption(
    commonOptions(
      policy
        .command('delete')
        .description('Delete the policy for a target.')
        .argument('<name>')
        .requiredOption('--target <target>', 'the stage or @alias')
        .option('--reason <text>', 'why; recorded in the audit trail'),
    ),
  ).action(async (name: string, opts: Common & { target: string; reason?: string }) => {
    const context = changeContext(opts);
    await withClient(opts, (client) => client.registry.deletePromotionPolicy(name, opts.target, context));
    print(opts, {}, () => `deleted ${name} policy for ${opts.target}.`);
  });

  commonOptions(
    cmd
      .command('check')
      .description('Dry-run a version against the policy for a target; exits 1 when it fails.')
      .argument('<name>')
      .argument('<version>')
      .requiredOption('--target <target>', 'a stage (Production) or @alias'),
  ).action(async (name: string, version: string, opts: Common & { target: string }) => {
    const result = await withClient(opts, (client) => client.registry.checkPromotionPolicy(name, version, opts.target));
    print(opts, { result: policyResultToJson(result) }, () => checkText(result));
    if (!result.passed) process.exitCode = 1;
  });

  return overrideExitRecursively(cmd);
}
