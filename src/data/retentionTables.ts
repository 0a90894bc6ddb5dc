/**
 * Tables whose version columns belong to the version itself (deleted with it) rather than pointing
 * at it. Every other table with a `model_version` or `dataset_version` column — digest runs,
 * campaigns — is a reference that keeps the version it names. (The active pointer is the policy's
 * own first rule.)
 */
export const VERSION_OWNED_TABLES: ReadonlySet<string> = new Set([
  'model',
  'score',
  'segment_set',
  'explanation',
  'customer',
  'dropped_customer',
  'dataset',
  'active_model',
]);
