// What the rest of the engine uses from compose: load a project, plan `up` against what exists, print it.
export { loadProject, checkBuildImages, DEFAULT_FILES, type LoadOptions, type LoadedProject } from './load';
export { planUp, planDown, type CurrentState, type PlanOptions, type DownOptions } from './plan';
export { renderConfig } from './render';
export { LABEL, dependenciesOf, containerName, hashService, networkLabels, volumeLabels, type ComposeProject, type ComposeService } from './model';
export { ComposeError, formatPath } from './errors';
export { createComposeService, type ComposeHooks } from './service';
export { dependencyOrder, findCycle } from './graph';
