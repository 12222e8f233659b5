// Model URIs: parse → validate → resolve. `runs:/<run>/<path>`, `models:/<name>/<version|stage|latest>`,
// `models:/<name>@<alias>`, `mlflow-artifacts:/…`, `file://…` and local paths, resolved to an
// artifact location through registry/tracking lookups the caller supplies (this layer knows no HTTP).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidParameter, NotFound } from '../core/errors.js';
import type { ModelVersionStage } from '../registry/entities.js';
import { pyUrlParse } from '../registry/python-url.js';
import { ALL_STAGES, MAX_REGISTERED_MODEL_NAME_LENGTH } from '../registry/validation.js';

export type ModelUri =
  | { kind: 'runs'; uri: string; runId: string; artifactPath: string }
  | { kind: 'models-version'; uri: string; name: string; version: string }
  | { kind: 'models-stage'; uri: string; name: string; stage: ModelVersionStage }
  | { kind: 'models-latest'; uri: string; name: string }
  | { kind: 'models-alias'; uri: string; name: string; alias: string }
  | { kind: 'mlflow-artifacts'; uri: string; path: string }
  | { kind: 'local'; uri: string; path: string };

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const RUN_ID = /^[A-Za-z0-9_-]+$/;
const ALIAS = /^[\p{L}\p{N}_-]+$/u;

function invalid(uri: string, why: string, expected: string): InvalidParameter {
  return new InvalidParameter(`Invalid model URI '${uri}': ${why}. Expected ${expected}.`);
}

const MODELS_FORMS =
  "'models:/<name>/<version>', 'models:/<name>/<stage>', 'models:/<name>/latest' or 'models:/<name>@<alias>'";
const RUNS_FORM = "'runs:/<run_id>/<artifact_path>'";

/** The part after `scheme:`, with an empty authority (`//`) removed; a non-empty authority is refused. */
function schemePath(uri: string, scheme: string, expected: string): string {
  let rest = uri.slice(scheme.length + 1);
  if (/[?#]/.test(rest)) throw invalid(uri, 'query strings and fragments are not supported', expected);
  if (rest.startsWith('//')) {
    const authority = /^\/\/([^/]*)/.exec(rest)![1];
    if (authority !== '') throw invalid(uri, `a host or profile ('${authority}') is not supported`, expected);
    rest = rest.slice(2);
  }
  return rest;
}

function validateName(uri: string, name: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    throw invalid(uri, `the model name '${name}' is not valid percent-encoding`, MODELS_FORMS);
  }
  if (decoded.trim() === '') throw invalid(uri, 'the model name is empty', MODELS_FORMS);
  if (decoded.length > MAX_REGISTERED_MODEL_NAME_LENGTH) {
    throw invalid(uri, `the model name is longer than ${MAX_REGISTERED_MODEL_NAME_LENGTH} characters`, MODELS_FORMS);
  }
  return decoded;
}

function parseModels(uri: string): ModelUri {
  const rest = schemePath(uri, 'models', MODELS_FORMS).replace(/^\/+/, '').replace(/\/+$/, '');
  if (rest === '') throw invalid(uri, 'the model name is empty', MODELS_FORMS);
  const parts = rest.split('/');
  if (parts.length === 1) {
    const at = parts[0].lastIndexOf('@');
    if (at < 0) throw invalid(uri, 'it names no version, stage, "latest" or alias', MODELS_FORMS);
    const name = validateName(uri, parts[0].slice(0, at));
    const alias = parts[0].slice(at + 1);
    if (alias === '') throw invalid(uri, 'the alias after "@" is empty', MODELS_FORMS);
    if (!ALIAS.test(alias))
      throw invalid(uri, `the alias '${alias}' may only contain letters, digits, "_" and "-"`, MODELS_FORMS);
    return { kind: 'models-alias', uri, name, alias };
  }
  if (parts.length > 2)
    throw invalid(uri, 'it has more than two path parts (a model name cannot contain "/")', MODELS_FORMS);
  const name = validateName(uri, parts[0]);
  const suffix = parts[1];
  if (suffix === '') throw invalid(uri, 'the version or stage is empty', MODELS_FORMS);
  if (name.includes('@')) throw invalid(uri, 'an alias ("@") cannot be combined with a version or stage', MODELS_FORMS);
  if (suffix.toLowerCase() === 'latest') return { kind: 'models-latest', uri, name };
  if (/^[+-]?\d+$/.test(suffix)) {
    const n = Number(suffix);
    if (!Number.isSafeInteger(n) || n < 1)
      throw invalid(uri, `the version '${suffix}' is not a positive integer`, MODELS_FORMS);
    return { kind: 'models-version', uri, name, version: String(n) };
  }
  if (/^\d/.test(suffix) || /^v\d+$/i.test(suffix))
    throw invalid(uri, `the version '${suffix}' is not a positive integer`, MODELS_FORMS);
  const stage = ALL_STAGES.find((s) => s.toLowerCase() === suffix.toLowerCase());
  if (!stage)
    throw invalid(
      uri,
      `'${suffix}' is neither a version number, "latest", nor a stage (${ALL_STAGES.join(', ')})`,
      MODELS_FORMS,
    );
  return { kind: 'models-stage', uri, name, stage };
}

function parseRuns(uri: string): ModelUri {
  const rest = schemePath(uri, 'runs', RUNS_FORM).replace(/^\/+/, '');
  const slash = rest.indexOf('/');
  const runId = slash < 0 ? rest : rest.slice(0, slash);
  if (runId === '') throw invalid(uri, 'the run id is empty', RUNS_FORM);
  if (!RUN_ID.test(runId))
    throw invalid(uri, `the run id '${runId}' has characters other than letters, digits, "_" and "-"`, RUNS_FORM);
  const artifactPath = (slash < 0 ? '' : rest.slice(slash + 1)).replace(/\/+$/, '').replace(/\/{2,}/g, '/');
  if (artifactPath === '') throw invalid(uri, 'the artifact path of the model inside the run is missing', RUNS_FORM);
  if (artifactPath.split('/').some((p) => p === '..' || p === '.'))
    throw invalid(uri, 'the artifact path contains "." or ".."', RUNS_FORM);
  return { kind: 'runs', uri, runId, artifactPath };
}

/** Parses and validates a model URI; throws InvalidParameter saying what is wrong and what was expected. */
export function parseModelUri(uri: string): ModelUri {
  if (typeof uri !== 'string' || uri.trim() === '') throw new InvalidParameter('Invalid model URI: it is empty.');
  const scheme = SCHEME.exec(uri)?.[1];
  // a one-letter scheme is a Windows drive letter: a local path
  if (scheme === undefined || scheme.length === 1) return { kind: 'local', uri, path: path.resolve(uri) };
  switch (scheme.toLowerCase()) {
    case 'models':
      return parseModels(uri);
    case 'runs':
      return parseRuns(uri);
    case 'mlflow-artifacts': {
      const p = schemePath(uri, scheme, "'mlflow-artifacts:/<path>'").replace(/^\/+/, '').replace(/\/+$/, '');
      if (p === '') throw invalid(uri, 'the artifact path is missing', "'mlflow-artifacts:/<path>'");
      return { kind: 'mlflow-artifacts', uri, path: p };
    }
    case 'file': {
      if (/^file:\/\/[^/]/.test(uri) && !/^file:\/\/localhost\//i.test(uri)) {
        throw invalid(
          uri,
          'a file URI must be local (file:///path or file://localhost/path)',
          "'file:///<absolute path>'",
        );
      }
      let p: string;
      try {
        p = fileURLToPath(uri.replace(/^file:(?!\/\/)/i, 'file://'));
      } catch (err) {
        throw invalid(uri, (err as Error).message, "'file:///<absolute path>'");
      }
      return { kind: 'local', uri, path: p };
    }
    default:
      throw invalid(
        uri,
        `unknown scheme '${scheme}:'`,
        `${RUNS_FORM}, ${MODELS_FORMS}, 'mlflow-artifacts:/<path>', 'file:///<path>' or a local path`,
      );
  }
}

/** A registered model version as the resolver needs it. */
export interface ModelVersionRef {
  name: string;
  version: string;
  currentStage?: string;
  runId?: string | null;
}

/** What model URIs need from the model registry (REST or store; the client provides it). */
export interface ModelRegistryLookup {
  getModelVersion(name: string, version: string): Promise<ModelVersionRef>;
  /** The highest version in each stage given (every stage when empty), as MLflow's get_latest_versions. */
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersionRef[]>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersionRef>;
  /** Where the version's files are (MLflow's get_model_version_download_uri). */
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
}

/** What `runs:/` URIs need from tracking: a run's artifact root. */
export interface RunArtifactLookup {
  getRunArtifactUri(runId: string): Promise<string>;
}

export interface ModelUriLookups {
  registry?: ModelRegistryLookup;
  tracking?: RunArtifactLookup;
}

export interface ResolvedModelUri {
  /** The parsed URI. */
  source: ModelUri;
  /**
   * Where the package's files are: an artifact URI (`mlflow-artifacts:/…`, a proxy URL, `file:`…)
   * or, for `kind: 'local'`, a directory on this machine.
   */
  artifactUri: string;
  local: boolean;
  runId?: string;
  /** Set when resolved through the registry. */
  modelVersion?: ModelVersionRef;
}

function need<T>(lookup: T | undefined, what: string, uri: string): T {
  if (!lookup) throw new InvalidParameter(`Resolving '${uri}' needs ${what}, and none was given.`);
  return lookup;
}

/** The last path segment's join onto an artifact root, as MLflow's posixpath.join on URIs. */
export function joinArtifactUri(root: string, rel: string): string {
  return rel === '' ? root : `${root.replace(/\/+$/, '')}/${rel.replace(/^\/+/, '')}`;
}

async function resolveVersion(source: ModelUri, registry: ModelRegistryLookup): Promise<ModelVersionRef> {
  switch (source.kind) {
    case 'models-version':
      return registry.getModelVersion(source.name, source.version);
    case 'models-alias':
      return registry.getModelVersionByAlias(source.name, source.alias);
    case 'models-stage': {
      const found = await registry.getLatestVersions(source.name, [source.stage]);
      if (found.length === 0)
        throw new NotFound(`No versions of model with name '${source.name}' and stage '${source.stage}' found`);
      return highest(found);
    }
    case 'models-latest': {
      const found = await registry.getLatestVersions(source.name, []);
      if (found.length === 0) throw new NotFound(`No versions of model with name '${source.name}' found`);
      return highest(found);
    }
    default:
      throw new Error(`not a models:/ URI: ${source.uri}`);
  }
}

/**
 * A model version's download URI is its source as stored (MLflow keeps `runs:/<run>/<path>` as given, the
 * run possibly on another tracking server): a `runs:/` one is resolved here, through `tracking`, to
 * where the files are; any other URI is returned unchanged.
 */
export async function resolveRunsDownloadUri(uri: string, tracking: RunArtifactLookup | undefined): Promise<string> {
  if (!/^runs:/i.test(uri)) return uri;
  // split as MLflow's RunsArtifactRepository.parse_runs_uri does: urlparse's path, first segment the run
  const parts = pyUrlParse(uri, 'Model source').path.split('/');
  const runId = parts[1] ?? '';
  if (parts[0] !== '' || runId === '') throw invalid(uri, 'it names no run', RUNS_FORM);
  const rel = parts.slice(2).join('/');
  let root: string;
  try {
    root = await need(tracking, 'a tracking lookup', uri).getRunArtifactUri(runId);
  } catch (err) {
    if (!(err instanceof NotFound)) throw err;
    throw new NotFound(
      `Run '${runId}' not found: the model source '${uri}' names a run this tracking server does not have. ` +
        'The registry may live apart from the tracking server holding the run; use a tracking URI that points at that server.',
    );
  }
  return joinArtifactUri(root, rel.replace(/\/+$/, '').replace(/\/{2,}/g, '/'));
}

function highest(versions: ModelVersionRef[]): ModelVersionRef {
  return versions.reduce((a, b) => (Number(b.version) > Number(a.version) ? b : a));
}

/** Resolves a model URI (string or parsed) to where its package's files are. */
export async function resolveModelUri(uri: string | ModelUri, lookups: ModelUriLookups): Promise<ResolvedModelUri> {
  const source = typeof uri === 'string' ? parseModelUri(uri) : uri;
  switch (source.kind) {
    case 'local':
      return { source, artifactUri: source.path, local: true };
    case 'mlflow-artifacts':
      return { source, artifactUri: `mlflow-artifacts:/${source.path}`, local: false };
    case 'runs': {
      const tracking = need(lookups.tracking, 'a tracking lookup', source.uri);
      const root = await tracking.getRunArtifactUri(source.runId);
      return { source, artifactUri: joinArtifactUri(root, source.artifactPath), local: false, runId: source.runId };
    }
    default: {
      const registry = need(lookups.registry, 'a model registry lookup', source.uri);
      const version = await resolveVersion(source, registry);
      const downloadUri = await registry.getModelVersionDownloadUri(version.name, version.version);
      const artifactUri = await resolveRunsDownloadUri(downloadUri, lookups.tracking);
      return { source, artifactUri, local: false, runId: version.runId ?? undefined, modelVersion: version };
    }
  }
}
