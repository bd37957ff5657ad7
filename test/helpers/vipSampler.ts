// Where a VIP is, sampled on two directors many times a second while something runs (the lab's hosts
// share the machine's clock, so the samples of the two compare by time).
import { onHostAsync, sh, type Run } from "../../lab/helpers";

export type VipSamples = Record<string, Array<[number, boolean]>>;

/** Samples whether each director holds `vip` on `dev`, every 20 ms, until stop(). */
export function sampleVip(vip: string, directors: readonly string[], dev = "eth0"): { stop(): Promise<VipSamples> } {
    const flag = `/tmp/lab-vip-sampler-${process.pid}-${Date.now()}`;
    const runs = directors.map((d) => {
        sh(d, `rm -f ${flag}`);
        return onHostAsync(d, `while [ ! -f ${flag} ]; do case "$(ip -o addr show dev ${dev})" in *" ${vip}/"*) v=1;; *) v=0;; esac; echo "$(date +%s.%N) $v"; sleep 0.02; done`);
    });
    return {
        async stop() {
            for (const d of directors) sh(d, `touch ${flag}`);
            const done: Run[] = await Promise.all(runs);
            for (const d of directors) sh(d, `rm -f ${flag}`);
            const samples: VipSamples = {};
            directors.forEach((d, i) => {
                samples[d] = done[i]!.stdout.trim().split("\n").filter(Boolean).map((l) => {
                    const [t, v] = l.split(" ");
                    return [Number(t), v === "1"] as [number, boolean];
                });
            });
            return samples;
        },
    };
}

/** The times at which `second` had the VIP while `first` had it at its samples just before and just after. */
export function bothHeld(samples: VipSamples, first: string, second: string): number[] {
    const one = samples[first]!;
    return samples[second]!.filter(([t, v]) => {
        if (!v) return false;
        const before = [...one].reverse().find(([u]) => u <= t);
        const after = one.find(([u]) => u >= t);
        return (before?.[1] ?? false) && (after?.[1] ?? false);
    }).map(([t]) => t);
}
