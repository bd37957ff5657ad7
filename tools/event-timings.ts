// Where the time of a `pulumi up`/`destroy` goes: reads the engine event logs written with
// PLVS_EVENT_LOG_DIR (see test/helpers/pulumi-cli.ts) and prints each step's duration, longest first.
//   npx tsx tools/event-timings.ts <file.jsonl ...> [--top N]
import * as fs from "fs";

interface Step { urn: string; op: string; start: number; end?: number; failed?: boolean }

function steps(file: string): { steps: Step[]; wall: number } {
    const open = new Map<string, Step>();
    const done: Step[] = [];
    let first = Infinity;
    let last = -Infinity;
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        if (!line.trim()) continue;
        const e = JSON.parse(line);
        const t: number = e.timestamp;
        first = Math.min(first, t);
        last = Math.max(last, t);
        const pre = e.resourcePreEvent?.metadata;
        if (pre) open.set(`${pre.op} ${pre.urn}`, { urn: pre.urn, op: pre.op, start: t });
        const end = e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
        if (end) {
            const step = open.get(`${end.op} ${end.urn}`);
            if (step) {
                step.end = t;
                step.failed = e.resOpFailedEvent !== undefined;
                done.push(step);
                open.delete(`${end.op} ${end.urn}`);
            }
        }
    }
    return { steps: done, wall: last - first };
}

const args = process.argv.slice(2);
const topAt = args.indexOf("--top");
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 15;
for (const file of args) {
    const { steps: all, wall } = steps(file);
    const timed = all.filter((s) => s.op !== "same").sort((a, b) => (b.end! - b.start) - (a.end! - a.start));
    const busy = timed.reduce((sum, s) => sum + (s.end! - s.start), 0);
    console.log(`${file}: ${wall} s wall, ${timed.length} steps, ${busy} step-seconds`);
    for (const s of timed.slice(0, top)) {
        console.log(`  ${String(s.end! - s.start).padStart(4)} s  ${s.op.padEnd(14)} ${s.urn.split("::").pop()}${s.failed ? "  (failed)" : ""}`);
    }
}
