// The typed error a REST-backed store throws for an operation MLflow's REST API cannot express.
import { CairnError } from '../core/errors.js';

export class NotSupportedOverRest extends CairnError {
  constructor(operation: string, why: string) {
    super('NOT_IMPLEMENTED', `${operation} is not available through a tracking server's REST API: ${why}.`);
  }
}
