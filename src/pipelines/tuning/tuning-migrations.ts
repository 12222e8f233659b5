// The tuning studies' tables, as versioned migrations for the runner in src/db/migrate.ts. Version 6
// is the next number of the sequence every layer's list shares (1-2 tracking, 3-4 registry, 5 webhooks).
import type { Migration } from '../../db/migrate.js';

export const TUNING_MIGRATIONS: Migration[] = [
  {
    version: 6,
    name: 'tuning studies',
    statements: (d) => [
      `CREATE TABLE tuning_studies (
        study_id ${d.autoIdColumn},
        name VARCHAR(256) NOT NULL UNIQUE,
        direction VARCHAR(16) NOT NULL,
        sampler VARCHAR(16) NOT NULL,
        seed BIGINT NOT NULL,
        metric VARCHAR(250) NOT NULL,
        space TEXT NOT NULL,
        experiment_id VARCHAR(32) NOT NULL,
        parent_run_id VARCHAR(32),
        creation_time BIGINT NOT NULL)`,
      // (study_id, number) is the claim: a number inserted twice fails, so no trial runs twice.
      `CREATE TABLE tuning_trials (
        study_id INTEGER NOT NULL REFERENCES tuning_studies (study_id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        state VARCHAR(16) NOT NULL,
        params TEXT NOT NULL,
        value DOUBLE PRECISION,
        metrics TEXT NOT NULL,
        intermediate TEXT NOT NULL,
        run_id VARCHAR(32),
        owner VARCHAR(256) NOT NULL,
        error TEXT,
        start_time BIGINT NOT NULL,
        end_time BIGINT,
        heartbeat_time BIGINT NOT NULL,
        PRIMARY KEY (study_id, number))`,
      'CREATE INDEX tuning_trials_state ON tuning_trials (study_id, state, heartbeat_time)',
    ],
  },
];
