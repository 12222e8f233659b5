// Scores validated records with a served model on the pipeline's single-row path (no Frame, buffers
// reused): class, P(positive class), confidence and risk level per record.
import { randomUUID } from 'node:crypto';
import type { Cell } from '../learn/data/records.js';
import type { ServedModel } from './model-loader.js';
import { RecordValidator, type OutOfRange, type ValidatorOptions } from './record-validator.js';
import { riskLevel, type RiskLevel, type RiskThresholds } from './risk-levels.js';

export interface Prediction {
  prediction: number;
  /** P(positive class): class 1 when the model has it, else its last class. */
  probability: number;
  /** The probability of the predicted class. */
  confidence: number;
  risk_level: RiskLevel;
  model_name: string;
  model_version: string;
  request_id: string;
  /** Fields far outside the training range (only when some are). */
  out_of_range?: OutOfRange[];
}

/** Called once per scored record, synchronously, with the cells it was scored on (valid only during the call). */
export type OnScored = (result: Prediction, record: unknown, row: readonly Cell[]) => void;

export class Predictor {
  readonly validator: RecordValidator;
  readonly classes: Float64Array;
  readonly positiveIndex: number;
  private readonly row: Cell[];
  private readonly proba: Float64Array;

  constructor(
    readonly served: ServedModel,
    readonly thresholds: RiskThresholds,
    readonly validatorOptions: ValidatorOptions = {},
  ) {
    const model = served.model;
    this.validator = new RecordValidator(model.signature.inputs, model.referenceProfile, validatorOptions);
    const classes = model.classes;
    if (!classes || classes.length === 0)
      throw new Error(`Model '${served.uri}' is not a classifier: it has no classes to predict`);
    this.classes = classes;
    const one = classes.indexOf(1);
    this.positiveIndex = one >= 0 ? one : classes.length - 1;
    this.row = this.validator.newRow();
    this.proba = new Float64Array(classes.length);
  }

  /** Validates every record first (a bad one refuses the whole request), then scores them. */
  predictRecords(records: readonly unknown[], onScored?: OnScored): Prediction[] {
    const rows: Cell[][] = [];
    const flags: (OutOfRange[] | undefined)[] = [];
    const batch = records.length > 1;
    for (let i = 0; i < records.length; i++) {
      const row = batch ? this.validator.newRow() : this.row;
      flags.push(this.validator.validateInto(records[i], row, batch ? i : undefined));
      rows.push(row);
    }
    const out: Prediction[] = new Array(records.length);
    for (let i = 0; i < rows.length; i++) {
      out[i] = this.scoreRow(rows[i], randomUUID(), flags[i]);
      onScored?.(out[i], records[i], rows[i]);
    }
    return out;
  }

  private scoreRow(row: Cell[], requestId: string, flagged: OutOfRange[] | undefined): Prediction {
    const p = this.served.model.pipeline.predictProbaRow(row, this.proba);
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
    const probability = p[this.positiveIndex];
    const result: Prediction = {
      prediction: this.classes[best],
      probability,
      confidence: p[best],
      risk_level: riskLevel(probability, this.thresholds),
      model_name: this.served.name,
      model_version: this.served.version,
      request_id: requestId,
    };
    if (flagged) result.out_of_range = flagged;
    return result;
  }
}
