// The real iptables (Debian 12's 1.8.9, nf_tables and legacy backends) for tests that load rules:
// downloaded once with `apt-get download`, unpacked with `dpkg -x` into .cache/iptables, and run through
// wrappers that point the binaries at their own libraries. Only inside a network namespace of the
// test's own (`unshare -rn` or `unshare --net`): the rules never reach this machine's firewall.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const repo = path.resolve(__dirname, "..", "..");
const CACHE = path.join(repo, ".cache", "iptables");
const DEBS = ["iptables", "libip4tc2", "libip6tc2", "libxtables12", "libnftnl11", "libnetfilter-conntrack3", "libnfnetlink0", "libmnl0"];
const TOOLS: Record<string, string> = {
    iptables: "xtables-nft-multi iptables",
    ip6tables: "xtables-nft-multi ip6tables",
    "iptables-legacy": "xtables-legacy-multi iptables",
    "ip6tables-legacy": "xtables-legacy-multi ip6tables",
};

/** A folder holding iptables, ip6tables, iptables-legacy and ip6tables-legacy; throws when they cannot be had. */
export function iptablesBin(): string {
    const bin = path.join(CACHE, "bin");
    if (fs.existsSync(path.join(bin, "iptables"))) return bin;
    const debs = path.join(CACHE, "debs");
    const root = path.join(CACHE, "root");
    fs.mkdirSync(debs, { recursive: true });
    const dl = spawnSync("apt-get", ["download", ...DEBS], { cwd: debs, encoding: "utf8" });
    if (dl.status !== 0) throw new Error(`apt-get download ${DEBS.join(" ")} failed: ${dl.stderr || dl.error}`);
    for (const deb of fs.readdirSync(debs).filter((f) => f.endsWith(".deb"))) {
        const x = spawnSync("dpkg", ["-x", path.join(debs, deb), root], { encoding: "utf8" });
        if (x.status !== 0) throw new Error(`dpkg -x ${deb} failed: ${x.stderr}`);
    }
    const lib = path.join(root, "usr", "lib", "x86_64-linux-gnu");
    fs.mkdirSync(bin, { recursive: true });
    for (const [name, multi] of Object.entries(TOOLS)) {
        const [binary, applet] = multi.split(" ");
        fs.writeFileSync(path.join(bin, name),
            `#!/bin/sh\nLD_LIBRARY_PATH=${lib} XTABLES_LIBDIR=${lib}/xtables exec ${root}/usr/sbin/${binary} ${applet} "$@"\n`, { mode: 0o755 });
    }
    const probe = spawnSync(path.join(bin, "iptables"), ["--version"], { encoding: "utf8" });
    if (probe.status !== 0) throw new Error(`the unpacked iptables does not run: ${probe.stderr}`);
    return bin;
}

/** Why tests that need root, network namespaces and iptables cannot run here, or undefined when they can. */
export function iptablesUnavailable(): string | undefined {
    if (process.getuid?.() !== 0) return "needs root (network namespaces)";
    try {
        iptablesBin();
    } catch (err) {
        return (err as Error).message;
    }
    const ns = spawnSync("unshare", ["--net", "true"], { encoding: "utf8" });
    return ns.status === 0 ? undefined : `unshare --net fails: ${ns.stderr}`;
}
