// What the CLI tells a user when their input is wrong: one line, no stack, exit code ≠ 0.

/** An error whose message is meant for the user as it is (exit code 1; 2 for a usage mistake). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** A mistake in the command line itself (unknown flag, missing argument): exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}
