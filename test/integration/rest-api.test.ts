// MLflow's tracking REST API over real HTTP on loopback against a real SQLite file: every endpoint,
// on both prefixes, GET and POST forms, response shapes and MLflow's error codes and statuses.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, get, post, startTestServer, type TestServer } from './server-harness.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

const unique = () => `${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;

describe.each(['/api/2.0/mlflow', '/ajax-api/2.0/mlflow', '/api/2.0/preview/mlflow'])(
  'tracking API under %s',
  (prefix) => {
    const api = (p: string) => `${srv.url}${prefix}${p}`;

    it('runs the experiment lifecycle', async () => {
      const name = `exp-${unique()}`;
      const created = await post(api('/experiments/create'), { name, tags: [{ key: 'team', value: 'cardio' }] });
      expect(created.status).toBe(200);
      const id = created.json.experiment_id as string;
      expect(typeof id).toBe('string');

      const got = await get(api('/experiments/get'), { experiment_id: id });
      expect(got.status).toBe(200);
      expect(got.json.experiment).toMatchObject({
        experiment_id: id,
        name,
        lifecycle_stage: 'active',
        artifact_location: `mlflow-artifacts:/${id}`,
        tags: [{ key: 'team', value: 'cardio' }],
      });
      expect(typeof got.json.experiment.creation_time).toBe('number');
      expect(typeof got.json.experiment.last_update_time).toBe('number');

      const byName = await get(api('/experiments/get-by-name'), { experiment_name: name });
      expect(byName.json.experiment.experiment_id).toBe(id);

      expect(
        (await post(api('/experiments/set-experiment-tag'), { experiment_id: id, key: 'k', value: 'v' })).json,
      ).toEqual({});
      expect((await post(api('/experiments/delete-experiment-tag'), { experiment_id: id, key: 'team' })).status).toBe(
        200,
      );
      const tags = (await get(api('/experiments/get'), { experiment_id: id })).json.experiment.tags;
      expect(tags).toEqual([{ key: 'k', value: 'v' }]);

      const renamed = `${name}-renamed`;
      expect((await post(api('/experiments/update'), { experiment_id: id, new_name: renamed })).status).toBe(200);
      expect((await get(api('/experiments/get'), { experiment_id: id })).json.experiment.name).toBe(renamed);

      expect((await post(api('/experiments/delete'), { experiment_id: id })).status).toBe(200);
      expect((await get(api('/experiments/get'), { experiment_id: id })).json.experiment.lifecycle_stage).toBe(
        'deleted',
      );
      const deletedOnly = await get(api('/experiments/search'), {
        view_type: 'DELETED_ONLY',
        filter: `name = '${renamed}'`,
      });
      expect(deletedOnly.json.experiments.map((e: { experiment_id: string }) => e.experiment_id)).toEqual([id]);
      expect((await post(api('/experiments/restore'), { experiment_id: id })).status).toBe(200);
      expect((await get(api('/experiments/get'), { experiment_id: id })).json.experiment.lifecycle_stage).toBe(
        'active',
      );
    });

    it('searches experiments with GET (repeated keys, numbers as strings) and POST, with paging', async () => {
      const tag = unique();
      for (const n of ['b', 'a', 'c']) await post(api('/experiments/create'), { name: `search-${tag}-${n}` });
      const filter = `name LIKE 'search-${tag}-%'`;
      const viaGet = await get(api('/experiments/search'), { filter, order_by: ['name DESC'], max_results: 2 });
      expect(viaGet.status).toBe(200);
      expect(viaGet.json.experiments.map((e: { name: string }) => e.name)).toEqual([
        `search-${tag}-c`,
        `search-${tag}-b`,
      ]);
      expect(typeof viaGet.json.next_page_token).toBe('string');
      const page2 = await post(api('/experiments/search'), {
        filter,
        order_by: ['name DESC'],
        max_results: 2,
        page_token: viaGet.json.next_page_token,
      });
      expect(page2.json.experiments.map((e: { name: string }) => e.name)).toEqual([`search-${tag}-a`]);
      expect(page2.json.next_page_token).toBeUndefined();
      const none = await post(api('/experiments/search'), { filter: `name = 'nothing-${tag}'` });
      expect(none.json).toEqual({}); // empty repeated fields are omitted, as proto JSON
    });

    it('runs the run lifecycle and logs every kind of run data', async () => {
      const expId = (await post(api('/experiments/create'), { name: `runs-${unique()}` })).json.experiment_id;
      const created = await post(api('/runs/create'), {
        experiment_id: expId,
        user_id: 'ana',
        start_time: 1_700_000_000_000,
        run_name: 'baseline',
        tags: [{ key: 'stage', value: 'dev' }],
      });
      expect(created.status).toBe(200);
      const info = created.json.run.info;
      expect(info).toMatchObject({
        run_name: 'baseline',
        experiment_id: expId,
        user_id: 'ana',
        status: 'RUNNING',
        start_time: 1_700_000_000_000,
        lifecycle_stage: 'active',
        artifact_uri: `mlflow-artifacts:/${expId}/${info.run_id}/artifacts`,
      });
      expect(info.run_uuid).toBe(info.run_id);
      expect(info).not.toHaveProperty('end_time');
      expect(created.json.run.inputs).toEqual({});
      const runId = info.run_id as string;

      expect(
        (await post(api('/runs/log-metric'), { run_id: runId, key: 'loss', value: 0.5, timestamp: 10, step: 1 })).json,
      ).toEqual({});
      expect(
        (
          await post(api('/runs/log-metric'), {
            run_uuid: runId,
            key: 'loss',
            value: '0.25',
            timestamp: '11',
            step: '2',
          })
        ).status,
      ).toBe(200);
      expect((await post(api('/runs/log-parameter'), { run_id: runId, key: 'lr', value: '0.1' })).status).toBe(200);
      expect((await post(api('/runs/set-tag'), { run_id: runId, key: 'note', value: 'hello' })).status).toBe(200);
      expect((await post(api('/runs/delete-tag'), { run_id: runId, key: 'stage' })).status).toBe(200);
      const batch = await post(api('/runs/log-batch'), {
        run_id: runId,
        metrics: [
          { key: 'acc', value: 0.9, timestamp: 12, step: 0 },
          { key: 'acc', value: 0.95, timestamp: 13, step: 1 },
        ],
        params: [{ key: 'depth', value: '6' }],
        tags: [{ key: 'batch', value: 'yes' }],
      });
      expect(batch.status).toBe(200);
      const inputs = await post(api('/runs/log-inputs'), {
        run_id: runId,
        datasets: [
          {
            tags: [{ key: 'mlflow.data.context', value: 'training' }],
            dataset: {
              name: 'heart',
              digest: 'abc123',
              source_type: 'local',
              source: '{"uri": "heart.csv"}',
              schema: '{}',
              profile: '{"rows": 303}',
            },
          },
        ],
      });
      expect(inputs.status).toBe(200);
      const model = {
        run_id: runId,
        artifact_path: 'model',
        utc_time_created: '2026-11-25 12:00:00.000000',
        model_uuid: 'u1',
        flavors: { python_function: { loader_module: 'mlflow.sklearn', config: { big: true } } },
        signature: { inputs: '[]' },
      };
      expect((await post(api('/runs/log-model'), { run_id: runId, model_json: JSON.stringify(model) })).status).toBe(
        200,
      );
      expect(
        (
          await post(api('/runs/log-model'), {
            run_id: runId,
            model_json: JSON.stringify({ ...model, artifact_path: 'model2' }),
          })
        ).status,
      ).toBe(200);

      const updated = await post(api('/runs/update'), {
        run_id: runId,
        status: 'FINISHED',
        end_time: 1_700_000_100_000,
        run_name: 'final',
      });
      expect(updated.json.run_info).toMatchObject({
        status: 'FINISHED',
        end_time: 1_700_000_100_000,
        run_name: 'final',
        run_uuid: runId,
      });

      for (const params of [{ run_id: runId }, { run_uuid: runId }]) {
        const got = await get(api('/runs/get'), params);
        expect(got.status).toBe(200);
        const { data } = got.json.run;
        const metric = (k: string) => data.metrics.find((m: { key: string }) => m.key === k);
        expect(metric('loss')).toEqual({ key: 'loss', value: 0.25, timestamp: 11, step: 2 });
        expect(metric('acc')).toEqual({ key: 'acc', value: 0.95, timestamp: 13, step: 1 });
        expect(data.params).toEqual(
          expect.arrayContaining([
            { key: 'lr', value: '0.1' },
            { key: 'depth', value: '6' },
          ]),
        );
        const tags = Object.fromEntries(data.tags.map((t: { key: string; value: string }) => [t.key, t.value]));
        expect(tags).toMatchObject({ note: 'hello', batch: 'yes' });
        expect(tags.stage).toBeUndefined();
        const history = JSON.parse(tags['mlflow.log-model.history']);
        expect(history).toEqual([
          {
            run_id: runId,
            artifact_path: 'model',
            utc_time_created: '2026-11-25 12:00:00.000000',
            model_uuid: 'u1',
            flavors: { python_function: { loader_module: 'mlflow.sklearn' } },
          },
          {
            run_id: runId,
            artifact_path: 'model2',
            utc_time_created: '2026-11-25 12:00:00.000000',
            model_uuid: 'u1',
            flavors: { python_function: { loader_module: 'mlflow.sklearn' } },
          },
        ]);
        expect(got.json.run.inputs.dataset_inputs).toEqual([
          {
            tags: [{ key: 'mlflow.data.context', value: 'training' }],
            dataset: {
              name: 'heart',
              digest: 'abc123',
              source_type: 'local',
              source: '{"uri": "heart.csv"}',
              schema: '{}',
              profile: '{"rows": 303}',
            },
          },
        ]);
      }

      expect((await post(api('/runs/delete'), { run_id: runId })).status).toBe(200);
      expect((await get(api('/runs/get'), { run_id: runId })).json.run.info.lifecycle_stage).toBe('deleted');
      const active = await post(api('/runs/search'), { experiment_ids: [expId] });
      expect(active.json.runs).toBeUndefined();
      const deleted = await post(api('/runs/search'), { experiment_ids: [expId], run_view_type: 'DELETED_ONLY' });
      expect(deleted.json.runs).toHaveLength(1);
      expect((await post(api('/runs/restore'), { run_id: runId })).status).toBe(200);
      expect((await get(api('/runs/get'), { run_id: runId })).json.run.info.lifecycle_stage).toBe('active');
    });

    it('searches runs with filter, order_by and paging', async () => {
      const expId = (await post(api('/experiments/create'), { name: `search-runs-${unique()}` })).json.experiment_id;
      for (const [i, acc] of [0.7, 0.9, 0.8].entries()) {
        const runId = (await post(api('/runs/create'), { experiment_id: expId, run_name: `r${i}` })).json.run.info
          .run_id;
        await post(api('/runs/log-batch'), {
          run_id: runId,
          metrics: [{ key: 'acc', value: acc, timestamp: 1, step: 0 }],
          params: [{ key: 'i', value: String(i) }],
        });
      }
      const first = await post(api('/runs/search'), {
        experiment_ids: [expId],
        filter: 'metrics.acc > 0.75',
        order_by: ['metrics.acc DESC'],
        max_results: 1,
      });
      expect(first.status).toBe(200);
      expect(first.json.runs.map((r: { info: { run_name: string } }) => r.info.run_name)).toEqual(['r1']);
      const second = await post(api('/runs/search'), {
        experiment_ids: [expId],
        filter: 'metrics.acc > 0.75',
        order_by: ['metrics.acc DESC'],
        max_results: 1,
        page_token: first.json.next_page_token,
      });
      expect(second.json.runs.map((r: { info: { run_name: string } }) => r.info.run_name)).toEqual(['r2']);
      const bad = await post(api('/runs/search'), { experiment_ids: [expId], filter: 'metrics.acc >>> 1' });
      expect(bad.status).toBe(400);
      expect(bad.json.error_code).toBe('INVALID_PARAMETER_VALUE');
      const tooMany = await post(api('/runs/search'), { experiment_ids: [expId], max_results: 50_001 });
      expect(tooMany.status).toBe(400);
      expect(tooMany.json.message).toContain('max_results');
    });

    it('pages metric history and samples it across runs (bulk-interval, bulk)', async () => {
      const expId = (await post(api('/experiments/create'), { name: `hist-${unique()}` })).json.experiment_id;
      const runA = (await post(api('/runs/create'), { experiment_id: expId })).json.run.info.run_id;
      const runB = (await post(api('/runs/create'), { experiment_id: expId })).json.run.info.run_id;
      const metrics = Array.from({ length: 25 }, (_, step) => ({
        key: 'loss',
        value: 1 / (step + 1),
        timestamp: 1000 + step,
        step,
      }));
      await post(api('/runs/log-batch'), { run_id: runA, metrics });
      await post(api('/runs/log-batch'), { run_id: runB, metrics: metrics.slice(0, 5) });

      const all = await get(api('/metrics/get-history'), { run_id: runA, metric_key: 'loss' });
      expect(all.json.metrics).toHaveLength(25);
      expect(all.json.next_page_token).toBeUndefined();
      const seen: number[] = [];
      let token: string | undefined;
      do {
        const params: Record<string, string | number> = { run_id: runA, metric_key: 'loss', max_results: 10 };
        if (token) params.page_token = token;
        const page = await get(api('/metrics/get-history'), params);
        expect(page.status).toBe(200);
        seen.push(...page.json.metrics.map((m: { step: number }) => m.step));
        token = page.json.next_page_token;
      } while (token);
      expect(seen.sort((a, b) => a - b)).toEqual(metrics.map((m) => m.step));

      const interval = await get(api('/metrics/get-history-bulk-interval'), {
        run_ids: [runA, runB],
        metric_key: 'loss',
        max_results: 5,
      });
      expect(interval.status).toBe(200);
      const byRun = new Map<string, number>();
      for (const m of interval.json.metrics) byRun.set(m.run_id, (byRun.get(m.run_id) ?? 0) + 1);
      // sampled, not all 25; MLflow's sampling keeps each run's first and last step besides the interval
      expect(byRun.get(runA)).toBeLessThan(25);
      const stepsA = interval.json.metrics
        .filter((m: { run_id: string }) => m.run_id === runA)
        .map((m: { step: number }) => m.step);
      expect(stepsA).toEqual(expect.arrayContaining([0, 24]));
      const stepsB = interval.json.metrics
        .filter((m: { run_id: string }) => m.run_id === runB)
        .map((m: { step: number }) => m.step);
      expect(stepsB).toEqual(expect.arrayContaining([0, 4]));
      const ranged = await get(api('/metrics/get-history-bulk-interval'), {
        run_ids: runA,
        metric_key: 'loss',
        start_step: 3,
        end_step: 7,
      });
      expect(ranged.json.metrics.every((m: { step: number }) => m.step >= 3 && m.step <= 7)).toBe(true);
      const halfRange = await get(api('/metrics/get-history-bulk-interval'), {
        run_ids: runA,
        metric_key: 'loss',
        start_step: 3,
      });
      expect(halfRange.status).toBe(400);
      const inverted = await get(api('/metrics/get-history-bulk-interval'), {
        run_ids: runA,
        metric_key: 'loss',
        start_step: 7,
        end_step: 3,
      });
      expect(inverted.status).toBe(400);
      const tooManyRuns = await get(api('/metrics/get-history-bulk-interval'), {
        run_ids: Array.from({ length: 101 }, (_, i) => `r${i}`),
        metric_key: 'loss',
      });
      expect(tooManyRuns.status).toBe(400);

      const bulk = await get(api('/metrics/get-history-bulk'), { run_id: [runB, runA], metric_key: 'loss' });
      expect(bulk.status).toBe(200);
      expect(bulk.json.metrics).toHaveLength(30);
      expect(new Set(bulk.json.metrics.map((m: { run_id: string }) => m.run_id))).toEqual(new Set([runA, runB]));
    });

    it('round-trips NaN and ±Infinity as MLflow does (strings in JSON), from strings or bare tokens', async () => {
      const expId = (await post(api('/experiments/create'), { name: `nan-${unique()}` })).json.experiment_id;
      const runId = (await post(api('/runs/create'), { experiment_id: expId })).json.run.info.run_id;
      await post(api('/runs/log-metric'), { run_id: runId, key: 'nan', value: 'NaN', timestamp: 1, step: 0 });
      // Python's json.dumps(float('inf')) writes a bare token: MLflow's server accepts it
      const bare = await post(
        api('/runs/log-metric'),
        `{"run_id": "${runId}", "key": "inf", "value": Infinity, "timestamp": 1, "step": 0}`,
      );
      expect(bare.status).toBe(200);
      await post(api('/runs/log-batch'), {
        run_id: runId,
        metrics: [{ key: 'ninf', value: '-Infinity', timestamp: 1, step: 0 }],
      });
      const got = await get(api('/runs/get'), { run_id: runId });
      const values = Object.fromEntries(
        got.json.run.data.metrics.map((m: { key: string; value: unknown }) => [m.key, m.value]),
      );
      expect(values).toEqual({ nan: 'NaN', inf: 'Infinity', ninf: '-Infinity' });
      const history = await get(api('/metrics/get-history'), { run_id: runId, metric_key: 'ninf' });
      expect(history.json.metrics[0].value).toBe('-Infinity');
      const junk = await post(api('/runs/log-metric'), {
        run_id: runId,
        key: 'x',
        value: 'not-a-number',
        timestamp: 1,
      });
      expect(junk.status).toBe(400);
      expect(junk.json).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    });
  },
);

describe('errors, as MLflow reports them', () => {
  const api = (p: string) => `${srv.url}/api/2.0/mlflow${p}`;
  let runId: string;
  let expId: string;
  beforeAll(async () => {
    expId = (await post(api('/experiments/create'), { name: `errors-${unique()}` })).json.experiment_id;
    runId = (await post(api('/runs/create'), { experiment_id: expId })).json.run.info.run_id;
  });

  it('404 RESOURCE_DOES_NOT_EXIST for missing experiments and runs', async () => {
    for (const res of [
      await get(api('/experiments/get'), { experiment_id: '987654' }),
      await get(api('/experiments/get-by-name'), { experiment_name: `missing-${unique()}` }),
      await get(api('/runs/get'), { run_id: 'f'.repeat(32) }),
      await post(api('/runs/log-metric'), { run_id: 'f'.repeat(32), key: 'k', value: 1, timestamp: 1 }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(typeof res.json.message).toBe('string');
    }
  });

  it('400 RESOURCE_ALREADY_EXISTS for a duplicate experiment name', async () => {
    const name = `dup-${unique()}`;
    await post(api('/experiments/create'), { name });
    const dup = await post(api('/experiments/create'), { name });
    expect(dup.status).toBe(400);
    expect(dup.json.error_code).toBe('RESOURCE_ALREADY_EXISTS');
  });

  it('400 INVALID_PARAMETER_VALUE naming the missing or mistyped field', async () => {
    const missing = await post(api('/experiments/create'), {});
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("'name'") });
    const empty = await post(api('/experiments/create'), { name: '' });
    expect(empty.json.message).toContain("Missing value for required parameter 'name'");
    const noRun = await get(api('/runs/get'), {});
    expect(noRun.status).toBe(400);
    expect(noRun.json.message).toContain('run_id');
    const badType = await post(api('/runs/log-metric'), { run_id: runId, key: 'k', value: 1, timestamp: 'yesterday' });
    expect(badType.status).toBe(400);
    expect(badType.json.message).toContain('timestamp');
    const batchField = await post(api('/runs/log-batch'), {
      run_id: runId,
      metrics: [
        { key: 'a', value: 1, timestamp: 1 },
        { value: 1, timestamp: 1 },
      ],
    });
    expect(batchField.status).toBe(400);
    expect(batchField.json.message).toContain('metrics[1].key');
    const badView = await get(api('/experiments/search'), { view_type: 'SOMETIMES' });
    expect(badView.status).toBe(400);
    expect(badView.json.message).toContain('view_type');
  });

  it('takes int64 steps and timestamps over the whole range, as numbers or strings, and returns them exactly', async () => {
    const runId = (await post(api('/runs/create'), { experiment_id: expId })).json.run.info.run_id;
    const send = (body: string, endpoint = '/runs/log-metric') =>
      call(api(endpoint), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const point = (step: string, timestamp = '1') =>
      `{"run_id":"${runId}","key":"big","value":1,"timestamp":${timestamp},"step":${step}}`;
    expect((await send(point('4611686018427387904'))).status).toBe(200); // 2^62 as a JSON number
    expect((await send(point('"9223372036854775807"', '1152921504606846977'))).status).toBe(200); // int64 max as text
    expect((await send(point('-9223372036854775808'))).status).toBe(200);
    const batch = `{"run_id":"${runId}","metrics":[{"key":"big","value":2,"timestamp":3,"step":9007199254740993}]}`;
    expect((await send(batch, '/runs/log-batch')).status).toBe(200);
    const history = await get(api('/metrics/get-history'), { run_id: runId, metric_key: 'big' });
    expect(history.status).toBe(200);
    // JSON.parse would round these: the response text must carry every digit
    for (const digits of [
      '-9223372036854775808',
      '4611686018427387904',
      '9007199254740993',
      '9223372036854775807',
      '1152921504606846977',
    ]) {
      expect(history.text).toContain(digits);
    }
    const paged = await get(api('/metrics/get-history'), { run_id: runId, metric_key: 'big', max_results: 10 });
    expect(paged.text).toContain('"step":9223372036854775807');
    // the latest point is the one with the largest step, in runs/get and runs/search alike
    expect((await get(api('/runs/get'), { run_id: runId })).text).toContain('"step":9223372036854775807');
    const search = await post(api('/runs/search'), { experiment_ids: [expId], filter: 'metrics.big = 1' });
    expect(search.text).toContain('"step":9223372036854775807');

    for (const [step, why] of [
      ['9223372036854775808', 'beyond int64'],
      ['1.5', 'a fraction'],
      ['"0x10"', 'hexadecimal'],
    ]) {
      const res = await send(point(step));
      expect(res.status, why).toBe(400);
      expect(res.json.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(res.json.message, why).toContain("for parameter 'step' supplied");
    }
    // a run time beyond 2^53 is an int64 like any other: MLflow keeps it, and so does Cairn
    const late = await post(api('/runs/update'), { run_id: runId, end_time: '9007199254740993' });
    expect(late.status).toBe(200);
    expect(late.text).toContain('"end_time":9007199254740993');
    const tooLate = await post(api('/runs/update'), { run_id: runId, end_time: '9223372036854775808' });
    expect(tooLate.status).toBe(400);
    expect(tooLate.json.message).toContain("'end_time'");
  });

  it('refuses values of the wrong type, naming the field, instead of storing something else', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [
        '/runs/log-metric',
        { run_id: runId, key: 'm', value: null, timestamp: 1 },
        "Missing value for required parameter 'value'",
      ],
      [
        '/runs/log-metric',
        { run_id: runId, key: 'm', value: '0x10', timestamp: 1 },
        'Invalid value "0x10" for parameter \'value\'',
      ],
      [
        '/runs/log-metric',
        { run_id: runId, key: ['a'], value: 1, timestamp: 1 },
        'Invalid value ["a"] for parameter \'key\'',
      ],
      [
        '/runs/log-metric',
        { run_id: runId, key: 'm', value: 1, timestamp: -5 },
        "Invalid value -5 for parameter 'timestamp'",
      ],
      ['/runs/log-metric', { run_id: 31, key: 'm', value: 1, timestamp: 1 }, "Invalid value 31 for parameter 'run_id'"],
      ['/runs/log-parameter', { run_id: runId, key: 'p', value: 5 }, "Invalid value 5 for parameter 'value'"],
      ['/runs/log-batch', { run_id: runId, metrics: 'foo' }, 'Invalid value "foo" for parameter \'metrics\''],
      [
        '/runs/log-batch',
        { run_id: runId, metrics: [{ key: 'm', value: 1, timestamp: -1 }] },
        "parameter 'metrics[0].timestamp'",
      ],
      ['/runs/log-inputs', { run_id: runId }, "Missing value for required parameter 'datasets'"],
      ['/experiments/create', { name: 123 }, "Invalid value 123 for parameter 'name'"],
      [
        '/experiments/create',
        { name: `x-${unique()}`, artifact_location: 9.5 },
        "Invalid value 9.5 for parameter 'artifact_location'",
      ],
      ['/runs/search', { max_results: 50001 }, "Invalid value 50001 for parameter 'max_results'"],
    ];
    for (const [endpoint, body, message] of cases) {
      const res = await post(api(endpoint), body);
      expect(res.status, `${endpoint} ${JSON.stringify(body)}`).toBe(400);
      expect(res.json.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(res.json.message).toContain(message);
    }
    const history = await get(api('/metrics/get-history'), { run_id: runId, metric_key: 'm' });
    expect(history.json.metrics ?? []).toEqual([]);
    const utf8 = Buffer.concat([
      Buffer.from(`{"run_id":"${runId}","key":"u","value":"a`),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]);
    const bad = await call(api('/runs/log-parameter'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: utf8,
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('not valid UTF-8');
    expect((await get(api('/runs/get'), { run_id: runId })).json.run.data.params ?? []).toEqual([]);
  });

  it('resolves a relative artifact_location against the working directory, as MLflow does', async () => {
    const made = async (location: string) => {
      const id = (await post(api('/experiments/create'), { name: `loc-${unique()}`, artifact_location: location })).json
        .experiment_id;
      return (await get(api('/experiments/get'), { experiment_id: id })).json.experiment.artifact_location;
    };
    expect(await made('some/./rel')).toBe(`${process.cwd()}/some/rel`);
    expect(await made('file:rel/dir')).toBe(`file://${process.cwd()}/rel/dir`);
    expect(await made('/abs/dir')).toBe('/abs/dir');
    expect(await made('s3://bucket/x')).toBe('s3://bucket/x');
  });

  it('enforces MLflow limits: param length, batch size, param immutability', async () => {
    const long = await post(api('/runs/log-parameter'), { run_id: runId, key: 'p', value: 'x'.repeat(6001) });
    expect(long.status).toBe(400);
    expect(long.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: `m${i}`, value: i, timestamp: 1, step: 0 }));
    const tooBig = await post(api('/runs/log-batch'), { run_id: runId, metrics });
    expect(tooBig.status).toBe(400);
    expect(tooBig.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await post(api('/runs/log-parameter'), { run_id: runId, key: 'fixed', value: 'a' })).status).toBe(200);
    const changed = await post(api('/runs/log-parameter'), { run_id: runId, key: 'fixed', value: 'b' });
    expect(changed.status).toBe(400);
    expect(changed.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    // nothing from the refused batch was stored
    const run = await get(api('/runs/get'), { run_id: runId });
    expect(run.json.run.data.metrics).toBeUndefined();
  });

  it('413 with an MLflow error body for bodies over the limit (4 MB, 32 MB for log-batch)', async () => {
    const bigTag = await post(api('/experiments/create'), {
      name: 'x',
      tags: [{ key: 'k', value: 'v'.repeat(5 * 1024 * 1024) }],
    });
    expect(bigTag.status).toBe(413);
    expect(bigTag.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    // log-batch takes bodies above 4 MB (dataset-sized tags are refused by the store, not the parser) ...
    const mid = await post(api('/runs/log-batch'), {
      run_id: runId,
      tags: [{ key: 'k', value: 'v'.repeat(5 * 1024 * 1024) }],
    });
    expect(mid.status).toBe(400);
    expect(mid.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    // ... up to 32 MB
    const huge = await post(api('/runs/log-batch'), {
      run_id: runId,
      tags: [{ key: 'k', value: 'v'.repeat(33 * 1024 * 1024) }],
    });
    expect(huge.status).toBe(413);
    expect(huge.json.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('answers an oversized body with 413 after reading it, so a streaming client sees the error, not EPIPE', async () => {
    const { hostname, port } = new URL(srv.url);
    const body = Buffer.alloc(60 * 1024 * 1024, 0x20); // 60 MB of JSON whitespace
    const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: hostname,
          port,
          method: 'POST',
          path: '/api/2.0/mlflow/runs/log-batch',
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (r) => {
          let text = '';
          r.on('data', (d) => {
            text += d;
          });
          r.on('end', () => resolve({ status: r.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('404 ENDPOINT_NOT_FOUND for unknown routes and wrong methods', async () => {
    for (const res of [
      await get(`${srv.url}/api/2.0/mlflow/nope`),
      await call(`${srv.url}/api/2.0/mlflow/experiments/create`),
      await post(`${srv.url}/api/9.9/whatever`, {}),
    ]) {
      expect(res.status).toBe(404);
      expect(res.json.error_code).toBe('ENDPOINT_NOT_FOUND');
    }
  });

  it('400 for malformed JSON, non-object bodies and non-JSON content types, never 500', async () => {
    const malformed = await post(api('/experiments/create'), '{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json.error_code).toBe('MALFORMED_REQUEST');
    const array = await post(api('/experiments/create'), '[1, 2]');
    expect(array.status).toBe(400);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await call(api('/experiments/create'), {
        method: 'POST',
        headers: { 'content-type': type },
        body: '{"name":"x"}',
      });
      expect(res.status).toBe(400);
      expect(res.json.message).toContain('Content-Type');
    }
    const bodiless = await call(api('/experiments/create'), { method: 'POST' });
    expect(bodiless.status).toBe(400);
    expect(bodiless.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    const badModel = await post(api('/runs/log-model'), { run_id: runId, model_json: '{not json' });
    expect(badModel.status).toBe(400);
    const incompleteModel = await post(api('/runs/log-model'), { run_id: runId, model_json: '{"run_id": "x"}' });
    expect(incompleteModel.status).toBe(400);
    expect(incompleteModel.json.message).toContain('artifact_path');
    expect(malformed.text).not.toContain('    at '); // no stack traces
  });

  it('serves /health and /version', async () => {
    const health = await call(`${srv.url}/health`);
    expect(health.status).toBe(200);
    expect(health.text).toBe('OK');
    const version = await call(`${srv.url}/version`);
    expect(version.text).toMatch(/^\d+\.\d+\.\d+/);
  });
});
