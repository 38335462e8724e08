// Public face of the contract: types, schemas and errors only — no Node code, safe for the renderer.
export * from './errors';
export * from './kit';
export * from './contract';
export * from './system';
export * from './events';
export * from './compose';
export * from './protocol';
export * from './client';
