import 'server-only';
import { randomUUID } from 'node:crypto';
import { config } from '@/lib/config';
import {
  archiveKeyFor,
  archiveRestoreMode,
  compositeSha256OfHotObject,
  copyHotObjectToArchive,
  deleteArchivedObject,
  deleteHotObject,
  headArchivedObject,
  hexToBase64,
  sha256OfArchivedObject,
  sha256OfHotObject,
  type TArchiveStorageClass,
} from '@/lib/storage';
import { verifyHotObject } from '@/lib/files';
import { logger, observeArchivedFile } from '@/lib/telemetry';
import { withPlatform } from '@/lib/tenancy';
import { listArchivalPolicies, policyForFile, type TArchivalPolicy } from './policies';
import {
  claimFiles,
  clearStep,
  countFileFailure,
  failRun,
  finishHotCopyDeletion,
  finishRun,
  getArchivalRun,
  markFileArchived,
  reapCrashedRuns,
  recordStep,
  startRunRow,
  type TArchivalRun,
  type TArchivalTrigger,
  type TClaimedFile,
} from './repo';
import { lockRun, unlockRun } from './run-lock';

/** Test hook: stop the run as a kill would, right after this step of the first file that reaches it. */
export type TArchivalCrashPoint = 'copy' | 'verify' | 'mark';

export interface TRunArchivalOptions {
  trigger: TArchivalTrigger;
  /** A run created earlier as 'queued' (by the operator trigger); absent: a new run. */
  runId?: string;
  /** Not reachable from HTTP: the crash-injection tests use it. */
  failAfter?: TArchivalCrashPoint;
  concurrency?: number;
}

/** Thrown by the crash hook; the run row is left 'running' and its lock released, exactly as after a kill. */
export class SimulatedArchivalCrash extends Error {
  constructor(step: TArchivalCrashPoint) {
    super(`Simulated crash after ${step}`);
    this.name = 'SimulatedArchivalCrash';
  }
}

class ArchivalFileError extends Error {}

const GLACIER_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/** Why the archived copy does not match the file, or null when it does (size, then SHA-256). */
async function checkArchiveCopy(file: TClaimedFile, archiveKey: string, storageClass: string, sha256: string): Promise<string | null> {
  const head = await headArchivedObject(archiveKey);
  if (!head) return 'the archive copy does not exist';
  if (head.sizeBytes !== file.sizeBytes) return `the archive copy has ${head.sizeBytes} bytes, the file ${file.sizeBytes}`;
  if (archiveRestoreMode() === 'glacier' && GLACIER_CLASSES.has(storageClass)) {
    // Glacier objects cannot be read back; S3's own SHA-256 of the copy (requested on copy) stands in.
    const reported = head.checksumSha256Base64;
    if (!reported) return 'S3 reported no SHA-256 for the archive copy';
    if (reported.includes('-')) {
      // A multipart copy (over 5 GiB) reports a checksum of its parts' checksums: rebuild it from the hot copy,
      // whose own SHA-256 must be the file's.
      const hot = await compositeSha256OfHotObject(file.storageKey, file.sizeBytes);
      if (hot.sha256 !== sha256) return `the hot copy's SHA-256 ${hot.sha256} differs from ${sha256}`;
      return reported === hot.composite ? null : 'the part checksums S3 reports for the archive copy differ from the hot copy';
    }
    return reported === hexToBase64(sha256) ? null : 'the SHA-256 S3 reports for the archive copy differs';
  }
  const archived = await sha256OfArchivedObject(archiveKey);
  return archived === sha256 ? null : `the archive copy's SHA-256 ${archived} differs from ${sha256}`;
}

/** The file was deleted while being archived: drop the archive copy this run made, so nothing is orphaned. */
async function abandon(file: TClaimedFile, archiveKey: string | null): Promise<void> {
  logger.info({ fileId: file.id }, 'file deleted during archival; its archive copy is removed');
  if (archiveKey && !file.archiveKey) await deleteArchivedObject(archiveKey).catch(() => {});
}

/**
 * One file through copy → verify → mark → delete, each step recorded so that whatever step a crash
 * interrupts, the next run continues from there. The hot copy is deleted only after the archive copy is
 * verified and the row says where it is.
 */
async function archiveClaimedFile(
  runId: string,
  file: TClaimedFile,
  policies: TArchivalPolicy[],
  crashAfter: (step: TArchivalCrashPoint) => void,
): Promise<void> {
  const archiveKey = file.archiveKey ?? archiveKeyFor(file.tenantId, file.id, file.filename);
  const storageClass = (file.archiveStorageClass ?? policyForFile(policies, file)?.storageClass ?? 'GLACIER') as TArchiveStorageClass;
  let step = file.archivalStep;
  /**
   * Every copy from the hot bucket first checks the hot object against the row: a changed one is not archived
   * (the file is marked failed and audited), and a copy this pipeline left of it is removed.
   */
  const copyFromHot = async (): Promise<boolean> => {
    const check = await verifyHotObject(withPlatform, file, 'archival');
    if (check.ok) {
      await copyHotObjectToArchive({ hotKey: file.storageKey, archiveKey, sizeBytes: file.sizeBytes, storageClass });
      return true;
    }
    if (!file.archiveKey) await deleteArchivedObject(archiveKey).catch(() => {});
    if (!check.isMarked) return false;
    await clearStep(runId, file.id);
    throw new ArchivalFileError(`the stored object no longer matches the file (${check.reason}): marked failed, not archived`);
  };

  // A restored file whose days are over: the archive copy is still there, so only the hot copy goes.
  const isReArchive = file.storageTier === 'restored' && step === null;
  if (isReArchive) {
    const head = await headArchivedObject(archiveKey);
    if (head && head.sizeBytes === file.sizeBytes) step = 'verified';
  }

  if (step === null) {
    if (!(await copyFromHot())) return abandon(file, null);
    if (!(await recordStep(runId, file.id, 'copied'))) return abandon(file, archiveKey);
    step = 'copied';
    crashAfter('copy');
  }

  if (step === 'copied') {
    const sha256 = file.sha256 ?? (await sha256OfHotObject(file.storageKey));
    let problem = await checkArchiveCopy(file, archiveKey, storageClass, sha256);
    if (problem && file.archivalStep === 'copied') {
      // A copy left by a crashed run may be partial or stale: copy again, once.
      if (!(await copyFromHot())) return abandon(file, null);
      problem = await checkArchiveCopy(file, archiveKey, storageClass, sha256);
    }
    if (problem) throw new ArchivalFileError(`verification failed: ${problem}`);
    if (!(await recordStep(runId, file.id, 'verified', file.sha256 ? {} : { sha256 }))) return abandon(file, archiveKey);
    step = 'verified';
    crashAfter('verify');
  }

  if (step === 'verified') {
    if (!(await markFileArchived(runId, file, { archiveKey, storageClass, isReArchive }))) {
      return abandon(file, isReArchive ? null : archiveKey);
    }
    step = 'marked';
    observeArchivedFile('archived', file.sizeBytes);
    crashAfter('mark');
  }

  if (step === 'marked') await finishHotCopyDeletion(file, () => deleteHotObject(file.storageKey));
}

/**
 * One archival run: claims eligible files batch by batch and archives each (ARCHIVAL_CONCURRENCY at a time),
 * updating the run's counters as it goes. Ends 'succeeded', or 'failed' with the first error when a file
 * failed (that file is retried by the next run).
 */
export async function runArchival(options: TRunArchivalOptions): Promise<TArchivalRun> {
  const runId = options.runId ?? randomUUID();
  const concurrency = options.concurrency ?? config().ARCHIVAL_CONCURRENCY;
  const batchSize = concurrency * 8;
  // The lock comes first: from the moment the row says 'running', the run is visibly alive.
  await lockRun(runId);
  let crash: SimulatedArchivalCrash | undefined;
  try {
    if (!(await startRunRow(runId, options.trigger, Boolean(options.runId)))) {
      const existing = await withPlatform((tx) => getArchivalRun(tx, runId));
      if (!existing) throw new Error(`No archival run ${runId}`);
      return existing;
    }
    await reapCrashedRuns(runId);
    const policies = await withPlatform((tx) => listArchivalPolicies(tx));
    const crashAfter = (step: TArchivalCrashPoint) => {
      if (options.failAfter === step) throw (crash ??= new SimulatedArchivalCrash(step));
    };
    let firstError: string | null = null;

    for (;;) {
      const batch = await claimFiles(runId, batchSize);
      if (batch.length === 0) break;
      let next = 0;
      const worker = async () => {
        while (!crash && next < batch.length) {
          const file = batch[next++];
          try {
            await archiveClaimedFile(runId, file, policies, crashAfter);
          } catch (error) {
            if (error instanceof SimulatedArchivalCrash) return;
            logger.error({ err: error, runId, fileId: file.id, tenantId: file.tenantId }, 'archiving a file failed; the next run retries it');
            firstError ??= `${file.id}: ${error instanceof Error ? error.message : String(error)}`;
            await countFileFailure(runId);
            observeArchivedFile('failed');
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
      if (crash) throw crash;
    }
    await finishRun(runId, firstError);
  } catch (error) {
    if (!(error instanceof SimulatedArchivalCrash)) {
      await failRun(runId, error instanceof Error ? error.message : String(error)).catch(() => {});
    }
    throw error;
  } finally {
    await unlockRun(runId).catch(() => {});
  }
  return (await withPlatform((tx) => getArchivalRun(tx, runId)))!;
}

/** Starts and completes a run in this process (the job handler, the benchmark and the tests call it). */
export function startArchivalRun(trigger: TArchivalTrigger, options: Omit<TRunArchivalOptions, 'trigger'> = {}): Promise<TArchivalRun> {
  return runArchival({ ...options, trigger });
}
