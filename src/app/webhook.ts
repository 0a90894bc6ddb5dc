/** What webhook mode needs from the app: the shared update claims, who this replica is, its health. */
import { hostname } from 'node:os';
import { storeUpdateOrder, type UpdateOrder } from '../bot/updateOrder.ts';
import type { HealthReport } from '../bot/webhookHandler.ts';
import type { UpdateClaims } from '../core/ports.ts';
import type { App } from './types.ts';

export interface WebhookWiring {
  claims: UpdateClaims;
  owner: string;
  health(): Promise<HealthReport>;
  /** For createBot: the chat's updates in the order of their claims, whichever replica took them. */
  order: UpdateOrder;
}

export function webhookWiring(app: Pick<App, 'store' | 'log'>): WebhookWiring {
  const owner = `${hostname()}:${process.pid}`;
  return {
    claims: app.store.updateClaims,
    owner,
    health: () => storeHealth(app.store),
    order: storeUpdateOrder({ claims: app.store.updateClaims, owner, log: app.log }),
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
