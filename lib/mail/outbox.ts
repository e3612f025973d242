import 'server-only';
import { desc, eq, sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { TTx } from '@/db/client';
import { emailOutbox } from '@/db/schema/mail';
import { config } from '@/lib/config';
import { withPlatform } from '@/lib/tenancy';
import { logger } from '@/lib/telemetry';

export interface TEmail {
  tenantId: string | null;
  to: string;
  subject: string;
  text: string;
}

/** Queues a message in the caller's transaction: it is sent only if that transaction commits. */
export async function enqueueEmail(tx: TTx, email: TEmail): Promise<void> {
  await tx.insert(emailOutbox).values({
    tenantId: email.tenantId,
    toAddress: email.to,
    subject: email.subject,
    bodyText: email.text,
  });
}

/** The newest message queued for an address, sent or not (for the e2e suite's test route only). */
export async function latestEmailTo(address: string): Promise<Pick<TEmail, 'to' | 'subject' | 'text'> | null> {
  const [row] = await withPlatform((tx) =>
    tx
      .select({ to: emailOutbox.toAddress, subject: emailOutbox.subject, text: emailOutbox.bodyText })
      .from(emailOutbox)
      .where(eq(emailOutbox.toAddress, address))
      .orderBy(desc(emailOutbox.createdAt))
      .limit(1),
  );
  return row ?? null;
}

const MAX_ATTEMPTS = 8;
let transport: nodemailer.Transporter | undefined;

async function send(row: typeof emailOutbox.$inferSelect): Promise<void> {
  const { SMTP_URL, MAIL_FROM } = config();
  if (!SMTP_URL) {
    // Without SMTP the console is the mailbox: the link is printed for the operator to pass on.
    logger.info({ mail: { to: row.toAddress, subject: row.subject } }, `email to ${row.toAddress}\n${row.bodyText}`);
    return;
  }
  transport ??= nodemailer.createTransport(SMTP_URL);
  await transport.sendMail({ from: MAIL_FROM, to: row.toAddress, subject: row.subject, text: row.bodyText });
}

/**
 * Sends what is pending. SKIP LOCKED lets several processes drain the outbox without sending a message twice.
 * Returns the number of messages sent.
 */
export async function deliverPendingEmails(batchSize = 20): Promise<number> {
  return withPlatform(async (tx) => {
    const rows = await tx
      .select()
      .from(emailOutbox)
      .where(sql`${emailOutbox.sentAt} is null and ${emailOutbox.attempts} < ${MAX_ATTEMPTS}`)
      .orderBy(emailOutbox.createdAt)
      .limit(batchSize)
      .for('update', { skipLocked: true });
    let sent = 0;
    for (const row of rows) {
      try {
        await send(row);
        await tx.update(emailOutbox).set({ sentAt: new Date(), attempts: row.attempts + 1 }).where(eq(emailOutbox.id, row.id));
        sent += 1;
      } catch (error) {
        logger.warn({ err: error, emailId: row.id }, 'email delivery failed; will retry');
        await tx
          .update(emailOutbox)
          .set({ attempts: row.attempts + 1, lastError: String(error) })
          .where(eq(emailOutbox.id, row.id));
      }
    }
    return sent;
  });
}

let timer: NodeJS.Timeout | undefined;

/** Sweeps the outbox every two seconds: mail is sent shortly after its transaction commits, crash or not. */
export function startMailDelivery(intervalMs = 2_000): void {
  if (timer) return;
  timer = setInterval(() => void deliverPendingEmails().catch((err) => logger.warn({ err }, 'outbox sweep failed')), intervalMs);
  timer.unref();
}
