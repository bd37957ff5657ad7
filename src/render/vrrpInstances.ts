// The VRRP instances a pair needs: keepalived cannot mix address families in one instance, and each
// NIC has its own, so a pair has one instance per (NIC, family), all in one sync group when several.
import type { DirectorPairModel, VrrpPairModel } from "../model/directorPair";
import { family } from "../model/primitives";
import type { RouterIdClaim } from "../model/pairClaims";

export interface VrrpInstance {
    name: string;
    interface: string;
    virtualRouterId: number;
    family: 4 | 6;
    vips: string[];
}

export function instanceStem(pairName: string): string {
    return pairName.replace(/[^A-Za-z0-9_]/g, "_");
}

/**
 * Instances are named after what identifies them on the wire (NIC, router id, family), not after the
 * pair: renaming a pair then leaves keepalived's instances as they are, and the VIPs where they are.
 * A name the user gives (vrrp.instanceName, inside.instanceName, ...V6) wins.
 */
export function vrrpInstances(pair: DirectorPairModel): VrrpInstance[] {
    if (!pair.vrrp) return [];
    const groups: Array<{ interface: string; virtualRouterId: number; vips: string[]; names: Array<string | undefined> }> = [
        { interface: pair.interface, virtualRouterId: pair.vrrp.virtualRouterId, vips: pair.vips, names: [pair.vrrp.instanceName, pair.vrrp.instanceNameV6] },
    ];
    if (pair.inside) {
        groups.push({ interface: pair.inside.interface, virtualRouterId: pair.inside.virtualRouterId ?? pair.vrrp.virtualRouterId, vips: pair.inside.vips, names: [pair.inside.instanceName, pair.inside.instanceNameV6] });
    }
    return groups.flatMap((g) => ([4, 6] as const).flatMap((fam) => {
        const vips = g.vips.filter((v) => family(v) === fam);
        if (vips.length === 0) return [];
        const name = g.names[fam === 4 ? 0 : 1] ?? `VI_${instanceStem(g.interface)}_${g.virtualRouterId}${fam === 6 ? "_v6" : ""}`;
        return [{ name, interface: g.interface, virtualRouterId: g.virtualRouterId, family: fam, vips }];
    }));
}

export function syncGroupName(pair: VrrpPairModel): string {
    return pair.vrrp.syncGroupName ?? `VG_${instanceStem(pair.interface)}_${pair.vrrp.virtualRouterId}`;
}

/** The (NIC, router id) pairs this pair uses, for the clash check across pairs. */
export function routerIdClaims(pair: DirectorPairModel): RouterIdClaim[] {
    if (!pair.vrrp) return [];
    const claims: RouterIdClaim[] = [{ interface: pair.interface, virtualRouterId: pair.vrrp.virtualRouterId, path: ["vrrp", "virtualRouterId"], interfacePath: ["interface"] }];
    if (pair.inside) {
        const id = pair.inside.virtualRouterId ?? pair.vrrp.virtualRouterId;
        claims.push({ interface: pair.inside.interface, virtualRouterId: id, path: pair.inside.virtualRouterId !== undefined ? ["inside", "virtualRouterId"] : ["vrrp", "virtualRouterId"], interfacePath: ["inside", "interface"] });
    }
    return claims;
}
