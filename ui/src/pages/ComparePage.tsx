// Compare runs side by side: attributes, params and latest metrics in one table (values that differ
// between the runs highlighted, optionally only those), each metric's history overlaid for all of
// them (smoothing, log scale and points in the URL), and the runs' images at the same artifact path.
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { artifactUrl, getRun } from '../api/client.js';
import type { Run } from '../api/types.js';
import { ChartControls } from '../components/ChartControls.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { ExperimentLink } from '../components/ExperimentLink.js';
import { MetricHistoryChart } from '../components/MetricHistoryChart.js';
import '../components/charts.css';
import { imageRows, listImagePaths } from '../lib/artifact-images.js';
import { metricValue } from '../lib/columns.js';
import { formatNumber, formatTime } from '../lib/format.js';
import { useAsync } from '../lib/use-async.js';
import { useChartChoices } from '../lib/use-chart-choices.js';

interface CompareRow {
  section: string;
  key: string;
  values: Array<string | undefined>;
}

function buildRows(runs: Run[]): CompareRow[] {
  const rows: CompareRow[] = [
    { section: 'Run', key: 'Status', values: runs.map((r) => r.info.status) },
    { section: 'Run', key: 'Started', values: runs.map((r) => formatTime(r.info.start_time)) },
  ];
  const keys = (pick: (r: Run) => string[]) => [...new Set(runs.flatMap(pick))].sort();
  for (const key of keys((r) => (r.data.params ?? []).map((p) => p.key))) {
    rows.push({
      section: 'Parameters',
      key,
      values: runs.map((r) => r.data.params?.find((p) => p.key === key)?.value),
    });
  }
  for (const key of keys((r) => (r.data.metrics ?? []).map((m) => m.key))) {
    rows.push({
      section: 'Metrics',
      key,
      values: runs.map((r) => {
        const m = r.data.metrics?.find((x) => x.key === key);
        return m === undefined ? undefined : formatNumber(metricValue(m.value));
      }),
    });
  }
  return rows;
}

export function differs(values: Array<string | undefined>): boolean {
  return new Set(values.map((v) => v ?? '\u0000unset')).size > 1;
}

export function ComparePage() {
  const [params, setParams] = useSearchParams();
  const [choices, setChoices] = useChartChoices();
  const onlyDiffs = params.get('diff') === '1';
  const setOnlyDiffs = (on: boolean) => {
    const next = new URLSearchParams(params);
    if (on) next.set('diff', '1');
    else next.delete('diff');
    setParams(next, { replace: true });
  };
  const ids = params.getAll('runs');
  const key = ids.join(',');
  const runs = useAsync(() => Promise.all(ids.map((id) => getRun(id))), [key]);
  const rows = useMemo(() => (runs.data ? buildRows(runs.data) : []), [runs.data]);
  const chartRuns = useMemo(
    () => (runs.data ?? []).map((r) => ({ id: r.info.run_id, name: r.info.run_name || r.info.run_id })),
    [runs.data],
  );
  const metricKeys = rows.filter((r) => r.section === 'Metrics').map((r) => r.key);
  const experimentId = runs.data?.[0]?.info.experiment_id;
  return (
    <main className="compare-page">
      <div className="breadcrumb">
        <Link to="/experiments">Experiments</Link>
        {experimentId ? (
          <>
            {' / '}
            <ExperimentLink id={experimentId} />
          </>
        ) : null}{' '}
        / Compare
      </div>
      <h1>Compare {ids.length} runs</h1>
      {ids.length < 2 ? <p className="muted">Select two or more runs in a runs table, then press Compare.</p> : null}
      <ErrorBox error={runs.error} />
      {runs.data ? (
        <label>
          <input type="checkbox" checked={onlyDiffs} onChange={(e) => setOnlyDiffs(e.target.checked)} /> Only rows that
          differ
        </label>
      ) : null}
      {runs.data ? (
        <div style={{ overflowX: 'auto' }}>
          <table className="plain" aria-label="Run comparison">
            <thead>
              <tr>
                <th scope="col">Section</th>
                <th scope="col">Name</th>
                {runs.data.map((r) => (
                  <th scope="col" key={r.info.run_id}>
                    <Link to={`/runs/${r.info.run_id}`}>{r.info.run_name || r.info.run_id}</Link>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const diff = differs(row.values);
                if (onlyDiffs && !diff) return null;
                return (
                  <tr key={`${row.section}.${row.key}`} data-differs={diff}>
                    <td className="muted">{row.section}</td>
                    <th scope="row">
                      {row.key}
                      {diff ? (
                        <span title="The runs differ here">
                          {' \u2260'}
                          <span className="sr-only"> (differs)</span>
                        </span>
                      ) : null}
                    </th>
                    {row.values.map((v, i) => (
                      <td
                        // biome-ignore lint/suspicious/noArrayIndexKey: one cell per compared run, in order
                        key={i}
                        className={`mono${diff ? ' diff' : ''}`}
                      >
                        {v ?? <span className="muted">—</span>}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {runs.data && metricKeys.length > 0 ? (
        <>
          <h2>Metric histories</h2>
          <ChartControls value={choices} onChange={setChoices} />
          <div className="cards">
            {metricKeys.map((k) => (
              <div className="card" key={k}>
                <MetricHistoryChart runs={chartRuns} metricKeys={[k]} choices={choices} />
              </div>
            ))}
          </div>
        </>
      ) : null}
      {runs.data && runs.data.length > 1 ? <ImagesSideBySide runs={runs.data} /> : null}
    </main>
  );
}

/** Each image artifact path, with every compared run's image at that path in one row. */
function ImagesSideBySide({ runs }: { runs: Run[] }) {
  const key = runs.map((r) => r.info.run_id).join(',');
  const images = useAsync(() => Promise.all(runs.map((r) => listImagePaths(r.info.run_id))), [key]);
  const rows = useMemo(() => (images.data ? imageRows(images.data) : []), [images.data]);
  return (
    <section aria-labelledby="sec-images">
      <h2 id="sec-images">Images</h2>
      <ErrorBox error={images.error} />
      {images.data === undefined && !images.error ? <p className="muted">Looking for images…</p> : null}
      {images.data && rows.length === 0 ? <p className="muted">None of these runs logged an image.</p> : null}
      {rows.map((row) => (
        <fieldset key={row.path} className="image-compare">
          <legend className="mono">{row.path}</legend>
          <div className="image-row" style={{ gridTemplateColumns: `repeat(${runs.length}, minmax(0, 1fr))` }}>
            {runs.map((r, i) => {
              const name = r.info.run_name || r.info.run_id;
              return (
                <figure key={r.info.run_id}>
                  <figcaption>{name}</figcaption>
                  {row.present[i] ? (
                    <img src={artifactUrl(r.info.run_id, row.path)} alt={`${row.path} of ${name}`} loading="lazy" />
                  ) : (
                    <p className="muted">Not logged by this run.</p>
                  )}
                </figure>
              );
            })}
          </div>
        </fieldset>
      ))}
    </section>
  );
}
