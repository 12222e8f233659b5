// A do-nothing HTTP server answering the registry benchmark's read endpoints with fixed bodies of
// the real size (a 100-version search page, one version by alias), run in its own process: what the
// load generator reaches against it is the ceiling the client imposes on this machine.
// Run as a script it listens on 127.0.0.1:<argv[2] or 0> and prints `listening <port>`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

function fakeVersion(version: number): unknown {
  return {
    name: 'model-3',
    version: String(version),
    creation_timestamp: 1_760_000_000_000,
    last_updated_timestamp: 1_760_000_000_000,
    current_stage: 'None',
    description: '',
    source: `s3://bench/model-3/${version}`,
    run_id: `run${version}`,
    status: 'READY',
    aliases: version === 7 ? ['champion'] : undefined,
  };
}

export function startNullRegistryServer(port = 0): Promise<http.Server> {
  const searchBody = JSON.stringify({ model_versions: Array.from({ length: 100 }, (_, i) => fakeVersion(1000 - i)) });
  const aliasBody = JSON.stringify({ model_version: fakeVersion(7) });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const u = req.url ?? '';
      const out = u.includes('/model-versions/search')
        ? searchBody
        : u.includes('/registered-models/alias')
          ? aliasBody
          : '{}';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() as string)) {
  const server = await startNullRegistryServer(Number(process.argv[2] ?? 0));
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
