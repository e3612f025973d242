import { route, STRIPE_WEBHOOK_MAX_BODY_BYTES, stripeWebhookEndpoint } from '@/lib/api';
import { originOf } from '@/lib/audit';
import { handleStripeWebhook } from '@/lib/billing';
import { readBoundedBody } from '@/lib/request-body';

export const dynamic = 'force-dynamic';

export const POST = route(stripeWebhookEndpoint, async ({ request, requestId }) => {
  // The raw text: the signature is over the exact bytes Stripe sent, so it is verified before any parsing.
  // handleStripeWebhook records what it changes (and a refused signature) in the audit log itself.
  const payload = (await readBoundedBody(request, STRIPE_WEBHOOK_MAX_BODY_BYTES, 'Webhook bodies')).toString('utf8');
  const { duplicate } = await handleStripeWebhook(payload, request.headers.get('stripe-signature'), originOf(request.headers, requestId));
  return { received: true, duplicate };
});
