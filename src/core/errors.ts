/** Coded errors raised by the core and adapters; the edges (CLI, bot, console) map them to messages. */

export interface FileProblem {
  file: string;
  /** 1-based line in that file, the header being line 1; 0 when the problem is with the file as a whole. */
  line: number;
  column?: string;
  message: string;
}

export function formatProblem(p: FileProblem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}

/** Input files are unusable; nothing was written. */
export class DataError extends Error {
  readonly code = 'DATA_ERROR';
  constructor(readonly problems: FileProblem[]) {
    super(problems.slice(0, 20).map(formatProblem).join('\n'));
    this.name = 'DataError';
  }
}

export class NotFoundError extends Error {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly what: 'customer' | 'segment' | 'model' | 'dataset',
    readonly key: string,
    readonly suggestions: string[] = [],
  ) {
    super(`${what} not found: ${key}`);
    this.name = 'NotFoundError';
  }
}

/** The store has no trained model yet. */
export class NoModelError extends Error {
  readonly code = 'NO_MODEL';
  constructor() {
    super('no active model: ingest a data set and train first');
    this.name = 'NoModelError';
  }
}

/** Training on a new data set did not finish; the previous model is still active. */
export class TrainingFailedError extends Error {
  readonly code = 'TRAINING_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TrainingFailedError';
  }
}

/** Another process held the lease longer than the caller would wait; nothing was done. */
export class LeaseBusyError extends Error {
  readonly code = 'LEASE_BUSY';
  constructor(
    readonly lease: string,
    readonly waitedMs: number,
  ) {
    super(`lease ${lease} still held by another process after ${Math.round(waitedMs / 1000)} s`);
    this.name = 'LeaseBusyError';
  }
}

/** The lease a piece of work held was taken by another process (this one stalled past its expiry): the work stopped. */
export class LeaseTakenError extends Error {
  readonly code = 'LEASE_TAKEN';
  constructor(readonly lease: string) {
    super(`lease ${lease} was taken over by another process`);
    this.name = 'LeaseTakenError';
  }
}
