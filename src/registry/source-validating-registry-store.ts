// The SQL registry store (with webhook events) that validates model version sources through the
// tracking store on the same database, as the server's create route does (MLflow's
// _validate_source): a direct client gets the same refusals as one talking to a server.
import type { SqlDatabase } from '../db/sql-database.js';
import type { TrackingStore } from '../tracking/store.js';
import type { ModelVersion } from './entities.js';
import { validateModelVersionSource } from './model-version-source.js';
import type { CreateModelVersionInput } from './store.js';
import { EventingRegistryStore } from './webhooks/eventing-registry-store.js';
import type { RegistryEventSink } from './webhooks/registry-events.js';

export class SourceValidatingRegistryStore extends EventingRegistryStore {
  constructor(db: SqlDatabase, sink: RegistryEventSink, private readonly tracking: TrackingStore) {
    super(db, sink);
  }

  override async createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion> {
    await validateModelVersionSource(this.tracking, input.source, input.runId ?? null);
    return super.createModelVersion(input);
  }
}
