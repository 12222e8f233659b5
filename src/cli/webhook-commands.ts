// `cairn webhook add|list|test|deliveries|remove`: manage registry webhooks on a Cairn server over REST.
import { Command, Option } from 'commander';
import { formatTable, resolveServerUrl, restCall, RestCallError, trackingUriOption, UsageError } from './rest-call.js';

const BASE = '/api/2.0/cairn/registry/webhooks';

interface WebhookJson { id: string; name: string | null; url: string; events: string[]; model_name: string | null; active: boolean }
interface DeliveryJson {
  id: string; webhook_id: string; event: string; status: string; attempts: number; last_status_code: number | null;
  last_error: string | null; creation_timestamp: number; next_attempt_timestamp: number | null; delivered_timestamp: number | null;
}

const jsonOption = () => new Option('--json', 'print the raw JSON response');
const iso = (ms: number | null) => (ms ? new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z') : '');
const print = (text: string): void => { process.stdout.write(`${text}\n`); };

export function webhookCommand(): Command {
  const cmd = new Command('webhook').description('Manage model registry webhooks (signed HTTP callbacks on registry changes).');

  cmd.command('add')
    .description('Register a webhook; prints its id and secret (the secret is shown only now).')
    .requiredOption('--url <url>', 'http(s) URL that receives POSTed events')
    .requiredOption('--events <list>', 'comma-separated events, e.g. MODEL_VERSION_CREATED,REGISTERED_MODEL_ALIAS_SET')
    .option('--model <name>', 'only changes to this registered model (default: every model)')
    .option('--secret <secret>', 'HMAC secret, 8-256 characters (default: 32 random bytes, hex)')
    .option('--name <name>', 'a label for the webhook')
    .option('--inactive', 'register it switched off')
    .addOption(trackingUriOption())
    .addOption(jsonOption())
    .action(async (opts: { url: string; events: string; model?: string; secret?: string; name?: string; inactive?: boolean; trackingUri?: string; json?: boolean }) => {
      const server = resolveServerUrl(opts.trackingUri);
      const events = opts.events.split(',').map((e) => e.trim()).filter(Boolean);
      if (events.length === 0) throw new UsageError('--events needs at least one event name');
      const res = await restCall<{ webhook: WebhookJson; secret: string }>(server, 'POST', BASE, {
        url: opts.url, events, model_name: opts.model, secret: opts.secret, name: opts.name, active: !opts.inactive,
      });
      if (opts.json) return print(JSON.stringify(res, null, 2));
      print(`id:     ${res.webhook.id}\nsecret: ${res.secret}\n(keep the secret: receivers verify X-Cairn-Signature with it; it is not shown again)`);
    });

  cmd.command('list')
    .description('List webhooks (secrets are never shown).')
    .option('--model <name>', 'only webhooks filtered to this model')
    .addOption(trackingUriOption())
    .addOption(jsonOption())
    .action(async (opts: { model?: string; trackingUri?: string; json?: boolean }) => {
      const res = await restCall<{ webhooks: WebhookJson[] }>(resolveServerUrl(opts.trackingUri), 'GET', BASE, { model_name: opts.model });
      if (opts.json) return print(JSON.stringify(res, null, 2));
      print(formatTable(['ID', 'URL', 'EVENTS', 'MODEL', 'ACTIVE'],
        res.webhooks.map((w) => [w.id, w.url, w.events.join(','), w.model_name ?? '*', w.active ? 'yes' : 'no'])));
    });

  cmd.command('test')
    .description('Send a signed WEBHOOK_TEST event to one webhook now and report the answer (exit 1 if it failed).')
    .argument('<id>', 'webhook id')
    .addOption(trackingUriOption())
    .addOption(jsonOption())
    .action(async (id: string, opts: { trackingUri?: string; json?: boolean }) => {
      const res = await restCall<{ delivery_id: string; success: boolean; status_code: number | null; error: string | null; duration_ms: number }>(
        resolveServerUrl(opts.trackingUri), 'POST', `${BASE}/test`, { id });
      if (opts.json) print(JSON.stringify(res, null, 2));
      else print(`${res.success ? 'delivered' : 'failed'}: ${res.status_code === null ? 'no response' : `HTTP ${res.status_code}`}`
        + `${res.error && res.status_code === null ? ` (${res.error})` : ''} in ${res.duration_ms} ms, delivery ${res.delivery_id}`);
      if (!res.success) throw new RestCallError(`test delivery to webhook ${id} failed`);
    });

  cmd.command('deliveries')
    .description('List delivery records, newest first: status, attempts, last answer, next attempt.')
    .option('--webhook-id <id>', 'only this webhook')
    .addOption(new Option('--status <status>', 'only this status').choices(['pending', 'delivered', 'failed']))
    .option('--max-results <n>', 'at most this many (1-1000)', '100')
    .addOption(trackingUriOption())
    .addOption(jsonOption())
    .action(async (opts: { webhookId?: string; status?: string; maxResults: string; trackingUri?: string; json?: boolean }) => {
      const max = Number(opts.maxResults);
      if (!Number.isInteger(max) || max < 1 || max > 1000) throw new UsageError('--max-results must be an integer from 1 to 1000');
      const res = await restCall<{ deliveries: DeliveryJson[] }>(resolveServerUrl(opts.trackingUri), 'GET', `${BASE}/deliveries`, {
        webhook_id: opts.webhookId, status: opts.status, max_results: max,
      });
      if (opts.json) return print(JSON.stringify(res, null, 2));
      print(formatTable(['ID', 'WEBHOOK', 'EVENT', 'STATUS', 'ATTEMPTS', 'LAST', 'CREATED', 'NEXT / DELIVERED'],
        res.deliveries.map((d) => [
          d.id, d.webhook_id, d.event, d.status, String(d.attempts),
          d.last_status_code !== null ? String(d.last_status_code) : (d.last_error ?? '').slice(0, 40),
          iso(d.creation_timestamp), iso(d.delivered_timestamp ?? d.next_attempt_timestamp),
        ])));
    });

  cmd.command('remove')
    .description('Delete a webhook and its delivery records.')
    .argument('<id>', 'webhook id')
    .addOption(trackingUriOption())
    .action(async (id: string, opts: { trackingUri?: string }) => {
      await restCall(resolveServerUrl(opts.trackingUri), 'DELETE', `${BASE}/${encodeURIComponent(id)}`);
      print(`deleted webhook ${id}`);
    });
  return cmd;
}
