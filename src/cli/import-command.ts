// `cairn import`: copies an MLflow file store (mlruns/, with its model registry) into Cairn's store
// and artifact directory, with the same store flags and defaults as `cairn server`, so the server
// then serves what it imported.
import { Command, InvalidArgumentError } from 'commander';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { resolveDefaultArtifactRoot } from '../server/start.js';
import { importMlrunsModels, type MlrunsModelsSummary } from '../registry/import/mlruns-models.js';
import { openSqlStores as openStores } from '../registry/open-stores.js';
import {
  importMlruns,
  sourceExperiments,
  type MlrunsImportProgress,
  type MlrunsImportSummary,
} from '../tracking/import/mlruns-import.js';
import { mlrunsRoot } from '../tracking/import/mlruns-reader.js';
import { UsageError } from './cli-client.js';
import { sqliteOpenMessage } from './server-startup.js';
import {
  DEFAULT_ARTIFACTS_DESTINATION,
  defaultBackendStoreUri,
  isDatabaseUri,
  parseBackendStoreUri,
  sqliteFilePath,
} from './server-options.js';

interface ImportFlags {
  backendStoreUri?: string;
  trackingUri?: string;
  artifactsDestination: string;
  defaultArtifactRoot?: string;
  allowArtifactsOutside: string[];
}

/** `--allow-artifacts-outside DIR`, repeatable: each an existing directory, kept absolute. */
export function collectAllowedDir(value: string, previous: string[]): string[] {
  let isDir = false;
  try {
    isDir = statSync(value).isDirectory();
  } catch {
    /* reported below */
  }
  if (!isDir) {
    throw new InvalidArgumentError(`--allow-artifacts-outside must name an existing directory; '${value}' is not one.`);
  }
  return [...previous, path.resolve(value)];
}

/**
 * The store to import into. Only a database keeps run ids: a server's REST API assigns its own, so an
 * http(s) --tracking-uri is refused with what to give instead.
 */
export function importTargetUri(flags: Pick<ImportFlags, 'backendStoreUri' | 'trackingUri'>): string {
  if (flags.trackingUri === undefined) return flags.backendStoreUri ?? defaultBackendStoreUri();
  if (!isDatabaseUri(flags.trackingUri)) {
    throw new UsageError(
      `cairn import needs a database URI, not --tracking-uri '${flags.trackingUri}': ` +
        "importing through a server's REST API cannot keep run ids, so give the server's own store with " +
        '--backend-store-uri sqlite:///… or --backend-store-uri postgresql://user:pass@host:port/db ' +
        '(the value `cairn server --backend-store-uri` was given).',
    );
  }
  if (flags.backendStoreUri !== undefined && flags.backendStoreUri !== flags.trackingUri) {
    throw new UsageError('--tracking-uri and --backend-store-uri name different stores: give one of them.');
  }
  return flags.trackingUri;
}

function progressLine(p: MlrunsImportProgress): string {
  return `importing experiment ${p.experimentIndex + 1}/${p.experimentCount} '${p.experiment}': run ${p.runsDone}/${p.runCount}`;
}

function report(s: MlrunsImportSummary, m: MlrunsModelsSummary): string {
  const lines = s.experiments.map(
    (e) =>
      `  ${e.name} (mlruns ${e.sourceId} -> ${e.created ? 'new' : 'existing'} experiment ${e.experimentId}): ` +
      `${e.runsCreated} runs imported${e.runsExisting ? `, ${e.runsExisting} already there` : ''}`,
  );
  const mb = (s.artifactBytes / 1e6).toFixed(1);
  lines.push(
    `${s.runsCreated} runs imported, ${s.runsExisting} already there, ${s.skipped.length} skipped; ` +
      `${s.artifactFiles} artifact files (${mb} MB) in place`,
  );
  if (s.artifactsRerooted.length > 0) {
    const [first] = s.artifactsRerooted;
    lines.push(
      `${s.artifactsRerooted.length} runs recorded an artifact_uri outside the source tree ` +
        `(e.g. run ${first.runId}: '${first.recorded}', where a moved store used to be): ` +
        're-rooted, their own artifacts/ directories were imported',
    );
  }
  if (s.runsWithRemoteArtifacts > 0)
    lines.push(`${s.runsWithRemoteArtifacts} runs keep their remote artifact URIs (nothing copied)`);
  for (const k of s.skipped) lines.push(`skipped ${k.dir}: ${k.reason}`);
  for (const a of s.artifactProblems) lines.push(`artifacts of run ${a.runId}: ${a.reason}`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  for (const model of m.models) {
    lines.push(
      `  registered model ${model.name}: ${model.created ? `${model.versions} versions imported` : 'already there, left as it is'}`,
    );
  }
  if (m.models.length > 0 || m.skipped.length > 0) {
    lines.push(
      `${m.models.filter((x) => x.created).length} registered models imported, ${m.models.filter((x) => !x.created).length} already there, ${m.skipped.length} skipped`,
    );
  }
  for (const k of m.skipped) lines.push(`skipped ${k.dir}: ${k.reason}`);
  return `${lines.join('\n')}\n`;
}

export function importCommand(): Command {
  return new Command('import')
    .description(
      'Import an MLflow file store (the mlruns/ directory MLflow writes without a server): experiments, runs with their ids, metrics history, params, tags, inputs and artifacts, and its registered models with their version numbers, stages and aliases. What was imported before is left as it is.',
    )
    .argument('<source>', 'the mlruns directory: ./mlruns, file:./mlruns or file:///abs/path/mlruns')
    .option(
      '--backend-store-uri <uri>',
      'store to import into, as for `cairn server` (default: CAIRN_TRACKING_URI or MLFLOW_TRACKING_URI when they name a database, else sqlite:///cairn-data/cairn.db)',
      parseBackendStoreUri,
    )
    .option(
      '--tracking-uri <uri>',
      'the same as --backend-store-uri; an http(s) server is refused, since only a database keeps run ids',
    )
    .option(
      '--artifacts-destination <dir>',
      'the artifact directory of the server that will serve the runs',
      DEFAULT_ARTIFACTS_DESTINATION,
    )
    .option(
      '--default-artifact-root <uri>',
      'as for `cairn server`: artifact location of experiments the import creates (default: mlflow-artifacts:/)',
    )
    .option(
      '--allow-artifacts-outside <dir>',
      'artifacts and model sources are read only inside SOURCE; also read those below DIR (repeatable). ' +
        "A run's artifact_uri elsewhere is otherwise reported and not followed; symbolic links are never followed",
      collectAllowedDir,
      [],
    )
    .action(async (source: string, flags: ImportFlags) => {
      const backendStoreUri = importTargetUri(flags);
      const artifactsDestination = path.resolve(flags.artifactsDestination);
      const root = mlrunsRoot(source);
      // checked before anything is created, so a wrong source leaves no store behind
      await sourceExperiments(source);
      const dbFile = sqliteFilePath(backendStoreUri);
      if (dbFile) mkdirSync(path.dirname(dbFile), { recursive: true });
      const defaultArtifactRoot = resolveDefaultArtifactRoot({
        defaultArtifactRoot: flags.defaultArtifactRoot,
        artifactsDestination,
        serveArtifacts: true,
      });
      const stores = await openStores(backendStoreUri, { defaultArtifactRoot }).catch((err: unknown) => {
        throw new Error(sqliteOpenMessage(err, backendStoreUri) ?? (err as Error).message);
      });
      const tty = process.stderr.isTTY === true;
      let last = 0;
      try {
        const allowArtifactsOutside = flags.allowArtifactsOutside;
        const summary = await importMlruns(stores.tracking, root, {
          artifactsDestination,
          allowArtifactsOutside,
          onProgress: (p) => {
            const now = Date.now();
            if (!tty || (now - last < 100 && p.runsDone !== p.runCount)) return;
            last = now;
            process.stderr.write(`\r\x1b[2K${progressLine(p)}`);
          },
        });
        if (tty) process.stderr.write('\r\x1b[2K');
        const models = await importMlrunsModels(stores.registry, root, summary.runArtifactUris, {
          allowArtifactsOutside,
        });
        process.stdout.write(report(summary, models));
        if (summary.skipped.length > 0 || summary.artifactProblems.length > 0 || models.skipped.length > 0)
          process.exitCode = 1;
      } finally {
        await stores.close();
      }
    });
}
