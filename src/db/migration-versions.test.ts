// Every layer keeps its own migration list, but the lists of one database share one
// schema_migrations table: a version taken twice would mark the second list's tables as created
// when they are not. This test holds every list in the project.
import { expect, it } from 'vitest';
import { AUTH_MIGRATIONS } from '../auth/auth-migrations.js';
import { TUNING_MIGRATIONS } from '../pipelines/tuning/tuning-migrations.js';
import { REGISTRY_MIGRATIONS } from '../registry/sql/migrations.js';
import { WEBHOOK_MIGRATIONS } from '../registry/webhooks/webhook-migrations.js';
import { PREDICTION_LOG_MIGRATIONS } from '../serving/prediction-log/migrations.js';
import { TRACKING_MIGRATIONS } from '../tracking/sql/migrations.js';

const LISTS = {
  tracking: TRACKING_MIGRATIONS,
  registry: REGISTRY_MIGRATIONS,
  webhooks: WEBHOOK_MIGRATIONS,
  tuning: TUNING_MIGRATIONS,
  auth: AUTH_MIGRATIONS,
  'prediction log': PREDICTION_LOG_MIGRATIONS,
};

it('no two migrations in the project share a version', () => {
  const owner = new Map<number, string>();
  const clashes: string[] = [];
  for (const [layer, list] of Object.entries(LISTS)) {
    for (const m of list) {
      const seen = owner.get(m.version);
      if (seen) clashes.push(`version ${m.version}: ${seen} and ${layer} (${m.name})`);
      owner.set(m.version, `${layer} (${m.name})`);
    }
  }
  expect(clashes).toEqual([]);
});

it("the shared sequence has no gap, so the README's next free version is right", () => {
  const shared = Object.entries(LISTS)
    .filter(([layer]) => layer !== 'prediction log')
    .flatMap(([, list]) => list.map((m) => m.version))
    .sort((a, b) => a - b);
  expect(shared).toEqual(shared.map((_, i) => i + 1));
});
