/**
 * Vitest globalSetup: runs once per `vitest run`, not per test file, so a missing real data set
 * costs one line instead of a line in every file that skips.
 */
import { skipNotice } from './realData.ts';

export default function setup(): void {
  const notice = skipNotice();
  if (notice) console.log(notice);
}
