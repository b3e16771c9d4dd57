export { eventMatches, EVENT_PATTERN } from './filter.ts';
export * from './signature.ts';
export { WebhookDelivery, type DeliveryOptions, type DeliveryResult } from './delivery.ts';
