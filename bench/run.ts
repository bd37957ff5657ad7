// `npm run bench`: pulumi-lvs and Ansible doing the same jobs on the same lab hosts, one after the other
// in one run, with what each costs: wall time, and on each director SSH connections, remote commands and
// keepalived reloads. Prints a table and writes it as JSON (bench/report.ts).
//   --smoke        a short run that checks the bench works (CI): the scale rows for 1 service (the
//                  no-op up on that stack), a small preview; no examples/lab-dr rows, no failover, one
//                  sample per timing
//   --out FILE     where the JSON goes (default .cache/bench/results.json)
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { address, directorPackagesAbsent, httpRequests, labName, onHost, repoRoot, sh, startHttpLoop } from "../lab/helpers";
import { costSince, restoreSshdLogging, startMarks, verboseSshd } from "./hostCounters";
import { failover, type FailoverResult } from "./failover";
import { printTable, type BenchReport, type Row } from "./report";
import type { LabStack } from "../test/helpers/labStack";
import {
    ansibleInventory, ansiblePlaybook, benchRepo, benchStack, measuredPreview, timed, type AnsibleService,
} from "./tools";

const args = process.argv.slice(2);
const smoke = args.includes("--smoke");
const outFile = args.includes("--out") ? path.resolve(args[args.indexOf("--out") + 1]!) : path.join(repoRoot, ".cache", "bench", "results.json");
const SCALES = smoke ? [1] : [1, 20, 100];
const PREVIEW = smoke ? { services: 4, realServers: 2 } : { services: 200, realServers: 20 };
const SAMPLES = smoke ? 1 : 3;

const DIRECTORS = ["dir1", "dir2"];
const REAL_SERVERS = ["rs1", "rs2", "rs3"];
const HOSTS = [...DIRECTORS, ...REAL_SERVERS];
const VIP = "10.201.0.100";
const WEIGHTS: Record<string, number> = { rs1: 3, rs2: 2, rs3: 1 };

const rows: Row[] = [];
/** What a failed run must still undo on the hosts, newest first. */
const undo: { what: string; run: () => void }[] = [];
function pending(what: string, run: () => void): () => void {
    const entry = { what, run };
    undo.unshift(entry);
    return () => { undo.splice(undo.indexOf(entry), 1); run(); };
}
const log = (line: string) => console.log(`[bench] ${line}`);

/** Runs a task with the directors' cost counted. */
async function measure<T>(task: string, tool: Row["tool"], run: () => T | Promise<T>, extra: (result: T) => Partial<Row> = () => ({})): Promise<T> {
    log(`${tool}: ${task}`);
    const marks = startMarks(DIRECTORS);
    const start = process.hrtime.bigint();
    const result = await run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cost = costSince(marks);
    const row: Row = { task, tool, seconds: round(seconds), directors: cost, ...extra(result) };
    rows.push(row);
    log(`  ${row.seconds} s; ${DIRECTORS.map((d) => `${d}: ${cost[d]!.connections} connections, ${cost[d]!.commands} commands, ${cost[d]!.reloads} reloads`).join("; ")}`);
    return result;
}

const count = (n: number) => `${n} service${n === 1 ? "" : "s"}`;
const round = (n: number) => Math.round(n * 100) / 100;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * The IPVS table a director loaded, without counters: what both tools must produce alike. Without the
 * weights for services whose real servers fail their checks (inhibit_on_failure sets them to 0 when it sees that).
 */
function ipvsTable(host: string, weights = true): string {
    return sh(host, `ipvsadm -Ln | tail -n +4 | sed -E 's/ +$//; s/ +[0-9]+ +[0-9]+$//${weights ? "" : "; s/ +[0-9]+$//"}' | sort`).trim();
}

const IPVS_SYSCTLS = ["net.ipv4.vs.expire_nodest_conn", "net.ipv4.vs.expire_quiescent_template"];
const SYSCTLS = [...IPVS_SYSCTLS, "net.ipv4.ip_forward", "net.ipv4.conf.all.arp_ignore", "net.ipv4.conf.all.arp_announce", "net.ipv4.conf.lo.arp_ignore", "net.ipv4.conf.lo.arp_announce"];

/** The sysctls the Ansible play sets, as each host has them now: put back after its teardown. */
function sysctlsNow(): Record<string, string> {
    return Object.fromEntries(HOSTS.map((h) => [h, sh(h, `sysctl -e ${SYSCTLS.join(" ")} | sed 's/ = /=/' | tr '\n' ' '`).trim()]));
}

const APT = "DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300";

/**
 * What Ansible's apt module needs on a host, installed before its rows and not timed: python3-apt (from
 * the lab's repository). Returns the directors that lacked it, to remove it from after.
 */
function ansiblePrerequisites(): string[] {
    const lacking = DIRECTORS.filter((d) => onHost(d, "dpkg-query -W -f='${Status}' python3-apt 2>/dev/null | grep -q 'install ok installed'").code !== 0);
    for (const d of lacking) sh(d, `${APT} update >/dev/null && ${APT} install -y --no-install-recommends python3-apt >/dev/null`, { timeoutMs: 600_000 });
    return lacking;
}

function ansibleTeardown(work: string, inventory: string, sysctls: Record<string, string>, prerequisites: string[]): void {
    ansiblePlaybook(work, inventory, "teardown.yml", { vip: VIP });
    for (const d of prerequisites) sh(d, `${APT} purge -y --autoremove python3-apt >/dev/null`, { timeoutMs: 600_000 });
    for (const [h, values] of Object.entries(sysctls)) sh(h, `sysctl -q -w ${values}`);
    // ip_vs stays loaded: its settings go back to the kernel's defaults unless they existed before.
    for (const d of DIRECTORS) {
        for (const key of IPVS_SYSCTLS.filter((k) => !sysctls[d]!.includes(`${k}=`))) sh(d, `sysctl -q -e -w ${key}=0`);
    }
}

/** Each host's apt cache emptied, so neither tool's first install finds the other's downloads. */
function freshApt(): void {
    for (const h of DIRECTORS) sh(h, "apt-get clean");
}

function ansibleDrVars(weights: Record<string, number>): Record<string, unknown> {
    const service = (name: string, port: number, check: "HTTP" | "TCP", w: (rs: string) => number): AnsibleService => ({
        name, port, check, delay_loop: 2, inhibit: false,
        real_servers: REAL_SERVERS.map((rs) => ({ address: address(rs, "front"), weight: w(rs) })),
    });
    return {
        vip: VIP, vrid: 51, interface: "eth0", auth_pass: "bench123", sync_daemon: true,
        services: [service("web", 80, "HTTP", (rs) => weights[rs]!), service("hold", 9000, "TCP", () => 1)],
    };
}

function ansibleScaleVars(services: number, bumpedWeight?: number): Record<string, unknown> {
    return {
        vip: VIP, vrid: 51, interface: "eth0", auth_pass: "bench123", sync_daemon: false,
        services: Array.from({ length: services }, (_, i): AnsibleService => ({
            name: `svc${i}`, port: 10000 + i, check: "TCP", delay_loop: 30, inhibit: true,
            real_servers: Array.from({ length: 10 }, (_, j) => ({ address: `10.201.0.${150 + j}`, weight: i === 0 && j === 0 && bumpedWeight !== undefined ? bumpedWeight : 1 + (j % 3) })),
        })),
    };
}

/**
 * A no-op up of `stack`, and the baseline: an empty stack's up (both as a median of SAMPLES, interleaved).
 */
async function noopRows(stack: LabStack, emptyDir: string): Promise<void> {
    await measure("no-op up", "pulumi-lvs", () => stack.up());
    const empty = benchStack(emptyDir, "bench-empty");
    const removeEmpty = pending("the empty stack", () => empty.remove());
    empty.up();
    const emptyTimes: number[] = [];
    const noopTimes: number[] = [rows[rows.length - 1]!.seconds];
    for (let i = 0; i < SAMPLES; i++) {
        emptyTimes.push(timed(() => empty.up()).seconds);
        if (i > 0 || SAMPLES === 1) noopTimes.push(timed(() => stack.up()).seconds);
    }
    rows.push({ task: "no-op up", tool: "empty stack", seconds: round(median(emptyTimes)) });
    rows.find((r) => r.task === "no-op up" && r.tool === "pulumi-lvs")!.seconds = round(median(noopTimes));
    removeEmpty();
}

/** After a first deploy: 60 requests through the VIP, none failing. */
function servesTraffic(tool: Row["tool"]): Partial<Row> {
    const res = httpRequests(`http://${VIP}/`, 60);
    if (res.failures !== 0) throw new Error(`after ${tool}'s first deploy ${res.failures} of 60 requests failed`);
    return {};
}

/** Requests through the VIP while `run` changes the deployment: how many failed. */
async function withTraffic<T>(run: () => T): Promise<{ result: T; sent: number; failed: number }> {
    const loop = startHttpLoop(`http://${VIP}/`, { interval: 0.05 });
    // The loop is running before the change starts.
    await new Promise((r) => setTimeout(r, 1000));
    const result = run();
    const traffic = await loop.stop();
    return { result, sent: traffic.sent, failed: traffic.failures };
}

/**
 * 1-4 on examples/lab-dr: pulumi-lvs (first deploy, no-op up, a weight change under traffic, failover,
 * destroy), then Ansible on the same hosts (first deploy, no-op run, the weight change), torn down after.
 * Returns the hosts' sysctls and the Ansible prerequisites it installed, for the last teardown.
 */
async function drRows(dirs: { repo: string; empty: string; work: string }, tables: Record<string, { pulumi: string; ansible: string }>):
    Promise<{ hostSysctls: Record<string, string>; prerequisites: string[]; failover: FailoverResult }> {
    const { work } = dirs;
    freshApt();
    const dr = benchStack(dirs.repo, "bench-dr", { syncDaemon: "true" });
    const removeDr = pending("the lab-dr stack", () => dr.remove());
    await measure("first deploy (examples/lab-dr)", "pulumi-lvs", () => dr.up(), () => servesTraffic("pulumi-lvs"));
    tables["examples/lab-dr"] = { pulumi: ipvsTable("dir1"), ansible: "" };
    await noopRows(dr, dirs.empty);
    dr.config("weights.rs1", "5", true);
    await measure("one weight change", "pulumi-lvs", () => withTraffic(() => dr.up()), (t) => ({ requests: { sent: t.sent, failed: t.failed } }));

    // 4: failover, with the sync daemon.
    const failed = await failover({ vip: VIP, master: "dir1", backup: "dir2" });

    await measure("destroy (examples/lab-dr)", "pulumi-lvs", () => dr.ok(["destroy", "--yes", "--skip-preview"]));
    removeDr();

    // 1-3 with Ansible, on the same hosts, put back as they were.
    const hostSysctls = sysctlsNow();
    const prerequisites = ansiblePrerequisites();
    freshApt();
    const inventory = ansibleInventory(work, REAL_SERVERS);
    const teardownDr = pending("Ansible's lab-dr", () => ansibleTeardown(work, inventory, hostSysctls, []));
    await measure("first deploy (examples/lab-dr)", "ansible", () => ansiblePlaybook(work, inventory, "site.yml", ansibleDrVars(WEIGHTS)), () => servesTraffic("ansible"));
    tables["examples/lab-dr"]!.ansible = ipvsTable("dir1");
    await measure("no-op up", "ansible", () => ansiblePlaybook(work, inventory, "site.yml", ansibleDrVars(WEIGHTS)));
    await measure("one weight change", "ansible", () => withTraffic(() => ansiblePlaybook(work, inventory, "site.yml", ansibleDrVars({ ...WEIGHTS, rs1: 5 }))),
        (t) => ({ requests: { sent: t.sent, failed: t.failed } }));
    teardownDr();
    return { hostSysctls, prerequisites, failover: failed };
}

async function main(): Promise<void> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-lvs-bench-"));
    log(`lab ${labName}; work folder ${work}${smoke ? "; smoke mode" : ""}`);
    const repo = benchRepo(work);
    const scaleDir = path.join(repo.dir, "scale");
    const emptyDir = path.join(repo.dir, "empty");
    verboseSshd(HOSTS);
    let failoverResult: FailoverResult | undefined;
    let preview: { seconds: number; peakMiB: number } | undefined;
    const tables: Record<string, { pulumi: string; ansible: string }> = {};
    try {
        await directorPackagesAbsent(DIRECTORS);

        // 1-4: examples/lab-dr (not in the smoke run, which does 2-3 on the scale program).
        let hostSysctls: Record<string, string> | undefined;
        let prerequisites: string[] | undefined;
        if (!smoke) {
            const dr = await drRows({ repo: repo.dir, empty: emptyDir, work }, tables);
            ({ hostSysctls, prerequisites } = dr);
            failoverResult = dr.failover;
        }

        // 5: N services added to a deployed pair, one weight changed, the N destroyed (the pair stays).
        const scale = benchStack(scaleDir, "bench-scale");
        const removeScale = pending("the scale stack", () => scale.remove());
        scale.up();
        // Each service a VirtualService of its own, then all of them as one VirtualServiceSet.
        for (const asSet of [false, true]) {
            scale.config("asSet", String(asSet));
            const as = asSet ? ", one VirtualServiceSet" : "";
            for (const n of SCALES) {
                scale.config("services", String(n));
                await measure(`add ${count(n)}${as}`, "pulumi-lvs", () => scale.up());
                if (n === SCALES[0] && !asSet) {
                    tables.scale = { pulumi: ipvsTable("dir1", false), ansible: "" };
                    if (smoke) await noopRows(scale, emptyDir);
                }
                if (n === SCALES[0] && asSet && ipvsTable("dir1", false) !== tables.scale!.pulumi) throw new Error("a VirtualServiceSet's IPVS table differs from its VirtualService's");
                scale.config("bumpedWeight", "5");
                await measure(`one weight change, ${count(n)}${as}`, "pulumi-lvs", () => scale.up());
                scale.run(["config", "rm", "bumpedWeight"]);
                scale.config("services", "0");
                await measure(`destroy ${count(n)}${as}`, "pulumi-lvs", () => scale.up());
            }
        }
        removeScale();
        hostSysctls ??= sysctlsNow();
        prerequisites ??= ansiblePrerequisites();
        const scaleInventory = ansibleInventory(work, []);
        const teardownScale = pending("Ansible's scale services", () => ansibleTeardown(work, scaleInventory, hostSysctls!, prerequisites!));
        ansiblePlaybook(work, scaleInventory, "site.yml", ansibleScaleVars(0));
        for (const n of SCALES) {
            await measure(`add ${count(n)}`, "ansible", () => ansiblePlaybook(work, scaleInventory, "site.yml", ansibleScaleVars(n)));
            if (n === SCALES[0]) tables.scale!.ansible = ipvsTable("dir1", false);
            await measure(`one weight change, ${count(n)}`, "ansible", () => ansiblePlaybook(work, scaleInventory, "site.yml", ansibleScaleVars(n, 5)));
            await measure(`destroy ${count(n)}`, "ansible", () => ansiblePlaybook(work, scaleInventory, "site.yml", ansibleScaleVars(0)));
        }
        teardownScale();

        // 6: a preview of many services (nothing deployed; no host is touched).
        const big = benchStack(scaleDir, "bench-preview", { services: String(PREVIEW.services), realServers: String(PREVIEW.realServers) });
        const removeBig = pending("the preview stack", () => big.remove());
        log(`pulumi-lvs: preview of ${PREVIEW.services} services x ${PREVIEW.realServers} real servers`);
        preview = measuredPreview(scaleDir, "bench-preview");
        removeBig();
    } finally {
        for (const { what, run } of [...undo]) {
            log(`undoing ${what}`);
            try { run(); } catch (err) { log(`  could not: ${(err as Error).message.split("\n")[0]}`); }
        }
        restoreSshdLogging(HOSTS);
        repo.remove();
        fs.rmSync(work, { recursive: true, force: true });
    }
    const report: BenchReport = {
        measuredAt: new Date().toISOString(),
        machine: machine(),
        lab: fs.readFileSync(path.join(repoRoot, ".cache", "lab", `last-route-${labName}`), "utf8").trim(),
        smoke,
        rows,
        sameIpvsTable: Object.values(tables).every((t) => t.pulumi !== "" && t.pulumi === t.ansible),
        ipvsTables: tables,
        failover: failoverResult,
        preview: preview && { ...PREVIEW, ...preview },
    };
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
    printTable(report);
    log(`written to ${outFile}`);
}

function machine(): string {
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    return `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`;
}

main().catch((err) => {
    console.error(`[bench] failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
});
