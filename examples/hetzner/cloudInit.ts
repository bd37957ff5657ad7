// The user data of the servers: cloud-init's cloud-config (JSON is YAML, so it is written as JSON), with
// the server's SSH host key. Pure; the result holds a private key, so the caller keeps it a secret.
//
// Why a host key in the user data: Hetzner Cloud has no API for a server's console output, so the key a
// server makes at first boot cannot be read back before the first SSH login. Instead Pulumi makes the key
// (tls.PrivateKey, kept in the state as a secret) and cloud-init installs it (ssh_keys), so its public half
// is known before the server boots and pulumi-lvs pins it (`hostKey`) on the first connection.
// The cost: the private host key is in the server's user data, which the metadata service
// (169.254.169.254) serves to any process on that server. Keep untrusted users off the hosts, or replace
// the key after the first boot and pin the new one.

export interface HostKey {
    /** OpenSSH private key (tls.PrivateKey's privateKeyOpenssh). */
    privateKey: string;
    /** authorized_keys form, "ssh-ed25519 AAAA...". */
    publicKey: string;
}

const cloudConfig = (config: Record<string, unknown>) => `#cloud-config\n${JSON.stringify(config, null, 2)}\n`;

/** Installs `hostKey` as the only SSH host key (no other type is generated), plus `extra` (packages, runcmd). */
export function userData(hostKey: HostKey, extra: Record<string, unknown> = {}): string {
    return cloudConfig({
        ssh_deletekeys: true,
        ssh_genkeytypes: [],
        ssh_keys: { ed25519_private: hostKey.privateKey, ed25519_public: hostKey.publicKey.trim() },
        ...extra,
    });
}

/** A real server: nginx, answering with the host's name (so a client sees which server answered). */
export const REAL_SERVER_EXTRA = {
    package_update: true,
    packages: ["nginx"],
    runcmd: [["sh", "-c", "hostname > /var/www/html/index.html"]],
};
