/**
 * The arithmetic of error analysis, pure: spikes (mean + 3σ over the period's hours), concentration (one route or
 * one caller causing most errors) and recommendations from an explicit table of rules.
 */

export interface TSpikeHour {
  hourStart: string;
  count: number;
  /** Standard deviations above the period's hourly mean. */
  zScore: number;
}

export interface TSpikes {
  meanPerHour: number;
  stdDevPerHour: number;
  /** mean + 3σ: an hour above this is a spike. */
  thresholdPerHour: number;
  hours: TSpikeHour[];
}

/** A spike hour must also have at least this many errors: over a quiet period one stray error is above 3σ. */
export const MIN_SPIKE_COUNT = 3;
/** A share above this is "most errors". */
export const CONCENTRATION_SHARE_PERCENT = 50;
/** Fewer errors than this say nothing about where errors come from. */
export const MIN_CONCENTRATION_EVENTS = 5;

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Hours above mean + 3σ of the period's hourly counts (population σ, zeros included), biggest first. */
export function detectSpikes(hourly: readonly { hourStart: string; count: number }[]): TSpikes {
  const n = hourly.length;
  const mean = n === 0 ? 0 : hourly.reduce((sum, h) => sum + h.count, 0) / n;
  const variance = n === 0 ? 0 : hourly.reduce((sum, h) => sum + (h.count - mean) ** 2, 0) / n;
  const stdDev = Math.sqrt(variance);
  const threshold = mean + 3 * stdDev;
  const hours = hourly
    .filter((h) => h.count > threshold && h.count >= MIN_SPIKE_COUNT && stdDev > 0)
    .map((h) => ({ hourStart: h.hourStart, count: h.count, zScore: round2((h.count - mean) / stdDev) }))
    .sort((a, b) => b.count - a.count);
  return { meanPerHour: round2(mean), stdDevPerHour: round2(stdDev), thresholdPerHour: round2(threshold), hours };
}

export interface TConcentration {
  /** The route (`METHOD /path`) or the caller (`user:<id>` / `key:<id>`) with the most errors. */
  key: string;
  count: number;
  total: number;
  sharePercent: number;
  isConcentrated: boolean;
}

/** The biggest contributor's share of `total`; null when there is none. */
export function concentrationOf(top: { key: string; count: number } | undefined, total: number): TConcentration | null {
  if (!top || total === 0) return null;
  const sharePercent = round2((top.count / total) * 100);
  return {
    key: top.key,
    count: top.count,
    total,
    sharePercent,
    isConcentrated: sharePercent > CONCENTRATION_SHARE_PERCENT && total >= MIN_CONCENTRATION_EVENTS,
  };
}

export interface TAnalysisFacts {
  periodHours: number;
  total: number;
  previousTotal: number;
  /** null: nothing in the period before. */
  changePercent: number | null;
  spikes: TSpikes;
  route: TConcentration | null;
  caller: TConcentration | null;
  topGroup: { id: string; title: string; count: number } | null;
  /** Groups first seen in the period: how many, their events in the period, the releases those events ran. */
  newGroups: { count: number; events: number; releases: string[] };
  /** Unresolved groups that had been resolved and occurred again, seen in the period. */
  regressions: { id: string; title: string }[];
  apiErrors: number;
  apiRequests: number;
}

export interface TRecommendation {
  rule: string;
  title: string;
  detail: string;
  /** How much acting on it would reduce errors or their harm, 0–100. */
  impact: number;
  /** How sure the rule is that the finding is real and not noise, 0–100. */
  confidence: number;
  evidence: Record<string, unknown>;
}

const score = (value: number) => Math.max(0, Math.min(100, Math.round(value)));

/**
 * How much a share or rate measured over n events can be trusted: its standard error shrinks with 1/√n, so
 * 100 − 100/√n (5 events → 55, 25 → 80, 100 → 90), capped at 95: a count never proves a cause.
 */
export function sampleConfidence(n: number): number {
  return n <= 0 ? 0 : Math.min(95, score(100 - 100 / Math.sqrt(n)));
}

const describeCaller = (key: string) => (key.startsWith('key:') ? `API key ${key.slice(4)}` : `user ${key.replace(/^user:/, '')}`);

interface TRule {
  rule: string;
  /** A recommendation when the facts call for one, else null. */
  evaluate(facts: TAnalysisFacts): Omit<TRecommendation, 'rule'> | null;
}

/** The rules, evaluated in order; the answer lists those that apply, highest impact × confidence first. */
export const RECOMMENDATION_RULES: readonly TRule[] = [
  {
    rule: 'spike',
    evaluate(f) {
      const top = f.spikes.hours[0];
      if (!top) return null;
      const spikeEvents = f.spikes.hours.reduce((sum, h) => sum + h.count, 0);
      return {
        title: `Investigate the error spike at ${top.hourStart.slice(0, 13)}:00 UTC`,
        detail: `${top.count} errors in one hour against ${f.spikes.meanPerHour} per hour on average (threshold ${f.spikes.thresholdPerHour}); look for a deploy, a dependency outage or a burst of traffic at that time.`,
        // A burst is an incident users saw (floor 30); the larger its part of the period's errors, the more fixing
        // its cause removes (up to 70 more).
        impact: score(30 + (70 * spikeEvents) / Math.max(1, f.total)),
        // 3σ is the bar, each σ beyond it adds 10; a baseline of a week or more makes mean and σ trustworthy (+20).
        confidence: Math.min(95, score(50 + 10 * (top.zScore - 3) + (f.periodHours >= 168 ? 20 : 0))),
        evidence: { spikeHours: f.spikes.hours, meanPerHour: f.spikes.meanPerHour, stdDevPerHour: f.spikes.stdDevPerHour, spikeEvents, total: f.total },
      };
    },
  },
  {
    rule: 'route_concentration',
    evaluate(f) {
      if (!f.route?.isConcentrated) return null;
      return {
        title: `Fix ${f.route.key || 'the unnamed route'}: it causes ${f.route.sharePercent} % of errors`,
        detail: `${f.route.count} of ${f.route.total} errors in the period came from one route; start there.`,
        // Fixing the route removes its share of the errors.
        impact: score(f.route.sharePercent),
        // A share over few events can be chance (see sampleConfidence).
        confidence: sampleConfidence(f.route.total),
        evidence: { ...f.route },
      };
    },
  },
  {
    rule: 'caller_concentration',
    evaluate(f) {
      if (!f.caller?.isConcentrated) return null;
      const isKey = f.caller.key.startsWith('key:');
      return {
        title: `One ${isKey ? 'API key' : 'user'} causes ${f.caller.sharePercent} % of errors`,
        detail: `${f.caller.count} of ${f.caller.total} errors came from ${describeCaller(f.caller.key)}: ${isKey ? 'check the integration that uses it (inputs, retries, an outdated client)' : 'check what that user is doing differently (data, permissions, browser)'}.`,
        // Its share of the errors, discounted by 30 %: they hit one caller, not everyone.
        impact: score(f.caller.sharePercent * 0.7),
        confidence: sampleConfidence(f.caller.total),
        evidence: { ...f.caller },
      };
    },
  },
  {
    rule: 'rising_trend',
    evaluate(f) {
      const isNew = f.changePercent === null;
      if (f.total < 10 || (!isNew && f.changePercent! < 50)) return null;
      return {
        title: isNew ? 'Errors started this period' : `Errors rose ${f.changePercent} % against the previous period`,
        detail: `${f.total} errors this period against ${f.previousTotal} in the one before.`,
        // A trend warns before it hurts: 20, plus a quarter of the rise in percent (a new stream counts as +200 %),
        // capped at 80 since the count alone says nothing about severity.
        impact: Math.min(80, score(20 + (isNew ? 200 : f.changePercent!) / 4)),
        confidence: sampleConfidence(f.total + f.previousTotal),
        evidence: { current: f.total, previous: f.previousTotal, changePercent: f.changePercent },
      };
    },
  },
  {
    rule: 'regression',
    evaluate(f) {
      if (f.regressions.length === 0) return null;
      return {
        title: `${f.regressions.length} resolved error${f.regressions.length === 1 ? '' : 's'} came back`,
        detail: `Resolved groups occurred again: the fix did not hold or was not deployed everywhere. ${f.regressions.map((r) => r.title).slice(0, 3).join('; ')}`,
        // A fix that did not hold: 50, and 10 more per regression (up to 90).
        impact: Math.min(90, 50 + 10 * f.regressions.length),
        // A fact, not a statistic (the same fingerprint after resolution); not 100, since one fingerprint can merge
        // two bugs.
        confidence: 90,
        evidence: { regressions: f.regressions },
      };
    },
  },
  {
    rule: 'new_errors',
    evaluate(f) {
      if (f.newGroups.count === 0 || f.total === 0) return null;
      const sharePercent = Math.round((f.newGroups.events / f.total) * 100);
      if (sharePercent < 25) return null;
      const oneRelease = f.newGroups.releases.length === 1;
      return {
        title: `${f.newGroups.count} new error${f.newGroups.count === 1 ? '' : 's'} make ${sharePercent} % of this period's errors`,
        detail: oneRelease
          ? `All of them ran release ${f.newGroups.releases[0]}: review what that release changed.`
          : 'Review what was deployed or reconfigured in the period.',
        // They are that share of the errors.
        impact: score(sharePercent),
        // New groups point at a change (60); all in one release point at that release (+25).
        confidence: 60 + (oneRelease ? 25 : 0),
        evidence: { ...f.newGroups, sharePercent, total: f.total },
      };
    },
  },
  {
    rule: 'api_error_rate',
    evaluate(f) {
      if (f.apiRequests < 20) return null;
      const ratePercent = (f.apiErrors / f.apiRequests) * 100;
      if (ratePercent < 1) return null;
      return {
        title: `${Math.round(ratePercent * 100) / 100} % of API calls fail with a server error`,
        detail: `${f.apiErrors} of ${f.apiRequests} API-key calls answered 5xx; scripts retry or give up on each.`,
        // 10 per percent: 1 % → 10, 5 % → 50, 10 % or more → 100.
        impact: score(ratePercent * 10),
        confidence: sampleConfidence(f.apiRequests),
        evidence: { apiErrors: f.apiErrors, apiRequests: f.apiRequests, ratePercent: Math.round(ratePercent * 100) / 100 },
      };
    },
  },
  {
    rule: 'dominant_group',
    evaluate(f) {
      if (!f.topGroup || f.total < MIN_CONCENTRATION_EVENTS) return null;
      const sharePercent = Math.round((f.topGroup.count / f.total) * 100);
      if (sharePercent <= CONCENTRATION_SHARE_PERCENT) return null;
      return {
        title: `Fix "${f.topGroup.title}": ${sharePercent} % of errors`,
        detail: `One error group made ${f.topGroup.count} of ${f.total} errors in the period.`,
        // Fixing it removes its share.
        impact: score(sharePercent),
        // Grouping is deterministic (one fingerprint, one call site and message shape): 90, not 100 for merges.
        confidence: 90,
        evidence: { groupId: f.topGroup.id, count: f.topGroup.count, total: f.total, sharePercent },
      };
    },
  },
];

export function recommend(facts: TAnalysisFacts): TRecommendation[] {
  return RECOMMENDATION_RULES.flatMap((rule) => {
    const found = rule.evaluate(facts);
    return found ? [{ rule: rule.rule, ...found }] : [];
  }).sort((a, b) => b.impact * b.confidence - a.impact * a.confidence);
}
