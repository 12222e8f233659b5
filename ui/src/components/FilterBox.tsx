// The MLflow filter box: applied on Enter (or the Apply button); completes metric, param, tag and
// attribute names seen in the loaded runs (arrow keys, Tab or Enter to take one, Escape to close).
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import type { SeenKeys } from '../lib/columns.js';
import { type Completion, completeFilter } from '../lib/filter-suggest.js';

interface Props {
  value: string;
  seen: SeenKeys;
  onApply: (filter: string) => void;
}

export function FilterBox({ value, seen, onApply }: Props) {
  const [text, setText] = useState(value);
  const [completion, setCompletion] = useState<Completion | null>(null);
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const listId = useId();

  useEffect(() => setText(value), [value]);

  const refresh = (next: string, caret: number) => {
    setCompletion(completeFilter(next, caret, seen));
    setActive(0);
  };

  const take = (option: string) => {
    if (!completion) return;
    const next = text.slice(0, completion.from) + option + text.slice(completion.to);
    const caret = completion.from + option.length;
    setText(next);
    setCompletion(null);
    requestAnimationFrame(() => {
      inputRef.current?.focus();
      inputRef.current?.setSelectionRange(caret, caret);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const open = completion !== null && completion.options.length > 0;
    if (open && e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((i) => (i + 1) % completion.options.length);
    } else if (open && e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => (i - 1 + completion.options.length) % completion.options.length);
    } else if (open && (e.key === 'Tab' || e.key === 'Enter')) {
      e.preventDefault();
      take(completion.options[active] as string);
    } else if (e.key === 'Escape') {
      setCompletion(null);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      onApply(text.trim());
    }
  };

  const open = completion !== null && completion.options.length > 0;
  return (
    <div className="filterbox">
      <label className="sr-only" htmlFor={`${listId}-input`}>
        Filter runs (MLflow search syntax)
      </label>
      <input
        ref={inputRef}
        id={`${listId}-input`}
        type="text"
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open ? `${listId}-${active}` : undefined}
        placeholder="metrics.accuracy > 0.9 and params.model = 'forest'"
        spellCheck={false}
        autoComplete="off"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          refresh(e.target.value, e.target.selectionStart ?? e.target.value.length);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setCompletion(null), 150)}
      />
      {open ? (
        // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: WAI-ARIA's combobox pattern: focus stays in the input
        <ul className="suggestions" id={listId} role="listbox" aria-label="Filter completions">
          {completion.options.map((opt, i) => (
            <li
              key={opt}
              id={`${listId}-${i}`}
              // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: chosen from the input (aria-activedescendant)
              role="option"
              aria-selected={i === active}
              tabIndex={-1}
              onMouseDown={(e) => {
                e.preventDefault();
                take(opt);
              }}
            >
              {opt}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
