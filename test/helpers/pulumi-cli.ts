// Runs the real Pulumi CLI (the pinned one from .tools/pulumi/bin, see scripts/env.sh) in a project folder.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export const repoRoot = path.resolve(__dirname, "..", "..");

export interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
    /** stdout and stderr together, for assertions on what a user would read. */
    output: string;
}

/** The environment scripts/env.sh sets up, so tests work however they were started. */
export function pulumiEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const tools = path.join(repoRoot, ".tools", "pulumi");
    return {
        ...process.env,
        PATH: `${path.join(tools, "bin")}:${process.env.PATH ?? ""}`,
        PULUMI_HOME: process.env.PULUMI_HOME ?? path.join(tools, "home"),
        PULUMI_BACKEND_URL: process.env.PULUMI_BACKEND_URL ?? `file://${path.join(repoRoot, ".pulumi-state")}`,
        PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "pulumi-lvs-lab",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        // --event-log is registered only with debug commands on (pkg/cmd/pulumi/operations, env.DebugCommands).
        ...(process.env.PLVS_EVENT_LOG_DIR ? { PULUMI_DEBUG_COMMANDS: "true" } : {}),
        ...extra,
    };
}

/** The state file of a stack in the file backend the CLI uses (PULUMI_BACKEND_URL, as pulumiEnv sets it). */
export function stateFile(project: string, stack: string): string {
    const backend = pulumiEnv().PULUMI_BACKEND_URL!;
    if (!backend.startsWith("file://")) throw new Error(`tests read the state from a file backend, not ${backend}`);
    return path.join(backend.slice("file://".length), ".pulumi", "stacks", project, `${stack}.json`);
}

let eventLogs = 0;

/** With PLVS_EVENT_LOG_DIR set, every up, preview and destroy writes its engine events there (tools/event-timings.ts reads them). */
function eventLog(args: string[]): string[] {
    const dir = process.env.PLVS_EVENT_LOG_DIR;
    if (!dir || !["up", "preview", "destroy"].includes(args[0] ?? "")) return [];
    fs.mkdirSync(dir, { recursive: true });
    const at = args.indexOf("--stack");
    const stack = at >= 0 ? args[at + 1] : "stack";
    return ["--event-log", path.join(dir, `${String(++eventLogs).padStart(3, "0")}-${stack}-${args[0]}.jsonl`)];
}

export function pulumi(cwd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): CliResult {
    const res = spawnSync("pulumi", ["--non-interactive", ...args, ...eventLog(args)], {
        cwd,
        env: pulumiEnv(opts.env),
        input: opts.input,
        encoding: "utf8",
        timeout: opts.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
    });
    if (res.error) throw res.error;
    const stdout = res.stdout ?? "";
    const stderr = res.stderr ?? "";
    return { code: res.status ?? -1, stdout, stderr, output: `${stdout}\n${stderr}` };
}

/** Like pulumi(), but throws with the CLI's output when the command fails. */
export function pulumiOk(cwd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): CliResult {
    const res = pulumi(cwd, args, opts);
    if (res.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${res.code}:\n${res.output}`);
    return res;
}
