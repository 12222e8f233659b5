// Public surface of the tree models.
export { DecisionTreeClassifier, type DecisionTreeParams } from './decision-tree.js';
export type { FlatTree } from './flat-tree.js';
export type { ClassWeight, MaxFeatures } from './tree-params.js';
