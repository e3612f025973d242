export * from './tenancy';
export * from './auth';
export * from './mail';
export * from './files';
export * from './usage';
export * from './billing';
export * from './audit';
export * from './errors';
