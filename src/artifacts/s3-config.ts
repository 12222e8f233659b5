// S3 locations (`s3://bucket/prefix`) and the S3 client settings read from the environment, named as
// MLflow's S3ArtifactRepository names them so an MLflow deployment's variables work unchanged.
import { Agent as HttpsAgent } from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { InvalidParameter } from '../core/errors.js';

export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing slashes ('' = the bucket's root). */
  prefix: string;
}

/** S3's bucket naming rules (3-63 characters; lowercase letters, digits, dots and hyphens). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isS3Uri(uri: string): boolean {
  return /^s3:\/\//i.test(uri);
}

/** Splits `s3://bucket/some/prefix/` into bucket and prefix; `field` names the flag or field in errors. */
export function parseS3Uri(uri: string, field = 'artifact location'): S3Location {
  const m = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(uri);
  if (!m) throw new InvalidParameter(`${field} '${uri}' must have the form s3://bucket/prefix.`);
  const bucket = m[1];
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new InvalidParameter(
      `${field} '${uri}': bucket name '${bucket}' must be 3-63 lowercase letters, digits, dots or hyphens, ` +
        'starting and ending with a letter or digit.',
    );
  }
  const segments = (m[2] ?? '').split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) {
    throw new InvalidParameter(`${field} '${uri}': the key prefix may not contain '.' or '..' segments.`);
  }
  return { bucket, prefix: segments.join('/') };
}

/** The variables an S3 client is built from (a subset of the process environment). */
export const S3_ENV_VARS = [
  'MLFLOW_S3_ENDPOINT_URL',
  'MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE',
  'MLFLOW_S3_IGNORE_TLS',
  'MLFLOW_S3_UPLOAD_EXTRA_ARGS',
  'MLFLOW_S3_EXPECTED_BUCKET_OWNER',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REQUEST_CHECKSUM_CALCULATION',
  'AWS_RESPONSE_CHECKSUM_VALIDATION',
] as const;

export interface S3Settings {
  client: S3Client;
  /** Extra PutObject / CreateMultipartUpload parameters (MLFLOW_S3_UPLOAD_EXTRA_ARGS), e.g. ServerSideEncryption. */
  uploadExtraArgs: Record<string, unknown>;
  /** MLFLOW_S3_EXPECTED_BUCKET_OWNER: every request fails unless the bucket belongs to this account. */
  expectedBucketOwner?: string;
}

const truthy = (v: string | undefined) => v !== undefined && ['true', '1', 'yes'].includes(v.trim().toLowerCase());

function parseUploadExtraArgs(raw: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new InvalidParameter(`MLFLOW_S3_UPLOAD_EXTRA_ARGS must be a JSON object: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidParameter(
      'MLFLOW_S3_UPLOAD_EXTRA_ARGS must be a JSON object, e.g. {"ServerSideEncryption": "AES256"}.',
    );
  }
  for (const key of ['Bucket', 'Key', 'Body']) {
    if (key in parsed) throw new InvalidParameter(`MLFLOW_S3_UPLOAD_EXTRA_ARGS may not set '${key}'.`);
  }
  return parsed as Record<string, unknown>;
}

/** Path-style (`endpoint/bucket/key`) or virtual-hosted (`bucket.endpoint/key`) addressing. */
function forcePathStyle(env: NodeJS.ProcessEnv, endpoint: string | undefined): boolean {
  const style = (env.MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE ?? 'auto').trim().toLowerCase();
  if (style === 'path') return true;
  if (style === 'virtual') return false;
  if (style !== 'auto') {
    throw new InvalidParameter(`MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE must be auto, path or virtual, not '${style}'.`);
  }
  // auto: a custom endpoint (MinIO, Ceph, a local test server) is addressed by path, AWS itself by host
  return endpoint !== undefined;
}

function buildSettings(env: NodeJS.ProcessEnv): S3Settings {
  const endpoint = env.MLFLOW_S3_ENDPOINT_URL?.trim() || undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]/i.test(endpoint)) {
    throw new InvalidParameter(`MLFLOW_S3_ENDPOINT_URL must be an http(s):// URL, not '${endpoint}'.`);
  }
  const config: S3ClientConfig = {
    endpoint,
    forcePathStyle: forcePathStyle(env, endpoint),
    // boto3 reads AWS_DEFAULT_REGION, the JS SDK only AWS_REGION; S3 answers from us-east-1 when neither is set
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    // S3-compatible stores (older MinIO, Ceph, s3rver) refuse the SDK's default streamed-checksum encoding
    requestChecksumCalculation:
      env.AWS_REQUEST_CHECKSUM_CALCULATION === 'WHEN_SUPPORTED' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
    responseChecksumValidation:
      env.AWS_RESPONSE_CHECKSUM_VALIDATION === 'WHEN_SUPPORTED' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
  };
  if (truthy(env.MLFLOW_S3_IGNORE_TLS)) {
    config.requestHandler = { httpsAgent: new HttpsAgent({ rejectUnauthorized: false }) };
  }
  // credentials: keys in `env` first (the chain's first link, read from `env` rather than the process's),
  // then the SDK's default chain (AWS_PROFILE and ~/.aws files, SSO, web identity, container and
  // instance metadata), as boto3's
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    config.credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
    };
  }
  return {
    client: new S3Client(config),
    uploadExtraArgs: parseUploadExtraArgs(env.MLFLOW_S3_UPLOAD_EXTRA_ARGS),
    expectedBucketOwner: env.MLFLOW_S3_EXPECTED_BUCKET_OWNER?.trim() || undefined,
  };
}

const cache = new Map<string, S3Settings>();

/** One client per distinct configuration, so each repository opened does not redo the credential chain. */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings {
  const key = JSON.stringify(S3_ENV_VARS.map((name) => env[name] ?? null));
  let settings = cache.get(key);
  if (!settings) {
    settings = buildSettings(env);
    cache.set(key, settings);
  }
  return settings;
}
