// Our own firewall chains on the directors (see scripts/fw.sh).
import { UNIT_DIR } from "../render/paths";
import { script } from "./scriptText";

export const FW_DIR = "/etc/pulumi-lvs/fw";

function values(set: string) {
    return { SET: set, FILE: `${FW_DIR}/${set}.rules`, UNIT: `pulumi-lvs-fw-${set.toLowerCase().replace(/_/g, "-")}.service`, UNIT_DIR };
}

export function fwApply(set: string): string {
    const v = values(set);
    // The boot loader is the same script, run with FW_ACTION=boot.
    const boot = script("fw", { ...v, SELF: "", FW_ACTION: "boot" }, { claims: false });
    return script("fw", { ...v, SELF: boot, FW_ACTION: "apply" });
}

export function fwDelete(set: string): string {
    return script("fw", { ...values(set), SELF: "", FW_ACTION: "delete" });
}
