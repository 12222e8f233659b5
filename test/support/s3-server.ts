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

export async function startS3Server(buckets: string[]): Promise<S3TestServer> {
  const directory = mkdtempSync(path.join(tmpdir(), 'cairn-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
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
