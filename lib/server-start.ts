import 'server-only';
import { config } from '@/lib/config';
import { startMailDelivery } from '@/lib/mail';
import { logger } from '@/lib/telemetry';
import { assertAppRoleIsRestricted } from '@/lib/tenancy';

/** Start-up of a server process: validate config, refuse an RLS-bypassing role, start the mail outbox. */
export async function startServer(): Promise<void> {
  config();
  await assertAppRoleIsRestricted();
  startMailDelivery();
  logger.info({ appUrl: config().APP_URL }, 'sitework server ready');
}
