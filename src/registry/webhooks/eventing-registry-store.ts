// The SQL registry store with webhook events: each write runs through a SqlRegistryStore whose
// database records the change's event in the same transaction (withRegistryEvent), so a refused or
// rolled-back change emits nothing and a committed one always has its outbox rows.
import type { SqlDatabase } from '../../db/sql-database.js';
import type { ModelVersion, RegisteredModel } from '../entities.js';
import { SqlRegistryStore } from '../sql/sql-registry-store.js';
import type { CreateModelVersionInput } from '../store.js';
import { canonicalStage } from '../validation.js';
import {
  withRegistryEvent,
  type RegistryEvent,
  type RegistryEventSink,
  type RegistryEventType,
} from './registry-events.js';

type Args<K extends keyof SqlRegistryStore> = SqlRegistryStore[K] extends (...a: infer A) => unknown ? A : never;

/** The event payload of a version, as the REST API names its fields. */
export function versionEventData(v: ModelVersion): Record<string, unknown> {
  return {
    name: v.name,
    version: v.version,
    source: v.source,
    run_id: v.runId,
    current_stage: v.currentStage,
    status: v.status,
    description: v.description,
    creation_timestamp: v.creationTimestamp,
  };
}

export class EventingRegistryStore extends SqlRegistryStore {
  constructor(
    db: SqlDatabase,
    private readonly sink: RegistryEventSink,
  ) {
    super(db);
  }

  private emitting<R>(describe: (result: R) => RegistryEvent): SqlRegistryStore {
    return new SqlRegistryStore(withRegistryEvent(this.db, this.sink, describe));
  }

  private simple(event: RegistryEventType, name: string, data: Record<string, unknown>): SqlRegistryStore {
    return this.emitting(() => ({ event, modelName: name, data: { name, ...data } }));
  }

  override createRegisteredModel(...a: Args<'createRegisteredModel'>): Promise<RegisteredModel> {
    return this.emitting((m: RegisteredModel) => ({
      event: 'REGISTERED_MODEL_CREATED',
      modelName: m.name,
      data: { name: m.name, description: m.description, creation_timestamp: m.creationTimestamp },
    })).createRegisteredModel(...a);
  }
  override renameRegisteredModel(...a: Args<'renameRegisteredModel'>): Promise<RegisteredModel> {
    const [name, newName] = a;
    return this.emitting(() => ({
      event: 'REGISTERED_MODEL_RENAMED',
      modelName: newName,
      data: { name: newName, old_name: name },
    })).renameRegisteredModel(...a);
  }
  override deleteRegisteredModel(...a: Args<'deleteRegisteredModel'>): Promise<void> {
    return this.simple('REGISTERED_MODEL_DELETED', a[0], {}).deleteRegisteredModel(...a);
  }
  override setRegisteredModelAlias(...a: Args<'setRegisteredModelAlias'>): Promise<void> {
    const [name, alias, version] = a;
    return this.simple('REGISTERED_MODEL_ALIAS_SET', name, { alias, version: String(version) }).setRegisteredModelAlias(
      ...a,
    );
  }
  override deleteRegisteredModelAlias(...a: Args<'deleteRegisteredModelAlias'>): Promise<void> {
    const [name, alias] = a;
    return this.simple('REGISTERED_MODEL_ALIAS_DELETED', name, { alias }).deleteRegisteredModelAlias(...a);
  }
  override createModelVersion(...a: Args<'createModelVersion'>): Promise<ModelVersion> {
    const input: CreateModelVersionInput = a[0];
    return this.emitting((v: ModelVersion) => ({
      event: 'MODEL_VERSION_CREATED',
      modelName: input.name,
      data: versionEventData(v),
    })).createModelVersion(...a);
  }
  override deleteModelVersion(...a: Args<'deleteModelVersion'>): Promise<void> {
    const [name, version] = a;
    return this.simple('MODEL_VERSION_DELETED', name, { version: String(version) }).deleteModelVersion(...a);
  }
  override transitionModelVersionStage(...a: Args<'transitionModelVersionStage'>): Promise<ModelVersion> {
    const [name, version, stage, archiveExisting] = a;
    return this.emitting((v: ModelVersion | undefined) => ({
      event: 'MODEL_VERSION_TRANSITIONED_STAGE',
      modelName: name,
      data: v?.currentStage
        ? { ...versionEventData(v), to_stage: v.currentStage, archive_existing_versions: archiveExisting }
        : {
            name,
            version: String(version),
            to_stage: canonicalStage(stage),
            archive_existing_versions: archiveExisting,
          },
    })).transitionModelVersionStage(...a);
  }
  override setModelVersionTag(...a: Args<'setModelVersionTag'>): Promise<void> {
    const [name, version, key, value] = a;
    return this.simple('MODEL_VERSION_TAG_SET', name, { version: String(version), key, value }).setModelVersionTag(
      ...a,
    );
  }
  override deleteModelVersionTag(...a: Args<'deleteModelVersionTag'>): Promise<void> {
    const [name, version, key] = a;
    return this.simple('MODEL_VERSION_TAG_DELETED', name, { version: String(version), key }).deleteModelVersionTag(
      ...a,
    );
  }
}
