// `cairn import`: copies an MLflow file store (mlruns/, with its model registry) into Cairn's store
// and artifact directory, with the same store flags and defaults as `cairn server`, so the server
// then serves what it imported.
import { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { resolveDefaultArtifactRoot } from '../server/start.js';
import { importMlrunsModels, type MlrunsModelsSummary } from '../registry/import/mlruns-models.js';
import { openSqlStores as openStores } from '../registry/open-stores.js';
import { importMlruns, type MlrunsImportProgress, type MlrunsImportSummary } from '../tracking/import/mlruns-import.js';
import { mlrunsRoot } from '../tracking/import/mlruns-reader.js';
import { DEFAULT_ARTIFACTS_DESTINATION, defaultBackendStoreUri, parseBackendStoreUri, sqliteFilePath } from './server-options.js';

function progressLine(p: MlrunsImportProgress): string {
  return `importing experiment ${p.experimentIndex + 1}/${p.experimentCount} '${p.experiment}': run ${p.runsDone}/${p.runCount}`;
}

function report(s: MlrunsImportSummary, m: MlrunsModelsSummary): string {
  const lines = s.experiments.map((e) =>
    `  ${e.name} (mlruns ${e.sourceId} -> ${e.created ? 'new' : 'existing'} experiment ${e.experimentId}): `
    + `${e.runsCreated} runs imported${e.runsExisting ? `, ${e.runsExisting} already there` : ''}`);
  const mb = (s.artifactBytes / 1e6).toFixed(1);
  lines.push(`${s.runsCreated} runs imported, ${s.runsExisting} already there, ${s.skipped.length} skipped; `
    + `${s.artifactFiles} artifact files (${mb} MB) in place`);
  if (s.runsWithRemoteArtifacts > 0) lines.push(`${s.runsWithRemoteArtifacts} runs keep their remote artifact URIs (nothing copied)`);
  for (const k of s.skipped) lines.push(`skipped ${k.dir}: ${k.reason}`);
  for (const a of s.artifactProblems) lines.push(`artifacts of run ${a.runId} not copied: ${a.reason}`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  for (const model of m.models) {
    lines.push(`  registered model ${model.name}: ${model.created ? `${model.versions} versions imported` : 'already there, left as it is'}`);
  }
  if (m.models.length > 0 || m.skipped.length > 0) {
    lines.push(`${m.models.filter((x) => x.created).length} registered models imported, ${m.models.filter((x) => !x.created).length} already there, ${m.skipped.length} skipped`);
  }
  for (const k of m.skipped) lines.push(`skipped ${k.dir}: ${k.reason}`);
  return `${lines.join('\n')}\n`;
}

export function importCommand(): Command {
  return new Command('import')
    .description('Import an MLflow file store (the mlruns/ directory MLflow writes without a server): experiments, runs with their ids, metrics history, params, tags, inputs and artifacts, and its registered models with their version numbers, stages and aliases. What was imported before is left as it is.')
    .argument('<source>', 'the mlruns directory: ./mlruns, file:./mlruns or file:///abs/path/mlruns')
    .option('--backend-store-uri <uri>',
      'store to import into, as for `cairn server` (default: CAIRN_TRACKING_URI or MLFLOW_TRACKING_URI when they name a database, else sqlite:///cairn-data/cairn.db)',
      parseBackendStoreUri)
    .option('--artifacts-destination <dir>', 'the artifact directory of the server that will serve the runs', DEFAULT_ARTIFACTS_DESTINATION)
    .option('--default-artifact-root <uri>', 'as for `cairn server`: artifact location of experiments the import creates (default: mlflow-artifacts:/)')
    .action(async (source: string, flags: { backendStoreUri?: string; artifactsDestination: string; defaultArtifactRoot?: string }) => {
      const backendStoreUri = flags.backendStoreUri ?? defaultBackendStoreUri();
      const artifactsDestination = path.resolve(flags.artifactsDestination);
      const dbFile = sqliteFilePath(backendStoreUri);
      if (dbFile) mkdirSync(path.dirname(dbFile), { recursive: true });
      const defaultArtifactRoot = resolveDefaultArtifactRoot({ defaultArtifactRoot: flags.defaultArtifactRoot, artifactsDestination, serveArtifacts: true });
      const root = mlrunsRoot(source);
      const stores = await openStores(backendStoreUri, { defaultArtifactRoot });
      const tty = process.stderr.isTTY === true;
      let last = 0;
      try {
        const summary = await importMlruns(stores.tracking, root, {
          artifactsDestination,
          onProgress: (p) => {
            const now = Date.now();
            if (!tty || (now - last < 100 && p.runsDone !== p.runCount)) return;
            last = now;
            process.stderr.write(`\r\x1b[2K${progressLine(p)}`);
          },
        });
        if (tty) process.stderr.write('\r\x1b[2K');
        const models = await importMlrunsModels(stores.registry, root, summary.runArtifactUris);
        process.stdout.write(report(summary, models));
        if (summary.skipped.length > 0 || summary.artifactProblems.length > 0 || models.skipped.length > 0) process.exitCode = 1;
      } finally {
        await stores.close();
      }
    });
}
