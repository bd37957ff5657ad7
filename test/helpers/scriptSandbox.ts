// Runs a real remote script (prelude, claims library and body, as pulumi-lvs sends it) on a scratch
// host: a network and mount namespace of its own (root on this machine), the script's paths moved into
// a scratch folder, /run/lock and /etc/modules-load.d bound to scratch ones, and stand-ins for what must
// not touch this machine (systemd, the package manager, keepalived, ipvsadm, kernel modules). The rest
// are the real tools: ip, sysctl, iptables (.cache/iptables), coreutils. A run may first prepare the
// host with other scripts (an apply before a delete), then run its script with a fault:
//   a tool missing, or failing (exit 1), for that script only;
//   a folder (state, targets, temp) read-only, or full (a tmpfs holding the folder's files, filled up).
// The script's own PATH line is the only line changed: it points at a folder of links to the tools,
// without the missing one.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { iptablesBin, iptablesUnavailable } from "./iptables";
import { shq } from "../../src/remote/shell";

export type Fault =
    | { tool: string; mode: "missing" | "fails" }
    | { tool: string; mode: "replaced"; body: string }
    | { dir: "state" | "targets" | "tmp"; mode: "readonly" | "full" };

export interface Step {
    script: string;
    input?: string;
    /** A plain bash snippet (a check), run as it is with every tool on PATH. */
    plain?: boolean;
    /** Variables set for it (another owner: PLVS_OWNER, PLVS_TOKEN; the fakes' switches). */
    env?: Record<string, string>;
    /** The phase it runs as, as remote.Command's bootstrap names it (plvs-create, ...); none by default. */
    phase?: "create" | "update" | "delete";
}

export interface StepOutcome {
    status: number | null;
    stdout: string;
    stderr: string;
}

export interface Outcome {
    status: number | null;
    stdout: string;
    stderr: string;
    /** The tools the faulted script ran (not those of the preparation), each once. */
    tools: string[];
    /** What the `after` steps printed (stdout and stderr). */
    after: string;
    /** The outcomes of the `together` steps, in their order. */
    together: StepOutcome[];
}

const SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
const OWNER = { urn: "urn:pulumi:test::unit::pulumi-lvs:index:Fuzz$command:remote:Command::x", token: "f0f0f0f0f0f0f0f0" };

// Stand-ins for what must not touch this machine, sharing state in $FAKE_STATE.
const FAKES = path.join(__dirname, "host-fakes");

/** Every tool on this machine's PATH, the real iptables, and the stand-ins, by name. */
function toolIndex(): Map<string, string> {
    const tools = new Map<string, string>();
    const add = (dir: string) => {
        if (!fs.existsSync(dir)) return;
        for (const name of fs.readdirSync(dir)) if (!tools.has(name)) tools.set(name, path.join(dir, name));
    };
    add(iptablesBin());
    for (const dir of SYSTEM_PATH) add(dir);
    return tools;
}

export class ScriptSandbox {
    readonly root: string;
    private readonly logged: string;
    private readonly tools: Map<string, string>;
    private readonly farms = new Map<string, string>();

    constructor() {
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), "plvs-sandbox-"));
        // Each tool as a wrapper that notes its name, then runs the tool (a stand-in or the real one).
        this.logged = path.join(this.root, "logged");
        fs.mkdirSync(this.logged);
        const tools = toolIndex();
        for (const name of fs.readdirSync(FAKES)) tools.set(name, path.join(FAKES, name));
        this.tools = tools;
        for (const [name, real] of tools) {
            if (name.includes("'")) continue;
            fs.writeFileSync(path.join(this.logged, name), `#!/bin/sh\n[ -z "$TOOL_LOG" ] || echo '${name}' >> "$TOOL_LOG"\nexec '${real}' "$@"\n`, { mode: 0o755 });
        }
    }

    /** The scratch host's folders: state, targets (files the scripts write), units, tmp. */
    paths(run: string) {
        return {
            state: path.join(run, "state", "pulumi-lvs"),
            targets: path.join(run, "targets"),
            units: path.join(run, "targets", "units"),
            tmp: path.join(run, "tmp"),
            fake: path.join(run, "fake"),
        };
    }

    /** The script with its paths moved into the run's folder and its PATH pointing at `bin`. */
    private localize(script: string, run: string): string {
        const p = this.paths(run);
        const set = /^SET='([^']*)'$/m.exec(script)?.[1];
        const moved: Record<string, string> = {
            STATE_DIR: p.state,
            UNIT_DIR: p.units,
            ...(set !== undefined ? { FILE: `${p.targets}/fw/${set}.rules` } : {}),
            KEEPALIVED_DIR: `${p.targets}/keepalived`,
            KEEPALIVED_CONF: `${p.targets}/keepalived/keepalived.conf`,
            LVS_DIR: `${p.targets}/keepalived/pulumi-lvs`,
        };
        let text = script;
        for (const [name, value] of Object.entries(moved)) text = text.replace(new RegExp(`^${name}='[^']*'$`, "m"), `${name}='${value}'`);
        // sysctl.d files and keepalived targets keep their names, in the run's folder.
        text = text.replace(/^FILE='\/etc\/sysctl\.d\/([^']*)'$/m, `FILE='${p.targets}/$1'`);
        text = text.replace(/^TARGET='\/etc\/keepalived\/([^']*)'$/m, `TARGET='${p.targets}/keepalived/$1'`);
        return text.replace(/^export PATH=.*$/gm, 'export PATH="$PLVS_TEST_PATH"');
    }

    /** A folder of links to every tool but those in `without` (made once per set). */
    private farm(without: ReadonlyArray<string>): string {
        const key = [...without].sort().join(" ");
        let dir = this.farms.get(key);
        if (dir === undefined) {
            dir = fs.mkdtempSync(path.join(this.root, "farm-"));
            for (const [name, real] of this.tools) if (!without.includes(name)) fs.symlinkSync(real, path.join(dir, name));
            this.farms.set(key, dir);
        }
        return dir;
    }

    /** The PATH of the faulted script: every tool, without the missing ones, the failing or replaced ones first. */
    private faultPath(run: string, faults: ReadonlyArray<Fault>): string {
        const tools = faults.flatMap((f) => ("tool" in f ? [f] : []));
        const farm = this.farm(tools.filter((f) => f.mode === "missing").map((f) => f.tool));
        const replaced = tools.filter((f) => f.mode !== "missing");
        if (replaced.length === 0) return farm;
        const dir = path.join(run, "replaced");
        fs.mkdirSync(dir);
        for (const f of replaced) {
            const body = f.mode === "replaced" ? f.body : `echo "${f.tool}: failing on purpose (test)" >&2\nexit 1`;
            fs.writeFileSync(path.join(dir, f.tool), `#!/bin/bash\nREAL=${JSON.stringify(this.tools.get(f.tool) ?? "")}\n${body}\n`, { mode: 0o755 });
        }
        return `${dir}:${farm}`;
    }

    /**
     * Prepares with `before` (no fault), runs `step` with `fault` (and the `together` steps at the same time,
     * with the same fault), then `after` (no fault); all in one namespace. With `gate`, the host lock is
     * held while those start, until each has queued its service change (scripts/batch.sh), so they meet
     * in one batch however slowly each one starts.
     */
    run(step: Step, opts: { before?: Step[]; after?: Step[]; together?: Step[]; fault?: Fault | Fault[]; serviceFile?: string; veth?: boolean; gate?: boolean } = {}): Outcome {
        const run = fs.mkdtempSync(path.join(this.root, "run-"));
        const p = this.paths(run);
        for (const dir of [p.targets, p.units, p.tmp, p.fake, path.join(run, "lock"), path.join(run, "modules-load")]) fs.mkdirSync(dir, { recursive: true });
        // A clean run of the step notes the tools it uses; everything else runs them directly.
        const cleanBin = this.farm([]);
        const faults = opts.fault === undefined ? [] : Array.isArray(opts.fault) ? opts.fault : [opts.fault];
        const faultBin = faults.length > 0 ? this.faultPath(run, faults) : this.logged;
        const together = opts.together ?? [];
        const steps = [...(opts.before ?? []), step, ...(opts.after ?? [])];
        const write = (s: Step, name: string) => {
            const env = Object.entries(s.env ?? {}).map(([k, v]) => `export ${k}=${shq(v)}\n`).join("");
            fs.writeFileSync(path.join(run, `script${name}`), env + (s.plain ? s.script : this.localize(s.script, run)));
            fs.writeFileSync(path.join(run, `input${name}`), s.input ?? "");
            fs.writeFileSync(path.join(run, `phase${name}`), s.phase ? `plvs-${s.phase}` : "pulumi-lvs");
        };
        steps.forEach((s, i) => write(s, String(i)));
        together.forEach((s, j) => write(s, `t${j}`));
        const main = (opts.before ?? []).length;
        const dirFault = faults.find((f): f is Extract<Fault, { dir: string }> => "dir" in f);
        const faultDir = dirFault ? { state: path.dirname(p.state), targets: p.targets, tmp: p.tmp }[dirFault.dir] : "";
        const harness = [
            "set -e",
            `R=${JSON.stringify(run)}`,
            'mount --bind "$R/lock" /run/lock',
            '[ ! -d /etc/modules-load.d ] || mount --bind "$R/modules-load" /etc/modules-load.d',
            "ip link set lo up",
            ...(opts.veth ? ["ip link add v0 type veth peer name v1", "ip addr add 10.202.0.1/24 dev v0", "ip link set v0 up", "ip link set v1 up"] : []),
            "for i in $(seq 0 $((MAIN - 1))); do",
            '  PLVS_TEST_PATH="$CLEAN_BIN" PATH="$CLEAN_BIN" /bin/bash -c "$(cat "$R/script$i")" "$(cat "$R/phase$i")" < "$R/input$i" > "$R/prep.out" 2>&1 || { echo "preparation step $i failed:"; cat "$R/prep.out"; exit 99; } >&2',
            "done",
            ...(dirFault ? [
                `D=${JSON.stringify(faultDir)}`,
                'mkdir -p "$D" "$R/fs"',
                ...(dirFault.mode === "full"
                    ? ['mount -t tmpfs -o size=64k tmpfs "$R/fs"', 'cp -a "$D/." "$R/fs/"', '{ head -c 1M /dev/zero > "$R/fs/.fill"; } 2>/dev/null || true', 'mount --bind "$R/fs" "$D"']
                    : ['mount --bind "$D" "$D"', 'mount -o remount,bind,ro "$D"']),
            ] : []),
            'export TOOL_LOG="$R/tools.log"',
            ...(opts.gate ? [
                `( exec 7>/run/lock/pulumi-lvs.lock; flock 7; : > "$R/gate"; for i in $(seq 1200); do [ "$(ls "$R/state/pulumi-lvs/batch/queue" 2>/dev/null | wc -l)" -lt ${together.length + 1} ] || break; sleep 0.025; done ) &`,
                'until [ -f "$R/gate" ]; do sleep 0.01; done',
            ] : []),
            `for j in $(seq 0 ${together.length - 1}); do`,
            '  { s=0; PLVS_TEST_PATH="$FAULT_BIN" PATH="$FAULT_BIN" /bin/bash -c "$(cat "$R/scriptt$j")" "$(cat "$R/phaset$j")" < "$R/inputt$j" > "$R/t$j.out" 2> "$R/t$j.err" || s=$?; echo $s > "$R/t$j.status"; } &',
            "done",
            'status=0; PLVS_TEST_PATH="$FAULT_BIN" PATH="$FAULT_BIN" /bin/bash -c "$(cat "$R/script$MAIN")" "$(cat "$R/phase$MAIN")" < "$R/input$MAIN" || status=$?',
            "wait",
            "unset TOOL_LOG",
            `for i in $(seq $((MAIN + 1)) ${steps.length - 1}); do`,
            '  PLVS_TEST_PATH="$CLEAN_BIN" PATH="$CLEAN_BIN" /bin/bash -c "$(cat "$R/script$i")" "$(cat "$R/phase$i")" < "$R/input$i" >> "$R/after.out" 2>&1 || echo "(exit $?)" >> "$R/after.out"',
            "done",
            'exit "$status"',
        ].join("\n");
        const res = spawnSync("unshare", ["--net", "--mount", "bash", "-c", harness], {
            encoding: "utf8",
            timeout: 60_000,
            env: {
                ...process.env,
                MAIN: String(main), CLEAN_BIN: cleanBin, FAULT_BIN: faultBin,
                PLVS_OWNER: OWNER.urn, PLVS_TOKEN: OWNER.token,
                TMPDIR: p.tmp, FAKE_STATE: p.fake, FAKE_UNIT_DIR: p.units, FAKE_SERVICE_FILE: opts.serviceFile ? this.localize(`TARGET='${opts.serviceFile}'`, run).replace(/^TARGET='|'$/g, "") : "",
            },
        });
        const log = path.join(run, "tools.log");
        const tools = fs.existsSync(log) ? [...new Set(fs.readFileSync(log, "utf8").split("\n").filter(Boolean))] : [];
        const afterOut = path.join(run, "after.out");
        const after = fs.existsSync(afterOut) ? fs.readFileSync(afterOut, "utf8") : "";
        const read = (f: string) => (fs.existsSync(path.join(run, f)) ? fs.readFileSync(path.join(run, f), "utf8") : "");
        const togetherOut = together.map((_, j) => ({ status: read(`t${j}.status`) === "" ? null : Number(read(`t${j}.status`)), stdout: read(`t${j}.out`), stderr: read(`t${j}.err`) }));
        spawnSync("rm", ["-rf", run]);
        return { status: res.status, stdout: res.stdout, stderr: res.stderr + (res.error ? String(res.error) : ""), tools, after, together: togetherOut };
    }

    dispose(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/**
 * A ScriptSandbox for the tests of the calling `describe`, made in its `before` and disposed in its
 * `after`. Where the real iptables or namespaces cannot be had, the tests are skipped with the reason
 * (under CI=true, they fail).
 */
export function sandboxPerSuite(): () => ScriptSandbox {
    let box: ScriptSandbox | undefined;
    before(function () {
        const why = iptablesUnavailable();
        if (why) {
            if (process.env.CI === "true") throw new Error(why);
            console.log(`      skipped: ${why}`);
            this.skip();
        }
        box = new ScriptSandbox();
    });
    after(() => box?.dispose());
    return () => box!;
}

/** The lines an `after` step printed that start with `prefix` and a space, without them. */
export const linesOf = (after: string, prefix: string): string[] => after.split("\n").filter((l) => l.startsWith(`${prefix} `)).map((l) => l.slice(prefix.length + 1));
/** keepalived's loads (starts and reloads) a report step printed as "loads N". */
export const loadsOf = (after: string): number => Number(linesOf(after, "loads")[0]);
