/** The Electron executable under `top/node_modules/electron/dist`, or null when it is not there. */
export function findElectronBinary(top: string, platform?: NodeJS.Platform): string | null;
