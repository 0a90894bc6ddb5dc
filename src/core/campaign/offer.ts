/**
 * Which single offer a planned customer gets: the one that addresses the strongest reason the
 * model sees for their risk, when an offer can address it; otherwise what their value warrants.
 */
import type { Customer, FeatureName } from '../domain.ts';
import type { IndirectSignals } from '../indirect.ts';
import type { CampaignOffer } from '../ports.ts';
import { GADGET_CATEGORIES, SEGMENT_RULES, type SegmentCutoffs, type SegmentSettings } from '../segments.ts';

/** Offers that answer a behaviour, as opposed to the value-based fallbacks. */
export type BehaviourOffer = Extract<CampaignOffer, 'cart' | 'promo' | 'surfers' | 'gadgets'>;

/**
 * Features an offer can act on, in tie-break order. Surfers are recognised by either of their two
 * signs (many categories, few pages); the favourite category only counts when it is a gadget one.
 */
export const DRIVER_OFFERS: readonly (readonly [FeatureName, BehaviourOffer])[] = [
  ['unpaidItems', 'cart'],
  ['promoShare', 'promo'],
  ['categoriesPerVisit', 'surfers'],
  ['pagesPerVisit', 'surfers'],
  ['popularCategory', 'gadgets'],
];

/** Whether the offer makes sense for this customer at all, whatever the model says. */
const APPLIES: Record<BehaviourOffer, (c: Customer) => boolean> = {
  // Reminding of an empty cart would be nonsense even if the model leans on the feature.
  cart: (c) => c.unpaidItems >= 1,
  promo: (c) => c.promoShare > 0,
  surfers: () => true,
  gadgets: (c) => GADGET_CATEGORIES.has(c.popularCategory),
};

/** One feature's signed pull on the risk, in probability points (Driver from risk.ts fits). */
export interface DriverContribution {
  feature: string;
  contribution: number;
}

export interface OfferInput {
  customer: Customer;
  probability: number;
  /** The model's per-customer contributions, any order. */
  drivers: readonly DriverContribution[];
  /**
   * The model's indirect signals (src/core/indirect.ts). None of today's candidates maps to an
   * offer, but the rule must not start naming one if a candidate list and DRIVER_OFFERS ever meet.
   */
  indirect?: IndirectSignals;
}

export interface OfferChoice {
  offer: CampaignOffer;
  /** The driver the offer addresses; null when it follows from the value segment. */
  driver: FeatureName | null;
  contribution: number | null;
}

/**
 * The rule (docs/decisions.md «Campaign offer»): among the drivers that push the risk UP
 * (contribution > 0), are not indirect signals and map to an offer that applies to the customer,
 * the largest contribution wins (ties: DRIVER_OFFERS order). Without one, a customer of the
 * «profitable» segment gets the personal call, anyone else the generic at-risk offer.
 */
export function chooseOffer(input: OfferInput, cutoffs: SegmentCutoffs, settings: SegmentSettings): OfferChoice {
  let best: OfferChoice | null = null;
  let bestRank = Infinity;
  for (const d of input.drivers) {
    if (!(d.contribution > 0) || input.indirect?.has(d.feature)) continue;
    const rank = DRIVER_OFFERS.findIndex(([feature]) => feature === d.feature);
    if (rank === -1) continue;
    const [feature, offer] = DRIVER_OFFERS[rank];
    if (!APPLIES[offer](input.customer)) continue;
    const better = best === null || d.contribution > best.contribution! || (d.contribution === best.contribution && rank < bestRank);
    if (better) {
      best = { offer, driver: feature, contribution: d.contribution };
      bestRank = rank;
    }
  }
  if (best) return best;
  const profitable = SEGMENT_RULES.profitable({ customer: input.customer, probability: input.probability }, cutoffs, settings);
  return { offer: profitable ? 'profitable' : 'at-risk', driver: null, contribution: null };
}
