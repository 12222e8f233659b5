// Imports every learn module that registers a component type, so restoreComponent can rebuild any
// pipeline a package holds (restoring only looks types up in that registry; nothing is evaluated).
import '../../learn/pipeline.js';
import '../../learn/preprocessing/index.js';
import '../../learn/linear/index.js';
import '../../learn/tree/index.js';
import '../../learn/ensemble/index.js';
import '../../learn/neighbors/index.js';
