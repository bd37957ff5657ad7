// Building blocks for the scripts that remote.Command runs: quoting, parameters, the owner, and the
// short command that runs a script as root (directly, or through `sudo -n` for a sudo-capable user).
import { createHash } from "crypto";

/** Single-quotes a value for POSIX shells: nothing inside can expand or end the word. */
export function shq(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `NAME='value'` lines that set a script's parameters. */
export function params(values: Record<string, string | number | ReadonlyArray<string>>): string {
    return Object.entries(values)
        .map(([name, v]) => {
            if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`bad parameter name ${name}`);
            return `${name}=${shq(Array.isArray(v) ? v.join(" ") : String(v))}`;
        })
        .join("\n");
}

/** Bytes of a script as it travels on stdin. */
export const byteLength = (text: string): number => Buffer.byteLength(text, "utf8");

/** Which resource runs a script: its URN, and a token that tells its versions apart. */
export interface Owner {
    urn: string;
    token: string;
}

/**
 * The owner of one remote.Command. Its URN is the one Pulumi gives a `command:remote:Command` child of
 * the component `parentUrn`. The token changes with the triggers only: an update keeps it (its delete,
 * saved in the state, then still matches what it claimed), and a replacement by a trigger (same URN,
 * created before the old one is deleted) gets another one. Content (stdin, possibly secret) never
 * enters the token.
 */
export function ownerOf(parentUrn: string, childName: string, triggers: ReadonlyArray<string>): Owner {
    const cut = parentUrn.lastIndexOf("::");
    const urn = `${parentUrn.slice(0, cut)}$command:remote:Command::${childName}`;
    const token = createHash("sha256").update(JSON.stringify([urn, triggers])).digest("hex").slice(0, 16);
    return { urn, token };
}

/** One read of a command's stdin: into a variable, or skipped ("_"); `run` names the variables the script is made of, in order. */
export type Read = [variable: string, bytes: number];

/**
 * The command given to remote.Command: a few lines that read the owner (a line: token, URN), then read
 * the script's parts from stdin (or skip what belongs to the other script) and run their concatenation
 * with bash as root, named plvs-<phase> (claims.sh counts the instances of a resource by it). Whatever
 * follows on stdin is the script's own input (file contents, secrets). The command stays short, so a
 * failure reported by the provider ("running <command>: <output>") leads with the script's own FAILED
 * line, not with the script.
 */
export function bootstrap(title: string, phase: Phase, reads: ReadonlyArray<Read>, run: ReadonlyArray<string>, noDelete = false): string {
    // LC_ALL=C: read -N counts bytes; IFS= keeps each part's bytes whole. The owner's names are exported before read assigns them. A resource
    // without a delete has no instances to count (claims.sh): nothing would take them away again.
    // No read of 0 bytes: some bash versions read to the end of stdin for `read -N 0`.
    const steps = reads.filter(([v, n]) => v !== "_" || n > 0).map(([v, n]) => (n > 0 ? `read -r -N ${n} ${v} && ` : `${v}= && `)).join("");
    const script = run.map((v) => `$${v}`).join("");
    const inner = `export LC_ALL=C PLVS_TOKEN PLVS_OWNER${noDelete ? " PLVS_NO_DELETE=1" : ""}; read -r PLVS_TOKEN PLVS_OWNER && IFS= && ` +
        `${steps}exec /bin/bash -c "${script}" plvs-${phase}; ` +
        `echo "pulumi-lvs: FAILED: stdin ended before the script did" >&2; exit 1`;
    return [
        `# pulumi-lvs: ${title.replace(/\n/g, " ")}`,
        `S=; [ "$(id -u)" -eq 0 ] || S="sudo -n"`,
        `exec $S /bin/bash -c ${shq(inner)} pulumi-lvs`,
    ].join("\n");
}

/** Which of remote.Command's commands runs a script, or "probe": the program's own read-only drift probe. */
export type Phase = "create" | "update" | "delete" | "probe";

/** A script's three parts: its parameters, its prelude and libraries, its body (the text is their concatenation). */
export interface ScriptParts {
    head: string;
    lib: string;
    body: string;
}

/** The parts of a text made by script(), read from its own LIB_START and BODY_START; undefined for any other text. */
export function scriptParts(text: string): ScriptParts | undefined {
    // The first match is the script's own: they come before the values, which may hold another script.
    const libStart = /^LIB_START='(\d+)'$/m.exec(text);
    const bodyStart = /^BODY_START='(\d+)'$/m.exec(text);
    if (!libStart || !bodyStart) return undefined;
    // Where line n starts (1-based), or -1 past the end.
    const lineStart = (n: number): number => {
        let at = 0;
        for (let i = 1; i < n && at >= 0; i++) at = text.indexOf("\n", at) + 1 || -1;
        return at;
    };
    const [l, b] = [Number(libStart[1]), Number(bodyStart[1])];
    const [libAt, bodyAt] = [lineStart(l), lineStart(b)];
    if (!(l > 1 && l <= b && libAt > 0 && bodyAt >= libAt)) return undefined;
    return { head: text.slice(0, libAt), lib: text.slice(libAt, bodyAt), body: text.slice(bodyAt) };
}

/** What remote.Command runs to create, update and delete one managed thing, and the stdin all read. */
export function hostCommandText(title: string, apply: string, remove: string, input: string, owner: Owner): { create: string; update: string; delete?: string; stdin: string } {
    // "true": nothing to undo (reading facts, checks), and no delete command: nothing connects to the host.
    const noDelete = remove === "true";
    const removeText = noDelete ? "" : remove;
    if (!/^[0-9a-f]+$/.test(owner.token) || /[\n\r]/.test(owner.urn)) throw new Error(`bad owner ${JSON.stringify(owner)}`);
    const a = scriptParts(apply), r = scriptParts(removeText);
    // Stdin keeps both scripts (in the state too, twice): the prelude and libraries they share go once.
    const shared = a !== undefined && r !== undefined && a.lib === r.lib ? { a, r } : undefined;
    const n = byteLength;
    // On stdin: the libraries, apply's parameters and body, remove's parameters and body.
    const [applyReads, removeReads]: Read[][] = shared
        ? [[["l", n(shared.a.lib)], ["h", n(shared.a.head)], ["b", n(shared.a.body)], ["_", n(shared.r.head) + n(shared.r.body)]],
           [["l", n(shared.a.lib)], ["_", n(shared.a.head) + n(shared.a.body)], ["h", n(shared.r.head)], ["b", n(shared.r.body)]]]
        : [[["s", n(apply)], ["_", n(removeText)]], [["_", n(apply)], ["s", n(removeText)]]];
    const run = shared ? ["h", "l", "b"] : ["s"];
    const scripts = shared ? `${shared.a.lib}${shared.a.head}${shared.a.body}${shared.r.head}${shared.r.body}` : `${apply}${removeText}`;
    return {
        create: bootstrap(`apply ${title}`, "create", applyReads, run, noDelete),
        update: bootstrap(`apply ${title}`, "update", applyReads, run, noDelete),
        delete: noDelete ? undefined : bootstrap(`remove ${title}`, "delete", removeReads, run),
        stdin: `${owner.token} ${owner.urn}\n${scripts}${input}`,
    };
}
