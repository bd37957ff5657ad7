// What the two directors of a pair must agree on to hear each other's VRRP adverts, per instance: a
// change of any of it, applied to one director before the other, leaves two directors that each think
// the other is gone, and both take the VIPs. Priorities, VIPs, track scripts and notify scripts are not
// in it: directors that differ in those still hear each other.
import type { VrrpPairModel } from "../model/directorPair";
import { addressOn, type PairFacts } from "./keepalivedMain";
import { vrrpInstances } from "./vrrpInstances";

/**
 * The pair's VRRP identity as text, the same for both directors (unicast peers as the set of both
 * addresses). The password is not in it: the caller adds the password definition (a secret).
 */
export function vrrpIdentity(pair: VrrpPairModel, facts?: PairFacts): string {
    const { vrrp } = pair;
    const instances = vrrpInstances(pair);
    const lines = instances.map((i) => {
        // keepalived speaks VRRPv2 for IPv4 and v3 for IPv6 unless told otherwise; the version is not configurable here.
        const version = i.family === 6 ? 3 : 2;
        // vrrp_strict: no password authentication (renderKeepalivedMain leaves it out).
        const auth = vrrp.authType === "HMAC" ? "auth_hmac" : i.family === 4 && !pair.globalDefs.vrrpStrict ? "auth_pass" : "none";
        const unicast = vrrp.unicast ? [addressOn(pair, facts, "primary", i), addressOn(pair, facts, "secondary", i)].sort().join(",") : "multicast";
        return `instance ${i.name} interface ${i.interface} virtual_router_id ${i.virtualRouterId} vrrp_version ${version} advert_int ${vrrp.advertInt} auth ${auth} peers ${unicast}`;
    });
    return `${lines.join("\n")}\n`;
}
