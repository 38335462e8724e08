// Exit codes follow docker: 125 when fd itself (engine, flags) failed; commands that run a container may
// return the container's code instead.
export const EXIT_ENGINE = 125;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A command asks to exit with a specific code without printing an error. */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
