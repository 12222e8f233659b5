// Hot swap: with `models:/name@alias`, `models:/name/<stage>` or `models:/name/latest`, polls the
// registry and, when the URI resolves to another version, loads it beside the running one and then
// replaces the slot's model in one assignment. Scoring is synchronous, so a request that took the old
// model finishes on it and the next one gets the new one: no request fails or sees a half-swapped
// model. A version that fails to load is logged and the old model keeps serving.
import type { FastifyBaseLogger } from 'fastify';
import type { CairnClient } from '../client/cairn-client.js';
import { resolveWithClient } from '../client/model-logging.js';
import { parseModelUri } from '../models/model-uri.js';
import type { ModelSlot } from './app.js';
import { loadAndDescribe, type ServedModel } from './model-loader.js';
import { Predictor } from './predictor.js';

/** True for the URIs whose version can change under them. */
export function followsRegistry(uri: string): boolean {
  try {
    const kind = parseModelUri(uri).kind;
    return kind === 'models-alias' || kind === 'models-stage' || kind === 'models-latest';
  } catch {
    return false;
  }
}

export interface FollowerOptions {
  intervalMs: number;
  logger: FastifyBaseLogger;
  /** Called after each swap (e.g. to relabel the model-info metric). */
  onSwap?(served: ServedModel, previous: ServedModel): void;
}

export class ModelFollower {
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<boolean> | undefined;
  /** Swaps done so far. */
  swaps = 0;

  constructor(
    private readonly client: CairnClient,
    private readonly slot: ModelSlot,
    private readonly options: FollowerOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Resolves the URI again; loads and swaps when it names another version. True when it swapped. */
  check(): Promise<boolean> {
    this.checking ??= this.checkOnce().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async checkOnce(): Promise<boolean> {
    const current = this.slot.current;
    const { uri } = current.served;
    const log = this.options.logger;
    try {
      const resolved = await resolveWithClient(this.client, uri);
      const next = resolved.modelVersion;
      if (!next || (next.name === current.served.name && next.version === current.served.version)) return false;
      const served = await loadAndDescribe(this.client, uri);
      const predictor = new Predictor(served, current.thresholds, current.validatorOptions);
      this.slot.current = predictor; // the swap: one assignment, between two requests
      this.swaps++;
      log.info(
        { uri, from: current.served.version, to: served.version, model: served.name },
        'model swapped to a new version',
      );
      this.options.onSwap?.(served, current.served);
      return true;
    } catch (err) {
      log.error({ err, uri }, 'model follower: could not check or load the new version; the current one keeps serving');
      return false;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
  }
}
