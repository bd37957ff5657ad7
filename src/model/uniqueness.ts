// What must be unique in one program, because two components holding it would undo each other's work
// on the hosts: VRRP router ids per segment, VIPs, director hosts, services on a pair. Components
// register what they hold as soon as its value is known; the first holder keeps it.
const holders = new Map<string, string>();

/** Records that `holder` holds `key` of `kind`; returns the other holder when there is one. */
export function claimUnique(kind: string, key: string, holder: string): string | undefined {
    const k = `${kind}\u0000${key}`;
    const current = holders.get(k);
    if (current !== undefined && current !== holder) return current;
    holders.set(k, holder);
    return undefined;
}

/** For tests: forget every claim. */
export function resetUniqueClaims(): void {
    holders.clear();
}
