/**
 * `npm run db:seed`: writes the demo tenants and accounts to DATABASE_URL once. Their password is published in the
 * README: run it on a database of your own for trying things out, never on one that serves real people.
 */
import { closeDb } from '../db/client';
import { DEMO_PASSWORD, seedDemoData } from '../db/seed';

const seeded = await seedDemoData();
await closeDb();
process.stdout.write(seeded ? `demo data seeded (every demo account's password is ${DEMO_PASSWORD})\n` : 'demo data already present\n');
