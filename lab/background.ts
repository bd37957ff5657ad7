// Processes a test leaves running while a step does its work: request loops, held connections, samplers
// on the lab's hosts. Each one is registered until it ends, so that a root afterEach hook
// (test/helpers/rootHooks.ts) stops whatever a failed step left behind: no loop keeps loading a lab host,
// and no child process keeps mocha from exiting.
import { spawn } from "child_process";
import { constants } from "os";

export interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

export interface Background {
    /** The local process. */
    pid: number;
    /** Its result once it ends (or is stopped). */
    done: Promise<Run>;
    /** What it printed so far. */
    output(): { stdout: string; stderr: string };
}

export interface BackgroundOptions {
    /**
     * Stops what the process runs elsewhere (a command on a lab host, which outlives a killed ssh), given
     * the output so far; called before the local process is killed.
     */
    stopElsewhere?: (output: { stdout: string; stderr: string }) => void;
}

const running = new Map<number, () => Promise<void>>();

/** Starts argv without waiting for it, registered until it ends. */
export function startBackground(argv: string[], opts: BackgroundOptions = {}): Background {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const done = new Promise<Run>((resolve, reject) => {
        child.on("error", (err) => {
            running.delete(child.pid ?? -1);
            reject(err);
        });
        child.on("close", (code, signal) => {
            running.delete(child.pid ?? -1);
            // Like a shell's $?: 128 + the signal's number when a signal ended it.
            resolve({ code: code ?? (signal ? 128 + constants.signals[signal] : -1), stdout, stderr });
        });
    });
    const output = () => ({ stdout, stderr });
    if (child.pid === undefined) return { pid: -1, done, output };
    const pid = child.pid;
    running.set(pid, async () => {
        try {
            opts.stopElsewhere?.(output());
        } catch {
            // The host may be gone too: the local process is stopped all the same.
        }
        const ended = done.then(() => true, () => true);
        child.kill("SIGTERM");
        const timer = new Promise<boolean>((r) => setTimeout(() => r(false), 3000).unref());
        if (!(await Promise.race([ended, timer]))) child.kill("SIGKILL");
        await ended;
    });
    return { pid, done, output };
}

/** The local processes still running. */
export function backgroundPids(): number[] {
    return [...running.keys()];
}

/** Stops every registered process still running; returns how many there were. */
export async function stopBackground(): Promise<number> {
    const stops = [...running.values()];
    running.clear();
    await Promise.all(stops.map((stop) => stop()));
    return stops.length;
}
