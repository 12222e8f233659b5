// One run: overview (attributes, parent and child runs, params, latest metrics, tags with editing),
// metric history charts, and the artifacts browser. The tab and the open artifact live in the URL.
import { useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { getRun, searchAllRuns } from '../api/client.js';
import type { Run } from '../api/types.js';
import { ArtifactBrowser } from '../components/ArtifactBrowser.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { ExperimentLink } from '../components/ExperimentLink.js';
import { ChartControls } from '../components/ChartControls.js';
import { MetricHistoryChart } from '../components/MetricHistoryChart.js';
import { TagEditor } from '../components/TagEditor.js';
import { metricValue, quoteKey } from '../lib/columns.js';
import { formatDuration, formatNumber, formatTime } from '../lib/format.js';
import { PARENT_TAG, parentOf } from '../lib/run-tree.js';
import { useAsync } from '../lib/use-async.js';
import { useChartChoices } from '../lib/use-chart-choices.js';

const TABS = [
  ['overview', 'Overview'],
  ['metrics', 'Metric charts'],
  ['artifacts', 'Artifacts'],
] as const;

export function RunPage() {
  const { runId = '' } = useParams();
  const [params] = useSearchParams();
  const tab = params.get('tab') ?? 'overview';
  const run = useAsync(() => getRun(runId), [runId]);
  const data = run.data;
  const name = data?.info.run_name || runId;
  return (
    <main>
      {data ? (
        <div className="breadcrumb">
          <Link to="/experiments">Experiments</Link> / <ExperimentLink id={data.info.experiment_id} /> / {name}
        </div>
      ) : null}
      <div className="row">
        <h1>{name}</h1>
        <span className="muted mono">{runId}</span>
      </div>
      <ErrorBox error={run.error} />
      <nav className="tabs" aria-label="Run sections">
        {TABS.map(([id, label]) => (
          <Link key={id} to={`?tab=${id}`} aria-current={tab === id ? 'page' : undefined} replace>
            {label}
          </Link>
        ))}
      </nav>
      {data && tab === 'overview' ? <Overview run={data} onChanged={run.reload} /> : null}
      {data && tab === 'metrics' ? <MetricCharts run={data} /> : null}
      {data && tab === 'artifacts' ? <ArtifactBrowser runId={runId} /> : null}
    </main>
  );
}

function Overview({ run, onChanged }: { run: Run; onChanged: () => void }) {
  const info = run.info;
  const parent = parentOf(run);
  const children = useAsync(
    () =>
      searchAllRuns({
        experimentIds: [info.experiment_id],
        filter: `tags.${quoteKey(PARENT_TAG)} = '${info.run_id}'`,
        orderBy: ['attributes.start_time ASC'],
      }),
    [info.run_id],
  );
  const duration =
    info.start_time !== undefined && info.end_time !== undefined
      ? Number(info.end_time) - Number(info.start_time)
      : undefined;
  const params = [...(run.data.params ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const metrics = [...(run.data.metrics ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  return (
    <>
      <section aria-labelledby="sec-overview">
        <h2 id="sec-overview">Overview</h2>
        <dl className="kv">
          <dt>Run ID</dt>
          <dd className="mono">{info.run_id}</dd>
          <dt>Status</dt>
          <dd className={`status-${info.status}`}>{info.status}</dd>
          <dt>Started</dt>
          <dd>{formatTime(info.start_time)}</dd>
          <dt>Duration</dt>
          <dd>{formatDuration(duration)}</dd>
          <dt>User</dt>
          <dd>{info.user_id ?? ''}</dd>
          <dt>Lifecycle</dt>
          <dd>{info.lifecycle_stage}</dd>
          <dt>Artifact URI</dt>
          <dd className="mono">{info.artifact_uri ?? ''}</dd>
          <dt>Parent run</dt>
          <dd>{parent ? <Link to={`/runs/${parent}`}>{parent}</Link> : <span className="muted">none</span>}</dd>
          <dt>Child runs</dt>
          <dd>
            {children.error ? <ErrorBox error={children.error} /> : null}
            {children.data === undefined ? (
              <span className="muted">…</span>
            ) : children.data.length === 0 ? (
              <span className="muted">none</span>
            ) : (
              <ul aria-label="Child runs" style={{ margin: 0, paddingLeft: 18 }}>
                {children.data.map((c) => (
                  <li key={c.info.run_id}>
                    <Link to={`/runs/${c.info.run_id}`}>{c.info.run_name || c.info.run_id}</Link>
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </dl>
      </section>
      <div className="cards">
        <section className="card" aria-labelledby="sec-params">
          <h2 id="sec-params">Parameters ({params.length})</h2>
          <table className="plain" aria-labelledby="sec-params">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {params.map((p) => (
                <tr key={p.key}>
                  <td>{p.key}</td>
                  <td className="mono">{p.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="card" aria-labelledby="sec-metrics">
          <h2 id="sec-metrics">Metrics ({metrics.length})</h2>
          <table className="plain" aria-labelledby="sec-metrics">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Latest value</th>
                <th scope="col">Step</th>
              </tr>
            </thead>
            <tbody>
              {metrics.map((m) => (
                <tr key={m.key}>
                  <td>
                    <Link to={`?tab=metrics#metric-${encodeURIComponent(m.key)}`}>{m.key}</Link>
                  </td>
                  <td className="num">{formatNumber(metricValue(m.value))}</td>
                  <td className="num">{m.step}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      <TagEditor run={run} onChanged={onChanged} />
    </>
  );
}

function MetricCharts({ run }: { run: Run }) {
  const [choices, setChoices] = useChartChoices();
  const keys = [...new Set((run.data.metrics ?? []).map((m) => m.key))].sort();
  const runs = useMemo(
    () => [{ id: run.info.run_id, name: run.info.run_name || run.info.run_id }],
    [run.info.run_id, run.info.run_name],
  );
  if (keys.length === 0) return <p className="muted">This run has no metrics.</p>;
  return (
    <>
      <ChartControls value={choices} onChange={setChoices} />
      <div className="cards">
        {keys.map((key) => (
          <div className="card" key={key} id={`metric-${encodeURIComponent(key)}`}>
            <MetricHistoryChart runs={runs} metricKeys={[key]} choices={choices} />
          </div>
        ))}
      </div>
    </>
  );
}
