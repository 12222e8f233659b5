// JSON schemas of the scoring routes (Fastify validates requests and serialises responses with them).
import type { ColSpec } from '../models/package/signature.js';

const errorBody = {
  type: 'object',
  properties: { error_code: { type: 'string' }, message: { type: 'string' } },
  required: ['error_code', 'message'],
} as const;

export const errorResponses = { '4xx': errorBody, '5xx': errorBody } as const;

export const predictionSchema = {
  type: 'object',
  properties: {
    prediction: { type: 'number' },
    probability: { type: 'number' },
    confidence: { type: 'number' },
    risk_level: { type: 'string', enum: ['low', 'medium', 'high'] },
    model_name: { type: 'string' },
    model_version: { type: 'string' },
    request_id: { type: 'string' },
    out_of_range: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          field: { type: 'string' },
          value: { type: 'number' },
          low: { type: 'number' },
          high: { type: 'number' },
        },
      },
    },
  },
  required: ['prediction', 'probability', 'confidence', 'risk_level', 'model_name', 'model_version', 'request_id'],
} as const;

/** One record's JSON schema from the signature (documentation: the validator enforces the rules with named messages). */
export function recordSchema(inputs: readonly ColSpec[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const c of inputs) {
    const numeric = c.type !== 'string';
    properties[c.name!] = numeric
      ? { type: c.required ? ['number', 'string', 'boolean'] : ['number', 'string', 'boolean', 'null'] }
      : { type: c.required ? ['string', 'number', 'boolean'] : ['string', 'number', 'boolean', 'null'] };
  }
  return { type: 'object', properties, required: inputs.filter((c) => c.required).map((c) => c.name!) };
}

/** /predict: one record or a list of records. Only the outer shape is checked here; fields by RecordValidator. */
export const predictBodySchema = { type: ['object', 'array'] } as const;

export const feedbackBodySchema = {
  type: 'object',
  properties: {
    request_id: { type: 'string', minLength: 1, maxLength: 64 },
    label: { type: ['number', 'boolean', 'string'] },
  },
  required: ['request_id', 'label'],
  additionalProperties: false,
} as const;
