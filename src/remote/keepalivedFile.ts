// Transactional changes of keepalived files (see scripts/keepalived-apply.sh).
import { hostPort } from "../model/primitives";
import { AUTH_CONF, KEEPALIVED_CONF, KEEPALIVED_DIR, LVS_CONF_DIR } from "../render/paths";
import { script } from "./scriptText";
import { byteLength } from "./shell";

export type KeepalivedFileKind = "main" | "auth" | "service";

export interface KeepalivedFile {
    kind: KeepalivedFileKind;
    target: string;
    /** ipvsadm arguments naming the IPVS service this file defines, e.g. "-t 10.0.0.10:80". */
    verifyIpvs?: string;
    /** The scheduler that service must have after the reload. */
    verifyScheduler?: string;
    /** Drift check: report and repair what differs on the host (stdin: its mark on a line, then the content). */
    drift?: boolean;
    /** main, drift check: the VIPs a MASTER must hold, as "addr/prefix@dev". */
    vips?: ReadonlyArray<string>;
    /**
     * The file this one is validated with, as it will be (auth.conf: the keepalived.conf it goes with), sent
     * ahead of the content (see withCompanion). When the host's copy differs, both change together.
     */
    companion?: string;
}

/** The parameters of the scripts about one keepalived file (the drift probe reads the same ones). */
export function fileValues(f: KeepalivedFile) {
    return {
        KIND: f.kind,
        TARGET: f.target,
        MODE: f.kind === "auth" ? "0600" : "0644",
        VERIFY_IPVS: f.verifyIpvs ?? "",
        VERIFY_SCHED: f.verifyScheduler ?? "",
        DRIFT: f.drift ? "1" : "0",
        VIPS: f.vips ?? [],
        COMPANION: f.companion ?? "",
        KEEPALIVED_DIR,
        KEEPALIVED_CONF,
        LVS_DIR: LVS_CONF_DIR,
        // A service file's change is queued before it takes the host lock (scripts/batch.sh).
        ...(f.kind === "service" && !f.drift ? { PLVS_LOCK: "later" } : {}),
    };
}

/**
 * A director's two files: the password definition, applied first and validated with the keepalived.conf it
 * goes with (a change of authType changes both: neither is valid with the other's old version), then
 * keepalived.conf.
 */
export const AUTH_FILE: KeepalivedFile = { kind: "auth", target: AUTH_CONF, companion: KEEPALIVED_CONF };
export const MAIN_FILE: KeepalivedFile = { kind: "main", target: KEEPALIVED_CONF };

/** stdin of a file with a companion: the companion's size in bytes on a line, the companion, the content. */
export function withCompanion(content: string, companion: string): string {
    return `${byteLength(companion)}\n${companion}${content}`;
}

export function keepalivedApply(f: KeepalivedFile): string {
    return script("keepalived-apply", fileValues(f));
}

export function keepalivedDelete(f: KeepalivedFile): string {
    return script("keepalived-delete", fileValues(f));
}

/** ipvsadm's way of naming a service: -t/-u/--sctp-service VIP:port, or -f MARK (with -6 for IPv6). */
export function ipvsServiceArgs(protocol: "TCP" | "UDP" | "SCTP", vip: string, port: number, fwmark?: number): string {
    if (fwmark !== undefined) return `-f ${fwmark}${vip.includes(":") ? " -6" : ""}`;
    const flag = protocol === "TCP" ? "-t" : protocol === "UDP" ? "-u" : "--sctp-service";
    return `${flag} ${hostPort(vip, port)}`;
}
