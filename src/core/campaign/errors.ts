/**
 * A campaign request that cannot be honoured: no plan for that week, the customer is not on its
 * list, or the customer is held out (recording a call to a control customer would spoil the
 * measurement). The edges recognise it by `code === 'CAMPAIGN'` and word it from `reason`.
 */
export class CampaignError extends Error {
  readonly code = 'CAMPAIGN';
  constructor(
    readonly reason: 'no_plan' | 'not_in_plan' | 'held_out',
    readonly week: string,
    readonly customerId?: number,
  ) {
    super(`${reason.replace(/_/g, ' ')}: week ${week}${customerId === undefined ? '' : `, customer ${customerId}`}`);
    this.name = 'CampaignError';
  }
}
