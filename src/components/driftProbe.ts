// The trigger of a drift check (the repair, a remote.Command running keepalived-apply.sh with DRIFT=1).
// During preview and up the program probes the director itself, read-only (scripts/drift-probe.sh over
// ssh2), and the trigger is the mark of what it found (remote/drift.ts): unchanged while the host is as
// configured, so `pulumi preview --expect-no-changes` passes; new, naming each difference, when it
// drifted, so preview shows the repair and `up` runs it.
// Not probed: in preview, a director whose connection or whose managed file's command is not known yet
// (a host created or replaced, a file changed, by this same update): the trigger is then unknown, and
// `up` probes once that command is done. A host that cannot be probed gets a warning and a new mark, so
// the repair runs and says what it finds.
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import type { Connection } from "../model/connection";
import { driftMark, driftProbe, parseProbe } from "../remote/drift";
import type { KeepalivedFile } from "../remote/keepalivedFile";
import { bootstrap, byteLength, packedParts, packScripts } from "../remote/shell";
import { RUN_STAMP } from "./hostCommand";
import { execOverSsh, type ExecResult } from "./sshExec";

/** How the probe reaches a host (tests put a fake host here). */
export type RemoteRunner = (conn: Connection, command: string, stdin: string, timeoutMs: number) => Promise<ExecResult>;
let runner: RemoteRunner = execOverSsh;
export function useRemoteRunner(r: RemoteRunner): void {
    runner = r;
}

/** Seconds a probe may take once logged in (the dials have their own perDialTimeout). */
const PROBE_SECONDS = 30;

export interface DriftTriggerArgs {
    /** What is checked, for messages, e.g. `LvsDirectorPair "lb": drift check of keepalived.conf (primary director)`. */
    what: string;
    connection: pulumi.Input<command.types.input.remote.ConnectionArgs>;
    file: pulumi.Input<KeepalivedFile>;
    /** The file's content in the stack. */
    content: pulumi.Input<string>;
    /** The commands whose changes the host must have first: in up, the probe waits for them. */
    after: command.remote.Command[];
    parent: pulumi.Resource;
}

export function driftTrigger(args: DriftTriggerArgs): pulumi.Output<string> {
    const done = pulumi.all(args.after.map((c) => c.stdout));
    const mark = pulumi.all([args.connection, args.file, args.content, done]).apply(([conn, file, content]) =>
        probeMark(args.what, conn as Connection, file, content, args.parent));
    // The mark names no part of the connection (a secret): it is secret only when the compared file is.
    return pulumi.all([pulumi.unsecret(mark), args.file, args.content]).apply(([m]) => m);
}

async function probeMark(what: string, conn: Connection, file: KeepalivedFile, content: string, parent: pulumi.Resource): Promise<string> {
    const script = driftProbe(file);
    // The remote commands' bootstrap: root, or `sudo -n`; the script (packed), then the stack's content, on stdin.
    const commandText = bootstrap(`probe: ${what}`, "probe", byteLength(script), [[0, byteLength(script)]]);
    const dials = [conn, conn.proxy].reduce((s, hop) => s + (hop ? hop.perDialTimeout ?? 15 : 0), 0);
    try {
        const res = await runner(conn, commandText, `0 probe\n${packScripts(...packedParts(script))}\n${content}`, (dials + PROBE_SECONDS) * 1000);
        if (res.code !== 0) throw new Error(`the probe exited with status ${res.code}: ${res.stderr.trim().split("\n").slice(-3).join(" ") || "no message"}`);
        return driftMark(parseProbe(res.stdout), RUN_STAMP);
    } catch (err) {
        const why = withoutEndpoints((err as Error).message, conn);
        pulumi.log.warn(`${what}: cannot probe the director for drift (${why}); the drift check runs in \`up\` to find out`, parent);
        return `not probed ${RUN_STAMP}: ${why}`.replace(/[\r\n]+/g, " ");
    }
}

/** The message without the host names, users and ports, which may be secrets: the role names the director. */
function withoutEndpoints(message: string, conn: Connection): string {
    let text = message;
    for (const hop of [conn, conn.proxy]) {
        if (!hop) continue;
        text = text.split(hop.host).join("[host]");
        text = text.replace(new RegExp(`\\b${hop.user.replace(/[.]/g, "\\.")}@`, "g"), "[user]@");
        text = text.replace(new RegExp(`:${hop.port}\\b`, "g"), ":[port]");
    }
    return text;
}
