export { s3, bucketNames, checkBuckets, ensureBuckets } from './client';
