// Failover of the deployed lab-dr pair (with the sync daemon): how long until the backup holds the VIP
// after the master's keepalived is stopped, and after it is killed (kill -9, as a crash), and how many
// established connections (the lab's line echo on port 9000) carried on through each.
import { onHost, onHostAsync, sh, timeVipMove } from "../lab/helpers";

export interface FailoverCase {
    /** Seconds from the action on the master until the VIP is on the backup. */
    seconds: number;
    connections: number;
    connectionsKept: number;
}

export interface FailoverResult { stop: FailoverCase; kill9: FailoverCase }

const HELD = 4;

async function oneFailover(opts: { vip: string; master: string; backup: string; action: string }): Promise<FailoverCase> {
    const holds = Array.from({ length: HELD }, () => onHostAsync("client", `lab-client hold ${opts.vip} 9000 --seconds 30 --interval 1`));
    // The sync daemon sends the master's connections to the backup: give it time to.
    await new Promise((r) => setTimeout(r, 8000));
    const seconds = await timeVipMove({ from: opts.master, to: opts.backup, vip: opts.vip, iface: "eth0", action: opts.action });
    const held = (await Promise.all(holds)).map((r) => JSON.parse(r.stdout) as { alive: boolean });
    // The master comes back and takes the VIP again (it preempts), ready for the next case.
    await timeVipMove({ from: opts.master, to: opts.master, vip: opts.vip, iface: "eth0", action: "systemctl start keepalived", timeoutSec: 60 });
    await waitUntilBackupOnly(opts.backup, opts.vip);
    return { seconds: Math.round(seconds * 100) / 100, connections: held.length, connectionsKept: held.filter((h) => h.alive).length };
}

/** The backup gives the VIP back once the master preempts. */
async function waitUntilBackupOnly(backup: string, vip: string): Promise<void> {
    for (let i = 0; i < 60; i++) {
        if (!sh(backup, "ip -o addr show dev eth0").includes(` ${vip}/`)) return;
        await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${backup} still holds ${vip} a minute after the master came back`);
}

export async function failover(opts: { vip: string; master: string; backup: string }): Promise<FailoverResult> {
    const stop = await oneFailover({ ...opts, action: "systemctl stop keepalived" });
    // kill -9 leaves keepalived's VIP and IPVS table on the master; its next start clears them.
    const kill9 = await oneFailover({ ...opts, action: "pkill -9 -x keepalived" });
    onHost(opts.master, "systemctl is-active -q keepalived || systemctl start keepalived");
    return { stop, kill9 };
}
