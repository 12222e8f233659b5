// A do-nothing HTTP server answering bench_tracking.py's endpoints with fixed, realistically sized
// bodies (a search page as large as a real server's, a 10-point history, a full run): what the
// load generator reaches against it is the ceiling the client itself imposes on this machine,
// measured in the same run.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

function fakeRun(id: string): unknown {
  return {
    info: {
      run_id: id,
      run_uuid: id,
      run_name: 'r',
      experiment_id: '1',
      user_id: 'bench',
      status: 'FINISHED',
      start_time: 1_760_000_000_000,
      end_time: 1_760_000_000_500,
      artifact_uri: `mlflow-artifacts:/1/${id}/artifacts`,
      lifecycle_stage: 'active',
    },
    data: {
      metrics: Array.from({ length: 10 }, (_, k) => ({
        key: `m${k}`,
        value: 0.123456789 * k,
        timestamp: 1_760_000_000_100,
        step: 9,
      })),
      params: Array.from({ length: 10 }, (_, k) => ({ key: `p${k}`, value: `v${k}-3` })),
      tags: [
        { key: 'bench.client', value: '0' },
        { key: 'stage', value: 'bench' },
        { key: 'model', value: 'rf' },
        { key: 'mlflow.runName', value: 'r' },
      ],
    },
    inputs: {},
  };
}

export interface NullServer {
  url: string;
  close(): Promise<void>;
}

export async function startNullTrackingServer(): Promise<NullServer> {
  let n = 0;
  // The workload's filter (metrics.m0 > 0.5 on uniform values) matches about half of the runs
  // created, and a page holds at most 100 of them: 25 at 1 client, 100 at 8.
  const searchBodies = new Map<number, Buffer>();
  const searchBody = (): Buffer => {
    const size = Math.min(100, Math.ceil(n / 2));
    let body = searchBodies.get(size);
    if (body === undefined) {
      body = Buffer.from(
        JSON.stringify({
          runs: Array.from({ length: size }, (_, i) => fakeRun(i.toString(16).padStart(32, '0'))),
          ...(size === 100 ? { next_page_token: 'eyJvZmZzZXQiOiAxMDB9' } : {}),
        }),
      );
      searchBodies.set(size, body);
    }
    return body;
  };
  const getBody = JSON.stringify({ run: fakeRun('f'.repeat(32)) });
  const historyBody = JSON.stringify({
    metrics: Array.from({ length: 10 }, (_, s) => ({
      key: 'm0',
      value: 0.5,
      timestamp: 1_760_000_000_000 + s,
      step: s,
    })),
  });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const u = req.url ?? '';
      let out: string | Buffer = '{}';
      if (u.includes('/experiments/create')) out = '{"experiment_id":"1"}';
      else if (u.includes('/runs/create')) out = JSON.stringify({ run: fakeRun((++n).toString(16).padStart(32, '0')) });
      else if (u.includes('/runs/search')) out = searchBody();
      else if (u.includes('/runs/get')) out = getBody;
      else if (u.includes('/metrics/get-history')) out = historyBody;
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(out),
      });
      res.end(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
