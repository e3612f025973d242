import { route, stripeWebhookEndpoint } from '@/lib/api';
import { originOf } from '@/lib/audit';
import { handleStripeWebhook } from '@/lib/billing';

export const dynamic = 'force-dynamic';

export const POST = route(stripeWebhookEndpoint, async ({ request, requestId }) => {
  // The raw text: the signature is over the exact bytes Stripe sent, so it is verified before any parsing.
  // handleStripeWebhook records what it changes (and a refused signature) in the audit log itself.
  const { duplicate } = await handleStripeWebhook(await request.text(), request.headers.get('stripe-signature'), originOf(request.headers, requestId));
  return { received: true, duplicate };
});
