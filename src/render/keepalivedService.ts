// One VirtualService as a keepalived virtual_server block, in its own include file.
import type { HealthCheck, RealServerEntry, VirtualServiceModel } from "../model/virtualService";
import { formatSeconds } from "../model/primitives";
import { serviceKey } from "./keys";

export function renderVirtualService(name: string, svc: VirtualServiceModel): string {
    const servicePort = svc.port ?? svc.fwmark!.ports[0]!;
    const servers = [...svc.realServers].sort((a, b) => compareServers(a, b, servicePort));
    const head = svc.fwmark ? `virtual_server fwmark ${svc.fwmark.mark}` : `virtual_server ${svc.vip} ${svc.port}`;
    const lines = [
        `# Managed by pulumi-lvs: VirtualService "${name}" (${serviceKey(svc)}). Local edits are overwritten.`,
        `${head} {`,
        `    delay_loop ${formatSeconds(svc.delayLoop)}`,
        `    lvs_sched ${svc.scheduler}`,
        ...svc.schedulerFlags.map((f) => `    ${f}`),
        `    lvs_method ${svc.mode}`,
        // A mark carries no protocol or port: keepalived ignores (and warns about) both.
        ...(svc.fwmark ? [] : [`    protocol ${svc.protocol}`]),
        ...(svc.ops ? ["    ops"] : []),
        ...(svc.persistenceTimeout !== undefined ? [`    persistence_timeout ${svc.persistenceTimeout}`] : []),
        ...(svc.persistenceGranularity !== undefined ? [`    persistence_granularity ${granularity(svc.persistenceGranularity, svc.fwmark?.vip ?? svc.vip!)}`] : []),
        ...(svc.quorum !== undefined ? [`    quorum ${svc.quorum}`] : []),
        ...(svc.hysteresis !== undefined ? [`    hysteresis ${svc.hysteresis}`] : []),
        ...(servers.length === 0 ? renderSorryAsRealServer(svc, servicePort) : [
            ...(svc.sorryServer ? [`    sorry_server ${sorryTarget(svc, servicePort)}`] : []),
            ...servers.flatMap((rs) => renderRealServer(rs, svc, servicePort)),
        ]),
        "}",
    ];
    return `${lines.join("\n")}\n`;
}

/** "10.0.0.99 8080", or just the address for a mark (whose real servers have no port). */
function sorryTarget(svc: VirtualServiceModel, servicePort: number): string {
    return `${svc.sorryServer!.address}${svc.fwmark ? "" : ` ${svc.sorryServer!.port ?? servicePort}`}`;
}

/**
 * keepalived ignores a virtual_server without real servers (and `-t` rejects it), sorry_server or not. An
 * emptied pool therefore gets its sorry server as the one real server, without a check, which is what
 * IPVS holds when keepalived falls back to a sorry server. The schema allows an empty pool only with one.
 */
function renderSorryAsRealServer(svc: VirtualServiceModel, servicePort: number): string[] {
    if (!svc.sorryServer) throw new Error("a VirtualService without real servers needs a sorry server");
    return [
        "",
        "    # No real servers: the sorry server takes every new connection.",
        `    real_server ${sorryTarget(svc, servicePort)} {`,
        "        weight 1",
        "    }",
    ];
}

/** The weight the hosts get: a drained server keeps its configured weight in the program, 0 on the hosts. */
export function effectiveWeight(rs: RealServerEntry): number {
    return rs.drain ? 0 : rs.weight;
}

function renderRealServer(rs: RealServerEntry, svc: VirtualServiceModel, servicePort: number): string[] {
    const check = rs.healthCheck ?? svc.healthCheck;
    if (!check) throw new Error(`real server ${rs.address} has no health check, and its ${svc.protocol} service names none`);
    const inhibit = rs.inhibitOnFailure ?? svc.inhibitOnFailure;
    return [
        "",
        svc.fwmark ? `    real_server ${rs.address} {` : `    real_server ${rs.address} ${rs.port ?? servicePort} {`,
        `        weight ${effectiveWeight(rs)}`,
        ...(inhibit ? ["        inhibit_on_failure"] : []),
        ...(rs.upperThreshold !== undefined ? [`        uthreshold ${rs.upperThreshold}`] : []),
        ...(rs.lowerThreshold !== undefined ? [`        lthreshold ${rs.lowerThreshold}`] : []),
        // keepalived reads smtp_alert on the real server, for whichever of its checks fails.
        ...(check.smtpAlert !== undefined ? [`        smtp_alert ${check.smtpAlert ? "yes" : "no"}`] : []),
        ...renderCheck(withFwmarkPort(check, svc)).map((l) => `        ${l}`),
        "    }",
    ];
}

/**
 * A real server of an fwmark service has no port, and keepalived clears one if given: a check that
 * connects would have nowhere to go. It connects to the mark's first port unless the check names one.
 */
function withFwmarkPort(check: HealthCheck, svc: VirtualServiceModel): HealthCheck {
    if (!svc.fwmark || check.type === "MISC" || check.type === "PING" || check.port !== undefined) return check;
    return { ...check, port: svc.fwmark.ports[0]! };
}

const CHECKER: Record<HealthCheck["type"], string> = {
    TCP: "TCP_CHECK", HTTP: "HTTP_GET", HTTPS: "SSL_GET", MISC: "MISC_CHECK", DNS: "DNS_CHECK", UDP: "UDP_CHECK", PING: "PING_CHECK",
};

export function renderCheck(check: HealthCheck): string[] {
    const body: string[] = [];
    const add = (line: string | false | undefined) => { if (line) body.push(`    ${line}`); };
    switch (check.type) {
        case "TCP":
        case "UDP":
        case "DNS":
            add(check.port !== undefined && `connect_port ${check.port}`);
            break;
        case "HTTP":
        case "HTTPS":
            add(check.port !== undefined && `connect_port ${check.port}`);
            add(check.virtualHost !== undefined && `virtualhost ${check.virtualHost}`);
            add("url {");
            add(`    path ${check.path}`);
            add(check.digest !== undefined ? `    digest ${check.digest}` : `    status_code ${check.statusCode}`);
            add("}");
            break;
        case "MISC":
            add(`misc_path "${check.command}"`);
            add(check.timeout !== undefined && `misc_timeout ${check.timeout}`);
            add(check.dynamic && "misc_dynamic");
            break;
        case "PING":
            break;
        default:
            return assertNever(check);
    }
    if (check.type === "DNS") {
        add(`type ${check.queryType}`);
        add(`name ${check.name}`);
    }
    if (check.type === "UDP" && check.requireReply) add("require_reply");
    // MISC_CHECK has no connection of its own: misc_timeout is its timeout.
    // Only what the user set: keepalived's defaults apply to the rest (README, "Health checks").
    add(check.type !== "MISC" && check.connectTimeout !== undefined && `connect_timeout ${formatSeconds(check.connectTimeout)}`);
    add(check.retry !== undefined && `retry ${check.retry}`);
    add(check.delayBeforeRetry !== undefined && `delay_before_retry ${formatSeconds(check.delayBeforeRetry)}`);
    add(check.delayLoop !== undefined && `delay_loop ${formatSeconds(check.delayLoop)}`);
    return [`${CHECKER[check.type]} {`, ...body, "}"];
}

/** persistence_granularity is a netmask: 24 -> 255.255.255.0 (IPv6 takes the prefix length). */
function granularity(prefix: number, vip: string): string {
    if (vip.includes(":")) return String(prefix);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join(".");
}

function compareServers(a: RealServerEntry, b: RealServerEntry, defaultPort: number): number {
    return a.address.localeCompare(b.address, "en", { numeric: true }) || (a.port ?? defaultPort) - (b.port ?? defaultPort);
}

function assertNever(x: never): never {
    throw new Error(`unhandled case ${JSON.stringify(x)}`);
}
