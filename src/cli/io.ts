// Where a command writes: standard output and standard error, or a test's strings.
export type Io = { stdout: (text: string) => void; stderr: (text: string) => void };
