// Stable keys: child resource names and file names come from these, never from list positions.
import { hostPort } from "../model/primitives";
import type { VirtualServiceModel } from "../model/virtualService";
import { SERVICES_DIR } from "./paths";

type ServiceId = Pick<VirtualServiceModel, "vip" | "port" | "protocol" | "fwmark">;

/** "10.0.0.10:80/tcp", "[fd00::10]:80/tcp", "fwmark 5". */
export function serviceKey(svc: ServiceId): string {
    if (svc.fwmark) return `fwmark ${svc.fwmark.mark}`;
    return `${hostPort(svc.vip!, svc.port!)}/${svc.protocol.toLowerCase()}`;
}

/** The include file of one service: /etc/keepalived/pulumi-lvs/services/tcp_10-0-0-10_80.conf, fwm_5.conf */
export function serviceFile(svc: ServiceId): string {
    if (svc.fwmark) return `${SERVICES_DIR}/fwm_${svc.fwmark.mark}.conf`;
    return `${SERVICES_DIR}/${svc.protocol.toLowerCase()}_${svc.vip!.replace(/[:.]/g, "-")}_${svc.port}.conf`;
}
