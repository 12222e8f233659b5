// The confirm dialog of a governed registry change (stage transition, alias set or delete): it asks the
// server for the promotion policy's verdict on exactly what the user chose and shows it before the
// Confirm button can be pressed; a refusal from the server is shown as the server worded it.
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import {
  auditUser,
  checkPolicy,
  deleteAlias,
  saveAuditUser,
  setAlias,
  transitionStage,
} from '../../api/registry-client.js';
import { type ModelVersion, type PolicyVerdict, STAGES } from '../../api/registry-types.js';
import { ErrorBox } from '../ErrorBox.js';
import { PolicyVerdictView } from './PolicyVerdictView.js';

export type Change =
  | { kind: 'stage'; version: ModelVersion }
  | { kind: 'alias'; alias: string; version: string }
  | { kind: 'delete-alias'; alias: string; version: string };

interface Props {
  modelName: string;
  change: Change;
  /** Versions the alias may point at (newest first). */
  versions: ModelVersion[];
  onDone: () => void;
  /** After a refused attempt (the server records refusals in the history). */
  onRefused?: () => void;
  onClose: () => void;
}

// the alias's own rules are the server's: its policy check answers a bad name with the rule broken
function aliasProblem(alias: string): string | null {
  return alias ? null : 'Give the alias a name.';
}

function title(change: Change, modelName: string): string {
  if (change.kind === 'stage') return `Change the stage of ${modelName} version ${change.version.version}`;
  if (change.kind === 'alias') return `Set an alias of ${modelName}`;
  return `Delete alias @${change.alias} of ${modelName}`;
}

export function ChangeDialog({ modelName, change, versions, onDone, onRefused, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const ids = useId();
  const current = change.kind === 'stage' ? change.version.current_stage : null;
  const [stage, setStage] = useState<string>(() =>
    current === 'Production' ? 'Archived' : current === 'Staging' ? 'Production' : 'Staging',
  );
  const [archive, setArchive] = useState(false);
  const [alias, setAliasName] = useState(change.kind === 'stage' ? '' : change.alias);
  const [version, setVersion] = useState(change.kind === 'stage' ? change.version.version : change.version);
  const [reason, setReason] = useState('');
  const [user, setUser] = useState(auditUser);
  const [force, setForce] = useState(false);
  const [verdict, setVerdict] = useState<PolicyVerdict | null>(null);
  const [checkError, setCheckError] = useState<unknown>(null);
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const problem = change.kind === 'alias' ? aliasProblem(alias) : null;
  const target = change.kind === 'stage' ? stage : change.kind === 'alias' ? `@${alias}` : null;

  // the verdict for exactly the current choice; a newer choice drops an older answer
  useEffect(() => {
    setVerdict(null);
    setCheckError(null);
    setSubmitError(null);
    setForce(false);
    if (!target || problem) return;
    let stale = false;
    const timer = setTimeout(
      () => {
        checkPolicy(modelName, version, target).then(
          (v) => {
            if (!stale) setVerdict(v);
          },
          (err: unknown) => {
            if (!stale) setCheckError(err);
          },
        );
      },
      change.kind === 'alias' ? 250 : 0,
    );
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [modelName, version, target, problem, change.kind]);

  const needsVerdict = change.kind !== 'delete-alias';
  const forcing = force && verdict !== null && !verdict.passed;
  const canConfirm =
    !busy &&
    (!needsVerdict || (verdict !== null && !problem)) &&
    (!forcing || reason.trim() !== '') &&
    !(change.kind === 'stage' && stage === current);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!canConfirm) return;
    setBusy(true);
    setSubmitError(null);
    saveAuditUser(user);
    const opts = { reason: reason.trim() || undefined, force: forcing };
    try {
      if (change.kind === 'stage') await transitionStage(modelName, version, stage, archive, opts);
      else if (change.kind === 'alias') await setAlias(modelName, alias, version, opts);
      else await deleteAlias(modelName, change.alias, opts);
      onDone();
    } catch (err) {
      setSubmitError(err);
      onRefused?.();
    } finally {
      setBusy(false);
    }
  };

  const heading = title(change, modelName);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: Escape closes the dialog natively; the click is the backdrop
    <dialog
      ref={ref}
      className="change-dialog"
      aria-labelledby={`${ids}-title`}
      onClose={onClose}
      onClick={(e) => {
        if (e.target === ref.current) ref.current?.close();
      }}
    >
      <form onSubmit={onSubmit} className="stack">
        <h2 id={`${ids}-title`}>{heading}</h2>
        {change.kind === 'stage' ? (
          <div className="row">
            <span>
              From <strong>{current}</strong> to
            </span>
            <label className="sr-only" htmlFor={`${ids}-stage`}>
              Target stage
            </label>
            <select id={`${ids}-stage`} value={stage} onChange={(e) => setStage(e.target.value)}>
              {STAGES.filter((s) => s !== current).map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
            {stage === 'Staging' || stage === 'Production' ? (
              <label>
                <input type="checkbox" checked={archive} onChange={(e) => setArchive(e.target.checked)} /> Archive the
                versions now in {stage}
              </label>
            ) : null}
          </div>
        ) : null}
        {change.kind === 'alias' ? (
          <div className="row">
            <label htmlFor={`${ids}-alias`}>Alias</label>
            <input
              id={`${ids}-alias`}
              type="text"
              value={alias}
              placeholder="champion"
              onChange={(e) => setAliasName(e.target.value.trim())}
            />
            <label htmlFor={`${ids}-version`}>points at version</label>
            <select id={`${ids}-version`} value={version} onChange={(e) => setVersion(e.target.value)}>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version} ({v.current_stage})
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {change.kind === 'delete-alias' ? (
          <p>
            @{change.alias} points at version {change.version}. Deleting it is recorded in the audit history; servers
            loading{' '}
            <code>
              models:/{modelName}@{change.alias}
            </code>{' '}
            will fail until it is set again.
          </p>
        ) : null}
        {problem && alias ? <p className="verdict-fail">{problem}</p> : null}

        {needsVerdict ? (
          <div className="verdict-box" aria-live="polite">
            {verdict ? (
              <PolicyVerdictView verdict={verdict} />
            ) : problem ? null : checkError ? null : (
              <p className="muted">Checking the promotion policy…</p>
            )}
            <ErrorBox error={checkError} label="Policy check failed" />
          </div>
        ) : null}
        {verdict && !verdict.passed ? (
          <div className="stack">
            <p className="verdict-fail">
              The server will refuse this change unless it is forced with a reason (the override is recorded).
            </p>
            <label>
              <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Force: override the
              failing policy
            </label>
          </div>
        ) : null}

        <div className="form-grid">
          <label htmlFor={`${ids}-reason`}>Reason{forcing ? ' (required to force)' : ''}</label>
          <input
            id={`${ids}-reason`}
            type="text"
            value={reason}
            placeholder="why, for the audit history"
            onChange={(e) => setReason(e.target.value)}
          />
          <label htmlFor={`${ids}-user`}>Your name</label>
          <input
            id={`${ids}-user`}
            type="text"
            value={user}
            placeholder="recorded as who made the change"
            onChange={(e) => setUser(e.target.value)}
          />
        </div>
        <ErrorBox error={submitError} label="The server refused the change" />
        <div className="row end">
          <button type="button" onClick={() => ref.current?.close()}>
            Cancel
          </button>
          <button
            type="submit"
            className={change.kind === 'delete-alias' ? 'danger' : 'primary'}
            disabled={!canConfirm}
          >
            {busy
              ? 'Working…'
              : change.kind === 'delete-alias'
                ? 'Delete alias'
                : forcing
                  ? 'Force and confirm'
                  : 'Confirm'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
