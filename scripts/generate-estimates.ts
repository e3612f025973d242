/**
 * Synthetic cost estimates, one JSON object per line on stdout, for evaluation and seeding:
 *
 *   npx tsx scripts/generate-estimates.ts --count=800 [--seed=1]
 *
 * Each line is `{ "archetype": "...", "estimate": { ... } }`; archetypes are spread evenly (round robin) and the
 * same seed always gives the same lines. See lib/estimates/synthetic.ts for the archetypes and regions.
 */
import { generateEstimates } from '@/lib/estimates';

function readIntegerFlag(args: string[], name: string, fallback: number): number {
  const flag = args.find((arg) => arg.startsWith(`--${name}=`));
  if (!flag) return fallback;
  const value = Number(flag.slice(name.length + 3));
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got ${flag}`);
  return value;
}

const args = process.argv.slice(2);
const count = readIntegerFlag(args, 'count', 800);
const seed = readIntegerFlag(args, 'seed', 1);
const lines = generateEstimates({ count, seed }).map((generated) => JSON.stringify(generated));
process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : '');
