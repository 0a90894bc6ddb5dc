/** What webhook mode needs from the app: the shared update claims, who this replica is, its health. */
import { hostname } from 'node:os';
import type { HealthReport } from '../bot/webhookHandler.ts';
import type { UpdateClaims } from '../core/ports.ts';
import type { App } from './types.ts';

export interface WebhookWiring {
  claims: UpdateClaims;
  owner: string;
  health(): Promise<HealthReport>;
}

export function webhookWiring(app: Pick<App, 'store'>): WebhookWiring {
  return {
    claims: app.store.updateClaims,
    owner: `${hostname()}:${process.pid}`,
    health: () => storeHealth(app.store),
  };
}

/** One query answers both questions: it fails when the store is down, and names the active model. */
export async function storeHealth(store: Pick<App['store'], 'models'>): Promise<HealthReport> {
  try {
    return { store: 'up', model: await store.models.activeVersion() };
  } catch {
    return { store: 'down', model: null };
  }
}
