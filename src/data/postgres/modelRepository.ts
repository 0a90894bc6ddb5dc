import type pg from 'pg';
import type { CustomerScore, ModelVersion } from '../../core/domain.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { DerivedTables, ModelRepository, NewModel, StoredModel } from '../../core/ports.ts';
import { jsonText, readJson } from '../storedJson.ts';
import { copyBinary, type CopyValue } from './copy.ts';
import type { PgExplanationRepository } from './explanationRepository.ts';
import type { PgSegmentRepository } from './segmentRepository.ts';
import { changes, row, rows, transaction, type Queryable } from './sql.ts';
import { nextVersion } from './versionCounter.ts';

type MetaRow = Omit<ModelVersion, 'params' | 'metrics'> & { params: string; metrics: string };

const META_COLUMNS = `m.version, m.dataset_version AS "datasetVersion", m.created_at AS "createdAt", m.family, m.params,
  m.cv_auc AS "cvAuc", m.cv_auc_std AS "cvAucStd", m.metrics, m.scored_customers AS "scoredCustomers"`;

function toMeta({ params, metrics, ...r }: MetaRow): ModelVersion {
  const key = `version ${r.version}`;
  return {
    ...r,
    params: readJson(params, 'model', key, 'params') as Record<string, unknown>,
    metrics: readJson(metrics, 'model', key, 'metrics') as Record<string, unknown>,
  };
}

const SCORE_COPY = [
  ['model_version', 'int8'],
  ['id', 'int8'],
  ['probability', 'float8'],
] as const;

function* scoreRows(version: number, scores: readonly CustomerScore[]): Generator<CopyValue[]> {
  const r: CopyValue[] = [version, 0, 0];
  for (const s of scores) {
    r[1] = s.id;
    r[2] = s.probability;
    yield r;
  }
}

const SET_ACTIVE = `INSERT INTO active_model (slot, model_version) VALUES (1, $1)
  ON CONFLICT (slot) DO UPDATE SET model_version = excluded.model_version`;

/**
 * Models, their scores and the single «active model» pointer. Reads throw CorruptRecordError
 * (code 'CORRUPT_RECORD') when a stored JSON column no longer parses.
 */
export class PgModelRepository implements ModelRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date,
    private readonly derived: { segments: PgSegmentRepository; explanations: PgExplanationRepository },
  ) {}

  /**
   * One transaction: model row, every score (COPY), segments, explanations, pointer switch. Readers
   * on other connections see the previous model until it commits; a failure leaves it active.
   */
  saveAndActivate(model: NewModel, scores: CustomerScore[], derived: DerivedTables): Promise<ModelVersion> {
    return transaction(this.pool, async (client) => {
      if (!(await row(client, 'SELECT 1 FROM dataset WHERE version = $1', [model.datasetVersion]))) {
        throw new NotFoundError('dataset', String(model.datasetVersion));
      }
      const params = jsonText(model.params, 'params');
      const metrics = jsonText(model.metrics, 'metrics');
      const artifact = jsonText(model.artifact, 'artifact');
      const version = await nextVersion(client, 'model');
      const meta = await row<MetaRow>(
        client,
        `INSERT INTO model AS m (version, dataset_version, created_at, family, params, cv_auc, cv_auc_std, metrics, artifact, scored_customers)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${META_COLUMNS}`,
        [version, model.datasetVersion, this.now().toISOString(), model.family, params, model.cvAuc, model.cvAucStd, metrics, artifact, scores.length],
      );
      await copyBinary(client, 'score', SCORE_COPY, scoreRows(version, scores));
      await this.derived.segments.write(client, version, derived.segments);
      await this.derived.explanations.writeNew(client, version, derived.explanations);
      await client.query(SET_ACTIVE, [version]);
      return toMeta(meta!);
    });
  }

  async get(version: number): Promise<StoredModel | null> {
    const r = await row<MetaRow & { artifact: string }>(this.pool, `SELECT ${META_COLUMNS}, m.artifact FROM model m WHERE m.version = $1`, [version]);
    if (!r) return null;
    const { artifact, ...meta } = r;
    return { meta: toMeta(meta), artifact: readJson(artifact, 'model', `version ${version}`, 'artifact') };
  }

  async meta(version: number): Promise<ModelVersion | null> {
    const r = await row<MetaRow>(this.pool, `SELECT ${META_COLUMNS} FROM model m WHERE m.version = $1`, [version]);
    return r ? toMeta(r) : null;
  }

  /** Oldest first, without artifacts. */
  async list(): Promise<(ModelVersion & { active: boolean })[]> {
    const all = await rows<MetaRow & { active: boolean }>(
      this.pool,
      `SELECT ${META_COLUMNS}, a.slot IS NOT NULL AS active FROM model m LEFT JOIN active_model a ON a.model_version = m.version ORDER BY m.version`,
    );
    return all.map(({ active, ...r }) => ({ ...toMeta(r), active }));
  }

  activeVersion(): Promise<number | null> {
    return activeModelVersion(this.pool);
  }

  async activate(version: number): Promise<void> {
    if (!(await row(this.pool, 'SELECT 1 FROM model WHERE version = $1', [version]))) throw new NotFoundError('model', String(version));
    await changes(this.pool, SET_ACTIVE, [version]);
  }

  async score(modelVersion: number, customerId: number): Promise<number | null> {
    const r = await row<{ probability: number }>(this.pool, 'SELECT probability FROM score WHERE model_version = $1 AND id = $2', [modelVersion, customerId]);
    return r?.probability ?? null;
  }

  scores(modelVersion: number): Promise<CustomerScore[]> {
    return rows<CustomerScore>(this.pool, 'SELECT id, probability FROM score WHERE model_version = $1 ORDER BY id', [modelVersion]);
  }
}

export async function activeModelVersion(db: Queryable): Promise<number | null> {
  return (await row<{ v: number }>(db, 'SELECT model_version AS v FROM active_model WHERE slot = 1'))?.v ?? null;
}
