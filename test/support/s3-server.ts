// A real S3-compatible HTTP server on loopback for the object-storage tests: s3rver (an npm package
// implementing S3's REST API in Node: buckets, objects, listing with delimiters, multipart uploads),
// storing objects in a temp directory. Its credentials are s3rver's fixed pair.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface S3TestServer {
  /** `http://127.0.0.1:<port>`, for MLFLOW_S3_ENDPOINT_URL. */
  endpoint: string;
  /** The environment a client needs to reach it (endpoint and credentials). */
  env: Record<string, string>;
  /** Where s3rver keeps the objects (one directory per bucket). */
  directory: string;
  close(): Promise<void>;
}

interface ListResult {
  objects: Array<{ key: string }>;
  commonPrefixes: string[];
  isTruncated: boolean;
}
interface ListOptions {
  delimiter?: string;
  prefix?: string;
  maxKeys?: number;
  startAfter?: string;
}
type ListObjects = (bucket: string, options: ListOptions) => Promise<ListResult>;

/**
 * s3rver 3.7's filesystem store skips directories below a common prefix while it walks, so a "directory"
 * that holds only subdirectories (`reports/` with just `reports/daily/x`) is missing from delimited
 * listings; S3, MinIO and Ceph derive common prefixes from every key. This recomputes them from the full
 * key list, as S3 does, so the tests exercise S3's behaviour and not this bug.
 */
function fixCommonPrefixes(server: S3rver): void {
  const store = (server as unknown as { store: { listObjects: ListObjects } }).store;
  const listAll = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    const delimiter = options.delimiter ?? '';
    if (delimiter === '') return listAll(bucket, options);
    const prefix = options.prefix ?? '';
    const all = await listAll(bucket, { ...options, delimiter: '', maxKeys: Number.POSITIVE_INFINITY });
    const commonPrefixes = new Set<string>();
    const objects = [];
    for (const object of all.objects) {
      const at = object.key.slice(prefix.length).indexOf(delimiter);
      if (at >= 0) commonPrefixes.add(object.key.slice(0, prefix.length + at + delimiter.length));
      else objects.push(object);
    }
    const maxKeys = options.maxKeys ?? Number.POSITIVE_INFINITY;
    return {
      objects: objects.slice(0, maxKeys),
      commonPrefixes: [...commonPrefixes].sort(),
      isTruncated: objects.length > maxKeys,
    };
  };
}

export async function startS3Server(buckets: string[]): Promise<S3TestServer> {
  const directory = mkdtempSync(path.join(tmpdir(), 'cairn-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  fixCommonPrefixes(server);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    directory,
    env: {
      MLFLOW_S3_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
