// SSH connection inputs of the components, checked and handed to @pulumi/command as they are.
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import { z } from "zod";
import { connectionSchema, type Connection } from "../model/connection";
import type { Problem } from "../model/errors";
import { Secrets } from "../model/secrets";
import { checkedTracked, inputError } from "./checked";
import type { ConnectionArgs } from "./connectionArgs";
import { checkPinnedHostKeys } from "./hostKeyCheck";

export type { ConnectionArgs, JumpHostArgs } from "./connectionArgs";

/**
 * Validates a connection (now if plain, else when it resolves); the result stays secret. During an
 * update, a pinned hostKey is checked once before any command can use the connection.
 */
export function checkedConnection(
    component: string,
    name: string,
    field: string,
    connection: pulumi.Input<ConnectionArgs>,
    parent: pulumi.Resource,
    /** A check against other components (paths in its problems start with `field`). */
    cross?: (conn: Connection, secrets: Secrets) => Problem[],
): pulumi.Output<command.types.input.remote.ConnectionArgs> {
    const schema = z.object({ [field]: connectionSchema });
    const input = { [field]: connection };
    const checkedInput = checkedTracked(component, name, schema, input, parent, cross && ((c, secrets) => cross(c[field] as Connection, secrets)));
    return checkedInput.apply(async ({ model, secrets: paths }) => {
        const conn = model[field] as Connection;
        if (!pulumi.runtime.isDryRun()) {
            try {
                await checkPinnedHostKeys(conn);
            } catch (err) {
                const why = withoutSecrets((err as Error).message, conn, new Secrets(paths).at([field]));
                throw inputError(`${component} "${name}": ${field}: ${why}`, parent);
            }
        }
        return conn as command.types.input.remote.ConnectionArgs;
    });
}

/** A message about reaching a host, with [secret] for the parts of the connection given as secrets. */
function withoutSecrets(message: string, conn: Connection, secrets: Secrets): string {
    let text = message;
    for (const [at, hop] of [[[], conn], [["proxy"], conn.proxy]] as const) {
        if (!hop) continue;
        for (const key of ["host", "user"] as const) {
            if (secrets.has([...at, key])) text = text.split(String(hop[key])).join("[secret]");
        }
        if (secrets.has([...at, "port"])) text = text.replace(new RegExp(`(:|-p )${hop.port}\\b`, "g"), "$1[secret]");
    }
    return text;
}

/**
 * The host of a connection, as given. From a plain connection it keeps its own secrecy, not that of the
 * private key beside it; from an Output connection it is as secret as that Output.
 */
export function connectionHost(connection: pulumi.Input<ConnectionArgs>): pulumi.Output<string> {
    if (pulumi.Output.isInstance(connection) || connection instanceof Promise) return pulumi.output(connection).apply((c) => c.host);
    return pulumi.output(connection.host);
}
