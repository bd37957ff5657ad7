// The bench's results: rows of one task by one tool, the table printed from them with the ratio
// pulumi-lvs / Ansible, and the targets checked against them.
import type { HostCost } from "./hostCounters";
import type { FailoverResult } from "./failover";

export interface Row {
    task: string;
    tool: "pulumi-lvs" | "ansible" | "empty stack";
    seconds: number;
    /** Per director (dir1, dir2). */
    directors?: Record<string, HostCost>;
    /** Requests through the VIP during the task. */
    requests?: { sent: number; failed: number };
}

export interface BenchReport {
    measuredAt: string;
    machine: string;
    lab: string;
    smoke: boolean;
    rows: Row[];
    /** Both tools loaded the same IPVS table, in each case compared (examples/lab-dr, the first scale row). */
    sameIpvsTable: boolean;
    ipvsTables: Record<string, { pulumi: string; ansible: string }>;
    failover?: FailoverResult;
    preview?: { services: number; realServers: number; seconds: number; peakMiB: number };
}

const cost = (r: Row | undefined) => {
    if (!r?.directors) return "";
    const per = Object.values(r.directors);
    const fmt = (k: keyof HostCost) => per.map((c) => c[k]).join("/");
    return `${fmt("connections")} ${fmt("commands")} ${fmt("reloads")}`;
};

/** The row of `task` by `tool`, if the run has one. */
function findRow(report: BenchReport, task: string, tool: Row["tool"]): Row | undefined {
    return report.rows.find((r) => r.task === task && r.tool === tool);
}

export function tableLines(report: BenchReport): string[] {
    const tasks = [...new Set(report.rows.filter((r) => r.tool !== "empty stack").map((r) => r.task))];
    const find = (task: string, tool: Row["tool"]) => findRow(report, task, tool);
    const lines = [
        `| task | pulumi-lvs s | conns cmds reloads (dir1/dir2) | Ansible s | conns cmds reloads (dir1/dir2) | ratio |`,
        `|---|---:|---|---:|---|---:|`,
    ];
    for (const task of tasks) {
        const p = find(task, "pulumi-lvs");
        const a = find(task, "ansible");
        const failed = (r: Row | undefined) => (r?.requests ? `, ${r.requests.failed} of ${r.requests.sent} requests failed` : "");
        lines.push(`| ${task} | ${p?.seconds ?? ""} | ${cost(p)}${failed(p)} | ${a?.seconds ?? ""} | ${cost(a)}${failed(a)} | ${p && a ? (p.seconds / a.seconds).toFixed(2) : ""} |`);
    }
    const empty = find("no-op up", "empty stack");
    if (empty) lines.push(`| no-op up of an empty stack | ${empty.seconds} | | | | |`);
    return lines;
}

/** The targets, each with whether this run met it. */
export function targets(report: BenchReport): { target: string; met: boolean; measured: string }[] {
    const find = (task: string, tool: Row["tool"]) => findRow(report, task, tool);
    const out: { target: string; met: boolean; measured: string }[] = [];
    const noop = find("no-op up", "pulumi-lvs");
    const empty = find("no-op up", "empty stack");
    if (noop?.directors && empty) {
        const commands = Object.values(noop.directors).reduce((s, c) => s + c.commands, 0);
        out.push({ target: "no-op up: 0 remote commands", met: commands === 0, measured: `${commands}` });
        out.push({ target: "no-op up: at most 1.3x an empty stack's up", met: noop.seconds <= 1.3 * empty.seconds, measured: `${(noop.seconds / empty.seconds).toFixed(2)}x` });
    }
    const weight = find("one weight change", "pulumi-lvs");
    if (weight?.directors) {
        const per = Object.values(weight.directors);
        out.push({
            target: "weight change: at most 1 SSH connection and 1 reload per director, 0 failed requests",
            met: per.every((c) => c.connections <= 1 && c.reloads <= 1) && weight.requests?.failed === 0,
            measured: `${cost(weight)}, ${weight.requests?.failed} failed`,
        });
    }
    const pFirst = find("first deploy (examples/lab-dr)", "pulumi-lvs");
    const aFirst = find("first deploy (examples/lab-dr)", "ansible");
    if (pFirst && aFirst) out.push({ target: "first deploy: at most 0.5x Ansible's time", met: pFirst.seconds <= 0.5 * aFirst.seconds, measured: `${(pFirst.seconds / aFirst.seconds).toFixed(2)}x` });
    // Services added as VirtualServices of their own, and as one VirtualServiceSet: each family against its own one-service row.
    for (const family of [/^add \d+ services?$/, /^add \d+ services?, one VirtualServiceSet$/]) {
        const add = report.rows.filter((r) => r.tool === "pulumi-lvs" && family.test(r.task));
        if (add.length < 2) continue;
        const one = add[0]!;
        const most = add[add.length - 1]!;
        const reloads = Math.max(...Object.values(most.directors ?? {}).map((c) => c.reloads));
        out.push({ target: `${most.task}: at most 2 reloads per director`, met: reloads <= 2, measured: `${reloads}` });
        out.push({ target: `${most.task}: at most 3x the time to ${one.task}`, met: most.seconds <= 3 * one.seconds, measured: `${(most.seconds / one.seconds).toFixed(2)}x` });
    }
    return out;
}

export function printTable(report: BenchReport): void {
    console.log(`\nMeasured ${report.measuredAt} on ${report.machine}, lab route ${report.lab}${report.smoke ? " (smoke run)" : ""}\n`);
    for (const line of tableLines(report)) console.log(line);
    if (report.failover) {
        const f = report.failover;
        console.log(`\nfailover: stop ${f.stop.seconds} s (${f.stop.connectionsKept} of ${f.stop.connections} connections kept), ` +
            `kill -9 ${f.kill9.seconds} s (${f.kill9.connectionsKept} of ${f.kill9.connections} kept)`);
    }
    if (report.preview) console.log(`preview of ${report.preview.services} services x ${report.preview.realServers} real servers: ${report.preview.seconds.toFixed(1)} s, peak ${report.preview.peakMiB} MiB`);
    console.log(`the same IPVS table from both tools (${Object.keys(report.ipvsTables).join(", ")}): ${report.sameIpvsTable ? "yes" : "NO"}`);
    console.log("\ntargets:");
    for (const t of targets(report)) console.log(`  ${t.met ? "met    " : "NOT met"}  ${t.target} (measured: ${t.measured})`);
}
