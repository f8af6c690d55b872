/** The bare workflow's activity (./workflows.ts): answers at once, so what is left is the engine's own cost. */
export const benchActivities = {
  async benchNoop(n: number): Promise<number> {
    return n;
  },
};
export type BenchActivities = typeof benchActivities;
