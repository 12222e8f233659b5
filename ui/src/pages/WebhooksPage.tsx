// Registry webhooks: the registrations (pause, resume, test, delete), a form to add one (its secret is
// shown once), and the recent deliveries of one webhook or all (`?webhook=ID`) with their status.
import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import {
  type NewWebhook,
  createWebhook,
  deleteWebhook,
  listDeliveries,
  listWebhooks,
  setWebhookActive,
  testWebhook,
} from '../api/registry-client.js';
import { WEBHOOK_EVENTS, type Webhook } from '../api/registry-types.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { formatTime } from '../lib/format.js';
import { modelPath } from '../lib/registry-paths.js';
import { useAsync } from '../lib/use-async.js';
import '../registry.css';

const label = (w: Webhook) => w.name || w.url;

function CreateForm({ onCreated }: { onCreated: (secret: string, w: Webhook) => void }) {
  const [form, setForm] = useState<NewWebhook>({ url: '', events: [] });
  const [error, setError] = useState<unknown>(null);
  const set = (patch: Partial<NewWebhook>) => setForm((f) => ({ ...f, ...patch }));
  const toggle = (event: string) =>
    set({ events: form.events.includes(event) ? form.events.filter((e) => e !== event) : [...form.events, event] });
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const res = await createWebhook(form);
      setForm({ url: '', events: [] });
      onCreated(res.secret, res.webhook);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={onSubmit} className="card stack" aria-label="Add a webhook">
      <h2>Add a webhook</h2>
      <div className="form-grid">
        <label htmlFor="wh-url">URL</label>
        <input
          id="wh-url"
          type="text"
          value={form.url}
          placeholder="https://example.org/cairn-hook"
          onChange={(e) => set({ url: e.target.value })}
        />
        <label htmlFor="wh-name">Name</label>
        <input id="wh-name" type="text" value={form.name ?? ''} onChange={(e) => set({ name: e.target.value })} />
        <label htmlFor="wh-model">Only model</label>
        <input
          id="wh-model"
          type="text"
          value={form.model_name ?? ''}
          placeholder="every model when empty"
          onChange={(e) => set({ model_name: e.target.value })}
        />
        <label htmlFor="wh-secret">Secret</label>
        <input
          id="wh-secret"
          type="text"
          value={form.secret ?? ''}
          placeholder="generated when empty (8+ characters)"
          onChange={(e) => set({ secret: e.target.value })}
        />
      </div>
      <fieldset className="events">
        <legend>Events</legend>
        {WEBHOOK_EVENTS.map((ev) => (
          <label key={ev}>
            <input type="checkbox" checked={form.events.includes(ev)} onChange={() => toggle(ev)} />{' '}
            <span className="mono">{ev}</span>
          </label>
        ))}
      </fieldset>
      <ErrorBox error={error} />
      <div className="row">
        <button type="submit" className="primary" disabled={!form.url.trim() || form.events.length === 0}>
          Add webhook
        </button>
      </div>
    </form>
  );
}

export function WebhooksPage() {
  const [params, setParams] = useSearchParams();
  const selected = params.get('webhook') ?? undefined;
  const hooks = useAsync((signal) => listWebhooks(signal), []);
  const [tick, setTick] = useState(0);
  const deliveries = useAsync((signal) => listDeliveries(selected, signal), [selected, tick]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [showForm, setShowForm] = useState(false);

  const act = async (fn: () => Promise<unknown>, after?: (r: unknown) => void) => {
    setError(null);
    setNotice(null);
    try {
      const r = await fn();
      after?.(r);
      hooks.reload();
      setTick((n) => n + 1);
    } catch (err) {
      setError(err);
    }
  };
  const select = (id: string | undefined) => {
    const next = new URLSearchParams(params);
    if (id) next.set('webhook', id);
    else next.delete('webhook');
    setParams(next, { replace: true });
  };
  const list = hooks.data ?? [];
  const byId = new Map(list.map((w) => [w.id, w]));

  return (
    <main>
      <div className="breadcrumb">
        <Link to="/models">Registered models</Link> /
      </div>
      <div className="row">
        <h1 className="grow">Webhooks</h1>
        <button type="button" aria-expanded={showForm} onClick={() => setShowForm((s) => !s)}>
          {showForm ? 'Close the form' : 'Add webhook…'}
        </button>
      </div>
      <p className="muted">
        Registry changes are POSTed, signed with the webhook's secret (<code>X-Cairn-Signature</code>), to each
        subscribed URL and retried until delivered.
      </p>
      {showForm ? (
        <CreateForm
          onCreated={(secret, w) => {
            setShowForm(false);
            setNotice(`Webhook ${label(w)} added. Its secret, shown only now: ${secret}`);
            hooks.reload();
          }}
        />
      ) : null}
      {notice ? (
        <div className="notice" role="status">
          {notice}
        </div>
      ) : null}
      <ErrorBox error={hooks.error} />
      <ErrorBox error={error} />
      {hooks.data && list.length === 0 ? <p className="muted">No webhooks registered.</p> : null}
      {list.length > 0 ? (
        <table className="plain" aria-label="Webhooks">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Model</th>
              <th scope="col">Active</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((w) => (
              <tr key={w.id} data-webhook={w.id} className={w.id === selected ? 'selected' : undefined}>
                <td className="nowrap">{w.name ?? <span className="muted">—</span>}</td>
                <td className="mono clip" title={w.url}>
                  {w.url}
                </td>
                <td className="small mono">{w.events.join(', ')}</td>
                <td className="nowrap">
                  {w.model_name ? <Link to={modelPath(w.model_name)}>{w.model_name}</Link> : 'all'}
                </td>
                <td>{w.active ? 'yes' : 'paused'}</td>
                <td className="nowrap">{formatTime(w.creation_timestamp)}</td>
                <td className="nowrap">
                  <button
                    type="button"
                    aria-pressed={w.id === selected}
                    aria-label={`Deliveries of ${label(w)}`}
                    onClick={() => select(w.id === selected ? undefined : w.id)}
                  >
                    Deliveries
                  </button>{' '}
                  <button
                    type="button"
                    aria-label={`Send a test delivery to ${label(w)}`}
                    onClick={() =>
                      void act(
                        () => testWebhook(w.id),
                        (r) => {
                          const res = r as { success: boolean; status_code?: number | null; error?: string | null };
                          setNotice(
                            res.success
                              ? `Test delivery to ${label(w)}: HTTP ${res.status_code}.`
                              : `Test delivery to ${label(w)} failed: ${res.error ?? `HTTP ${res.status_code}`}`,
                          );
                        },
                      )
                    }
                  >
                    Test
                  </button>{' '}
                  <button
                    type="button"
                    aria-label={`${w.active ? 'Pause' : 'Resume'} ${label(w)}`}
                    onClick={() => void act(() => setWebhookActive(w.id, !w.active))}
                  >
                    {w.active ? 'Pause' : 'Resume'}
                  </button>{' '}
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Delete webhook ${label(w)}`}
                    onClick={() => {
                      if (window.confirm(`Delete the webhook ${label(w)}? Its delivery records go with it.`)) {
                        if (selected === w.id) select(undefined);
                        void act(() => deleteWebhook(w.id));
                      }
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <div className="row">
        <h2 className="grow">
          Recent deliveries{selected && byId.get(selected) ? ` of ${label(byId.get(selected) as Webhook)}` : ''}
        </h2>
        {selected ? (
          <button type="button" onClick={() => select(undefined)}>
            All webhooks
          </button>
        ) : null}
        <button type="button" onClick={() => setTick((n) => n + 1)}>
          Refresh
        </button>
      </div>
      <ErrorBox error={deliveries.error} />
      {deliveries.data && deliveries.data.length === 0 ? <p className="muted">No deliveries yet.</p> : null}
      {deliveries.data && deliveries.data.length > 0 ? (
        <table className="plain" aria-label="Deliveries">
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Webhook</th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">HTTP</th>
              <th scope="col">Last error</th>
              <th scope="col">Delivered / next try</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.data.map((d) => (
              <tr key={d.id} data-delivery={d.id} data-status={d.status}>
                <td className="nowrap">{formatTime(d.creation_timestamp)}</td>
                <td>{byId.get(d.webhook_id) ? label(byId.get(d.webhook_id) as Webhook) : d.webhook_id}</td>
                <td className="mono small">{d.event}</td>
                <td>
                  <span className={`delivery delivery-${d.status.toLowerCase()}`}>{d.status}</span>
                </td>
                <td className="num">{d.attempts}</td>
                <td className="num">{d.last_status_code ?? ''}</td>
                <td className="clip" title={d.last_error ?? undefined}>
                  {d.last_error ?? ''}
                </td>
                <td className="nowrap">
                  {d.delivered_timestamp
                    ? formatTime(d.delivered_timestamp)
                    : d.next_attempt_timestamp
                      ? `next ${formatTime(d.next_attempt_timestamp)}`
                      : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </main>
  );
}
