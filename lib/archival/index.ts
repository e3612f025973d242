export {
  ZArchivalPolicyPatch,
  ZArchiveStorageClass,
  listArchivalPolicies,
  updateArchivalPolicy,
  type TArchivalPolicy,
  type TArchivalPolicyPatch,
  type TPolicyTarget,
} from './policies';
export {
  createQueuedArchivalRun,
  failQueuedArchivalRun,
  getArchivalRun,
  listArchivalRuns,
  type TArchivalRun,
  type TArchivalRunStatus,
  type TArchivalTrigger,
} from './repo';
export { SimulatedArchivalCrash, runArchival, startArchivalRun, type TArchivalCrashPoint, type TRunArchivalOptions } from './runs';
export { MAX_RESTORE_DAYS, ZRestoreRequest, requestFileRestore, trackRestores, type TRestoreStatus } from './restore';
