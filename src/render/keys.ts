// Stable keys: child resource names and file names come from these, never from list positions.
import { hostPort } from "../model/primitives";
import type { VirtualServiceModel } from "../model/virtualService";
import { SERVICES_DIR } from "./paths";

/** "10.0.0.10:80/tcp", "[fd00::10]:80/tcp". */
export function serviceKey(svc: Pick<VirtualServiceModel, "vip" | "port" | "protocol">): string {
    return `${hostPort(svc.vip, svc.port)}/${svc.protocol.toLowerCase()}`;
}

/** The include file of one service: /etc/keepalived/pulumi-lvs/services/tcp_10.0.0.10_80.conf */
export function serviceFile(svc: Pick<VirtualServiceModel, "vip" | "port" | "protocol">): string {
    return `${SERVICES_DIR}/${svc.protocol.toLowerCase()}_${svc.vip.replace(/[:.]/g, "-")}_${svc.port}.conf`;
}
