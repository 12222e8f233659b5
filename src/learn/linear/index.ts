// Public surface of the linear models.
export * from './logistic-regression.js';
