/** The reader's options and result, apart from the reader so its parts can name them without a cycle. */
import type { CleanDataset } from '../../core/domain.ts';
import type { CustomerSink } from '../../core/ports.ts';
import type { CsvFormat } from './reader.ts';
import type { Role } from './schema.ts';
import type { ZipLimits } from './zip.ts';

export interface ReadOptions {
  /** Refuse files without the «Покупательская активность» column (training needs labels). */
  requireLabel?: boolean;
  /** Problems kept per file before the rest are only counted (default 1000). */
  maxProblemsPerFile?: number;
  /** k of the Q3 + k·IQR revenue outlier rule (default 10, see clean.ts). */
  outlierIqrK?: number;
  /** Caps on what an uploaded ZIP may inflate to (default DEFAULT_ZIP_LIMITS). */
  zipLimits?: Readonly<ZipLimits>;
  /**
   * Receives the kept customers while market_file.csv (then read last) is still being read. Nothing
   * reaches it after the first problem; the result is still the authority (see ingest.ts).
   */
  sink?: CustomerSink;
}

export interface FileFormat extends CsvFormat {
  decimal: 'comma' | 'point' | 'mixed' | 'none';
}

/** A CleanDataset plus what was detected about each file and the outlier threshold used. */
export interface IngestResult extends CleanDataset {
  formats: Partial<Record<Role, FileFormat>>;
  /** Monthly revenue above which a customer was dropped as an outlier (Infinity: rule not applied). */
  outlierThreshold: number;
}
