import type Database from 'better-sqlite3';
import type { CustomerScore, ModelVersion } from '../../core/domain.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { DerivedTables, ModelRepository, NewModel, StoredModel } from '../../core/ports.ts';
import { jsonText, readJson } from '../storedJson.ts';
import type { SqliteExplanationRepository } from './explanationRepository.ts';
import type { SqliteSegmentRepository } from './segmentRepository.ts';

interface ModelRow {
  version: number;
  dataset_version: number;
  created_at: string;
  family: string;
  params: string;
  cv_auc: number;
  cv_auc_std: number;
  metrics: string;
  scored_customers: number;
}

const META_COLUMNS = 'version, dataset_version, created_at, family, params, cv_auc, cv_auc_std, metrics, scored_customers';

const parseJson = (text: string, version: number, column: string): unknown => readJson(text, 'model', `version ${version}`, column);

function toMeta(r: ModelRow): ModelVersion {
  return {
    version: r.version,
    datasetVersion: r.dataset_version,
    createdAt: r.created_at,
    family: r.family,
    params: parseJson(r.params, r.version, 'params') as Record<string, unknown>,
    cvAuc: r.cv_auc,
    cvAucStd: r.cv_auc_std,
    metrics: parseJson(r.metrics, r.version, 'metrics') as Record<string, unknown>,
    scoredCustomers: r.scored_customers,
  };
}

/**
 * Models, their scores and the single «active model» pointer.
 * `get`/`list` throw CorruptRecordError (code 'CORRUPT_RECORD') when a stored JSON column
 * no longer parses, rather than handing the core a half-read model.
 */
export class SqliteModelRepository implements ModelRepository {
  private readonly hasDataset;
  private readonly insertModel;
  private readonly insertScore;
  private readonly setActive;
  private readonly selectMeta;
  private readonly selectArtifact;
  private readonly selectAll;
  private readonly selectActive;
  private readonly selectScore;
  private readonly selectScores;
  private readonly saveTx;

  constructor(
    db: Database.Database,
    private readonly now: () => Date,
    derived: { segments: SqliteSegmentRepository; explanations: SqliteExplanationRepository },
  ) {
    this.hasDataset = db.prepare<[number], number>('SELECT 1 FROM dataset WHERE version = ?').pluck();
    this.insertModel = db.prepare(
      `INSERT INTO model (dataset_version, created_at, family, params, cv_auc, cv_auc_std, metrics, artifact, scored_customers)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertScore = db.prepare('INSERT INTO score (model_version, id, probability) VALUES (?, ?, ?)');
    this.setActive = db.prepare(
      'INSERT INTO active_model (slot, model_version) VALUES (1, ?) ON CONFLICT (slot) DO UPDATE SET model_version = excluded.model_version',
    );
    this.selectMeta = db.prepare<[number], ModelRow>(`SELECT ${META_COLUMNS} FROM model WHERE version = ?`);
    this.selectArtifact = db.prepare<[number], string>('SELECT artifact FROM model WHERE version = ?').pluck();
    this.selectAll = db.prepare<[], ModelRow>(`SELECT ${META_COLUMNS} FROM model ORDER BY version`);
    this.selectActive = db.prepare<[], number>('SELECT model_version FROM active_model WHERE slot = 1').pluck();
    this.selectScore = db.prepare<[number, number], number>('SELECT probability FROM score WHERE model_version = ? AND id = ?').pluck();
    this.selectScores = db.prepare<[number], CustomerScore>('SELECT id, probability FROM score WHERE model_version = ? ORDER BY id');

    this.saveTx = db.transaction((model: NewModel, scores: CustomerScore[], tables: DerivedTables): number => {
      if (!this.hasDataset.get(model.datasetVersion)) throw new NotFoundError('dataset', String(model.datasetVersion));
      const version = Number(
        this.insertModel.run(
          model.datasetVersion,
          this.now().toISOString(),
          model.family,
          jsonText(model.params, 'params'),
          model.cvAuc,
          model.cvAucStd,
          jsonText(model.metrics, 'metrics'),
          jsonText(model.artifact, 'artifact'),
          scores.length,
        ).lastInsertRowid,
      );
      for (const s of scores) this.insertScore.run(version, s.id, s.probability);
      // Savepoints inside this transaction: the model, its scores, segments, explanations and the pointer commit together.
      derived.segments.write(version, tables.segments);
      derived.explanations.write(version, tables.explanations);
      this.setActive.run(version);
      return version;
    });
  }

  /** One transaction: model row, every score, segments, explanations, pointer switch. A failure leaves the previous model active. */
  async saveAndActivate(model: NewModel, scores: CustomerScore[], derived: DerivedTables): Promise<ModelVersion> {
    const version = this.saveTx.immediate(model, scores, derived);
    return toMeta(this.selectMeta.get(version)!);
  }

  async get(version: number): Promise<StoredModel | null> {
    const meta = await this.meta(version);
    if (!meta) return null;
    return { meta, artifact: parseJson(this.selectArtifact.get(version)!, version, 'artifact') };
  }

  async meta(version: number): Promise<ModelVersion | null> {
    const row = this.selectMeta.get(version);
    return row ? toMeta(row) : null;
  }

  /** Oldest first, without artifacts. */
  async list(): Promise<(ModelVersion & { active: boolean })[]> {
    const active = await this.activeVersion();
    return this.selectAll.all().map((r) => ({ ...toMeta(r), active: r.version === active }));
  }

  async activeVersion(): Promise<number | null> {
    return this.selectActive.get() ?? null;
  }

  async activate(version: number): Promise<void> {
    if (!this.selectMeta.get(version)) throw new NotFoundError('model', String(version));
    this.setActive.run(version);
  }

  async score(modelVersion: number, customerId: number): Promise<number | null> {
    return this.selectScore.get(modelVersion, customerId) ?? null;
  }

  async scores(modelVersion: number): Promise<CustomerScore[]> {
    return this.selectScores.all(modelVersion);
  }
}
