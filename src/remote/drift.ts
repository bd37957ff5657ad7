// The drift check's pieces on the host side: the read-only probe the program runs during preview and
// up, what it reports, the mark a repair records, and the repair's delete (see scripts/drift*.sh).
import { fileValues, type KeepalivedFile } from "./keepalivedFile";
import { script } from "./scriptText";

/** The mark of a drift check while the host has never drifted (or never been repaired). */
export const IN_SYNC = "in sync";

/** What the probe found: each difference, and the mark the last repair recorded. */
export interface ProbeResult {
    drift: string[];
    record?: string;
}

/** The probe: compares the host with the content on its stdin, changes nothing. */
export function driftProbe(f: KeepalivedFile): string {
    return script("drift-probe", fileValues(f), { prelude: false, claims: false });
}

/** The delete of a drift check: forgets its record. */
export function driftForget(f: KeepalivedFile): string {
    return script("drift-forget", { TARGET: f.target }, { claims: false });
}

/** Reads the probe's report; throws when it is not one (cut short, or something else answered). */
export function parseProbe(stdout: string): ProbeResult {
    const result: ProbeResult = { drift: [] };
    let ended = false;
    for (const line of stdout.split("\n")) {
        if (line === "") continue;
        if (ended) throw new Error(`unexpected output after the end of the drift probe: ${JSON.stringify(line.slice(0, 80))}`);
        const [word, rest] = [line.split(" ", 1)[0], line.slice(line.indexOf(" ") + 1)];
        if (word === "drift") result.drift.push(rest);
        else if (word === "record") result.record = Buffer.from(rest, "base64").toString("utf8");
        else if (line === "end") ended = true;
        else throw new Error(`unexpected output from the drift probe: ${JSON.stringify(line.slice(0, 80))}`);
    }
    if (!ended) throw new Error("the drift probe's output ended early");
    return result;
}

/**
 * The trigger of a drift check. In sync: the mark its last repair recorded (so a repaired host keeps the
 * value the state has), or IN_SYNC. Drifted: a new mark naming each difference and when it was seen.
 */
export function driftMark(found: ProbeResult, seenAt: string): string {
    if (found.drift.length === 0) return found.record ?? IN_SYNC;
    return `drift seen ${seenAt}: ${found.drift.join("; ")}`.replace(/[\r\n]+/g, " ");
}

/** The stdin of a repair: its mark on a line (recorded on the host when it is done), then the content. */
export function withDriftMark(mark: string, content: string): string {
    if (/[\r\n]/.test(mark)) throw new Error(`a drift mark is one line: ${JSON.stringify(mark)}`);
    return `${mark}\n${content}`;
}
