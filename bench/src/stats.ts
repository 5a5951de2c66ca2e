/** Small timing helpers: run a step many times, report percentiles in milliseconds. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export async function timeEach(times: number, step: (i: number) => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await step(i);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return {
    runs: times,
    min: samples[0]!,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples.at(-1)!,
  };
}

export const ms = (n: number) => `${n.toFixed(2)} ms`;
