// How a component reaches its host: the inputs alone, apart from their checks (connection.ts), so that
// the package's declarations do not reach zod's.
import type * as pulumi from "@pulumi/pulumi";

export interface JumpHostArgs {
    /** Host name or address of the jump host. */
    host: pulumi.Input<string>;
    /** SSH port. Defaults to 22. */
    port?: pulumi.Input<number>;
    /** Login user. Defaults to "root". */
    user?: pulumi.Input<string>;
    /** Private key (PEM/OpenSSH text). Pass it as a secret: `pulumi.secret(...)` or `config.requireSecret`. */
    privateKey?: pulumi.Input<string>;
    /** Passphrase of privateKey. */
    privateKeyPassword?: pulumi.Input<string>;
    /** Password authentication, when there is no key. */
    password?: pulumi.Input<string>;
    /** An ssh-agent socket to authenticate with. */
    agentSocketPath?: pulumi.Input<string>;
    /**
     * The host's public key in authorized_keys form ("ssh-ed25519 AAAA..."). When set, the connection
     * fails unless the host presents exactly this key (host key pinning).
     */
    hostKey?: pulumi.Input<string>;
    /** Dial attempts before giving up; -1 for no limit. Defaults to 10. */
    dialErrorLimit?: pulumi.Input<number>;
    /** Seconds per dial attempt. Defaults to 15. */
    perDialTimeout?: pulumi.Input<number>;
}

/** How pulumi-lvs reaches a host: SSH as root, or as a user who may `sudo -n`. */
export interface ConnectionArgs extends JumpHostArgs {
    /** Reach the host through this jump host. */
    proxy?: pulumi.Input<JumpHostArgs>;
}
