// Transactional changes of keepalived files (see scripts/keepalived-apply.sh).
import { hostPort } from "../model/primitives";
import { KEEPALIVED_CONF, KEEPALIVED_DIR, LVS_CONF_DIR } from "../render/paths";
import { script } from "./scriptText";

export type KeepalivedFileKind = "main" | "auth" | "service";

export interface KeepalivedFile {
    kind: KeepalivedFileKind;
    target: string;
    /** ipvsadm arguments naming the IPVS service this file defines, e.g. "-t 10.0.0.10:80". */
    verifyIpvs?: string;
    /** The scheduler that service must have after the reload. */
    verifyScheduler?: string;
    /** Drift check: report and repair what differs on the host (run on every `pulumi up`). */
    drift?: boolean;
    /** main, drift check: the VIPs a MASTER must hold, as "addr/prefix@dev". */
    vips?: ReadonlyArray<string>;
}

function values(f: KeepalivedFile) {
    return {
        KIND: f.kind,
        TARGET: f.target,
        MODE: f.kind === "auth" ? "0600" : "0644",
        VERIFY_IPVS: f.verifyIpvs ?? "",
        VERIFY_SCHED: f.verifyScheduler ?? "",
        DRIFT: f.drift ? "1" : "0",
        VIPS: f.vips ?? [],
        KEEPALIVED_DIR,
        KEEPALIVED_CONF,
        LVS_DIR: LVS_CONF_DIR,
    };
}

export function keepalivedApply(f: KeepalivedFile): string {
    return script("keepalived-apply", values(f));
}

export function keepalivedDelete(f: KeepalivedFile): string {
    return script("keepalived-delete", values(f));
}

/** ipvsadm's way of naming a service: -t/-u/--sctp-service VIP:port, or -f MARK (with -6 for IPv6). */
export function ipvsServiceArgs(protocol: "TCP" | "UDP" | "SCTP", vip: string, port: number, fwmark?: number): string {
    if (fwmark !== undefined) return `-f ${fwmark}${vip.includes(":") ? " -6" : ""}`;
    const flag = protocol === "TCP" ? "-t" : protocol === "UDP" ? "-u" : "--sctp-service";
    return `${flag} ${hostPort(vip, port)}`;
}
