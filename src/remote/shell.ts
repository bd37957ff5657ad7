// Building blocks for the scripts that remote.Command runs: quoting, parameters, the owner, and the
// short command that runs a script as root (directly, or through `sudo -n` for a sudo-capable user).
import { createHash } from "crypto";
import { gzip, ungzip } from "pako";

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

const packed = new Map<string, Uint8Array>();

/**
 * The scripts as they travel on stdin: gzip, then base64, on one line. The state keeps each command's
 * stdin twice and the program sends it to the engine at every run, so this is what a no-op `up` and the
 * state weigh: about a third of the text. pako is plain JavaScript: the same text packs to the same bytes
 * on every machine and Node.js version (Node's zlib may not, and a different line is an update). Each part
 * is a gzip member of its own (gzip -d reads them as one text), packed once per program run: the commands
 * share their libraries and bodies.
 */
export function packScripts(...parts: string[]): string {
    const members = parts.filter((p) => p !== "").map((part) => {
        let member = packed.get(part);
        if (member === undefined) {
            member = gzip(Buffer.from(part, "utf8"), { level: 9 });
            packed.set(part, member);
        }
        return member;
    });
    return Buffer.concat(members).toString("base64");
}

/** A script's parts as packScripts packs them: parameters, libraries, body (the text whole if it has none). */
export function packedParts(text: string): string[] {
    const p = scriptParts(text);
    return p ? [p.head, p.lib, p.body] : [text];
}

/** A command's stdin as it reads: its second line (the packed scripts) unpacked. */
export function unpackedStdin(stdin: string): string {
    const [owner, line] = stdin.split("\n", 2) as [string, string | undefined];
    if (line === undefined) return stdin;
    return `${owner}\n${Buffer.from(ungzip(Buffer.from(line, "base64"))).toString("utf8")}${stdin.slice(owner.length + line.length + 2)}`;
}

/** A part of the scripts on stdin: its offset in bytes from their start, and its length. */
export type Slice = [offset: number, bytes: number];

/**
 * The command given to remote.Command: a few lines that read the owner (a line: token, URN), then all the
 * scripts on stdin (a line packed by packScripts: `total` bytes unpacked) and run as root, with bash, the
 * concatenation of `slices` of them, named
 * plvs-<phase> (claims.sh counts the instances of a resource by it). Whatever follows on stdin is the
 * script's own input (file contents, secrets). The command stays short, so a failure reported by the
 * provider ("running <command>: <output>") leads with the script's own FAILED line, not with the script.
 */
export function bootstrap(title: string, phase: Phase, total: number, slices: ReadonlyArray<Slice>, noDelete = false): string {
    // LC_ALL=C: ${#s} and ${s:offset:length} count bytes. The "." keeps the scripts' last newlines from
    // $(...); a pipe, not a here-string, which bash before 5.1 writes to a file in /tmp (full or
    // read-only?). The owner's names are exported before read assigns them. A resource without a delete
    // has no instances to count (claims.sh): nothing would take them away again.
    const script = slices.map(([offset, bytes]) => `\${s:${offset}:${bytes}}`).join("");
    const inner = `export LC_ALL=C PLVS_TOKEN PLVS_OWNER${noDelete ? " PLVS_NO_DELETE=1" : ""}; read -r PLVS_TOKEN PLVS_OWNER && ` +
        `IFS= read -r p && s=$(printf %s "$p" | base64 -d | gzip -dc && echo .) && s=\${s%.} && [ \${#s} = ${total} ] && exec /bin/bash -c "${script}" plvs-${phase}; ` +
        `echo "pulumi-lvs: FAILED: cannot unpack the scripts (gzip, base64?)" >&2; exit 1`;
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
    // On stdin: the apply script whole, then remove's parameters and body (its libraries are apply's),
    // or, when they share nothing, the remove script whole.
    const applyBytes = byteLength(apply);
    const parts = shared ? [shared.a.head, shared.a.lib, shared.a.body, shared.r.head, shared.r.body] : [...packedParts(apply), removeText];
    const scripts = parts.join("");
    const applySlices: Slice[] = [[0, applyBytes]];
    const removeSlices: Slice[] = shared
        ? [[applyBytes, byteLength(shared.r.head)], [byteLength(shared.a.head), byteLength(shared.a.lib)], [applyBytes + byteLength(shared.r.head), byteLength(shared.r.body)]]
        : [[applyBytes, byteLength(removeText)]];
    const total = byteLength(scripts);
    return {
        create: bootstrap(`apply ${title}`, "create", total, applySlices, noDelete),
        update: bootstrap(`apply ${title}`, "update", total, applySlices, noDelete),
        delete: noDelete ? undefined : bootstrap(`remove ${title}`, "delete", total, removeSlices),
        stdin: `${owner.token} ${owner.urn}\n${packScripts(...parts)}\n${input}`,
    };
}
