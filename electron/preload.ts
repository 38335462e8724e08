// Runs sandboxed with context isolation: exposes window.fd (bridge.ts's FdBridge) and nothing else.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createRendererBridge, interceptFileDrops } from './renderer-bridge';

contextBridge.exposeInMainWorld('fd', createRendererBridge(ipcRenderer, process.platform));
interceptFileDrops(window, (file) => webUtils.getPathForFile(file), ipcRenderer);
