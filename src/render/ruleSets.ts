// Names of our firewall rule sets. scripts/fw.sh puts a set's rules into one chain per hook,
// "<set>_<hook>", and iptables refuses chain names over 28 characters (XT_EXTENSION_MAXNAMELEN - 1).
// Each kind of set has a budget: 28 minus "_<hook>" of the longest hook it uses. A name that fits stays
// as it always was; a longer one keeps a readable start and ends in a short hash of the whole name.
import { createHash } from "crypto";
import { instanceStem } from "./vrrpInstances";

export const MAX_CHAIN_NAME = 28;

/** The hooks each kind of set uses (see firewall.ts). */
export const SET_HOOKS = {
    pair: ["FORWARD", "POSTROUTING"],
    fwmark: ["PREROUTING"],
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

/** The set of an fwmark service: PLVS_FWM_<mark>, or PLVS_FWMx<hex> for a mark of 9 digits or more. */
export function fwmarkRuleSet(mark: number): string {
    const decimal = `PLVS_FWM_${mark}`;
    return decimal.length <= budget(SET_HOOKS.fwmark) ? decimal : `PLVS_FWMx${mark.toString(16)}`;
}
