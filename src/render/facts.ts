// What pulumi-lvs reads from a director before configuring it (see remote/scripts/facts.sh).
export interface DirectorFacts {
    /** keepalived --version, e.g. "2.2.7". */
    keepalivedVersion: string;
    /** Global addresses per NIC, without prefix, VIPs (/32, /128) excluded. */
    addresses: Record<string, string[]>;
}

/** Parses the facts script's output: "keepalived 2.2.7" and "addr eth0 10.0.0.11/24" lines. */
export function parseFacts(text: string): DirectorFacts {
    const facts: DirectorFacts = { keepalivedVersion: "", addresses: {} };
    for (const line of text.split("\n")) {
        const [kind, a, b] = line.trim().split(/\s+/);
        if (kind === "keepalived" && a) facts.keepalivedVersion = a;
        if (kind === "addr" && a && b) {
            const [address, prefix] = b.split("/");
            if (!address || prefix === "32" || prefix === "128") continue;
            (facts.addresses[a] ??= []).push(address);
        }
    }
    return facts;
}

/** "2.2.7" >= "2.4"? */
export function versionAtLeast(version: string, minimum: string): boolean {
    const v = version.split(".").map(Number);
    const m = minimum.split(".").map(Number);
    for (let i = 0; i < m.length; i++) {
        const x = v[i] ?? 0, y = m[i] ?? 0;
        if (x !== y) return x > y;
    }
    return true;
}
