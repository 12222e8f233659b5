// Reliability of the tracking server over real HTTP on loopback: durability of acknowledged
// writes across kill -9 (SQLite and PostgreSQL), concurrent SQLite writers without lock errors, and a seeded fuzz of
// malformed requests that must never produce a 5xx, a stack trace or a broken store.
import http from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../src/learn/core/random.js';
import { startCairnServer, type CairnServer } from '../support/cairn-server.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { lacks, unmetReason } from '../support/requirements.js';
import { api, rawRequest } from '../support/raw-http.js';
import { RequestFuzzer, STACK_TRACE_PATTERNS } from '../support/request-fuzzer.js';

interface RunJson {
  info: { run_id: string; experiment_id: string; lifecycle_stage: string };
  data: { metrics?: MetricJson[]; params?: KV[]; tags?: KV[] };
}
interface KV {
  key: string;
  value: string;
}
interface MetricJson {
  key: string;
  value: number;
  timestamp: number | string;
  step?: number | string;
}

const servers: CairnServer[] = [];
async function start(opts: Parameters<typeof startCairnServer>[0] = {}): Promise<CairnServer> {
  const s = await startCairnServer(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  while (servers.length) {
    const s = servers.pop()!;
    await s.kill9();
    s.cleanup();
  }
});

// the 2-worker variants need `cairn server --workers`; without it they are skipped loudly (CI fails)
const WORKER_VARIANTS = lacks('cairn-workers') ? [1] : [1, 2];
it('this checkout serves with --workers, so the 2-worker variants run (no silent skip)', () => {
  expect(unmetReason('cairn-workers')).toBeNull();
  expect(WORKER_VARIANTS).toEqual([1, 2]);
});

const isTransportError = (e: unknown) => /ECONNREFUSED|ECONNRESET|socket hang up|EPIPE|timeout/i.test(String(e));

async function createExperiment(port: number, name: string, agent?: http.Agent): Promise<string> {
  const res = await api<{ experiment_id: string }>(port, 'POST', 'experiments/create', { name }, agent);
  expect(res.status, res.raw).toBe(200);
  return res.json.experiment_id;
}

async function createRun(port: number, experimentId: string, agent?: http.Agent): Promise<string> {
  const res = await api<{ run: RunJson }>(
    port,
    'POST',
    'runs/create',
    { experiment_id: experimentId, start_time: Date.now() },
    agent,
  );
  expect(res.status, res.raw).toBe(200);
  return res.json.run.info.run_id;
}

/** Acknowledged writes (the server answered 200) of the crash test. */
interface Acked {
  runs: Set<string>;
  params: Map<string, Map<string, string>>; // run -> key -> value
  tags: Map<string, Map<string, string>>;
  metrics: Map<string, Map<string, Set<string>>>; // run -> key -> "step|value|timestamp"
  count: number;
}

function ackParam(a: Acked, map: 'params' | 'tags', run: string, key: string, value: string) {
  if (!a[map].has(run)) a[map].set(run, new Map());
  a[map].get(run)!.set(key, value);
}
function ackMetric(a: Acked, run: string, key: string, step: number, value: number, ts: number) {
  if (!a.metrics.has(run)) a.metrics.set(run, new Map());
  const byKey = a.metrics.get(run)!;
  if (!byKey.has(key)) byKey.set(key, new Set());
  byKey.get(key)!.add(`${step}|${value}|${ts}`);
}

// one PostgreSQL server for the file, started by the first test that needs it; a database per test
let pgServer: TestPostgres | null = null;
afterAll(async () => {
  await pgServer?.stop();
});
async function freshPostgresUri(): Promise<string> {
  if (!pgServer) {
    pgServer = await startPostgres();
    return pgServer.uri;
  }
  return pgServer.createDatabase();
}

describe('kill -9 during ingest', () => {
  const variants: { store: 'sqlite' | 'postgresql'; workers: number }[] = [
    ...WORKER_VARIANTS.map((workers) => ({ store: 'sqlite' as const, workers })),
    ...(lacks('postgres') ? [] : [{ store: 'postgresql' as const, workers: WORKER_VARIANTS.at(-1)! }]),
  ];
  for (const { store, workers } of variants) {
    it(`keeps every acknowledged write (${store}, workers=${workers}, 8 clients)`, async () => {
      let backendStoreUri: string | undefined;
      if (store === 'postgresql') backendStoreUri = await freshPostgresUri();
      const server = await start({ workers: workers > 1 ? workers : undefined, backendStoreUri });
      const expId = await createExperiment(server.port, `crash-${workers}-${Date.now()}`);
      const acked: Acked = { runs: new Set(), params: new Map(), tags: new Map(), metrics: new Map(), count: 0 };
      const unexpected: string[] = [];
      const KILL_AFTER_ACKS = 600;
      const MAX_REQUESTS_PER_CLIENT = 1500;
      let killed: Promise<void> | null = null;
      const maybeKill = () => {
        if (!killed && acked.count >= KILL_AFTER_ACKS) killed = server.kill9();
      };

      const client = async (i: number) => {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        const rng = new Rng(1000 + i);
        let run: string | null = null;
        try {
          for (let j = 0; j < MAX_REQUESTS_PER_CLIENT; j++) {
            if (run === null || j % 25 === 0) {
              const res = await api<{ run: RunJson }>(
                server.port,
                'POST',
                'runs/create',
                { experiment_id: expId, start_time: Date.now(), run_name: `c${i}-${j}` },
                agent,
              );
              if (res.status !== 200) {
                unexpected.push(`runs/create ${res.status} ${res.raw.slice(0, 200)}`);
                continue;
              }
              run = res.json.run.info.run_id;
              acked.runs.add(run);
              acked.count++;
              maybeKill();
              continue;
            }
            const ts = Date.now();
            const value = Math.round(rng.random() * 1e6) / 1e6;
            if (j % 2 === 0) {
              const metrics = Array.from({ length: 5 }, (_, k) => ({
                key: `m${k}`,
                value: value + k,
                timestamp: ts,
                step: j,
              }));
              const body = {
                run_id: run,
                metrics,
                params: [{ key: `p${j}`, value: `v${i}-${j}` }],
                tags: [{ key: 'last', value: String(j) }],
              };
              const res = await api(server.port, 'POST', 'runs/log-batch', body, agent);
              if (res.status !== 200) {
                unexpected.push(`log-batch ${res.status} ${res.raw.slice(0, 200)}`);
                continue;
              }
              metrics.forEach((m) => ackMetric(acked, run!, m.key, j, m.value, ts));
              ackParam(acked, 'params', run, `p${j}`, `v${i}-${j}`);
              ackParam(acked, 'tags', run, 'last', String(j));
            } else {
              const res = await api(
                server.port,
                'POST',
                'runs/log-metric',
                { run_id: run, key: 'single', value, timestamp: ts, step: j },
                agent,
              );
              if (res.status !== 200) {
                unexpected.push(`log-metric ${res.status} ${res.raw.slice(0, 200)}`);
                continue;
              }
              ackMetric(acked, run, 'single', j, value, ts);
            }
            acked.count++;
            maybeKill();
          }
        } catch (e) {
          if (!isTransportError(e)) throw e;
          // the server is gone: this client stops; its in-flight request was never acknowledged
        } finally {
          agent.destroy();
        }
      };
      await Promise.all(Array.from({ length: 8 }, (_, i) => client(i)));
      expect(killed, `ingest finished (${acked.count} acks) before the kill threshold`).not.toBeNull();
      await killed;
      expect(unexpected, 'non-200 answers before the crash').toEqual([]);
      expect(acked.count).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

      const again = await start({
        dataDir: server.dataDir,
        workers: workers > 1 ? workers : undefined,
        backendStoreUri,
      });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      const missing: string[] = [];
      const runIds = [...acked.runs];
      for (const runId of runIds) {
        const got = await api<{ run: RunJson }>(again.port, 'GET', 'runs/get', { run_id: runId }, agent);
        if (got.status !== 200) {
          missing.push(`run ${runId}: ${got.status}`);
          continue;
        }
        const params = new Map((got.json.run.data.params ?? []).map((p) => [p.key, p.value]));
        for (const [k, v] of acked.params.get(runId) ?? [])
          if (params.get(k) !== v) missing.push(`param ${runId}/${k}`);
        const tags = new Map((got.json.run.data.tags ?? []).map((p) => [p.key, p.value]));
        // tags are overwritten: the stored value is the last acknowledged one or a later (unacked) one
        for (const [k, v] of acked.tags.get(runId) ?? [])
          if (!tags.has(k) || Number(tags.get(k)) < Number(v)) missing.push(`tag ${runId}/${k}`);
        for (const [key, points] of acked.metrics.get(runId) ?? []) {
          const h = await api<{ metrics?: MetricJson[] }>(
            again.port,
            'GET',
            'metrics/get-history',
            { run_id: runId, metric_key: key },
            agent,
          );
          if (h.status !== 200) {
            missing.push(`history ${runId}/${key}: ${h.status}`);
            continue;
          }
          const stored = new Set(
            (h.json.metrics ?? []).map((m) => `${Number(m.step ?? 0)}|${m.value}|${Number(m.timestamp)}`),
          );
          for (const p of points) if (!stored.has(p)) missing.push(`metric ${runId}/${key} ${p}`);
        }
      }
      agent.destroy();
      expect(missing.slice(0, 20), `${missing.length} acknowledged writes lost of ${acked.count}`).toEqual([]);
      expect(runIds.length).toBeGreaterThanOrEqual(8);
    }, 240_000);
  }
});

describe('concurrent writers on SQLite', () => {
  it('8 clients writing at once get no lock errors and no non-200', async () => {
    const workers = lacks('cairn-workers') ? undefined : 2;
    const server = await start({ workers });
    const expId = await createExperiment(server.port, `writers-${Date.now()}`);
    const failures: string[] = [];
    const perClient = new Map<number, { runs: string[]; points: number }>();
    const client = async (i: number) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const mine = { runs: [] as string[], points: 0 };
      perClient.set(i, mine);
      try {
        for (let r = 0; r < 4; r++) {
          const created = await api<{ run: RunJson }>(
            server.port,
            'POST',
            'runs/create',
            { experiment_id: expId, start_time: Date.now() },
            agent,
          );
          if (created.status !== 200) {
            failures.push(`create ${created.status} ${created.raw.slice(0, 200)}`);
            continue;
          }
          const runId = created.json.run.info.run_id;
          mine.runs.push(runId);
          for (let k = 0; k < 30; k++) {
            const ts = Date.now();
            const res =
              k % 3 === 0
                ? await api(
                    server.port,
                    'POST',
                    'runs/log-batch',
                    {
                      run_id: runId,
                      metrics: Array.from({ length: 20 }, (_, m) => ({
                        key: 'loss',
                        value: k + m / 100,
                        timestamp: ts,
                        step: k * 100 + m,
                      })),
                      params: [{ key: `p${k}`, value: String(k) }],
                      tags: [{ key: 't', value: String(k) }],
                    },
                    agent,
                  )
                : k % 3 === 1
                  ? await api(
                      server.port,
                      'POST',
                      'runs/log-metric',
                      { run_id: runId, key: 'loss', value: k, timestamp: ts, step: k * 100 + 99 },
                      agent,
                    )
                  : await api(
                      server.port,
                      'POST',
                      'runs/set-tag',
                      { run_id: runId, key: `tag${k}`, value: 'x' },
                      agent,
                    );
            if (res.status !== 200) failures.push(`${k % 3} ${res.status} ${res.raw.slice(0, 200)}`);
            else mine.points += k % 3 === 0 ? 20 : k % 3 === 1 ? 1 : 0;
          }
          const upd = await api(
            server.port,
            'POST',
            'runs/update',
            { run_id: runId, status: 'FINISHED', end_time: Date.now() },
            agent,
          );
          if (upd.status !== 200) failures.push(`update ${upd.status} ${upd.raw.slice(0, 200)}`);
        }
      } finally {
        agent.destroy();
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, i) => client(i)));
    expect(
      failures.filter((f) => /lock|busy/i.test(f)),
      'lock errors',
    ).toEqual([]);
    expect(failures.slice(0, 10), `${failures.length} non-200 answers`).toEqual([]);

    // every point is stored once
    let expected = 0;
    let stored = 0;
    for (const { runs, points } of perClient.values()) {
      expected += points;
      for (const runId of runs) {
        const h = await api<{ metrics?: MetricJson[] }>(server.port, 'GET', 'metrics/get-history', {
          run_id: runId,
          metric_key: 'loss',
        });
        expect(h.status).toBe(200);
        stored += (h.json.metrics ?? []).length;
      }
    }
    expect(expected).toBe(8 * 4 * (10 * 20 + 10));
    expect(stored).toBe(expected);
    const search = await api<{ runs?: RunJson[] }>(server.port, 'POST', 'runs/search', {
      experiment_ids: [expId],
      filter: "attributes.status = 'FINISHED'",
      max_results: 1000,
    });
    expect(search.json.runs ?? []).toHaveLength(32);
  }, 180_000);
});

describe('fuzzed and malformed requests', () => {
  const SEED = Number(process.env.CAIRN_FUZZ_SEED ?? 20261125);
  const COUNT = Number(process.env.CAIRN_FUZZ_COUNT ?? 1200);

  it.each(lacks('postgres') ? ['sqlite'] : ['sqlite', 'postgresql'])(
    `${COUNT} seeded malformed requests on %s: no 5xx, no stack trace, error_code always, store intact (seed ${SEED})`,
    async (store) => {
      const server = await start({ backendStoreUri: store === 'postgresql' ? await freshPostgresUri() : undefined });
      const { port } = server;
      const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      const marker = `PWNED-${SEED}-${process.pid}`;
      const secretName = 'fuzz-secret.txt';
      const secret = `TOP-SECRET-${SEED}-${Date.now()}`;
      writeFileSync(path.join(server.dataDir, secretName), secret);

      // data the fuzzer never addresses: it must come out unchanged
      const safeExp = await createExperiment(port, `fuzz-protected-${Date.now()}`, agent);
      const safeRun = await createRun(port, safeExp, agent);
      const t0 = 1_750_000_000_000;
      const batch = await api(
        port,
        'POST',
        'runs/log-batch',
        {
          run_id: safeRun,
          metrics: Array.from({ length: 30 }, (_, s) => ({
            key: 'auc',
            value: 0.5 + s / 100,
            timestamp: t0 + s,
            step: s,
          })),
          params: [
            { key: 'model', value: 'rf' },
            { key: 'depth', value: '7' },
          ],
          tags: [{ key: 'owner', value: 'fuzz-test' }],
        },
        agent,
      );
      expect(batch.status, batch.raw).toBe(200);
      const artifact = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256));
      const artifactPath = `/api/2.0/mlflow-artifacts/artifacts/${safeExp}/${safeRun}/artifacts/model/weights.bin`;
      const put = await rawRequest(port, {
        method: 'PUT',
        path: artifactPath,
        body: artifact,
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(put.status, put.body).toBe(200);
      const before = (await api<{ run: RunJson }>(port, 'GET', 'runs/get', { run_id: safeRun }, agent)).json.run;
      const historyBefore = (
        await api<{ metrics?: MetricJson[] }>(
          port,
          'GET',
          'metrics/get-history',
          { run_id: safeRun, metric_key: 'auc' },
          agent,
        )
      ).json;

      const fuzzExp = await createExperiment(port, `fuzz-target-${Date.now()}`, agent);
      const fuzzRun = await createRun(port, fuzzExp, agent);
      const fuzzer = new RequestFuzzer(SEED, {
        experimentId: fuzzExp,
        runId: fuzzRun,
        secretName,
        pwnedMarker: marker,
      });

      // rule -> offending requests; reported grouped so one root cause does not hide the others
      const violations = new Map<string, string[]>();
      const violate = (rule: string, what: string) => {
        if (!violations.has(rule)) violations.set(rule, []);
        violations.get(rule)!.push(what);
      };
      const kinds = new Map<string, number>();
      let answered = 0;
      let next = 0;
      const worker = async () => {
        while (next < COUNT) {
          const idx = next++;
          const c = fuzzer.next();
          const where = `#${idx} ${c.kind} ${c.method} ${c.path.slice(0, 160)}`;
          let res;
          try {
            res = await rawRequest(port, c, { agent, timeoutMs: 30_000 });
          } catch {
            // A keep-alive socket the server had just closed: retry once on a new connection,
            // as HTTP clients do; only a request that fails on a fresh connection is a violation.
            const fresh = new http.Agent({ keepAlive: false });
            try {
              res = await rawRequest(port, c, { agent: fresh, timeoutMs: 30_000 });
            } catch (e) {
              violate('no answer', `${where}: ${String(e).slice(0, 120)}`);
              continue;
            } finally {
              fresh.destroy();
            }
          }
          answered++;
          kinds.set(c.kind.split(' ')[0], (kinds.get(c.kind.split(' ')[0]) ?? 0) + 1);
          if (res.status >= 500) violate(`HTTP ${res.status}`, `${where}: ${res.body.slice(0, 200)}`);
          const trace = STACK_TRACE_PATTERNS.find((p) => p.test(res.body));
          if (trace) violate('body leaks internals', `${where} (${trace}): ${res.body.slice(0, 300)}`);
          if (res.body.includes(secret))
            violate('traversal read', `${where}: served the secret file outside the artifact root`);
          if (/root:.*:0:0:/.test(res.body)) violate('traversal read', `${where}: served /etc/passwd`);
          if (res.status >= 400 && c.method !== 'HEAD') {
            let code: unknown;
            try {
              code = (JSON.parse(res.body) as { error_code?: unknown }).error_code;
            } catch {
              code = undefined;
            }
            if (typeof code !== 'string' || !code)
              violate(`HTTP ${res.status} without error_code`, `${where}: ${res.body.slice(0, 200)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
      agent.destroy();

      const report = [...violations].map(
        ([rule, list]) =>
          `${rule}: ${list.length}\n    ${list.slice(0, Number(process.env.CAIRN_FUZZ_SHOW ?? 4)).join('\n    ')}`,
      );
      expect(
        report.join('\n'),
        `fuzz violations (seed ${SEED}); kinds sent ${JSON.stringify(Object.fromEntries(kinds))}`,
      ).toBe('');
      expect(answered).toBeGreaterThanOrEqual(1000);

      // no traversal upload landed outside the artifact root
      const strays: string[] = [];
      const scan = (dir: string, depth: number) => {
        for (const name of readdirSync(dir)) {
          const p = path.join(dir, name);
          if (p === server.artifactsDir) continue;
          if (name.startsWith('pwned-')) strays.push(p);
          const st = statSync(p, { throwIfNoEntry: false });
          if (st?.isDirectory() && depth > 0) scan(p, depth - 1);
          else if (st?.isFile() && st.size < 1_000_000 && readFileSync(p).includes(marker)) strays.push(p);
        }
      };
      scan(server.dataDir, 6);
      for (const name of readdirSync(tmpdir())) if (name.startsWith('pwned-')) strays.push(path.join(tmpdir(), name));
      expect(strays).toEqual([]);
      expect(readFileSync(path.join(server.dataDir, secretName), 'utf8')).toBe(secret);

      // the server is healthy and the protected data is exactly as it was
      const health = await rawRequest(port, { method: 'GET', path: '/health' });
      expect(health.status).toBe(200);
      const after = (await api<{ run: RunJson }>(port, 'GET', 'runs/get', { run_id: safeRun })).json.run;
      const norm = (r: RunJson) => ({
        info: r.info,
        metrics: [...(r.data.metrics ?? [])].sort((a, b) => a.key.localeCompare(b.key)),
        params: [...(r.data.params ?? [])].sort((a, b) => a.key.localeCompare(b.key)),
        tags: [...(r.data.tags ?? [])].sort((a, b) => a.key.localeCompare(b.key)),
      });
      expect(norm(after)).toEqual(norm(before));
      const historyAfter = (
        await api<{ metrics?: MetricJson[] }>(port, 'GET', 'metrics/get-history', {
          run_id: safeRun,
          metric_key: 'auc',
        })
      ).json;
      expect(historyAfter).toEqual(historyBefore);
      const got = await new Promise<Buffer>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: artifactPath }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve(Buffer.concat(chunks)));
          })
          .on('error', reject);
      });
      expect(got.equals(artifact)).toBe(true);
      const exp = await api<{ experiment: { name: string; lifecycle_stage: string } }>(port, 'GET', 'experiments/get', {
        experiment_id: safeExp,
      });
      expect(exp.json.experiment.lifecycle_stage).toBe('active');
      // and it still takes writes
      const fresh = await createRun(port, safeExp);
      expect(
        (
          await api(port, 'POST', 'runs/log-metric', {
            run_id: fresh,
            key: 'ok',
            value: 1,
            timestamp: Date.now(),
            step: 0,
          })
        ).status,
      ).toBe(200);

      expect(await server.stop(), 'graceful SIGTERM exit code').toBe(0);
      if (store === 'sqlite') expect(existsSync(server.dbPath)).toBe(true);
    },
    240_000,
  );
});
