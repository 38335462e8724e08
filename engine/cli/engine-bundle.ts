// What `fd engine` loads on top of the CLI: the host, the web UI server and the rootless re-exec. The build makes
// this its own bundle (dist/engine.cjs), so no other command reads, compiles or caches the engine.
export { startEngineHost } from '../host';
export { parseListenAddress } from '../webui/server';
export { runEngineInUserNamespace } from '../rootless';
