// One VirtualService as a keepalived virtual_server block, in its own include file.
import type { HealthCheck, RealServerEntry, VirtualServiceModel } from "../model/virtualService";
import { serviceKey } from "./keys";

export function renderVirtualService(name: string, svc: VirtualServiceModel): string {
    const servers = [...svc.realServers].sort((a, b) => compareServers(a, b, svc.port));
    const lines = [
        `# Managed by pulumi-lvs: VirtualService "${name}" (${serviceKey(svc)}). Local edits are overwritten.`,
        `virtual_server ${svc.vip} ${svc.port} {`,
        `    delay_loop ${svc.delayLoop}`,
        `    lvs_sched ${svc.scheduler}`,
        `    lvs_method ${svc.mode}`,
        `    protocol ${svc.protocol}`,
        ...(svc.persistenceTimeout !== undefined ? [`    persistence_timeout ${svc.persistenceTimeout}`] : []),
        ...servers.flatMap((rs) => renderRealServer(rs, svc)),
        "}",
    ];
    return `${lines.join("\n")}\n`;
}

function renderRealServer(rs: RealServerEntry, svc: VirtualServiceModel): string[] {
    const check = rs.healthCheck ?? svc.healthCheck;
    return [
        "",
        `    real_server ${rs.address} ${rs.port ?? svc.port} {`,
        `        weight ${rs.weight}`,
        ...renderCheck(check).map((l) => `        ${l}`),
        "    }",
    ];
}

function renderCheck(check: HealthCheck): string[] {
    switch (check.type) {
        case "TCP":
            return [
                "TCP_CHECK {",
                ...(check.port !== undefined ? [`    connect_port ${check.port}`] : []),
                `    connect_timeout ${check.connectTimeout}`,
                `    retry ${check.retry}`,
                `    delay_before_retry ${check.delayBeforeRetry}`,
                "}",
            ];
        default:
            return assertNever(check.type);
    }
}

function compareServers(a: RealServerEntry, b: RealServerEntry, defaultPort: number): number {
    return a.address.localeCompare(b.address, "en", { numeric: true }) || (a.port ?? defaultPort) - (b.port ?? defaultPort);
}

function assertNever(x: never): never {
    throw new Error(`unhandled case ${String(x)}`);
}
