export * from './auth';
export * from './call';
export * from './directory';
export * from './errors';
export * from './fields';
export * from './messages';
export * from './turn';
export * from './version';
