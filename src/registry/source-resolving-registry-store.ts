// The SQL registry store (with webhook events) that resolves model version sources through the
// tracking store on the same database, as the server's create route does: a direct client gets the
// same validation and `runs:/` resolution as one talking to a server.
import type { SqlDatabase } from '../db/sql-database.js';
import type { TrackingStore } from '../tracking/store.js';
import type { ModelVersion } from './entities.js';
import { resolveModelVersionSource } from './model-version-source.js';
import type { CreateModelVersionInput } from './store.js';
import { EventingRegistryStore } from './webhooks/eventing-registry-store.js';
import type { RegistryEventSink } from './webhooks/registry-events.js';

export class SourceResolvingRegistryStore extends EventingRegistryStore {
  constructor(db: SqlDatabase, sink: RegistryEventSink, private readonly tracking: TrackingStore) {
    super(db, sink);
  }

  /** A caller that resolved the source already (the REST route) passes its `storageLocation`. */
  override async createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion> {
    if (input.storageLocation) return super.createModelVersion(input);
    const storageLocation = await resolveModelVersionSource(this.tracking, input.source, input.runId ?? null);
    return super.createModelVersion({ ...input, storageLocation });
  }
}
