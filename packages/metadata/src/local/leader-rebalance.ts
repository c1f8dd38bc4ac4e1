// LeaderRebalance: when the active controller runs the automatic leader rebalance (Kafka's
// QuorumController maybeScheduleNextBalancePartitionLeaders, with auto.leader.rebalance.enable and
// leader.imbalance.check.interval.seconds). While started (the controller is active), a pass runs
// every `intervalMs` on the injected clock; a pass that stopped at its election bound runs again
// after 10 ms (Kafka's IMMEDIATELY), until one finishes. A pass is the controller's operation
// (leader-imbalance.ts through LocalController's queue); one that fails (NOT_CONTROLLER, an I/O
// error) is logged and the next is armed as usual. stop() cancels the timer (no pass starts after
// it; one already queued still runs, and finds the controller inactive).
//
//   const rebalance = new LeaderRebalance({ time, intervalMs: 300_000, pass: () => balance(), onError });
//   rebalance.start();   // on becoming active
//   rebalance.stop();    // on losing the leadership, on close
import type { Cancel, Time } from '@tributary/storage';
import { DEFAULT_LEADER_IMBALANCE_CHECK_INTERVAL_MS, type ControllerOptions } from '../controller/controller-options.ts';

/** Kafka's delay of a pass rescheduled at once (its event queue's 10 ms). */
export const IMMEDIATE_PASS_DELAY_MS = 10;

export interface LeaderRebalanceOptions {
  time: Time;
  /** leader.imbalance.check.interval.seconds, in ms. */
  intervalMs: number;
  /** Runs one pass; resolves true when elections may be left for another pass. */
  pass: () => Promise<boolean>;
  onError: (err: unknown) => void;
}

export class LeaderRebalance {
  private timer: Cancel | null = null;
  private running = false;

  constructor(private readonly options: LeaderRebalanceOptions) {}

  /** The rebalance the controller's options ask for (auto.leader.rebalance.enable), or null. */
  static of(options: ControllerOptions, time: Time, pass: () => Promise<boolean>, onError: (err: unknown) => void): LeaderRebalance | null {
    if (!options.autoLeaderRebalanceEnable) return null;
    const intervalMs = options.leaderImbalanceCheckIntervalMs ?? DEFAULT_LEADER_IMBALANCE_CHECK_INTERVAL_MS;
    return new LeaderRebalance({ time, intervalMs, pass, onError });
  }

  /** Arms the first pass one interval from now (nothing if already started). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm(this.options.intervalMs);
  }

  stop(): void {
    this.running = false;
    this.timer?.();
    this.timer = null;
  }

  private arm(delayMs: number): void {
    this.timer?.();
    this.timer = this.options.time.setTimeout(() => {
      this.timer = null;
      return this.runPass(); // MockTime awaits the pass
    }, delayMs);
  }

  private async runPass(): Promise<void> {
    if (!this.running) return;
    let more = false;
    try {
      more = await this.options.pass();
    } catch (err) {
      this.options.onError(err);
    }
    if (this.running) this.arm(more ? IMMEDIATE_PASS_DELAY_MS : this.options.intervalMs);
  }
}
