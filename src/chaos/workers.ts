/** The chaos run's worker processes: W real `src/worker.ts` processes, SIGKILLed and replaced at random. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Accounts } from '../config';
import { spawnWorkerProcess, type WorkerProcess } from '../dev/worker-process';
import type { Rng } from './rng';

export interface WorkerPoolOptions {
  address: string;
  taskQueue: string;
  accounts: Accounts;
  workflowBundlePath: string;
  /** Worker logs are written here when a worker exits. */
  logDir: string;
  env: NodeJS.ProcessEnv;
  log(line: string): void;
}

export class WorkerPool {
  private readonly live = new Set<WorkerProcess>();
  private readonly starting = new Set<Promise<unknown>>();
  private readonly killedByUs = new WeakSet<WorkerProcess>();
  private stopping = false;
  kills = 0;
  starts = 0;
  /** Workers that exited without being killed by us (a crash: its log is in logDir). */
  crashes: Array<{ pid?: number; code: number | null; signal: string | null; logFile: string }> = [];
  startFailures: string[] = [];

  constructor(private readonly options: WorkerPoolOptions) {}

  get alive(): number {
    return this.live.size;
  }
  get pending(): number {
    return this.starting.size;
  }

  /** Starts one worker; resolves when it polls (or failed to start, which is recorded). */
  start(): Promise<void> {
    const run = (async () => {
      try {
        const worker = await spawnWorkerProcess({
          address: this.options.address,
          taskQueue: this.options.taskQueue,
          accounts: this.options.accounts,
          workflowBundlePath: this.options.workflowBundlePath,
          env: this.options.env,
          startTimeoutMs: 90_000,
        });
        this.starts++;
        if (this.stopping) {
          await worker.kill();
          return;
        }
        this.live.add(worker);
        worker.child.once('exit', (code, signal) => {
          this.live.delete(worker);
          const logFile = join(this.options.logDir, `worker-${worker.child.pid}.log`);
          try {
            writeFileSync(logFile, worker.output());
          } catch {
            /* the data dir may be gone at the very end */
          }
          if (!this.killedByUs.has(worker) && !this.stopping) {
            this.crashes.push({ pid: worker.child.pid, code, signal, logFile });
            this.options.log(`worker ${worker.child.pid} exited by itself (code ${code}, signal ${signal}); log ${logFile}`);
          }
        });
      } catch (err) {
        const message = (err as Error).message;
        this.startFailures.push(message.slice(0, 2_000));
        this.options.log(`a worker failed to start: ${message.split('\n').slice(0, 6).join(' | ')}`);
      }
    })();
    this.starting.add(run);
    void run.finally(() => this.starting.delete(run));
    return run;
  }

  /** SIGKILLs a random live worker (only while another one is left) and starts its replacement. */
  async killRandom(rng: Rng): Promise<number | undefined> {
    if (this.live.size < 2) return undefined;
    const victim = rng.pick([...this.live]);
    this.killedByUs.add(victim);
    this.live.delete(victim);
    const pid = victim.child.pid;
    await victim.kill();
    this.kills++;
    void this.start();
    return pid;
  }

  /** Tops the pool up to `count` live workers (after crashes), waiting for the starts. */
  async ensure(count: number): Promise<void> {
    await Promise.allSettled([...this.starting]);
    const missing = count - this.live.size;
    await Promise.all(Array.from({ length: Math.max(0, missing) }, () => this.start()));
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.starting]);
    const all = [...this.live];
    for (const worker of all) this.killedByUs.add(worker);
    // A graceful stop first; a worker stuck in shutdown is killed.
    await Promise.all(
      all.map(async (worker) => {
        const timer = setTimeout(() => void worker.kill(), 10_000);
        await worker.stop();
        clearTimeout(timer);
      }),
    );
    this.live.clear();
  }
}
