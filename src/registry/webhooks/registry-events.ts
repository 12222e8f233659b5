// Registry change events and the sink the SQL registry store hands them to inside the writing
// transaction, so an event exists exactly when its change was committed (the transactional outbox).
import type { SqlDatabase, SqlExecutor } from '../../db/sql-database.js';

export const REGISTRY_EVENT_TYPES = [
  'REGISTERED_MODEL_CREATED',
  'REGISTERED_MODEL_RENAMED',
  'REGISTERED_MODEL_DELETED',
  'MODEL_VERSION_CREATED',
  'MODEL_VERSION_TRANSITIONED_STAGE',
  'MODEL_VERSION_DELETED',
  'MODEL_VERSION_TAG_SET',
  'MODEL_VERSION_TAG_DELETED',
  'REGISTERED_MODEL_ALIAS_SET',
  'REGISTERED_MODEL_ALIAS_DELETED',
  'MODEL_DRIFT_DETECTED',
] as const;

export type RegistryEventType = (typeof REGISTRY_EVENT_TYPES)[number];

/**
 * Events about a registered model that no registry write causes (a monitor's finding): recorded on their own
 * through WebhookStore.recordEvent. Every other type is recorded only by the registry write it describes.
 */
export const EXTERNAL_EVENT_TYPES = ['MODEL_DRIFT_DETECTED'] as const satisfies readonly RegistryEventType[];

export type ExternalEventType = (typeof EXTERNAL_EVENT_TYPES)[number];

export interface RegistryEvent {
  event: RegistryEventType;
  /** The registered model the change is about (webhooks may filter on it). */
  modelName: string;
  /** The event's JSON payload (`data` in the delivered body), snake_case like the REST API. */
  data: Record<string, unknown>;
}

/** Receives each committed-to-be event inside the store's transaction; must write only through `tx`. */
export interface RegistryEventSink {
  record(tx: SqlExecutor, event: RegistryEvent): Promise<void>;
}

/**
 * `db` whose first transaction (the change's) hands `describe(result)` to `sink` just before
 * committing, so the event rows commit or roll back with the change (a driver retry re-runs the
 * whole callback, event included). Other calls pass straight through.
 */
export function withRegistryEvent<R>(
  db: SqlDatabase,
  sink: RegistryEventSink,
  describe: (result: R) => RegistryEvent,
): SqlDatabase {
  let used = false;
  const transaction = <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> => {
    // only the change's own transaction: any later one (a refusal recorded after a rollback) emits nothing
    if (used) return db.transaction(fn);
    used = true;
    return db.transaction(async (tx) => {
      const r = await fn(tx);
      await sink.record(tx, describe(r as unknown as R));
      return r;
    });
  };
  // a Proxy, so every other member of the driver (present or added later) passes through unchanged
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction') return transaction;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
