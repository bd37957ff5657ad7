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

/**
 * The command given to remote.Command: a few lines that read the owner (a line: token, URN), then the script
 * from stdin (`before` bytes skipped, `length` bytes of script, `after` bytes skipped) and run it with
 * bash as root, named plvs-<phase> (claims.sh counts the instances of a resource by it). Whatever follows on stdin is the script's own input (file contents, secrets). The
 * command stays short, so a failure reported by the provider ("running <command>: <output>") leads with
 * the script's own FAILED line, not with the script.
 */
export function bootstrap(title: string, phase: Phase, before: number, length: number, after: number, noDelete = false): string {
    const skip = (n: number) => (n > 0 ? `IFS= read -r -N ${n} _ && ` : "");
    // LC_ALL=C: read -N counts bytes. The owner's names are exported before read assigns them. A resource
    // without a delete has no instances to count (claims.sh): nothing would take them away again.
    const inner = `export LC_ALL=C PLVS_TOKEN PLVS_OWNER${noDelete ? " PLVS_NO_DELETE=1" : ""}; read -r PLVS_TOKEN PLVS_OWNER && ` +
        `${skip(before)}IFS= read -r -N ${length} s && ${skip(after)}exec /bin/bash -c "$s" plvs-${phase}; ` +
        `echo "pulumi-lvs: FAILED: stdin ended before the script did" >&2; exit 1`;
    return [
        `# pulumi-lvs: ${title.replace(/\n/g, " ")}`,
        `S=; [ "$(id -u)" -eq 0 ] || S="sudo -n"`,
        `exec $S /bin/bash -c ${shq(inner)} pulumi-lvs`,
    ].join("\n");
}

/** Which of remote.Command's commands runs a script, or "probe": the program's own read-only drift probe. */
export type Phase = "create" | "update" | "delete" | "probe";

/** What remote.Command runs to create, update and delete one managed thing, and the stdin all read. */
export function hostCommandText(title: string, apply: string, remove: string, input: string, owner: Owner): { create: string; update: string; delete?: string; stdin: string } {
    // "true": nothing to undo (reading facts, checks), and no delete command: nothing connects to the host.
    const removeText = remove === "true" ? "" : remove;
    if (!/^[0-9a-f]+$/.test(owner.token) || /[\n\r]/.test(owner.urn)) throw new Error(`bad owner ${JSON.stringify(owner)}`);
    return {
        create: bootstrap(`apply ${title}`, "create", 0, byteLength(apply), byteLength(removeText), remove === "true"),
        update: bootstrap(`apply ${title}`, "update", 0, byteLength(apply), byteLength(removeText), remove === "true"),
        delete: remove === "true" ? undefined : bootstrap(`remove ${title}`, "delete", byteLength(apply), byteLength(removeText), 0),
        stdin: `${owner.token} ${owner.urn}\n${apply}${removeText}${input}`,
    };
}
