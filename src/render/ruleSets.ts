// Names of our firewall rule sets. scripts/fw.sh puts a set's rules into one chain per hook,
// "<set>_<hook>", and iptables refuses chain names over 28 characters (XT_EXTENSION_MAXNAMELEN - 1).
// Each kind of set has a budget: 28 minus "_<hook>" of the longest hook it uses. A name that fits stays
// as it always was; a longer one keeps a readable start and ends in a short hash of the whole name.
import { createHash } from "crypto";
import type { VirtualServiceModel } from "../model/virtualService";
import { serviceKey } from "./keys";
import { instanceStem } from "./vrrpInstances";

export const MAX_CHAIN_NAME = 28;

/** The hooks each kind of set uses (see firewall.ts). */
export const SET_HOOKS = {
    pair: ["FORWARD", "POSTROUTING"],
    fwmarkService: ["PREROUTING", "FORWARD"],
    service: ["FORWARD", "INPUT"],
    realServer: ["INPUT"],
} as const;

function budget(hooks: ReadonlyArray<string>): number {
    return MAX_CHAIN_NAME - Math.max(...hooks.map((h) => h.length + 1));
}

function hash(identity: string, length: number): string {
    return createHash("sha256").update(identity).digest("hex").slice(0, length);
}

/**
 * The NAT set of a director pair: PLVS_<pair> (non-word characters as "_"), or for a pair name of more
 * than 11 characters PLVS_<first 5>_<hash of the name>, e.g. PLVS_front_3fa9c for "frontend-lb-1".
 * One pair per director host, so the hash only has to tell a pair from its own renamed self.
 */
export function natRuleSet(pairName: string): string {
    const readable = `PLVS_${instanceStem(pairName)}`;
    const max = budget(SET_HOOKS.pair);
    if (readable.length <= max) return readable;
    const tail = `_${hash(pairName, 5)}`;
    return `${readable.slice(0, max - tail.length)}${tail}`;
}

/**
 * The set of one VirtualService (its mark, the replies of its NAT real servers): PLVS_FWM_<mark>
 * (PLVS_FWMx<hex> for a mark of 9 digits or more: iptables shows marks in hex), or
 * PLVS_<proto><port>_<hash of VIP:port/proto>, the hash as long as the name allows (at least 5).
 * Two services of one pair whose names collide are refused before any host is touched (VirtualService).
 */
export function serviceRuleSet(svc: Pick<VirtualServiceModel, "vip" | "port" | "protocol" | "fwmark">): string {
    if (svc.fwmark) {
        const decimal = `PLVS_FWM_${svc.fwmark.mark}`;
        return decimal.length <= budget(SET_HOOKS.fwmarkService) ? decimal : `PLVS_FWMx${svc.fwmark.mark.toString(16)}`;
    }
    const readable = `PLVS_${svc.protocol.toLowerCase()}${svc.port}_`;
    return `${readable}${hash(serviceKey(svc), budget(SET_HOOKS.service) - readable.length)}`;
}

/**
 * The set of one RealServer (its `firewall` ports): PLVS_R_<first 9 of its name>_<hash of `identity`>.
 * The identity is the component's URN, so two stacks with a RealServer of the same name on one host
 * (sharing a VIP, say) get sets of their own.
 */
export function realServerRuleSet(name: string, identity: string): string {
    const tail = `_${hash(identity, 5)}`;
    const max = budget(SET_HOOKS.realServer);
    return `PLVS_R_${instanceStem(name).slice(0, max - "PLVS_R_".length - tail.length)}${tail}`;
}
