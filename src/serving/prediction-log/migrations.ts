// The prediction log's schema: its own migration list, run by src/db/migrate.ts on its own database.
//
// Version numbers: the prediction log lives in a database of its own (./cairn-data/predictions.db by
// default), but with PostgreSQL it may well share a database — and so the schema_migrations table —
// with the tracking store, whose lists (tracking, registry, webhooks) share one global sequence
// counting up from 1. So this list takes versions from a reserved block, 1001–1999, which the global
// sequence never reaches: both can be recorded in one schema_migrations table without a collision,
// and the next serving migration is simply the next number in the block.
import type { Migration } from '../../db/migrate.js';

export const PREDICTION_LOG_MIGRATIONS: Migration[] = [
  {
    version: 1001,
    name: 'serving_prediction_log',
    statements: () => [
      'CREATE TABLE serving_predictions (' +
        'request_id VARCHAR(64) NOT NULL PRIMARY KEY, ' +
        'ts BIGINT NOT NULL, ' +
        'model_name VARCHAR(256) NOT NULL, ' +
        'model_version VARCHAR(64) NOT NULL, ' +
        'endpoint VARCHAR(32) NOT NULL, ' +
        'inputs TEXT NOT NULL, ' +
        'prediction DOUBLE PRECISION NOT NULL, ' +
        'probability DOUBLE PRECISION NOT NULL, ' +
        'confidence DOUBLE PRECISION NOT NULL, ' +
        'risk_level VARCHAR(16) NOT NULL, ' +
        'latency_ms DOUBLE PRECISION NOT NULL, ' +
        'out_of_range TEXT)',
      'CREATE INDEX serving_predictions_ts ON serving_predictions (ts, request_id)',
      'CREATE TABLE serving_feedback (' +
        'request_id VARCHAR(64) NOT NULL PRIMARY KEY, ' +
        'label DOUBLE PRECISION NOT NULL, ' +
        'ts BIGINT NOT NULL)',
    ],
  },
];
