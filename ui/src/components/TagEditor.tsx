// A run's tags: set a new one, edit a value, delete; system tags (mlflow.*) are shown read-only.
import { type FormEvent, useState } from 'react';
import { deleteRunTag, setRunTag } from '../api/client.js';
import type { Run } from '../api/types.js';
import { ErrorBox } from './ErrorBox.js';

export function TagEditor({ run, onChanged }: { run: Run; onChanged: () => void }) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [editing, setEditing] = useState<{ key: string; value: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const runId = run.info.run_id;
  const tags = [...(run.data.tags ?? [])].sort((a, b) => a.key.localeCompare(b.key));

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      onChanged();
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  };
  const onAdd = (e: FormEvent) => {
    e.preventDefault();
    void act(() => setRunTag(runId, key.trim(), value)).then((ok) => {
      if (ok) {
        setKey('');
        setValue('');
      }
    });
  };
  const onSave = (e: FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    void act(() => setRunTag(runId, editing.key, editing.value)).then((ok) => ok && setEditing(null));
  };

  return (
    <section className="card" aria-labelledby="sec-tags">
      <h2 id="sec-tags">Tags ({tags.length})</h2>
      <ErrorBox error={error} />
      <table className="plain" aria-labelledby="sec-tags">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Value</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tags.map((t) => {
            const system = t.key.startsWith('mlflow.');
            const isEditing = editing?.key === t.key;
            return (
              <tr key={t.key}>
                <td>{t.key}</td>
                <td className="mono">
                  {isEditing ? (
                    <form className="row" onSubmit={onSave}>
                      <label className="sr-only" htmlFor={`tag-edit-${t.key}`}>
                        Value of tag {t.key}
                      </label>
                      <input
                        id={`tag-edit-${t.key}`}
                        type="text"
                        value={editing.value}
                        onChange={(e) => setEditing({ key: t.key, value: e.target.value })}
                      />
                      <button type="submit" className="primary">
                        Save
                      </button>
                      <button type="button" onClick={() => setEditing(null)}>
                        Cancel
                      </button>
                    </form>
                  ) : (
                    t.value
                  )}
                </td>
                <td>
                  {system || isEditing ? null : (
                    <div className="row">
                      <button
                        type="button"
                        onClick={() => setEditing({ key: t.key, value: t.value })}
                        aria-label={`Edit tag ${t.key}`}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="danger"
                        onClick={() => void act(() => deleteRunTag(runId, t.key))}
                        aria-label={`Delete tag ${t.key}`}
                      >
                        Delete
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <form className="row" onSubmit={onAdd} aria-label="Add a tag" style={{ marginTop: 8 }}>
        <label htmlFor="tag-new-key">Tag</label>
        <input id="tag-new-key" type="text" value={key} onChange={(e) => setKey(e.target.value)} />
        <label htmlFor="tag-new-value">Value</label>
        <input id="tag-new-value" type="text" value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit" className="primary" disabled={!key.trim()}>
          Set tag
        </button>
      </form>
    </section>
  );
}
