export { s3, bucketNames, checkBuckets, ensureBuckets } from './client';
export * from './objects';
export * from './archive';
