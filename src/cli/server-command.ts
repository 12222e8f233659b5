// `cairn server`: runs the tracking server in one process, or as a node:cluster of N workers.
import { Command } from 'commander';
import { DEFAULT_RUN_CACHE_CAPACITY } from '../tracking/sql/run-cache.js';
import { type AuthConfig, authConfigFromEnv } from '../auth/auth-config.js';
import { UsageError } from './cli-client.js';
import { runSingleServer } from './run-server.js';
import { runClusterPrimary } from './server-cluster.js';
import {
  DEFAULT_ARTIFACTS_DESTINATION,
  defaultBackendStoreUri,
  parseArtifactsDestination,
  parseBackendStoreUri,
  parseDefaultArtifactRoot,
  parseHost,
  parseLogLevel,
  parsePort,
  parseRunCacheSize,
  parseWorkers,
  type ServerConfig,
} from './server-options.js';
import { checkPortFree, prepareServerPaths, StartupError, startupErrorMessage } from './server-startup.js';

/** The --auth configuration from the environment; a missing or weak admin is a usage error (exit 2). */
function authConfigOrUsage(): AuthConfig {
  try {
    return authConfigFromEnv();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function serverCommand(): Command {
  return new Command('server')
    .description('Run the MLflow-compatible tracking server (REST API, artifact proxy).')
    .option(
      '--backend-store-uri <uri>',
      'tracking store: sqlite:///relative.db, sqlite:////absolute.db or postgresql://user:pass@host:port/db ' +
        '(default: CAIRN_TRACKING_URI or MLFLOW_TRACKING_URI when they name a database, else sqlite:///cairn-data/cairn.db)',
      parseBackendStoreUri,
    )
    .option(
      '--default-artifact-root <uri>',
      'artifact location for new experiments; with s3://bucket/prefix clients write to the bucket themselves ' +
        '(default: mlflow-artifacts:/ when serving artifacts, else --artifacts-destination)',
      parseDefaultArtifactRoot,
    )
    .option(
      '--artifacts-destination <dir|uri>',
      'where proxied artifacts are stored: a directory or s3://bucket/prefix (S3 settings: MLFLOW_S3_ENDPOINT_URL, ' +
        'AWS_* and the AWS credential chain)',
      parseArtifactsDestination,
      DEFAULT_ARTIFACTS_DESTINATION,
    )
    .option('--serve-artifacts', 'proxy artifact uploads and downloads through this server (default)')
    .option('--no-serve-artifacts', 'do not serve /api/2.0/mlflow-artifacts; clients write artifacts directly')
    .option('--host <host>', 'interface to listen on', parseHost, '127.0.0.1')
    .option('--port <port>', 'TCP port to listen on (0 picks a free one)', parsePort, 5000)
    .option('--workers <n>', 'worker processes serving requests (node:cluster)', parseWorkers, 1)
    .option(
      '--run-cache-size <n>',
      'complete runs each worker keeps between searches, plus its recent search pages; any write to the database empties them (SQLite only; 0 = off)',
      parseRunCacheSize,
      DEFAULT_RUN_CACHE_CAPACITY,
    )
    .option(
      '--log-level <level>',
      'fatal, error, warn, info, debug (one line per request), trace or silent',
      parseLogLevel,
      'info',
    )
    .option(
      '--auth',
      'require a login for everything but /health (HTTP Basic or an access token) and check per-experiment and ' +
        'per-model permissions; the first admin comes from CAIRN_ADMIN_USERNAME and CAIRN_ADMIN_PASSWORD, or ' +
        "from MLflow's basic_auth.ini named by MLFLOW_AUTH_CONFIG_PATH",
    )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  cairn server --backend-store-uri postgresql://cairn:pw@db:5432/cairn --host 0.0.0.0',
        '  MLFLOW_S3_ENDPOINT_URL=http://minio:9000 AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… \\',
        '    cairn server --artifacts-destination s3://team-bucket/cairn   # proxied: clients use mlflow-artifacts:/',
        '  cairn server --default-artifact-root s3://team-bucket/cairn --no-serve-artifacts   # clients write to S3',
        "  CAIRN_ADMIN_USERNAME=admin CAIRN_ADMIN_PASSWORD='a long secret' cairn server --auth --host 0.0.0.0",
      ].join('\n'),
    )
    .action(async (flags: Record<string, unknown>) => {
      const config: ServerConfig = {
        backendStoreUri: (flags.backendStoreUri as string | undefined) ?? defaultBackendStoreUri(),
        defaultArtifactRoot: flags.defaultArtifactRoot as string | undefined,
        artifactsDestination: parseArtifactsDestination(flags.artifactsDestination as string),
        serveArtifacts: (flags.serveArtifacts as boolean | undefined) ?? true,
        host: flags.host as string,
        port: flags.port as number,
        workers: flags.workers as number,
        logLevel: flags.logLevel as string,
        runCacheSize: flags.runCacheSize as number,
        auth: flags.auth ? authConfigOrUsage() : undefined,
      };
      // a start that fails (port taken, directory not writable, database not openable) says why and
      // leaves behind nothing it created
      const created = prepareServerPaths(config);
      try {
        if (config.workers > 1) {
          await checkPortFree(config);
          await runClusterPrimary(config, created);
        } else {
          await runSingleServer(config, { banner: true });
        }
      } catch (err) {
        created.undo();
        throw new StartupError(startupErrorMessage(err, config));
      }
    });
}
