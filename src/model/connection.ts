// An SSH connection to a managed host (the shape of @pulumi/command's remote.Connection).
import { z } from "zod";
import { port } from "./primitives";

const hostName = z.string().regex(/^[^\s/'"`$;&|<>]+$/, { message: "must be a host name or address" });
/** authorized_keys format: "<type> <base64>" (a comment may follow). */
const hostKey = z.string().regex(/^(ssh-|ecdsa-|sk-)[A-Za-z0-9@.-]+ [A-Za-z0-9+/=]+( .*)?$/, {
    message: 'must be a public key in authorized_keys form, e.g. "ssh-ed25519 AAAA..."',
});

const hop = z.object({
    host: hostName,
    port: port.default(22),
    user: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, { message: "must be a user name" }).default("root"),
    privateKey: z.string().optional(),
    privateKeyPassword: z.string().optional(),
    password: z.string().optional(),
    agentSocketPath: z.string().optional(),
    hostKey: hostKey.optional(),
    dialErrorLimit: z.number().int().min(-1).max(1000).optional(),
    perDialTimeout: z.number().int().min(1).max(3600).optional(),
});

const withAuth = <T extends z.ZodType>(s: T) => s.refine(
    (c: any) => Boolean(c.privateKey || c.password || c.agentSocketPath),
    { message: "needs privateKey, password or agentSocketPath" },
);

export const connectionSchema = withAuth(hop.extend({ proxy: withAuth(hop).optional() }));
export type Connection = z.output<typeof connectionSchema>;
