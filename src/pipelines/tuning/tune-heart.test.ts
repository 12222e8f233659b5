// tune() with a real objective, as `cairn train --tune` runs it: 5-fold CV ROC-AUC of a learn
// pipeline on the UCI heart-disease data, each fold's running mean reported to the pruner.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorPreprocessor, heartDataset } from '../../../test/support/learn/anchor-protocol.js';
import { lacks } from '../../../test/support/requirements.js';
import { readSharedData } from '../../../test/support/shared.js';
import { CairnClient } from '../../client/cairn-client.js';
import {
  type Classifier,
  crossValidate,
  DecisionTreeClassifier,
  type Frame,
  LogisticRegression,
  MedianPruner,
  Pipeline,
  StratifiedKFold,
} from '../../learn/index.js';
import { prefixSpace, SEARCH_SPACES } from './model-spaces.js';
import { type Objective, tune } from './tune.js';

const data = !lacks('shared-data');

describe.skipIf(!data)('tuning on the heart-disease data', () => {
  if (!data) return; // the body reads the data set while collecting
  const heart = heartDataset(readSharedData('heart_disease_uci.csv'));
  let dir: string;
  let client: CairnClient;
  let experimentId: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cairn-tune-heart-'));
    client = await CairnClient.open(`sqlite:///${path.join(dir, 'cairn.db')}`);
    experimentId = await client.createExperiment('heart-tuning');
  });
  afterAll(async () => {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** 5-fold CV (shuffled, seed 42, as the anchor protocol) of `model` (after the anchor preprocessing), ROC-AUC the primary metric. */
  const cvObjective =
    (model: () => Classifier<never>, scale: boolean): Objective =>
    (params, ctx) => {
      const pipeline = new Pipeline({
        steps: [
          ['prep', anchorPreprocessor(heart.numeric, heart.categorical, scale)],
          ['model', model()],
        ],
      }).setParams(params) as unknown as Classifier<Frame>;
      let sum = 0;
      const cv = crossValidate(pipeline, heart.X, heart.y, {
        cv: new StratifiedKFold({ nSplits: 5, shuffle: true, seed: 42 }),
        scoring: ['roc_auc', 'accuracy'],
        onFold: (f) => {
          sum += f.test.roc_auc;
          ctx.report(sum / (f.fold + 1), f.fold);
          ctx.pruneIfNeeded();
        },
      });
      return {
        metrics: {
          roc_auc: cv.summary.roc_auc.mean,
          roc_auc_std: cv.summary.roc_auc.std,
          accuracy: cv.summary.accuracy.mean,
        },
        primary: cv.summary.roc_auc.mean,
      };
    };

  it('TPE over logistic regression reaches the 0.88 CV ROC-AUC floor, every trial a nested run', async () => {
    const result = await tune({
      client,
      experimentId,
      objective: cvObjective(() => new LogisticRegression({ maxIter: 1000 }) as never, true),
      space: prefixSpace(SEARCH_SPACES.lr, 'model__'),
      sampler: 'tpe',
      tpe: { nStartupTrials: 4 },
      maxEvals: 8,
      direction: 'maximize',
      metric: 'roc_auc',
      seed: 42,
      parentRunName: 'lr-tpe',
    });
    expect(result.trials.every((t) => t.state === 'COMPLETE')).toBe(true);
    expect(result.best!.value).toBeGreaterThanOrEqual(0.88);
    const C = result.trials.map((t) => t.params.model__C as number);
    expect(Math.min(...C)).toBeGreaterThanOrEqual(1e-3);
    expect(Math.max(...C)).toBeLessThanOrEqual(100);
    const kids = await client.searchAllRuns([experimentId], {
      filter: `tags.mlflow.parentRunId = '${result.parentRunId}'`,
      orderBy: ['metrics.roc_auc DESC'],
    });
    expect(kids).toHaveLength(8);
    expect(kids[0].info.runId).toBe(result.best!.runId);
    const parent = await client.getRun(result.parentRunId);
    expect(parent.data.metrics.find((m) => m.key === 'best_roc_auc')?.value).toBe(result.best!.value);
    expect(parent.data.params.find((p) => p.key === 'best_model__C')?.value).toBe(String(result.best!.params.model__C));
  }, 120_000);

  it('grid search over a decision tree with median pruning: pruned trials stop early, the best completes', async () => {
    const result = await tune({
      client,
      experimentId,
      objective: cvObjective(() => new DecisionTreeClassifier({ seed: 0 }) as never, false),
      space: prefixSpace(SEARCH_SPACES.dt, 'model__'),
      sampler: 'grid',
      maxEvals: 10,
      direction: 'maximize',
      metric: 'roc_auc',
      seed: 42,
      pruner: new MedianPruner({ nStartupTrials: 3, nWarmupSteps: 1 }),
      parentRunName: 'dt-grid',
    });
    expect(result.trials).toHaveLength(10);
    const pruned = result.trials.filter((t) => t.state === 'PRUNED');
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) {
      expect(t.intermediate.length).toBeLessThan(5); // stopped before the last fold
      expect(t.intermediate.at(-1)![0]).toBeGreaterThanOrEqual(1); // never before the warm-up
    }
    expect(result.best!.state).toBe('COMPLETE');
    expect(result.best!.value).toBeGreaterThan(0.75);
  }, 120_000);
});
