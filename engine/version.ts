// One version string for the engine, the CLI and the app; the contract's version moves only when it breaks.
export const ENGINE_VERSION = '0.1.0';
export const CONTRACT_VERSION = '1';
