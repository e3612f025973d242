/** `npm run db:seed`: writes the demo tenants and accounts to DATABASE_URL once. */
import { closeDb } from '../db/client';
import { seedDemoData } from '../db/seed';

const seeded = await seedDemoData();
await closeDb();
process.stdout.write(seeded ? 'demo data seeded\n' : 'demo data already present\n');
