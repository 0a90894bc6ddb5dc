/**
 * The served customer base by segment, read from the tables stored with each model version: an
 * answer reads six aggregate rows and a page of members by primary key, never the data set. A
 * model stored before segments were (or whose thresholds changed since) gets its tables built
 * once, off the answering event loop (BackgroundWork), and stored for every later answer.
 */
import type { LoadedModel } from './activeModel.ts';
import type { BackgroundWork, SegmentSet, Store } from './ports.ts';
import {
  buildSegmentTables,
  segmentCutoffs,
  type SegmentCode,
  type SegmentMember,
  type SegmentOverview,
  type SegmentSettings,
  type SegmentSummary,
} from './segments.ts';

/** Members read per query when a whole segment is asked for; the event loop gets a turn between pages. */
export const MEMBER_PAGE = 5000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Builds and stores the segments of a stored model version from its data set and scores: the one
 * full read, for a model whose segments were not stored at train time.
 */
export async function storeSegmentsOf(store: Store, modelVersion: number, settings: SegmentSettings): Promise<SegmentSet> {
  const existing = await store.segments.find(modelVersion, settings);
  if (existing) return existing;
  const meta = await store.models.meta(modelVersion);
  if (!meta) throw new Error(`model v${modelVersion} is not in the store`);
  const customers = await store.datasets.customers(meta.datasetVersion);
  const scores = new Map((await store.models.scores(modelVersion)).map((s) => [s.id, s.probability]));
  const stored = (meta.metrics as { segmentCutoffs?: ReturnType<typeof segmentCutoffs> }).segmentCutoffs;
  const tables = buildSegmentTables(customers, (i) => scores.get(customers[i].id) ?? NaN, stored ?? segmentCutoffs(customers), settings);
  return store.segments.save(modelVersion, tables);
}

export class Portfolio {
  private readonly building = new Map<number, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly work: BackgroundWork,
    private readonly settings: SegmentSettings,
  ) {}

  /** The stored segments of the loaded model, built first if it has none (once, however many ask). */
  async set(loaded: LoadedModel): Promise<SegmentSet> {
    const version = loaded.meta.version;
    const found = await this.store.segments.find(version, this.settings);
    if (found) return found;
    let build = this.building.get(version);
    if (!build) {
      build = this.work.buildSegments(version, this.settings).finally(() => this.building.delete(version));
      this.building.set(version, build);
    }
    await build;
    const built = await this.store.segments.find(version, this.settings);
    if (!built) throw new Error(`segments of model v${version} were built but are not in the store`);
    return built;
  }

  /** Every segment's aggregates with its first `members` members. */
  async summaries(loaded: LoadedModel, members: number): Promise<SegmentSummary[]> {
    const set = await this.set(loaded);
    const aggregates = await this.store.segments.aggregates(set);
    return Promise.all(
      aggregates.map(async (a) => ({ ...a, members: members > 0 ? await this.store.segments.members(set, a.code, 0, members) : [] })),
    );
  }

  /** Every segment's aggregates and their overlaps: six summary rows and at most 63 combination rows, no member. */
  async overview(loaded: LoadedModel): Promise<SegmentOverview> {
    const set = await this.set(loaded);
    const [segments, combinations] = await Promise.all([this.store.segments.aggregates(set), this.store.segments.combinations(set)]);
    return { segments, combinations };
  }

  /** One segment with its first `members` members, or all of them, read page by page. */
  async summary(loaded: LoadedModel, code: SegmentCode, members: number | 'all'): Promise<SegmentSummary> {
    const set = await this.set(loaded);
    const aggregate = (await this.store.segments.aggregates(set)).find((a) => a.code === code);
    if (!aggregate) throw new Error(`segment ${code} is missing from model v${set.modelVersion}`);
    const limit = members === 'all' ? aggregate.size : members;
    const out: SegmentMember[] = [];
    for (let offset = 0; offset < limit; offset += MEMBER_PAGE) {
      if (offset > 0) await nextTurn();
      out.push(...(await this.store.segments.members(set, code, offset, Math.min(MEMBER_PAGE, limit - offset))));
    }
    return { ...aggregate, members: out };
  }
}
