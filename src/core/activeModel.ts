import { loadModel, type Model } from '../ml/index.ts';
import type { FeatureName, ModelVersion } from './domain.ts';
import type { FeatureDirection } from './importance.ts';
import { NoModelError } from './errors.ts';
import type { Logger, Store } from './ports.ts';
import type { ExplanationInfo } from './explanations.ts';
import { indirectSignals, type IndirectSignals, type LearnedDirection } from './indirect.ts';
import type { FeatureStats } from './training.ts';
import type { SegmentCutoffs } from './segments.ts';

export interface LoadedModel {
  meta: ModelVersion;
  model: Model;
  stats: FeatureStats;
  importance: { feature: string; importance: number }[];
  /** Segment cut-offs of the training data set; absent for models stored before they were recorded. */
  cutoffs?: SegmentCutoffs;
  /** Where explanations come from; absent for models stored before it was recorded. */
  explanations?: ExplanationInfo;
  /** Features whose drivers stand for something else under this model (src/core/indirect.ts), read once at load. */
  indirect: IndirectSignals;
  /**
   * Which way each feature goes with the stored scores (/top_features), measured at train time;
   * empty for models stored before it was recorded (their answer names no direction until a retrain).
   */
  featureDirections: Partial<Record<FeatureName, FeatureDirection>>;
}

/** A stored model version, deserialised; null when the version does not exist. Throws on a corrupted row. */
export async function loadStoredModel(store: Store, version: number): Promise<LoadedModel | null> {
  const stored = await store.models.get(version);
  if (!stored) return null;
  const metrics = stored.meta.metrics as {
    featureStats?: FeatureStats;
    importance?: LoadedModel['importance'];
    segmentCutoffs?: SegmentCutoffs;
    explanations?: ExplanationInfo;
    directions?: LearnedDirection[];
    featureDirections?: LoadedModel['featureDirections'];
  };
  return {
    meta: stored.meta,
    model: loadModel(stored.artifact),
    stats: metrics.featureStats ?? {},
    importance: metrics.importance ?? [],
    cutoffs: metrics.segmentCutoffs,
    explanations: metrics.explanations,
    indirect: indirectSignals(metrics.directions),
    featureDirections: metrics.featureDirections ?? {},
  };
}

/**
 * The active model, deserialised once per version. Another process (a retrain, `model use`)
 * may switch the pointer, so every call re-reads the cheap pointer and reloads only on change.
 * A corrupted artifact falls back to the newest older version that loads.
 */
export class ActiveModel {
  private cached: LoadedModel | null = null;
  /** The active pointer `cached` was resolved for: after a fallback it differs from cached.meta.version. */
  private cachedFor: number | null = null;

  constructor(
    private readonly store: Store,
    private readonly log?: Logger,
  ) {}

  async get(): Promise<LoadedModel> {
    const version = await this.store.models.activeVersion();
    if (version === null) throw new NoModelError();
    // Keyed by the pointer, not the loaded version, so a corrupted active row is read once, not per request.
    if (this.cached && this.cachedFor === version) return this.cached;
    const candidates = (await this.store.models.list())
      .map((m) => m.version)
      .filter((v) => v <= version)
      .sort((a, b) => b - a);
    for (const v of candidates) {
      const loaded = await this.tryLoad(v);
      if (loaded) {
        if (v !== version) this.log?.warn('active model unreadable, answering with an older version', { active: version, used: v });
        this.cached = loaded;
        this.cachedFor = version;
        return loaded;
      }
    }
    throw new NoModelError();
  }

  private async tryLoad(version: number): Promise<LoadedModel | null> {
    try {
      return await loadStoredModel(this.store, version);
    } catch (err) {
      this.log?.error('model version failed to load', { version, error: (err as Error).message });
      return null;
    }
  }
}
