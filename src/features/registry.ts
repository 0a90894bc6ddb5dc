/**
 * The one list of commands. The bot, the console, the CLI and the command menu iterate it, so a
 * new command is a new module plus one line here. Each feature gets only the services it uses.
 */
import type { Assistant } from '../core/assistant.ts';
import type { SpreadsheetWriter, SubscriberRepository } from '../core/ports.ts';
import type { BandThresholds } from '../core/risk.ts';
import type { MoneyUnits } from '../messages.ts';
import { campaignFeature } from './campaign.ts';
import type { CampaignServices } from './campaignServices.ts';
import type { ChartRenderer } from './charts/index.ts';
import type { Feature } from './feature.ts';
import { modelFeature } from './model.ts';
import { contactFeature } from './outreach.ts';
import { planFeature } from './plan.ts';
import { riskFeature } from './risk.ts';
import { exportFeature, segmentFeature } from './segment.ts';
import { helpFeature, startFeature } from './start.ts';
import { subscribeFeature, unsubscribeFeature } from './subscribe.ts';
import { topFeaturesFeature } from './topFeatures.ts';
import { uploadFeature, type UploadHelp } from './upload.ts';

export interface FeatureDeps {
  assistant: Assistant;
  charts: ChartRenderer;
  thresholds: BandThresholds;
  subscribers: SubscriberRepository;
  /** When the next digest goes out, phrased for people. */
  nextDigest: () => string | null;
  /** Dates and times are shown in this zone (DIGEST_TIMEZONE). */
  timeZone: string;
  upload: UploadHelp;
  /** What the export's revenue and profit are measured in (MONEY_UNIT, PROFIT_UNIT). */
  units: MoneyUnits;
  /** The weekly call list, outreach and results (src/app/campaign.ts). */
  campaign: CampaignServices;
  spreadsheets: Pick<SpreadsheetWriter, 'xlsx'>;
}

export function createFeatures(d: FeatureDeps): Feature[] {
  const { assistant, charts, campaign, timeZone, units } = d;
  const card = { assistant, campaign, timeZone, units };
  const features: Feature[] = [
    startFeature({ exampleId: assistant.exampleId }),
    helpFeature({ menu: () => features.map((f) => ({ command: f.command, description: f.description })), units, exampleId: assistant.exampleId }),
    riskFeature({ ...card, charts }),
    planFeature({ campaign, card, timeZone, units }),
    contactFeature({ campaign, exampleId: assistant.exampleId }),
    campaignFeature({ campaign, charts, units }),
    segmentFeature({ assistant, charts, units }),
    topFeaturesFeature({ assistant, charts }),
    modelFeature({ assistant, charts, timeZone }),
    exportFeature({ assistant, campaign, xlsx: d.spreadsheets.xlsx, timeZone, units }),
    uploadFeature(d.upload),
    subscribeFeature({ subscribers: d.subscribers, nextDigest: d.nextDigest }),
    unsubscribeFeature({ subscribers: d.subscribers }),
  ];
  return features;
}
