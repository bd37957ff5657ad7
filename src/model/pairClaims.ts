// What two LvsDirectorPairs of one program must not share: a VRRP router id on a segment (they would
// fight over the VIPs) and a VIP (both would hold it; deleting one takes it from the other).
import { dottedPath, type Problem } from "./errors";
import { Secrets, type Path } from "./secrets";
import { claimUnique } from "./uniqueness";

export interface RouterIdClaim {
    interface: string;
    virtualRouterId: number;
    /** The fields that set them, for the message. */
    path: Path;
    interfacePath: Path;
}

/** Records the claims of `pairName`; returns one problem per claim already held by another pair. */
export function claimRouterIds(pairName: string, wanted: ReadonlyArray<RouterIdClaim>, secrets: Secrets = Secrets.NONE): Problem[] {
    const problems: Problem[] = [];
    for (const c of wanted) {
        const holder = claimUnique("router id", `${c.interface}/${c.virtualRouterId}`, pairName);
        if (holder !== undefined) {
            const nic = secrets.show(c.interfacePath, c.interface);
            problems.push({ path: dottedPath(c.path), value: secrets.value(c.path, c.virtualRouterId), rule: `is already used on ${nic} by LvsDirectorPair "${holder}": router ids must be unique per segment` });
        }
    }
    return problems;
}

/** Records the VIPs ("addr" or "addr/prefix", canonical, by field) of `pairName`; one problem per VIP another pair holds. */
export function claimVips(pairName: string, vips: ReadonlyArray<{ vip: string; path: Path }>, secrets: Secrets = Secrets.NONE): Problem[] {
    const problems: Problem[] = [];
    for (const { vip, path } of vips) {
        const holder = claimUnique("vip", vip.split("/")[0]!, pairName);
        if (holder !== undefined) problems.push({ path: dottedPath(path), value: secrets.value(path, vip), rule: `is already a VIP of LvsDirectorPair "${holder}": a VIP belongs to one pair` });
    }
    return problems;
}
