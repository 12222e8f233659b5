// Compare runs side by side: attributes, params and latest metrics in one table (values that differ
// between the runs highlighted), and each metric's history overlaid for all of them.
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { getRun } from '../api/client.js';
import type { Run } from '../api/types.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { ExperimentLink } from '../components/ExperimentLink.js';
import { MetricHistoryChart } from '../components/MetricHistoryChart.js';
import { metricValue } from '../lib/columns.js';
import { formatNumber, formatTime } from '../lib/format.js';
import { useAsync } from '../lib/use-async.js';

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
  const [params] = useSearchParams();
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
    <main>
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
          <div className="cards">
            {metricKeys.map((k) => (
              <div className="card" key={k}>
                <MetricHistoryChart runs={chartRuns} metricKey={k} />
              </div>
            ))}
          </div>
        </>
      ) : null}
    </main>
  );
}
