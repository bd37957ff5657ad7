// VRRP router ids must be unique per segment: two pairs in one program that use the same NIC name and
// the same virtual_router_id would fight over the VIPs. Pairs register their (NIC, id) claims here.
import { type Problem } from "./errors";

export interface RouterIdClaim {
    interface: string;
    virtualRouterId: number;
    /** The field that set it, for the message. */
    path: string;
}

const claims = new Map<string, string>();

/** Records the claims of `pairName`; returns one problem per claim already held by another pair. */
export function claimRouterIds(pairName: string, wanted: ReadonlyArray<RouterIdClaim>): Problem[] {
    const problems: Problem[] = [];
    for (const c of wanted) {
        const key = `${c.interface}/${c.virtualRouterId}`;
        const holder = claims.get(key);
        if (holder !== undefined && holder !== pairName) {
            problems.push({ path: c.path, value: c.virtualRouterId, rule: `is already used on ${c.interface} by LvsDirectorPair "${holder}": router ids must be unique per segment` });
        } else {
            claims.set(key, pairName);
        }
    }
    return problems;
}

/** For tests: forget every claim. */
export function resetRouterIdClaims(): void {
    claims.clear();
}
