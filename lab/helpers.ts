// What the end-to-end tests (and any tool) use of the lab: its hosts, commands on them over one
// reused SSH connection each, traffic from the lab's client, VIP moves timed inside the lab, and the
// stack config that points a Pulumi program at the lab.
import { spawnSync } from "child_process";
import * as path from "path";
import { startBackground, type Run } from "./background";

export type { Run } from "./background";

export const repoRoot = path.resolve(__dirname, "..");
const labScript = path.join(repoRoot, "lab", "lab.sh");
/** Which lab (lab/lib/common.sh): "test" under npm test, "main" otherwise. */
export const labName = process.env.LAB_NAME ?? "main";
const runDir = path.join(repoRoot, ".cache", "lab", `run-${labName}`);

export interface LabHost {
    name: string;
    role: "director" | "real" | "client";
    ssh: { host: string; port: number; user: string; privateKeyPath: string };
    addresses: { segment: string; interface: string; address: string; prefixLength: number }[];
}

let cachedHosts: LabHost[] | undefined;

/** The lab's hosts (`lab status --json`); throws when the lab is not running. */
export function labHosts(): LabHost[] {
    if (cachedHosts) return cachedHosts;
    const res = spawnSync("bash", [labScript, "status", "--json"], { encoding: "utf8" });
    if (res.status !== 0) throw new Error(`the lab is not running (npm run lab -- up): ${res.stderr}`);
    cachedHosts = JSON.parse(res.stdout) as LabHost[];
    return cachedHosts;
}

export function labHost(name: string): LabHost {
    const host = labHosts().find((h) => h.name === name);
    if (!host) throw new Error(`the lab has no host ${name}`);
    return host;
}

/** A host's address on a segment (IPv4 unless asked for 6). */
export function address(name: string, segment: string, family: 4 | 6 = 4): string {
    const a = labHost(name).addresses.find((x) => x.segment === segment && x.address.includes(":") === (family === 6));
    if (!a) throw new Error(`${name} has no IPv${family} address on ${segment}`);
    return a.address;
}

function sshArgs(name: string): string[] {
    const h = labHost(name);
    return [
        "-i", h.ssh.privateKeyPath, "-p", String(h.ssh.port),
        "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new",
        "-o", `UserKnownHostsFile=${path.join(runDir, "known_hosts")}`, "-o", "LogLevel=ERROR",
        "-o", "ConnectTimeout=10", "-o", "ControlMaster=auto",
        "-o", `ControlPath=${path.join(runDir, "ssh-%C")}`, "-o", "ControlPersist=120",
        `${h.ssh.user}@${h.ssh.host}`,
    ];
}

/** Runs a shell command on a lab host as root. */
export function onHost(name: string, command: string, opts: { input?: string; timeoutMs?: number } = {}): Run {
    const res = spawnSync("ssh", [...sshArgs(name), command], {
        encoding: "utf8", input: opts.input ?? "", timeout: opts.timeoutMs ?? 120_000, maxBuffer: 32 * 1024 * 1024,
    });
    if (res.error) throw res.error;
    return { code: res.status ?? -1, stdout: res.stdout ?? "", stderr: res.stderr ?? "" };
}

/** Like onHost(), but throws unless the command succeeds; returns its stdout. */
export function sh(name: string, command: string, opts: { input?: string; timeoutMs?: number } = {}): string {
    const res = onHost(name, command, opts);
    if (res.code !== 0) throw new Error(`${name}: \`${command}\` exited ${res.code}: ${res.stderr || res.stdout}`);
    return res.stdout;
}

const DIRECTOR_PACKAGES = "keepalived ipvsadm";
const APT = "DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300";
/** How many of DIRECTOR_PACKAGES a host has installed (a shell expression). */
const installedCount = `$(dpkg-query -W -f='\${Status}\\n' ${DIRECTOR_PACKAGES} 2>/dev/null | grep -c 'install ok installed')`;

/**
 * keepalived and ipvsadm on both directors as their admin installed them before pulumi-lvs came, left
 * installed afterwards. dr.test proves pulumi-lvs's own install, and its exact removal, on hosts without
 * them; the tests after it deploy onto directors that had the packages (which destroy must leave), and
 * each saves an install and a purge of about 15 packages (1 to 2 minutes of dpkg on the lab's hosts).
 */
export async function directorPackagesFromAdmin(directors: string[] = ["dir1", "dir2"]): Promise<void> {
    await onEachOk(directors, `installing ${DIRECTOR_PACKAGES}`,
        `[ "${installedCount}" = 2 ] || { ${APT} update -q >/dev/null && ${APT} install -y -q --no-install-recommends ${DIRECTOR_PACKAGES} >/dev/null; }`);
}

/** The directors without keepalived and ipvsadm (as the lab makes them), for a test that proves pulumi-lvs installs them. */
export async function directorPackagesAbsent(directors: string[] = ["dir1", "dir2"]): Promise<void> {
    await onEachOk(directors, `removing ${DIRECTOR_PACKAGES}`,
        `if [ "${installedCount}" != 0 ]; then ` +
        `systemctl disable -q --now keepalived 2>/dev/null; ${APT} purge -y -q --autoremove ${DIRECTOR_PACKAGES} >/dev/null && rm -rf /etc/keepalived; fi`);
}

/** Runs a command on every host at once; throws unless it succeeds on each. */
async function onEachOk(hosts: string[], what: string, command: string): Promise<void> {
    const runs = await Promise.all(hosts.map((h) => onHostAsync(h, command)));
    runs.forEach((r, i) => {
        if (r.code !== 0) throw new Error(`${hosts[i]}: ${what} exited ${r.code}: ${r.stderr || r.stdout}`);
    });
}

/** The first line a background command prints on stderr: its process group on the host. */
const GROUP_LINE = /^pulumi-lvs-test-group (\d+)\n/;

/**
 * Starts a command on a host without waiting; resolves when it ends. It is registered (lab/background.ts):
 * if the test fails first, its afterEach stops the command on the host and the local ssh.
 */
export function onHostAsync(name: string, command: string): Promise<Run> {
    // sshd runs the command's shell as the leader of a new session: its PID is the group to stop.
    const bg = startBackground(["ssh", ...sshArgs(name), `echo "pulumi-lvs-test-group $$" >&2; ${command}`], {
        stopElsewhere: ({ stderr }) => {
            const group = GROUP_LINE.exec(stderr)?.[1];
            if (group) onHost(name, `kill -TERM -- -${group} 2>/dev/null; true`, { timeoutMs: 15_000 });
        },
    });
    return bg.done.then((res) => ({ ...res, stderr: res.stderr.replace(GROUP_LINE, "") }));
}

/**
 * A host's iptables rules (`-S`) in every table given, IPv4 and IPv6, from both backends: pulumi-lvs
 * loads its rules with whichever one the kernel supports (nf_tables on the qemu route, legacy on uml).
 */
export function firewallRules(name: string, tables: string[] = ["filter", "nat", "mangle"]): string {
    return sh(name, `for t in ${tables.join(" ")}; do for c in iptables-legacy ip6tables-legacy iptables-nft ip6tables-nft; do ` +
        `echo "# $c $t"; $c -t $t -S 2>/dev/null || true; done; done`);
}

export interface HttpLoopResult {
    sent: number;
    /** Answers per real server (the body is the server's host name). */
    answers: Record<string, number>;
    failures: number;
    errors: Record<string, number>;
    /** The longest time without a successful answer, in seconds: the outage a client saw. */
    longest_gap: number;
    seconds: number;
}

/** `count` HTTP requests from the lab's client host, each on a new connection. */
export function httpRequests(url: string, count: number, opts: { timeout?: number } = {}): HttpLoopResult {
    const out = sh("client", `lab-client http ${url} --count ${count} --timeout ${opts.timeout ?? 2}`);
    return JSON.parse(out) as HttpLoopResult;
}

/** A request loop on the client that runs until stop() is called. */
export function startHttpLoop(url: string, opts: { interval?: number; timeout?: number } = {}): { stop(): Promise<HttpLoopResult> } {
    const flag = `/tmp/lab-loop-${process.pid}-${Date.now()}`;
    sh("client", `rm -f ${flag}`);
    const running = onHostAsync("client", `lab-client http ${url} --until-file ${flag} --interval ${opts.interval ?? 0.05} --timeout ${opts.timeout ?? 2}`);
    return {
        async stop() {
            sh("client", `touch ${flag}`);
            const res = await running;
            sh("client", `rm -f ${flag}`);
            if (res.code !== 0) throw new Error(`request loop failed: ${res.stderr}`);
            return JSON.parse(res.stdout) as HttpLoopResult;
        },
    };
}

/**
 * Times a VIP move inside the lab (the hosts share the machine's clock): runs `action` on `from`, and
 * measures on `to` how long until `vip` is on `iface` there. Returns seconds, or throws on timeout.
 */
export async function timeVipMove(opts: { from: string; to: string; vip: string; iface: string; action: string; timeoutSec?: number }): Promise<number> {
    const limit = opts.timeoutSec ?? 20;
    const watch = onHostAsync(opts.to,
        `end=$(( $(date +%s) + ${limit} )); while [ $(date +%s) -lt $end ]; do ` +
        `case "$(ip -o addr show dev ${opts.iface})" in *" ${opts.vip}/"*) date +%s.%N; exit 0;; esac; sleep 0.02; done; exit 1`);
    await new Promise((r) => setTimeout(r, 300));
    const started = Number(sh(opts.from, `date +%s.%N; ${opts.action} >/dev/null 2>&1`).trim().split("\n")[0]);
    const res = await watch;
    if (res.code !== 0) throw new Error(`${opts.vip} did not reach ${opts.to} within ${limit} s`);
    return Number(res.stdout.trim()) - started;
}

/** Stack config that points the lab examples at this lab: lab:hosts and the secret lab:privateKey. */
export function labStackConfig(): { hosts: string; privateKeyPath: string } {
    return { hosts: JSON.stringify(labHosts()), privateKeyPath: labHosts()[0]!.ssh.privateKeyPath };
}

export interface LabMail { peer: string; subject: string; text: string }

/** The mails the client's sink (`lab-service smtp`, port 25) kept since clearLabMails(), oldest first. */
export function labMails(): LabMail[] {
    const out = sh("client", `for f in $(ls /run/lab/mail/*.eml 2>/dev/null | sort); do cat "$f"; printf '\\0'; done`);
    return out.split("\0").filter((t) => t.trim() !== "").map((text) => ({
        peer: /^X-Lab-Peer: (.*)$/m.exec(text)?.[1] ?? "",
        subject: /^Subject: (.*)$/m.exec(text)?.[1] ?? "",
        text,
    }));
}

export function clearLabMails(): void {
    sh("client", "rm -f /run/lab/mail/*.eml");
}
