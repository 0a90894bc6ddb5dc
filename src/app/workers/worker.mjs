// A worker thread does not inherit the parent's loader hooks: register tsx here, as bin/retention.js does.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
