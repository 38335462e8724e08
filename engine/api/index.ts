// Public face of the contract: types, schemas and errors only — no Node code, safe for the renderer.
export * from './errors';
export * from './kit';
export * from './contract';
export * from './system';
export * from './events';
export * from './networks';
export * from './containers';
export * from './compose';
export * from './images';
export * from './volumes';
export * from './container-stats';
export * from './container-files';
export * from './protocol';
export * from './client';
