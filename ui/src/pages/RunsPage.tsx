// The runs of one experiment: filter (MLflow syntax), server-side sort, chosen columns, nested runs,
// selection for compare, CSV download. Filter, sort, columns and view live in the URL.
import { Suspense, lazy, useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { getExperiment, searchAllRuns } from '../api/client.js';
import { ColumnPicker } from '../components/ColumnPicker.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { FilterBox } from '../components/FilterBox.js';
import { RunsGrid } from '../components/RunsGrid.js';
import { type ColumnRef, addSeenKeys, emptySeenKeys, orderByClause, parseColumnId } from '../lib/columns.js';
import { runsToCsv } from '../lib/csv.js';
import { downloadText } from '../lib/download.js';
import { flattenRunTree } from '../lib/run-tree.js';
import { type RunsView, readRunsView, writeRunsView } from '../lib/runs-view.js';
import { useAsync } from '../lib/use-async.js';
import { useRunPages } from '../lib/use-run-pages.js';

// ECharts arrives with the chart view, so the table paints without it
const RunsChartView = lazy(() => import('../components/RunsChartView.js').then((m) => ({ default: m.RunsChartView })));

function toggle(set: Set<string>, id: string): Set<string> {
  const next = new Set(set);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

export function RunsPage() {
  const { experimentId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const view = useMemo(() => readRunsView(params), [params]);
  const experiment = useAsync(() => getExperiment(experimentId), [experimentId]);

  const orderBy = useMemo(() => {
    const clause = orderByClause(view.sort);
    return clause ? [clause] : [];
  }, [view.sort]);
  const search = useMemo(
    () => ({ experimentIds: [experimentId], filter: view.filter, orderBy, viewType: view.viewType }),
    [experimentId, view.filter, orderBy, view.viewType],
  );
  const pages = useRunPages(search);

  const [seen, setSeen] = useState(emptySeenKeys);
  useEffect(() => setSeen((prev) => addSeenKeys(prev, pages.runs)), [pages.runs]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [download, setDownload] = useState<{ state: 'idle' | 'running'; loaded: number; error: unknown }>({
    state: 'idle',
    loaded: 0,
    error: null,
  });
  const rows = useMemo(() => flattenRunTree(pages.runs, collapsed), [pages.runs, collapsed]);
  // another experiment: its own keys, selection and collapsed parents
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the experiment changes
  useEffect(() => {
    setSeen(emptySeenKeys());
    setSelected(new Set());
    setCollapsed(new Set());
  }, [experimentId]);

  const update = (patch: Partial<RunsView>) => setParams(writeRunsView({ ...view, ...patch }, params));

  const onSort = useCallback(
    (column: string) => {
      const descending = view.sort.column === column ? !view.sort.descending : true;
      setParams(writeRunsView({ ...view, sort: { column, descending } }, params));
    },
    [view, params, setParams],
  );
  const onToggleSelect = useCallback((id: string) => setSelected((s) => toggle(s, id)), []);
  const onToggleCollapse = useCallback((id: string) => setCollapsed((s) => toggle(s, id)), []);
  const onToggleAll = useCallback(() => {
    setSelected((s) =>
      rows.every((r) => s.has(r.run.info.run_id)) ? new Set() : new Set(rows.map((r) => r.run.info.run_id)),
    );
  }, [rows]);

  const onDownload = async () => {
    setDownload({ state: 'running', loaded: 0, error: null });
    try {
      const all = await searchAllRuns(search, (loaded) => setDownload({ state: 'running', loaded, error: null }));
      const refs = view.columns.map(parseColumnId).filter((r): r is ColumnRef => r !== null);
      downloadText(`runs-${experimentId}.csv`, runsToCsv(all, refs), 'text/csv');
      setDownload({ state: 'idle', loaded: all.length, error: null });
    } catch (err) {
      setDownload({ state: 'idle', loaded: 0, error: err });
    }
  };

  const compare = () => {
    const q = new URLSearchParams();
    for (const id of selected) q.append('runs', id);
    void navigate(`/compare?${q}`);
  };

  const name = experiment.data?.name ?? experimentId;
  const mode = params.get('mode') === 'chart' ? 'chart' : 'table';
  const metricKeys = [...seen.metrics].sort();
  const chartMetric = params.get('metric') ?? metricKeys[0] ?? '';
  const setQuery = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value === null) next.delete(key);
    else next.set(key, value);
    setParams(next, { replace: true });
  };
  return (
    <main className="fill">
      <div className="breadcrumb">
        <Link to="/experiments">Experiments</Link> / {name}
      </div>
      <div className="row">
        <h1>{name}</h1>
        <span className="muted mono">#{experimentId}</span>
      </div>
      <ErrorBox error={experiment.error} />
      <div className="filterbar">
        <FilterBox value={view.filter} seen={seen} onApply={(filter) => update({ filter })} />
        <button type="button" onClick={() => update({ filter: '' })} disabled={!view.filter}>
          Clear
        </button>
        <label className="sr-only" htmlFor="run-view">
          Which runs
        </label>
        <select
          id="run-view"
          value={view.viewType}
          onChange={(e) => update({ viewType: e.target.value as RunsView['viewType'] })}
        >
          <option value="ACTIVE_ONLY">Active runs</option>
          <option value="DELETED_ONLY">Deleted runs</option>
          <option value="ALL">All runs</option>
        </select>
        <ColumnPicker columns={view.columns} seen={seen} onChange={(columns) => update({ columns })} />
        <button type="button" onClick={() => void onDownload()} disabled={download.state === 'running'}>
          {download.state === 'running' ? `Preparing CSV… ${download.loaded} runs` : 'Download CSV'}
        </button>
        <button
          type="button"
          aria-pressed={mode === 'chart'}
          onClick={() => setQuery('mode', mode === 'chart' ? null : 'chart')}
        >
          {mode === 'chart' ? 'Table view' : 'Chart view'}
        </button>
        <button type="button" className="primary" onClick={compare} disabled={selected.size < 2}>
          Compare ({selected.size})
        </button>
      </div>
      <ErrorBox error={pages.error} label="Search error" />
      <ErrorBox error={download.error} label="Download error" />
      <div className="statusline" aria-live="polite">
        {pages.loading && pages.runs.length === 0
          ? 'Loading runs…'
          : `${pages.runs.length} run${pages.runs.length === 1 ? '' : 's'} loaded${pages.hasMore ? ', more as you scroll' : ''}${pages.loading ? ' (loading…)' : ''}${selected.size ? ` · ${selected.size} selected` : ''}`}
      </div>
      {mode === 'chart' ? (
        <Suspense fallback={<p className="muted">Loading charts…</p>}>
          <RunsChartView
            runs={pages.runs}
            metrics={metricKeys}
            metric={chartMetric}
            selected={selected}
            onMetric={(m) => setQuery('metric', m)}
          />
        </Suspense>
      ) : null}
      <RunsGrid
        hidden={mode === 'chart'}
        rows={rows}
        columns={view.columns}
        sort={view.sort}
        selected={selected}
        collapsed={collapsed}
        hasMore={pages.hasMore}
        loading={pages.loading}
        onSort={onSort}
        onToggleSelect={onToggleSelect}
        onToggleAll={onToggleAll}
        onToggleCollapse={onToggleCollapse}
        onLoadMore={pages.loadMore}
      />
    </main>
  );
}
