// A VirtualServiceSet's service files on one director, changed together (see scripts/service-set.sh).
import { KEEPALIVED_CONF, KEEPALIVED_DIR, LVS_CONF_DIR } from "../render/paths";
import type { KeepalivedFile } from "./keepalivedFile";
import { script } from "./scriptText";
import { byteLength } from "./shell";

/** One service of a set: its name, its file, and the file's content. */
export interface SetFile {
    name: string;
    file: KeepalivedFile;
    content: string;
}

function values(setName: string) {
    return { SET_NAME: `VirtualServiceSet "${setName}"`, KEEPALIVED_DIR, KEEPALIVED_CONF, LVS_DIR: LVS_CONF_DIR };
}

export function keepalivedSetApply(setName: string): string {
    return script("keepalived-set-apply", values(setName));
}

export function keepalivedSetDelete(setName: string): string {
    return script("keepalived-set-delete", values(setName));
}

/**
 * The set's stdin: the number of files on a line, then per file a line "name<TAB>file name<TAB>ipvsadm
 * arguments<TAB>scheduler<TAB>bytes" and its content. The files are all in the services folder: the line
 * names the file, not its path. The count lets the script tell a list from one cut short.
 */
export function setManifest(files: ReadonlyArray<SetFile>): string {
    const entries = files.map(({ name, file, content }) => {
        const base = file.target.slice(`${LVS_CONF_DIR}/services/`.length);
        if (!file.target.startsWith(`${LVS_CONF_DIR}/services/`) || base.includes("/")) throw new Error(`${file.target} is not a service file`);
        const fields = [name, base, file.verifyIpvs ?? "", file.verifyScheduler ?? ""];
        // Tabs separate the fields, and bash's read takes a run of them as one: no field may be empty.
        if (fields.some((f) => f === "" || /[\t\n]/.test(f))) throw new Error(`an empty field, a tab or a newline in ${JSON.stringify(fields)}`);
        if (content === "") throw new Error(`the service file ${file.target} is empty`);
        return `${fields.join("\t")}\t${byteLength(content)}\n${content}`;
    });
    return `${entries.length}\n${entries.join("")}`;
}
