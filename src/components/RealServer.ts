// RealServer: a backend host made ready for its forwarding mode. DR: the VIPs on lo (a systemd unit,
// so they survive a reboot) and the ARP sysctls; both undone exactly on delete.
import * as pulumi from "@pulumi/pulumi";
import { realServerSchema, type RealServerModel } from "../model/realServer";
import { hostCidr } from "../model/primitives";
import { DR_SYSCTLS, renderVipUnit, vipUnitName } from "../render/realServerDr";
import { renderSysctlFile } from "../render/sysctl";
import { sysctlApply, sysctlDelete } from "../remote/sysctl";
import { unitApply, unitDelete } from "../remote/unit";
import { checked, componentNameSchema } from "./checked";
import { checkedConnection, type ConnectionArgs } from "./connection";
import { hostCommand } from "./hostCommand";

export interface RealServerArgs {
    /** How to reach the host. */
    connection: pulumi.Input<ConnectionArgs>;
    /** The forwarding mode of the services it serves. Only "DR" for now. */
    mode: pulumi.Input<"DR">;
    /** The VIPs it serves (put on lo as /32 or /128 in DR mode). */
    vips: pulumi.Input<pulumi.Input<string>[]>;
}

export class RealServer extends pulumi.ComponentResource {
    readonly vips: pulumi.Output<string[]>;
    /** The systemd unit that puts the VIPs on lo. */
    readonly unit: pulumi.Output<string>;

    constructor(name: string, args: RealServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pulumi-lvs:index:RealServer", name, {}, opts);
        const component = "RealServer";
        checked(component, name, componentNameSchema, { name }, this);
        const model: pulumi.Output<RealServerModel> = checked(component, name, realServerSchema, { mode: args.mode, vips: args.vips }, this);
        // No command can start before every input is valid, Outputs included.
        const connection = pulumi.all([checkedConnection(component, name, "connection", args.connection, this), model]).apply(([c]) => c);
        const unitName = vipUnitName(name);
        const onLo = model.apply((m) => m.vips.map(hostCidr));

        const sysctls = hostCommand(`${name}-sysctls`, {
            connection,
            title: `DR ARP sysctls (RealServer ${name})`,
            apply: sysctlApply(`rs-${name}`),
            remove: sysctlDelete(`rs-${name}`),
            stdin: renderSysctlFile(`RealServer "${name}" (DR)`, DR_SYSCTLS),
        }, { parent: this });
        this.unit = model.apply((m) => renderVipUnit(name, m));
        hostCommand(`${name}-vips`, {
            connection,
            title: `VIPs on lo (RealServer ${name})`,
            apply: onLo.apply((a) => unitApply(unitName, a)),
            remove: onLo.apply((a) => unitDelete(unitName, a)),
            stdin: this.unit,
        }, { parent: this, dependsOn: [sysctls] });

        this.vips = model.apply((m) => m.vips);
        this.registerOutputs({ vips: this.vips, unit: this.unit });
    }
}
