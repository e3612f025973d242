/**
 * `npm run create-operator -- --email you@example.com [--name "Ann Operator"] [--promote]`: the first platform
 * operator of a database that has no demo data. The password is read from stdin when stdin is not a terminal
 * (`… < password.txt`, or piped from a secret manager); otherwise one is generated and shown once. `--promote` makes
 * an existing account an operator instead (its password is kept).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ZodError } from 'zod';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, name: { type: 'string' }, promote: { type: 'boolean', default: false } },
  });
  if (!values.email) throw new Error('give the operator\'s email: npm run create-operator -- --email you@example.com');
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set: point it at the database to add the operator to');
  const isGenerated = process.stdin.isTTY === true && !values.promote;
  const password = values.promote ? undefined : isGenerated ? randomBytes(18).toString('base64url') : await readStdin();

  const { createPlatformOperator } = await import('../lib/auth');
  const { closeDb } = await import('../db/client');
  try {
    const outcome = await createPlatformOperator({ email: values.email, name: values.name, password, promote: values.promote });
    const messages = {
      created: `created platform operator ${values.email}`,
      promoted: `${values.email} is now a platform operator (password unchanged)`,
      already_operator: `${values.email} is already a platform operator; nothing changed`,
    };
    process.stdout.write(`${messages[outcome]}\n`);
    if (outcome === 'created' && isGenerated) process.stdout.write(`password (shown once, store it now): ${password}\n`);
  } finally {
    await closeDb();
  }
}

main().catch((error: unknown) => {
  const message =
    error instanceof ZodError ? error.issues.map((issue) => `${issue.path.join('.') || 'input'} ${issue.message}`).join('; ') : error instanceof Error ? error.message : String(error);
  process.stderr.write(`[sitework] create-operator failed: ${message}\n`);
  process.exit(1);
});
