/** The data adapters the composition root wires in. */
export { readDatasetDir, readDatasetFiles } from './csv/ingest.ts';
export { openStore, type SqliteStore } from './sqlite/store.ts';
export { synthesize } from './synth.ts';
