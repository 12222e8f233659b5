// `cairn import`: copies an MLflow file store (mlruns/) into Cairn's store and artifact directory,
// with the same store flags and defaults as `cairn server`, so the server then serves what it imported.
import { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { resolveDefaultArtifactRoot } from '../server/start.js';
import { importMlruns, type MlrunsImportProgress, type MlrunsImportSummary } from '../tracking/import/mlruns-import.js';
import { openTrackingStore } from '../tracking/open-store.js';
import { DEFAULT_ARTIFACTS_DESTINATION, defaultBackendStoreUri, parseBackendStoreUri, sqliteFilePath } from './server-options.js';

function progressLine(p: MlrunsImportProgress): string {
  return `importing experiment ${p.experimentIndex + 1}/${p.experimentCount} '${p.experiment}': run ${p.runsDone}/${p.runCount}`;
}

function report(s: MlrunsImportSummary): string {
  const lines = s.experiments.map((e) =>
    `  ${e.name} (mlruns ${e.sourceId} -> ${e.created ? 'new' : 'existing'} experiment ${e.experimentId}): `
    + `${e.runsCreated} runs imported${e.runsExisting ? `, ${e.runsExisting} already there` : ''}`);
  const mb = (s.artifactBytes / 1e6).toFixed(1);
  lines.push(`${s.runsCreated} runs imported, ${s.runsExisting} already there, ${s.skipped.length} skipped; `
    + `${s.artifactFiles} artifact files (${mb} MB) in place`);
  for (const k of s.skipped) lines.push(`skipped ${k.dir}: ${k.reason}`);
  for (const a of s.artifactProblems) lines.push(`artifacts of run ${a.runId} not copied: ${a.reason}`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

export function importCommand(): Command {
  return new Command('import')
    .description('Import an MLflow file store (the mlruns/ directory MLflow writes without a server): experiments, runs with their ids, metrics history, params, tags and artifacts. Runs already imported are left as they are.')
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
      const store = await openTrackingStore(backendStoreUri, { defaultArtifactRoot });
      const tty = process.stderr.isTTY === true;
      let last = 0;
      try {
        const summary = await importMlruns(store, source, {
          artifactsDestination,
          onProgress: (p) => {
            const now = Date.now();
            if (!tty || (now - last < 100 && p.runsDone !== p.runCount)) return;
            last = now;
            process.stderr.write(`\r\x1b[2K${progressLine(p)}`);
          },
        });
        if (tty) process.stderr.write('\r\x1b[2K');
        process.stdout.write(report(summary));
        if (summary.skipped.length > 0 || summary.artifactProblems.length > 0) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
