// Experiments: search by name, create, rename, delete and restore, with each one's run count.
import { type FormEvent, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import {
  createExperiment,
  deleteExperiment,
  renameExperiment,
  restoreExperiment,
  searchExperiments,
} from '../api/client.js';
import type { Experiment, ViewType } from '../api/types.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { formatTime } from '../lib/format.js';
import { useRunCounts } from '../lib/run-counts.js';
import { useAsync } from '../lib/use-async.js';

const VIEWS: Record<string, ViewType> = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' };

export function ExperimentsPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const view = params.get('view') ?? 'active';
  const viewType = VIEWS[view] ?? 'ACTIVE_ONLY';
  const { data, error, loading, reload } = useAsync(() => searchExperiments(viewType), [viewType]);
  const [actionError, setActionError] = useState<unknown>(null);
  const [newName, setNewName] = useState('');
  const [editing, setEditing] = useState<{ id: string; name: string } | null>(null);

  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    const list = (data ?? []).filter((e) => e.name.toLowerCase().includes(needle));
    return list.sort((a, b) => Number(b.last_update_time ?? 0) - Number(a.last_update_time ?? 0));
  }, [data, search]);
  const counts = useRunCounts(
    shown.map((e) => e.experiment_id),
    data === undefined ? 0 : 1,
  );

  const setParam = (key: string, value: string, fallback: string) => {
    const next = new URLSearchParams(params);
    if (value === fallback) next.delete(key);
    else next.set(key, value);
    setParams(next, { replace: true });
  };

  const act = async (action: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await action();
      reload();
    } catch (err) {
      setActionError(err);
    }
  };

  const onCreate = (e: FormEvent) => {
    e.preventDefault();
    const name = newName.trim();
    if (!name) return;
    void act(async () => {
      await createExperiment(name);
      setNewName('');
    });
  };

  const onRename = (e: FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    const { id, name } = editing;
    void act(async () => {
      await renameExperiment(id, name.trim());
      setEditing(null);
    });
  };

  return (
    <main>
      <h1>Experiments</h1>
      <div className="row">
        <label className="sr-only" htmlFor="exp-search">
          Search experiments by name
        </label>
        <input
          id="exp-search"
          type="search"
          placeholder="Search experiments by name"
          value={search}
          onChange={(e) => setParam('q', e.target.value, '')}
        />
        <label htmlFor="exp-view">Show</label>
        <select id="exp-view" value={view} onChange={(e) => setParam('view', e.target.value, 'active')}>
          <option value="active">Active</option>
          <option value="deleted">Deleted</option>
          <option value="all">All</option>
        </select>
        <span className="grow" />
        <form className="row" onSubmit={onCreate} aria-label="Create experiment">
          <label className="sr-only" htmlFor="exp-new">
            New experiment name
          </label>
          <input
            id="exp-new"
            type="text"
            placeholder="New experiment name"
            value={newName}
            onChange={(e) => setNewName(e.target.value)}
          />
          <button type="submit" className="primary" disabled={!newName.trim()}>
            Create
          </button>
        </form>
      </div>
      <ErrorBox error={error} />
      <ErrorBox error={actionError} />
      {loading && data === undefined ? <p className="muted">Loading…</p> : null}
      {data !== undefined ? (
        <table className="plain" aria-label="Experiments">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">ID</th>
              <th scope="col">Runs</th>
              <th scope="col">Last updated</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((exp) => (
              <ExperimentRow
                key={exp.experiment_id}
                exp={exp}
                count={counts.get(exp.experiment_id)}
                editing={editing?.id === exp.experiment_id ? editing.name : null}
                onEdit={(name) => setEditing(name === null ? null : { id: exp.experiment_id, name })}
                onRename={onRename}
                onDelete={() => void act(() => deleteExperiment(exp.experiment_id))}
                onRestore={() => void act(() => restoreExperiment(exp.experiment_id))}
              />
            ))}
            {shown.length === 0 ? (
              <tr>
                <td colSpan={5} className="muted">
                  No experiments{search ? ` matching “${search}”` : ''}.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      ) : null}
    </main>
  );
}

interface RowProps {
  exp: Experiment;
  count: number | undefined;
  editing: string | null;
  onEdit: (name: string | null) => void;
  onRename: (e: FormEvent) => void;
  onDelete: () => void;
  onRestore: () => void;
}

function ExperimentRow({ exp, count, editing, onEdit, onRename, onDelete, onRestore }: RowProps) {
  const deleted = exp.lifecycle_stage === 'deleted';
  return (
    <tr>
      <td>
        {editing !== null ? (
          <form className="row" onSubmit={onRename}>
            <label className="sr-only" htmlFor={`rename-${exp.experiment_id}`}>
              New name for {exp.name}
            </label>
            <input
              id={`rename-${exp.experiment_id}`}
              type="text"
              value={editing}
              // biome-ignore lint/a11y/noAutofocus: the field the user just asked for
              autoFocus
              onChange={(e) => onEdit(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') onEdit(null);
              }}
            />
            <button type="submit" className="primary" disabled={!editing.trim()}>
              Save
            </button>
            <button type="button" onClick={() => onEdit(null)}>
              Cancel
            </button>
          </form>
        ) : deleted ? (
          <span>{exp.name}</span>
        ) : (
          <Link to={`/experiments/${exp.experiment_id}`}>{exp.name}</Link>
        )}
        {deleted ? <span className="muted"> (deleted)</span> : null}
      </td>
      <td className="mono">{exp.experiment_id}</td>
      <td className="num" aria-label={`Runs in ${exp.name}`}>
        {count === undefined ? <span className="muted">…</span> : count}
      </td>
      <td>{formatTime(exp.last_update_time)}</td>
      <td>
        <div className="row">
          {deleted ? (
            <button type="button" onClick={onRestore} aria-label={`Restore ${exp.name}`}>
              Restore
            </button>
          ) : (
            <>
              <button type="button" onClick={() => onEdit(exp.name)} aria-label={`Rename ${exp.name}`}>
                Rename
              </button>
              <button type="button" className="danger" onClick={onDelete} aria-label={`Delete ${exp.name}`}>
                Delete
              </button>
            </>
          )}
        </div>
      </td>
    </tr>
  );
}
