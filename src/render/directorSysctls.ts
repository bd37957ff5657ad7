// The directors' kernel settings, each with its reason.
import type { DirectorPairModel } from "../model/directorPair";
import { family } from "../model/primitives";
import type { SysctlSetting } from "./sysctl";

export const DIRECTOR_SYSCTLS: ReadonlyArray<SysctlSetting> = [
    {
        key: "net.ipv4.vs.expire_nodest_conn",
        value: "1",
        reason: "drop connections to a real server that was removed, so its clients reconnect at once",
    },
    {
        key: "net.ipv4.vs.expire_quiescent_template",
        value: "1",
        reason: "persistent clients of a weight-0 (drained) real server move to another one",
    },
];

/** The defaults, plus forwarding when the pair routes for NAT real servers (and no redirects on one NIC). */
export function directorSysctls(pair: DirectorPairModel): SysctlSetting[] {
    const extra: SysctlSetting[] = [];
    if (pair.inside || pair.oneNicNat) {
        const reason = "NAT: the directors route between the outside and the real servers";
        extra.push({ key: "net.ipv4.ip_forward", value: "1", reason });
        if ([...pair.vips, ...(pair.inside?.vips ?? [])].some((v) => family(v) === 6)) extra.push({ key: "net.ipv6.conf.all.forwarding", value: "1", reason });
    }
    if (pair.oneNicNat) {
        // The kernel sends a redirect when either the "all" or the NIC's own setting is on.
        const reason = "NAT on one NIC: a redirect would send the real servers' next replies around the director, un-NATed";
        const nic = pair.interface.replace(/\./g, "/");
        extra.push({ key: "net.ipv4.conf.all.send_redirects", value: "0", reason }, { key: `net.ipv4.conf.${nic}.send_redirects`, value: "0", reason });
    }
    return [...DIRECTOR_SYSCTLS, ...extra];
}
