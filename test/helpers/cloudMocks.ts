// What AWS, Hetzner Cloud, the tls provider and the EC2 console would answer, for running the cloud
// examples under Pulumi mocks (test/helpers/exampleUnderMocks.ts): every VM gets an id, addresses and an
// SSH host key of its own, as realistic as a test needs, so a program that feeds one VM's value into
// another VM's connection is caught.
// - Addresses are handed out in the order the VMs register, from a start and a stride that make them
//   look like a cloud's (not .1, .2, .3), and are never repeated.
// - Host keys are real ed25519 keys derived from the VM's name (mockHostKey), so a test can compute the
//   key a VM must be pinned to without reading it back from the program.
// - The EC2 console of an instance holds cloud-init's host key block (keys_to_console) with that key.
import * as crypto from "crypto";
import type * as pulumi from "@pulumi/pulumi";

/** The engine's wire form of a secret: what a provider's secret output looks like to the program. */
export const SECRET_SIG = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };
const secret = (value: unknown) => ({ [SECRET_SIG.key]: SECRET_SIG.value, value });

/** An ed25519 key pair derived from `seed`: the public key in authorized_keys form, the private key as PEM. */
export function mockKeyPair(seed: string): { publicKey: string; privateKeyPem: string } {
    const raw = crypto.createHash("sha256").update(`pulumi-lvs mock key ${seed}`).digest();
    // PKCS#8 of an ed25519 key: a fixed prefix, then the 32-byte seed.
    const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), raw]);
    const key = crypto.createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
    const spki = crypto.createPublicKey(key).export({ format: "der", type: "spki" });
    const pub = spki.subarray(spki.length - 32);
    const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    const blob = Buffer.concat([field(Buffer.from("ssh-ed25519")), field(pub)]);
    return { publicKey: `ssh-ed25519 ${blob.toString("base64")}`, privateKeyPem: key.export({ format: "pem", type: "pkcs8" }).toString() };
}

/** The host key the mocks give the VM named `name` (authorized_keys form, no comment). */
export const mockHostKey = (name: string) => mockKeyPair(`host ${name}`).publicKey;

/** A stand-in for an OpenSSH-format private key: its body is unique to `seed`, so a search finds it. */
function opensshPrivateKey(seed: string): string {
    const body = crypto.createHash("sha512").update(`openssh ${seed}`).digest("base64") + crypto.createHash("sha512").update(`more ${seed}`).digest("base64");
    return `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.slice(0, 70)}\n${body.slice(70, 140)}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** Distinct addresses in a /24, from `start`, every `stride`. */
function pool(prefix: string, start: number, stride: number): () => string {
    let next = start;
    return () => {
        const host = next;
        next += stride;
        if (host > 239) throw new Error(`the mocks ran out of addresses in ${prefix}.0/24`);
        return `${prefix}.${host}`;
    };
}
/** AWS subnets by id, each with its own pool of addresses. */
const awsSubnets = new Map<string, () => string>();
const awsPublic = pool("203.0.113", 18, 23);
const hcloudPrivate = pool("10.0.1", 41, 13);
const hcloudPublic = pool("198.51.100", 29, 17);

/** Instance id -> the VM's name and private IP, for the console of an instance. */
const instances = new Map<string, { name: string; privateIp: string }>();
const hex = (s: string, n: number) => crypto.createHash("sha256").update(s).digest("hex").slice(0, n);
let nextHcloudId = 48211903;

/** What cloud-init prints on an EC2 instance's serial console, with the host key block (keys_to_console). */
export function mockConsole(name: string, privateIp: string): string {
    const host = `ip-${privateIp.replace(/\./g, "-")}`;
    const ecdsa = `AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABB${crypto.createHash("sha512").update(`ecdsa ${name}`).digest("base64").slice(0, 86)}=`;
    return [
        "[    0.000000] Linux version 6.1.0-28-cloud-amd64 (debian-kernel@lists.debian.org)",
        `[   11.402113] cloud-init[512]: Cloud-init v. 22.4.2 running 'modules:final' at Mon, 02 Nov 2026 10:00:00 +0000. Up 11.36 seconds.`,
        "ec2: #############################################################",
        "ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----",
        `ec2: 256 SHA256:${hex(`fp ecdsa ${name}`, 43)} root@${host} (ECDSA)`,
        `ec2: 256 SHA256:${hex(`fp ${name}`, 43)} root@${host} (ED25519)`,
        "ec2: -----END SSH HOST KEY FINGERPRINTS-----",
        "ec2: #############################################################",
        "-----BEGIN SSH HOST KEY KEYS-----",
        `ecdsa-sha2-nistp256 ${ecdsa} root@${host}`,
        `${mockHostKey(name)} root@${host}`,
        "-----END SSH HOST KEY KEYS-----",
        `[   12.118240] cloud-init[512]: Cloud-init v. 22.4.2 finished at Mon, 02 Nov 2026 10:00:12 +0000. Up 12.10 seconds`,
        "",
    ].join("\n");
}

export function newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } | undefined {
    const inputs = args.inputs as Record<string, any>;
    switch (args.type) {
        case "aws:ec2/instance:Instance": {
            const id = `i-0${hex(args.name, 16)}`;
            const subnet = awsSubnets.get(inputs.subnetId);
            if (!subnet) throw new Error(`instance ${args.name}: the mocks know no subnet ${inputs.subnetId}`);
            const privateIp = subnet();
            instances.set(id, { name: args.name, privateIp });
            return {
                id,
                state: {
                    ...inputs,
                    arn: `arn:aws:ec2:eu-central-1:123456789012:instance/${id}`,
                    privateIp,
                    privateDns: `ip-${privateIp.replace(/\./g, "-")}.eu-central-1.compute.internal`,
                    publicIp: inputs.associatePublicIpAddress ? awsPublic() : "",
                    primaryNetworkInterfaceId: `eni-0${hex(`eni ${args.name}`, 16)}`,
                    instanceState: "running",
                },
            };
        }
        case "aws:ec2/subnet:Subnet": {
            const id = `subnet-0${hex(args.name, 16)}`;
            const [a, b, c] = String(inputs.cidrBlock).split(".");
            awsSubnets.set(id, pool(`${a}.${b}.${c}`, 37 + awsSubnets.size * 5, 11));
            return { id, state: { ...inputs, arn: `arn:aws:ec2:eu-central-1:123456789012:subnet/${id}` } };
        }
        case "command:local:Command": {
            // The console read of an instance (examples/aws): what `aws ec2 get-console-output` prints.
            const env = (inputs.environment ?? {}) as Record<string, string>;
            const vm = env.INSTANCE_ID ? instances.get(env.INSTANCE_ID) : undefined;
            if (!vm) return undefined;
            return { id: `${args.name}-id`, state: { ...inputs, stdout: mockConsole(vm.name, vm.privateIp), stderr: "" } };
        }
        case "hcloud:index/server:Server": {
            const nets = (inputs.publicNets ?? [{ ipv4Enabled: true }]) as { ipv4Enabled?: boolean }[];
            const ipv4 = nets.some((n) => n.ipv4Enabled !== false) ? hcloudPublic() : "";
            return { id: String(nextHcloudId++), state: { ...inputs, ipv4Address: ipv4, ipv6Address: `2a01:4f8:c012:${hex(args.name, 4)}::1`, status: "running" } };
        }
        case "hcloud:index/serverNetwork:ServerNetwork":
            return { id: String(nextHcloudId++), state: { ...inputs, ip: inputs.ip ?? hcloudPrivate(), macAddress: `86:00:00:${hex(args.name, 6).match(/../g)!.join(":")}` } };
        case "hcloud:index/floatingIp:FloatingIp":
            return { id: String(nextHcloudId++), state: { ...inputs, ipAddress: "198.51.100.201" } };
        case "hcloud:index/network:Network":
        case "hcloud:index/networkSubnet:NetworkSubnet":
        case "hcloud:index/sshKey:SshKey":
        case "hcloud:index/firewall:Firewall":
        case "hcloud:index/floatingIpAssignment:FloatingIpAssignment":
        case "hcloud:index/networkRoute:NetworkRoute":
            // Hetzner's ids are numbers (the subnet's is "<network>-<range>", a string either way).
            return { id: String(nextHcloudId++), state: { ...inputs } };
        case "tls:index/privateKey:PrivateKey": {
            // The examples derive a host's key from the key resource's name: "<vm>-host-key".
            const vm = args.name.replace(/-host-key$/, "");
            const pair = mockKeyPair(`host ${vm}`);
            return {
                id: `${args.name}-id`,
                state: {
                    ...inputs,
                    publicKeyOpenssh: `${pair.publicKey}\n`,
                    // Secret outputs of the tls provider: the engine hands them to the program as secrets.
                    privateKeyOpenssh: secret(opensshPrivateKey(`host ${vm}`)),
                    privateKeyPem: secret(pair.privateKeyPem),
                },
            };
        }
        default:
            return undefined;
    }
}

export function call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> | undefined {
    switch (args.token) {
        case "aws:ec2/getAmi:getAmi":
            return { id: "ami-0f3d5c2b9a8e71640", name: "debian-12-amd64-20261015-1902", architecture: "x86_64" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { id: "eu-central-1", names: ["eu-central-1a", "eu-central-1b", "eu-central-1c"], zoneIds: ["euc1-az2", "euc1-az3", "euc1-az1"] };
        case "aws:index/getRegion:getRegion":
            return { id: "eu-central-1", name: "eu-central-1", region: "eu-central-1", endpoint: "ec2.eu-central-1.amazonaws.com", description: "Europe (Frankfurt)" };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { id: "123456789012", accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/ci", userId: "AIDAEXAMPLE" };
        case "aws:index/getPartition:getPartition":
            return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
        default:
            return undefined;
    }
}
