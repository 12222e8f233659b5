// Parameter errors shared by every estimator and transformer: a bad value names the param and the
// rule it breaks; an unknown name lists the valid ones, as scikit-learn's set_params does.

/** A param value or name that the estimator does not accept. */
export class InvalidParamError extends RangeError {
  override name = 'InvalidParamError';
}

export function paramError(name: string, rule: string, value: unknown): InvalidParamError {
  return new InvalidParamError(`${name} ${rule}, got ${JSON.stringify(value)}`);
}

/** scikit-learn's wording: "Invalid parameter 'x' for estimator LogisticRegression(). Valid parameters are: [...]". */
export function unknownParamError(owner: string, key: string, valid: readonly string[]): InvalidParamError {
  const list = valid.map((v) => `'${v}'`).join(', ');
  return new InvalidParamError(`Invalid parameter '${key}' for estimator ${owner}(). Valid parameters are: [${list}].`);
}

/** Throws unless every key of `params` is one of `valid`. */
export function checkParamNames(owner: string, params: object, valid: readonly string[]): void {
  for (const key of Object.keys(params)) if (!valid.includes(key)) throw unknownParamError(owner, key, valid);
}
