// Choose the runs table's columns: attributes, then every param, metric and tag key seen so far.
import { useEffect, useRef, useState } from 'react';
import { ATTRIBUTE_COLUMNS, type SeenKeys, columnLabel } from '../lib/columns.js';

interface Props {
  columns: string[];
  seen: SeenKeys;
  onChange: (columns: string[]) => void;
}

export function ColumnPicker({ columns, seen, onChange }: Props) {
  const [open, setOpen] = useState(false);
  const [needle, setNeedle] = useState('');
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  // The columns live in the URL, which the router updates in a transition: the boxes show the choice
  // at once, until the URL catches up.
  const [pending, setPending] = useState<string[] | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new `columns` (the URL caught up) is what ends the pending choice
  useEffect(() => setPending(null), [columns]);
  const current = pending ?? columns;
  const choose = (next: string[]) => {
    setPending(next);
    onChange(next);
  };
  const chosen = new Set(current);
  const toggle = (id: string) => choose(chosen.has(id) ? current.filter((c) => c !== id) : [...current, id]);
  const groups: Array<[string, string, string[]]> = [
    ['Attributes', 'attributes', [...ATTRIBUTE_COLUMNS]],
    ['Metrics', 'metrics', [...seen.metrics].sort()],
    ['Parameters', 'params', [...seen.params].sort()],
    ['Tags', 'tags', [...seen.tags].sort()],
  ];
  const lower = needle.toLowerCase();
  return (
    <div className="anchor" ref={ref}>
      <button type="button" aria-expanded={open} aria-haspopup="dialog" onClick={() => setOpen(!open)}>
        Columns ({columns.length})
      </button>
      {open ? (
        <div
          className="popover"
          role="dialog"
          aria-label="Choose columns"
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
          }}
        >
          <div className="row">
            <label className="sr-only" htmlFor="col-search">
              Find a column
            </label>
            <input
              id="col-search"
              type="search"
              placeholder="Find a column"
              value={needle}
              onChange={(e) => setNeedle(e.target.value)}
            />
            <button
              type="button"
              onClick={() => choose([...current, ...[...seen.metrics].map((k) => `metrics.${k}`)].filter(unique))}
            >
              All metrics
            </button>
            <button
              type="button"
              onClick={() => choose([...current, ...[...seen.params].map((k) => `params.${k}`)].filter(unique))}
            >
              All params
            </button>
          </div>
          {groups.map(([title, kind, keys]) => {
            const shown = keys.filter((k) => k.toLowerCase().includes(lower));
            if (shown.length === 0) return null;
            return (
              <fieldset key={kind}>
                <legend>{title}</legend>
                {shown.map((key) => {
                  const id = `${kind}.${key}`;
                  return (
                    <label key={id}>
                      <input type="checkbox" checked={chosen.has(id)} onChange={() => toggle(id)} />{' '}
                      {kind === 'attributes' ? columnLabel({ kind: 'attributes', key }) : key}
                    </label>
                  );
                })}
              </fieldset>
            );
          })}
        </div>
      ) : null}
    </div>
  );
}

function unique(value: string, index: number, all: string[]): boolean {
  return all.indexOf(value) === index;
}
