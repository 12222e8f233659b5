// `cairn webhook add|list|test|deliveries|remove`: manage registry webhooks through the client (a
// Cairn server, or its database directly).
import { Command, Option } from 'commander';
import { deliveryToJson, webhookToJson } from '../server/routes/webhooks.js';
import { formatTable, trackingUriOption, UsageError, withClient } from './cli-client.js';

/** A test delivery that failed (exit status 1, after its report is printed). */
class DeliveryFailed extends Error {}

const jsonOption = () => new Option('--json', 'print the raw JSON response');
const iso = (ms: number | null) => (ms ? new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z') : '');
const print = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

export function webhookCommand(): Command {
  const cmd = new Command('webhook').description(
    'Manage model registry webhooks (signed HTTP callbacks on registry changes).',
  );

  cmd
    .command('add')
    .description('Register a webhook; prints its id and secret (the secret is shown only now).')
    .requiredOption('--url <url>', 'http(s) URL that receives POSTed events')
    .requiredOption('--events <list>', 'comma-separated events, e.g. MODEL_VERSION_CREATED,REGISTERED_MODEL_ALIAS_SET')
    .option('--model <name>', 'only changes to this registered model (default: every model)')
    .option('--secret <secret>', 'HMAC secret, 8-256 characters (default: 32 random bytes, hex)')
    .option('--name <name>', 'a label for the webhook')
    .option('--inactive', 'register it switched off')
    .addOption(trackingUriOption())
    .addOption(jsonOption())
    .action(
      async (opts: {
        url: string;
        events: string;
        model?: string;
        secret?: string;
        name?: string;
        inactive?: boolean;
        trackingUri?: string;
        json?: boolean;
      }) => {
        const events = opts.events
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean);
        if (events.length === 0) throw new UsageError('--events needs at least one event name');
        const res = await withClient(opts, (client) =>
          client.webhooks.createWebhook({
            url: opts.url,
            events,
            modelName: opts.model,
            secret: opts.secret,
            name: opts.name,
            active: !opts.inactive,
          }),
        );
        if (opts.json)
          return print(JSON.stringify({ webhook: webhookToJson(res.webhook), secret: res.secret }, null, 2));
        print(
          `id:     ${res.webhook.id}\nsecret: ${res.secret}\n(keep the secret: receivers verify X-Cairn-Signature with it; it is not shown again)`,
        );
      },
    );

  cmd
    .command('list')
    .description('List webhooks (secrets are never shown).')
    .option('--model <name>', 'only webhooks filtered to this model')
    .addOption(trackingUriOption())
    .addOption(jsonOption())
    .action(async (opts: { model?: string; trackingUri?: string; json?: boolean }) => {
      const webhooks = await withClient(opts, (client) => client.webhooks.listWebhooks({ modelName: opts.model }));
      if (opts.json) return print(JSON.stringify({ webhooks: webhooks.map(webhookToJson) }, null, 2));
      print(
        formatTable(
          ['ID', 'URL', 'EVENTS', 'MODEL', 'ACTIVE'],
          webhooks.map((w) => [w.id, w.url, w.events.join(','), w.modelName ?? '*', w.active ? 'yes' : 'no']),
        ),
      );
    });

  cmd
    .command('test')
    .description('Send a signed WEBHOOK_TEST event to one webhook now and report the answer (exit 1 if it failed).')
    .argument('<id>', 'webhook id')
    .addOption(trackingUriOption())
    .addOption(jsonOption())
    .action(async (id: string, opts: { trackingUri?: string; json?: boolean }) => {
      const r = await withClient(opts, (client) => client.webhooks.testWebhook(id));
      const durationMs = Math.round(r.durationMs * 10) / 10;
      if (opts.json) {
        print(
          JSON.stringify(
            {
              delivery_id: r.deliveryId,
              success: r.ok,
              status_code: r.statusCode,
              error: r.error,
              duration_ms: durationMs,
            },
            null,
            2,
          ),
        );
      } else {
        print(
          `${r.ok ? 'delivered' : 'failed'}: ${r.statusCode === null ? 'no response' : `HTTP ${r.statusCode}`}` +
            `${r.error && r.statusCode === null ? ` (${r.error})` : ''} in ${durationMs} ms, delivery ${r.deliveryId}`,
        );
      }
      if (!r.ok) throw new DeliveryFailed(`test delivery to webhook ${id} failed`);
    });

  cmd
    .command('deliveries')
    .description('List delivery records, newest first: status, attempts, last answer, next attempt.')
    .option('--webhook-id <id>', 'only this webhook')
    .addOption(new Option('--status <status>', 'only this status').choices(['pending', 'delivered', 'failed']))
    .option('--max-results <n>', 'at most this many (1-1000)', '100')
    .addOption(trackingUriOption())
    .addOption(jsonOption())
    .action(
      async (opts: {
        webhookId?: string;
        status?: string;
        maxResults: string;
        trackingUri?: string;
        json?: boolean;
      }) => {
        const max = Number(opts.maxResults);
        if (!Number.isInteger(max) || max < 1 || max > 1000)
          throw new UsageError('--max-results must be an integer from 1 to 1000');
        const deliveries = await withClient(opts, (client) =>
          client.webhooks.listDeliveries({
            webhookId: opts.webhookId,
            status: opts.status,
            maxResults: max,
          }),
        );
        if (opts.json) return print(JSON.stringify({ deliveries: deliveries.map(deliveryToJson) }, null, 2));
        print(
          formatTable(
            ['ID', 'WEBHOOK', 'EVENT', 'STATUS', 'ATTEMPTS', 'LAST', 'CREATED', 'NEXT / DELIVERED'],
            deliveries.map((d) => [
              d.id,
              d.webhookId,
              d.event,
              d.status,
              String(d.attempts),
              d.lastStatusCode !== null ? String(d.lastStatusCode) : (d.lastError ?? '').slice(0, 40),
              iso(d.creationTimestamp),
              iso(d.deliveredTimestamp ?? d.nextAttemptTimestamp),
            ]),
          ),
        );
      },
    );

  cmd
    .command('remove')
    .description('Delete a webhook and its delivery records.')
    .argument('<id>', 'webhook id')
    .addOption(trackingUriOption())
    .action(async (id: string, opts: { trackingUri?: string }) => {
      await withClient(opts, (client) => client.webhooks.deleteWebhook(id));
      print(`deleted webhook ${id}`);
    });
  return cmd;
}
