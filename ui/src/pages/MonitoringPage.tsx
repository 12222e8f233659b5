// Monitoring of a model from the `Model_Monitoring` runs `cairn monitor` writes: drift per feature over
// time (heat-map and scores), the data set drift flag per pass, the prediction distribution, live
// performance against the promotion policy's minimums, and each pass's HTML drift report.
import { type FormEvent, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { artifactUrl } from '../api/client.js';
import { getMonitoringExperiment, searchMonitorRuns } from '../api/monitoring-client.js';
import { getPolicies, searchRegisteredModels } from '../api/registry-client.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { DriftCharts } from '../components/monitoring/DriftCharts.js';
import { formatNumber, formatTime } from '../lib/format.js';
import {
  DRIFT_REPORT,
  MONITORING_EXPERIMENT,
  type MonitorPass,
  featureOrder,
  monitoredModels,
  readPasses,
} from '../lib/monitoring.js';
import { modelPath, monitoringPath, runArtifactPath, runPath } from '../lib/registry-paths.js';
import { useAsync } from '../lib/use-async.js';
import '../registry.css';

const PASS_LIMIT = 2000;
const NO_MINIMUMS = new Map<string, number>();

function HowTo({ name }: { name?: string }) {
  const uri = `models:/${name || 'MODEL'}@champion`;
  return (
    <section className="card" aria-label="How to create monitoring runs">
      <p>No monitoring runs{name ? ` for ${name}` : ''} yet.</p>
      <p>
        Each pass of <code>cairn monitor</code> logs one run to the <code>{MONITORING_EXPERIMENT}</code> experiment of
        this server; run one pass with
      </p>
      <pre className="mono">cairn monitor {uri} --once</pre>
      <p className="muted">
        (or leave out <code>--once</code> to keep checking). The drift, prediction and live-accuracy charts appear here
        after the first pass.
      </p>
    </section>
  );
}

const yesNo = (v: boolean | null, yes: string, no: string) =>
  v === null ? (
    <span className="muted">—</span>
  ) : v ? (
    <span className="flag-drift">{yes}</span>
  ) : (
    <span className="flag-ok">{no}</span>
  );

const show = (v: number | null) => (v === null ? '' : formatNumber(v));

function ModelPicker({ names }: { names: string[] }) {
  const navigate = useNavigate();
  const [value, setValue] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) void navigate(monitoringPath(value.trim()));
  };
  return (
    <form className="row" onSubmit={onSubmit} aria-label="Open the monitoring of a model">
      <label htmlFor="mon-model">Model name</label>
      <input
        id="mon-model"
        type="text"
        list="mon-model-names"
        value={value}
        placeholder="heart-disease"
        onChange={(e) => setValue(e.target.value)}
      />
      <datalist id="mon-model-names">
        {names.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      <button type="submit" className="primary" disabled={!value.trim()}>
        Show
      </button>
    </form>
  );
}

function MonitoringIndex() {
  const state = useAsync(async (signal) => {
    const exp = await getMonitoringExperiment();
    if (!exp) return { exp, models: [] };
    const { runs } = await searchMonitorRuns(exp.experiment_id, undefined, 1000, signal);
    return { exp, models: monitoredModels(runs) };
  }, []);
  const registered = useAsync((signal) => searchRegisteredModels('', undefined, signal), []);
  const names = [
    ...new Set([
      ...(state.data?.models ?? []).map((m) => m.name),
      ...(registered.data?.models ?? []).map((m) => m.name),
    ]),
  ];
  return (
    <main>
      <h1>Monitoring</h1>
      <ModelPicker names={names} />
      <ErrorBox error={state.error} />
      {state.loading && !state.data ? <p className="muted">Loading…</p> : null}
      {state.data && state.data.models.length === 0 ? <HowTo /> : null}
      {state.data && state.data.models.length > 0 ? (
        <table className="plain" aria-label="Monitored models">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Last pass</th>
              <th scope="col">Version</th>
              <th scope="col">Data set drift</th>
              <th scope="col">Drift share</th>
              <th scope="col">Passes (recent)</th>
            </tr>
          </thead>
          <tbody>
            {state.data.models.map((m) => (
              <tr key={m.name}>
                <td>
                  <Link to={monitoringPath(m.name)}>{m.name}</Link>
                </td>
                <td className="nowrap">{formatTime(m.last.time)}</td>
                <td>{m.last.version ?? ''}</td>
                <td>{yesNo(m.last.datasetDrift, 'drift', 'no drift')}</td>
                <td className="num">{show(m.last.driftShare)}</td>
                <td className="num">{m.passes}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </main>
  );
}

/** Minimum live metrics from the model's promotion policies (`accuracy >= 0.9` → live.accuracy 0.9). */
async function policyMinimums(name: string, signal: AbortSignal): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  // a search first: an unregistered name is an empty answer, not a 404 in the console
  const found = await searchRegisteredModels(name, undefined, signal).then((p) =>
    p.models.some((m) => m.name === name),
  );
  if (!found) return out;
  for (const policy of await getPolicies(name, signal)) {
    for (const r of policy.require) {
      const op = Object.keys(r).find((k) => k !== 'metric');
      if ((op === '>=' || op === '>') && !out.has(`live.${r.metric}`)) out.set(`live.${r.metric}`, Number(r[op]));
    }
  }
  return out;
}

function PassTable({ passes }: { passes: MonitorPass[] }) {
  const newest = [...passes].reverse();
  return (
    <table className="plain" aria-label="Monitoring passes">
      <thead>
        <tr>
          <th scope="col">Pass</th>
          <th scope="col">Version</th>
          <th scope="col">Data set drift</th>
          <th scope="col">Drift share</th>
          <th scope="col">Drifting features</th>
          <th scope="col">Predictions</th>
          <th scope="col">Live accuracy</th>
          <th scope="col">Drift report</th>
        </tr>
      </thead>
      <tbody>
        {newest.map((p) => (
          <tr key={p.runId} data-run-id={p.runId}>
            <td className="nowrap">
              <Link to={runPath(p.runId)} aria-label={`${formatTime(p.time)}, run ${p.runName}`}>
                {formatTime(p.time)}
              </Link>
            </td>
            <td>{p.version ?? ''}</td>
            <td>{yesNo(p.datasetDrift, 'drift', 'no drift')}</td>
            <td className="num">{show(p.driftShare)}</td>
            <td className="small">
              {[...p.features]
                .filter(([, d]) => d.detected)
                .map(([f]) => f)
                .join(', ')}
            </td>
            <td className="num">{show(p.nPredictions)}</td>
            <td className="num">{show(p.live.get('live.accuracy') ?? null)}</td>
            <td className="nowrap">
              <Link to={runArtifactPath(p.runId, DRIFT_REPORT)} aria-label={`View drift report of ${p.runName}`}>
                View
              </Link>{' '}
              ·{' '}
              <a
                href={artifactUrl(p.runId, DRIFT_REPORT)}
                download
                aria-label={`Download drift report of ${p.runName}`}
              >
                Download
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ModelMonitoring({ name }: { name: string }) {
  const [params, setParams] = useSearchParams();
  const versionFilter = params.get('version') ?? '';
  // one load for the runs and the policy's minimums, so the charts are drawn once, complete
  const state = useAsync(
    async (signal) => {
      const minimums = policyMinimums(name, signal).catch(() => new Map<string, number>());
      const exp = await getMonitoringExperiment();
      if (!exp) return { passes: [] as MonitorPass[], truncated: false, minimums: await minimums };
      const { runs, truncated } = await searchMonitorRuns(exp.experiment_id, name, PASS_LIMIT, signal);
      return { passes: readPasses(runs), truncated, minimums: await minimums };
    },
    [name],
  );
  const all = state.data?.passes ?? [];
  const versions = useMemo(() => [...new Set(all.map((p) => p.version ?? ''))].filter(Boolean), [all]);
  const passes = useMemo(
    () => (versionFilter ? all.filter((p) => p.version === versionFilter) : all),
    [all, versionFilter],
  );
  const latest = passes[passes.length - 1];
  const drifting = latest ? [...latest.features].filter(([, d]) => d.detected).map(([f]) => f) : [];
  const features = useMemo(() => featureOrder(passes), [passes]);

  return (
    <main>
      <div className="breadcrumb">
        <Link to="/monitoring">Monitoring</Link> /
      </div>
      <div className="row">
        <h1 className="grow">Monitoring of {name}</h1>
        <Link to={modelPath(name)}>Registry page</Link>
      </div>
      <ErrorBox error={state.error} />
      {state.loading && !state.data ? <p className="muted">Loading the monitoring runs…</p> : null}
      {state.data && all.length === 0 ? <HowTo name={name} /> : null}
      {all.length > 0 ? (
        <>
          <div className="row">
            <label htmlFor="mon-version">Model version</label>
            <select
              id="mon-version"
              value={versionFilter}
              onChange={(e) => {
                const next = new URLSearchParams(params);
                if (e.target.value) next.set('version', e.target.value);
                else next.delete('version');
                setParams(next, { replace: true });
              }}
            >
              <option value="">all versions</option>
              {versions.map((v) => (
                <option key={v} value={v}>
                  version {v}
                </option>
              ))}
            </select>
            <span className="muted">
              {passes.length} pass{passes.length === 1 ? '' : 'es'}
              {state.data?.truncated ? ` (the newest ${PASS_LIMIT})` : ''}
            </span>
          </div>
          {latest ? (
            <section className="stat-cards" aria-label="Latest pass">
              <div className="card">
                <span className="muted">Latest pass</span>
                <strong>{formatTime(latest.time)}</strong>
                version {latest.version ?? '?'}
              </div>
              <div className="card">
                <span className="muted">Data set drift</span>
                <strong>{yesNo(latest.datasetDrift, 'Drift', 'No drift')}</strong>
                {drifting.length} of {latest.features.size} features drifting
              </div>
              <div className="card">
                <span className="muted">Predictions in window</span>
                <strong>{show(latest.nPredictions)}</strong>
                mean P(class 1) {show(latest.predictionMean)}
              </div>
              <div className="card">
                <span className="muted">Live accuracy</span>
                <strong>
                  {latest.live.has('live.accuracy') ? show(latest.live.get('live.accuracy') ?? null) : '—'}
                </strong>
                {latest.nLabeled !== null ? `${latest.nLabeled} labelled` : 'no feedback labels yet'}
              </div>
            </section>
          ) : null}
          <DriftCharts passes={passes} features={features} minimums={state.data?.minimums ?? NO_MINIMUMS} />
          <h2>Passes</h2>
          <PassTable passes={passes} />
        </>
      ) : null}
    </main>
  );
}

export function MonitoringPage() {
  const name = useParams().name;
  return name ? <ModelMonitoring key={name} name={name} /> : <MonitoringIndex />;
}
