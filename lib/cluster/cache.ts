import 'server-only';
import { processWide } from '@/lib/runtime';
import { isHearingChanges, onChange, type TChangeTopic } from './changes';

/**
 * A process-wide read-through cache whose entries belong to a group (a tenant) and are dropped when `topic`
 * announces a change of that group (lib/cluster/changes.ts), in this process or any other. It serves and keeps
 * entries only while the process hears every change (isHearingChanges): otherwise each read goes to `load`. So
 * what it answers is at most as old as the delivery of the last notice (milliseconds), or `maxAgeMs`, whichever is
 * shorter; the age limit only bounds a change no notice announces.
 */
export interface TChangeCache<V> {
  /** The entry for `key`, read with `load` when missing; a load that finds nothing (null) is not kept. */
  get(key: string, load: () => Promise<{ value: V; group: string } | null>): Promise<V | null>;
  /** Entries held now (for tests and metrics). */
  size(): number;
}

interface TEntry<V> {
  value: V;
  group: string;
  storedAtMs: number;
}

export function changeCache<V>(name: string, topic: TChangeTopic, limits: { maxEntries: number; maxAgeMs: number }): TChangeCache<V> {
  return processWide(`change-cache:${name}`, () => {
    const entries = new Map<string, TEntry<V>>();
    // Bumped by every notice: a load that began before one may have read what the notice is about, so it is not kept.
    let generation = 0;
    onChange(topic, (group) => {
      generation++;
      if (group === null) return entries.clear();
      for (const [key, entry] of entries) if (entry.group === group) entries.delete(key);
    });

    return {
      async get(key, load) {
        const isCaching = isHearingChanges();
        if (isCaching) {
          const entry = entries.get(key);
          if (entry && Date.now() - entry.storedAtMs < limits.maxAgeMs) return entry.value;
          if (entry) entries.delete(key);
        }
        const startedAt = generation;
        const loaded = await load();
        if (!loaded) return null;
        if (isCaching && isHearingChanges() && generation === startedAt) {
          // Oldest first out: a Map iterates in insertion order.
          if (entries.size >= limits.maxEntries) entries.delete(entries.keys().next().value!);
          entries.set(key, { value: Object.freeze(loaded.value), group: loaded.group, storedAtMs: Date.now() });
        }
        return loaded.value;
      },
      size: () => entries.size,
    };
  });
}
