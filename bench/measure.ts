// Timing that tolerates a shared machine's slow phases: every task runs in
// several short tinybench rounds, round-robin with the others, and its median
// is taken over all its samples. A slow phase then touches every
// implementation of a workload alike instead of landing on one of them.
import { Bench } from 'tinybench';

export interface Task {
  name: string;
  run: () => unknown;
}

/** Median milliseconds per task, pooled over `rounds` interleaved rounds of `time` ms each. */
export async function interleavedMedians(tasks: Task[], { rounds = 5, time = 200, iterations = 2 } = {}): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(tasks.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time, iterations, warmupTime: round === 0 ? 100 : 0, warmupIterations: round === 0 ? 2 : 0, retainSamples: true });
    for (const t of tasks) bench.add(t.name, t.run);
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result as { latency?: { samples?: ArrayLike<number> } };
      const pooled = samples.get(task.name)!;
      for (const value of Array.from(result.latency?.samples ?? [])) pooled.push(value);
    }
  }
  const medians = new Map<string, number>();
  for (const [name, values] of samples) {
    values.sort((a, b) => a - b);
    medians.set(name, values[values.length >> 1]);
  }
  return medians;
}
