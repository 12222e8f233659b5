// Damped Newton's method for smooth convex objectives with a dense Hessian (small parameter counts).

export interface NewtonProblem {
  /** Number of parameters. */
  size: number;
  /** Objective at theta; fills grad (when given) and hess (when given, dense row-major; needs grad). */
  evaluate(theta: Float64Array, grad?: Float64Array, hess?: Float64Array): number;
  /** Projects a step onto the subspace the problem lives in (removes exact null directions). */
  project?(step: Float64Array): void;
}

export interface NewtonResult {
  theta: Float64Array;
  nIter: number;
  converged: boolean;
  value: number;
}

/**
 * Minimises a convex objective: each iteration solves H d = −g by Cholesky (adding a small ridge
 * if H is numerically singular) and backtracks until the Armijo condition holds. Stops when
 * max |g| ≤ tol (scikit-learn's lbfgs gtol criterion) or after maxIter iterations.
 */
const STEP_TOL = 1e-9;
const DECREMENT_TOL = 1e-20;

export function minimizeNewton(
  problem: NewtonProblem,
  theta0: Float64Array,
  tol: number,
  maxIter: number,
): NewtonResult {
  const m = problem.size;
  let theta = Float64Array.from(theta0);
  let grad = new Float64Array(m);
  let hess = new Float64Array(m * m);
  const step = new Float64Array(m);
  let trial = new Float64Array(m);
  let trialGrad = new Float64Array(m);
  // The full step is almost always accepted: it is evaluated with its gradient and Hessian in one
  // pass, which then become the next iterate's without evaluating it again.
  let trialHess = new Float64Array(m * m);
  let value = problem.evaluate(theta, grad, hess);
  for (let iter = 0; iter < maxIter; iter++) {
    solveNewtonStep(hess, grad, step, m);
    problem.project?.(step);
    let slope = dot(grad, step);
    // Converged when the gradient is within tol and the Newton step (or its predicted decrease,
    // the Newton decrement) is negligible: weakly regularised directions (one-hot columns
    // collinear with the intercept) need the second test to settle.
    const gradOk = maxAbs(grad) <= tol;
    if (
      gradOk &&
      (maxAbs(step) <= STEP_TOL * Math.max(1, maxAbs(theta)) || -slope <= DECREMENT_TOL * Math.max(1, Math.abs(value)))
    ) {
      return { theta, nIter: iter, converged: true, value };
    }
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): fall back to steepest descent.
      for (let k = 0; k < m; k++) step[k] = -grad[k];
      problem.project?.(step);
      slope = -dot(grad, grad);
    }
    let t = 1;
    let accepted = false;
    let v = NaN;
    for (let ls = 0; ls < 60; ls++) {
      for (let k = 0; k < m; k++) trial[k] = theta[k] + t * step[k];
      // The trial's gradient is needed near the optimum, where the objective cannot resolve the
      // decrease: there a step is accepted when it shrinks the gradient.
      v =
        t === 1
          ? problem.evaluate(trial, trialGrad, trialHess)
          : problem.evaluate(trial, gradOk ? trialGrad : undefined);
      if (
        v <= value + 1e-4 * t * slope ||
        (gradOk && v <= value + 1e-12 * Math.abs(value) && maxAbs(trialGrad) < maxAbs(grad))
      ) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    // No sufficient decrease possible: at the optimum up to rounding of the objective.
    if (!accepted) return { theta, nIter: iter + 1, converged: gradOk, value };
    [theta, trial] = [trial, theta];
    if (t === 1) {
      [grad, trialGrad] = [trialGrad, grad];
      [hess, trialHess] = [trialHess, hess];
      value = v;
    } else {
      value = problem.evaluate(theta, grad, hess);
    }
    // Within tol, a full Newton step that needed damping means the objective is at rounding level.
    if (gradOk && t < 1) return { theta, nIter: iter + 1, converged: true, value };
  }
  return { theta, nIter: maxIter, converged: maxAbs(grad) <= tol, value };
}

function solveNewtonStep(hess: Float64Array, grad: Float64Array, out: Float64Array, m: number): void {
  let maxDiag = 0;
  for (let k = 0; k < m; k++) maxDiag = Math.max(maxDiag, Math.abs(hess[k * m + k]));
  let ridge = 0;
  const L = new Float64Array(m * m);
  for (let attempt = 0; attempt < 20; attempt++) {
    if (cholesky(hess, L, m, ridge)) {
      for (let k = 0; k < m; k++) out[k] = -grad[k];
      choleskySolveInPlace(L, out, m);
      return;
    }
    ridge = ridge === 0 ? 1e-12 * Math.max(1, maxDiag) : ridge * 10;
  }
  for (let k = 0; k < m; k++) out[k] = -grad[k];
}

/** Lower Cholesky factor of (A + ridge·I); false when not positive definite. */
function cholesky(A: Float64Array, L: Float64Array, m: number, ridge: number): boolean {
  L.fill(0);
  for (let j = 0; j < m; j++) {
    let d = A[j * m + j] + ridge;
    for (let k = 0; k < j; k++) d -= L[j * m + k] * L[j * m + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    L[j * m + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      let s = A[i * m + j];
      for (let k = 0; k < j; k++) s -= L[i * m + k] * L[j * m + k];
      L[i * m + j] = s / ljj;
    }
  }
  return true;
}

function choleskySolveInPlace(L: Float64Array, b: Float64Array, m: number): void {
  for (let i = 0; i < m; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * m + k] * b[k];
    b[i] = s / L[i * m + i];
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < m; k++) s -= L[k * m + i] * b[k];
    b[i] = s / L[i * m + i];
  }
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) {
    const v = Math.abs(a[k]);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}
