/** Argument parsers shared by the `retention` commands. */
import { InvalidArgumentError } from 'commander';

export const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('not an integer');
  return n;
};
