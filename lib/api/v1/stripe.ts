import { defineEndpoint } from '../endpoint';

/** Stripe's events are a few KiB; a larger body is refused unread rather than buffered to check its signature. */
export const STRIPE_WEBHOOK_MAX_BODY_BYTES = 256 * 1024;

/**
 * Stripe's webhook: public, since Stripe signs the body instead of authenticating. No body schema, so the
 * wrapper leaves the raw body for the handler (the signature covers its exact bytes). Served outside /api/v1 and
 * kept out of the OpenAPI document: it is Stripe's endpoint, not part of Sitework's API.
 */
export const stripeWebhookEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/webhooks/stripe',
  summary: 'Stripe webhook: invoice paid or failed, plan checkout completed (at most 256 KiB, else 413)',
  tag: 'Webhooks',
  access: 'public',
  responds: '{ received: true, duplicate }',
  // handleStripeWebhook records each effect in its transaction, and refused signatures.
  audit: false,
});
