// RealServer: a backend host made ready for its forwarding mode, undone exactly on delete.
//   DR:  the VIPs on lo + ARP sysctls.     TUN: ipip tunl0 up with the VIPs + ARP and rp_filter sysctls.
//   NAT: the default route via the directors' inside VIP (the previous routes come back on delete).
// Addresses and routes are set by a systemd unit, so they survive a reboot.
import * as pulumi from "@pulumi/pulumi";
import { realServerSchema, type RealServerModel } from "../model/realServer";
import type { ForwardingMode, Protocol } from "../model/names";
import { renderRealServerRules } from "../render/firewall";
import { sysctlFile } from "../render/paths";
import { realServerRuleSet } from "../render/ruleSets";
import { expectedState, hostSysctls, renderVipUnit, vipUnitName } from "../render/realServerHost";
import { renderSysctlFile } from "../render/sysctl";
import { fwApply, fwDelete } from "../remote/firewall";
import { sysctlApply, sysctlDelete } from "../remote/sysctl";
import { unitApply, unitDelete, type UnitExpectations } from "../remote/unit";
import { checked, componentNameSchema } from "./checked";
import { checkedConnection, connectionHost } from "./connection";
import type { ConnectionArgs } from "./connectionArgs";
import { hostCommand } from "./hostCommand";
import { registerRealServer } from "./serviceBackends";

/** A port a real server's host firewall opens. */
export interface FirewallPortArgs {
    port: pulumi.Input<number>;
    /** Defaults to "TCP". */
    protocol?: pulumi.Input<Protocol>;
}

/** The ports a real server with a default-deny INPUT policy opens for its services and their health checks. */
export interface RealServerFirewallArgs {
    ports: pulumi.Input<pulumi.Input<FirewallPortArgs>[]>;
}

export interface RealServerArgs {
    /** How to reach the host. */
    connection: pulumi.Input<ConnectionArgs>;
    /**
     * The forwarding mode the host is prepared for:
     * - "DR": the VIPs it serves (`vips`) go on lo as /32 (/128);
     * - "TUN": the VIPs it serves (`vips`) go on tunl0 (ipip);
     * - "NAT": its default route goes via `gateway`, the director pair's inside VIP.
     */
    mode: pulumi.Input<ForwardingMode>;
    /** DR and TUN: the VIPs it serves. Required in those modes, refused in NAT mode. */
    vips?: pulumi.Input<pulumi.Input<string>[]>;
    /** NAT: the default gateway, the director pair's inside VIP. Required in NAT mode, refused in DR and TUN. */
    gateway?: pulumi.Input<string>;
    /**
     * The address the directors forward its traffic to (its RIP), which a VirtualService uses when its
     * realServers entry names this RealServer. Defaults to connection.host.
     */
    address?: pulumi.Input<string>;
    /**
     * For a host with a default-deny INPUT policy (iptables): the ports to open, in a chain of its own,
     * for its services and their health checks, e.g. `{ ports: [{ port: 80 }] }` (protocol TCP unless
     * given); in TUN mode the ipip packets too. Destroy removes exactly those rules.
     */
    firewall?: pulumi.Input<RealServerFirewallArgs>;
}

export class RealServer extends pulumi.ComponentResource {
    /** The component's name, as given. */
    readonly name: string;
    /** Its RIP: `address`, else connection.host. */
    readonly address: pulumi.Output<string>;
    /** The forwarding mode it is prepared for. */
    readonly mode: pulumi.Output<ForwardingMode>;
    /** NAT: the default gateway (the pair's inside VIP); undefined in DR and TUN. */
    readonly gateway: pulumi.Output<string | undefined>;
    /** The VIPs it serves (DR, TUN); empty in NAT mode. */
    readonly vips: pulumi.Output<string[]>;
    /** The systemd unit that sets the VIPs or the route. */
    readonly unit: pulumi.Output<string>;

    constructor(name: string, args: RealServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pulumi-lvs:index:RealServer", name, {}, opts);
        const component = "RealServer";
        checked(component, name, componentNameSchema, { name }, this);
        this.name = name;
        const { connection: conn, address, ...rest } = args;
        const model: pulumi.Output<RealServerModel> = checked(component, name, realServerSchema, rest, this);
        // No command can start before every input is valid, Outputs included.
        const connection = pulumi.all([checkedConnection(component, name, "connection", conn, this), model]).apply(([c]) => c);
        const unitName = vipUnitName(name);
        const stem = `rs-${name}`;
        const expect = model.apply((m): UnitExpectations => ({ expect: expectedState(m), routeVia: m.mode === "NAT" ? m.gateway : undefined, link: m.mode === "TUN" ? "tunl0" : undefined, module: m.mode === "TUN" ? "ipip" : undefined }));
        this.unit = model.apply((m) => renderVipUnit(name, m, sysctlFile(stem)));

        // TUN: the unit loads ipip first, so tunl0's sysctls exist when they are recorded and set.
        const unitCmd = (dependsOn: pulumi.Resource[]) => hostCommand(`${name}-vips`, {
            connection,
            title: model.apply((m) => m.mode === "NAT" ? `default route (RealServer ${name}, NAT)` : `VIPs on ${m.mode === "DR" ? "lo" : "tunl0"} (RealServer ${name}, ${m.mode})`),
            apply: expect.apply((e) => unitApply(unitName, e)),
            remove: expect.apply((e) => unitDelete(unitName, e)),
            stdin: this.unit,
        }, { parent: this, dependsOn });
        const sysctlCmd = (dependsOn: pulumi.Resource[]) => hostCommand(`${name}-sysctls`, {
            connection,
            title: model.apply((m) => `${m.mode} sysctls (RealServer ${name})`),
            apply: sysctlApply(stem),
            remove: sysctlDelete(stem),
            stdin: model.apply((m) => renderSysctlFile(`RealServer "${name}" (${m.mode})`, hostSysctls(m))),
        }, { parent: this, dependsOn });
        // Its ports are open before its VIPs or route bring it traffic.
        const ruleSet = realServerRuleSet(name, `${pulumi.getProject()}/${pulumi.getStack()}/${name}`);
        const first = args.firewall === undefined ? [] : [hostCommand(`${name}-firewall`, {
            connection,
            title: `firewall rules (RealServer ${name})`,
            apply: fwApply(ruleSet),
            remove: fwDelete(ruleSet),
            stdin: model.apply((m) => renderRealServerRules(name, m) ?? ""),
            replaceOn: [ruleSet],
        }, { parent: this })];
        // The mode is known at construction for plain inputs (the usual case); DR keeps its order.
        if (args.mode === "TUN") sysctlCmd([unitCmd(first)]);
        else unitCmd([sysctlCmd(first)]);

        this.vips = model.apply((m) => (m.mode === "NAT" ? [] : m.vips));
        this.mode = model.apply((m) => m.mode);
        this.gateway = model.apply((m) => (m.mode === "NAT" ? m.gateway : undefined));
        this.address = address === undefined ? connectionHost(conn) : pulumi.output(address);
        registerRealServer(this);
        this.registerOutputs({ vips: this.vips, unit: this.unit, address: this.address, mode: this.mode });
    }
}
