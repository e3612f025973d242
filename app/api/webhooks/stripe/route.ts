import { route, stripeWebhookEndpoint } from '@/lib/api';
import { handleStripeWebhook } from '@/lib/billing';

export const dynamic = 'force-dynamic';

export const POST = route(stripeWebhookEndpoint, async ({ request }) => {
  // The raw text: the signature is over the exact bytes Stripe sent, so it is verified before any parsing.
  const { duplicate } = await handleStripeWebhook(await request.text(), request.headers.get('stripe-signature'));
  return { received: true, duplicate };
});
