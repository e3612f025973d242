import 'server-only';
import { and, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { TTx } from '@/db/client';
import { emailOutbox } from '@/db/schema/mail';
import { config } from '@/lib/config';
import { platformDb, withPlatform } from '@/lib/tenancy';
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
/** How long a claimed message is left to its sweep: far longer than one send takes (SMTP_TIMEOUT_MS bounds each wait). */
const CLAIM_LEASE_SECONDS = 300;
/** After the n-th failed attempt the message waits 30 s × 2^(n-1), at most an hour. */
const RETRY_BASE_SECONDS = 30;
const MAX_RETRY_SECONDS = 3_600;

type TOutboxRow = Pick<typeof emailOutbox.$inferSelect, 'id' | 'toAddress' | 'subject' | 'bodyText'>;

let transport: { smtpUrl: string; transporter: nodemailer.Transporter } | undefined;

async function send(row: TOutboxRow): Promise<void> {
  const { SMTP_URL, MAIL_FROM, SMTP_TIMEOUT_MS } = config();
  if (!SMTP_URL) {
    // Without SMTP the console is the mailbox: the link is printed for the operator to pass on.
    logger.info({ mail: { to: row.toAddress, subject: row.subject } }, `email to ${row.toAddress}\n${row.bodyText}`);
    return;
  }
  if (transport?.smtpUrl !== SMTP_URL) {
    // nodemailer's own defaults wait up to 2 minutes to connect and 10 minutes on a silent socket. The transport
    // is built directly: createTransport({ url, … }) would drop every option but the URL's.
    const transporter = nodemailer.createTransport(
      new SMTPTransport({
        url: SMTP_URL,
        connectionTimeout: SMTP_TIMEOUT_MS,
        greetingTimeout: SMTP_TIMEOUT_MS,
        socketTimeout: SMTP_TIMEOUT_MS,
        dnsTimeout: SMTP_TIMEOUT_MS,
      }),
    );
    transport = { smtpUrl: SMTP_URL, transporter };
  }
  await transport.transporter.sendMail({ from: MAIL_FROM, to: row.toAddress, subject: row.subject, text: row.bodyText });
}

/**
 * Claims the oldest message due (one statement, no transaction left open): an attempt is counted and the message
 * leased to this sweep. SKIP LOCKED lets concurrent sweeps claim different messages.
 */
async function claimNextEmail(): Promise<TOutboxRow | undefined> {
  const db = platformDb();
  const due = db
    .select({ id: emailOutbox.id })
    .from(emailOutbox)
    .where(
      and(
        isNull(emailOutbox.sentAt),
        lt(emailOutbox.attempts, MAX_ATTEMPTS),
        lte(emailOutbox.availableAt, sql`now()`),
        or(isNull(emailOutbox.claimedUntil), lte(emailOutbox.claimedUntil, sql`now()`)),
      ),
    )
    .orderBy(emailOutbox.createdAt)
    .limit(1)
    .for('update', { skipLocked: true });
  const [row] = await db
    .update(emailOutbox)
    .set({ attempts: sql`${emailOutbox.attempts} + 1`, claimedUntil: sql`now() + make_interval(secs => ${CLAIM_LEASE_SECONDS})` })
    .where(inArray(emailOutbox.id, due))
    .returning({ id: emailOutbox.id, toAddress: emailOutbox.toAddress, subject: emailOutbox.subject, bodyText: emailOutbox.bodyText });
  return row;
}

/**
 * Sends what is due, one message at a time: claim (a short statement) → send (no transaction held, however long
 * the SMTP server takes) → record sent or failed (another short statement). A sweep that dies mid-send leaves
 * only that message claimed; it is sent again once its lease is over, and nothing else was claimed. A failed
 * message backs off; the sweep stops at the first failure (the server is likely down) and the next one goes on.
 * Returns the number of messages sent.
 */
export async function deliverPendingEmails(batchSize = 20): Promise<number> {
  let sent = 0;
  for (let i = 0; i < batchSize; i++) {
    const row = await claimNextEmail();
    if (!row) break;
    try {
      await send(row);
    } catch (error) {
      logger.warn({ err: error, emailId: row.id }, 'email delivery failed; will retry');
      await platformDb()
        .update(emailOutbox)
        .set({
          claimedUntil: null,
          lastError: String(error).slice(0, 500),
          availableAt: sql`now() + make_interval(secs => least(${RETRY_BASE_SECONDS} * power(2, ${emailOutbox.attempts} - 1), ${MAX_RETRY_SECONDS}))`,
        })
        .where(eq(emailOutbox.id, row.id));
      break;
    }
    await platformDb().update(emailOutbox).set({ sentAt: sql`now()`, claimedUntil: null, lastError: null }).where(eq(emailOutbox.id, row.id));
    sent += 1;
  }
  return sent;
}

let timer: NodeJS.Timeout | undefined;

/** Sweeps the outbox every two seconds: mail is sent shortly after its transaction commits, crash or not. */
export function startMailDelivery(intervalMs = 2_000): void {
  if (timer) return;
  let isRunning = false;
  timer = setInterval(() => {
    // One sweep at a time per process: a slow SMTP server is not met by a pile of sweeps.
    if (isRunning) return;
    isRunning = true;
    void deliverPendingEmails()
      .catch((err) => logger.warn({ err }, 'outbox sweep failed'))
      .finally(() => {
        isRunning = false;
      });
  }, intervalMs);
  timer.unref();
}
