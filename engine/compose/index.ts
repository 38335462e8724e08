// What the rest of the engine uses from compose: load a project, plan `up` against what exists, print it.
export { loadProject, checkBuildImages, DEFAULT_FILES, type LoadOptions, type LoadedProject } from './load';
export { planUp, type CurrentState, type PlanOptions } from './plan';
export { renderConfig } from './render';
export { LABEL, dependenciesOf, containerName, hashService, type ComposeProject, type ComposeService } from './model';
export { ComposeError, formatPath } from './errors';
export { createComposeService, type ComposeHooks } from './service';
export { dependencyOrder, findCycle } from './graph';
