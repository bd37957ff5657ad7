// pulumi-lvs on Hetzner Cloud: the servers and the load-balancing tier on them, in one program. A private
// network with a bastion, two directors and N real servers; one HTTP service on a Floating IP, in NAT
// mode. Every address and host key the components use is an Output of the servers.
// Type-checked and run under Pulumi mocks by test/unit/cloudExamples.test.ts; not deployed from this repo:
// README.md here says what is proven, what VIP failover needs in Hetzner Cloud and what this example leaves out.
//
// Why NAT: a Hetzner Cloud network is routed (layer 3) and a server may only send from the addresses
// Hetzner gave it. DR and TUN real servers answer clients from the VIP, which is not theirs, so their
// answers would be dropped; in NAT mode the answers go back through the director that holds the VIP.
//
// Stack config:
//   hcloud:token    the Hetzner Cloud API token (secret)
//   adminCidr       who may SSH to the bastion, e.g. 198.51.100.7/32
//   sshPublicKey    the login key of every server (authorized_keys form)
//   sshPrivateKey   its private key (secret): pulumi-lvs logs in with it, through the bastion
//   vrrpPassword    the VRRP password, at most 8 characters (secret)
//   realServers     optional, how many real servers; defaults to 2
//   location        optional, defaults to fsn1 (network zone eu-central)
//   serverType      optional, defaults to cx22
import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import * as tls from "@pulumi/tls";
import { LvsDirectorPair, RealServer, VirtualService, type ConnectionArgs } from "pulumi-lvs";
import { REAL_SERVER_EXTRA, userData } from "./cloudInit";

const config = new pulumi.Config();
const adminCidr = config.require("adminCidr");
const sshPrivateKey = config.requireSecret("sshPrivateKey");
const realServerCount = config.getNumber("realServers") ?? 2;
const location = config.get("location") ?? "fsn1";
const serverType = config.get("serverType") ?? "cx22";

const NETWORK_CIDR = "10.0.0.0/16";
/** Hetzner's router in the network (its first address): every private packet goes through it. */
const NETWORK_ROUTER = "10.0.0.1";
/**
 * An alias IP of the MASTER director in the network, and the gateway of the network's default route:
 * Hetzner's router sends the real servers' answers there, so they pass back through IPVS.
 */
const DIRECTOR_ALIAS = "10.0.1.254";
/** The private NIC of Hetzner's current server types (older ones: ens10). */
const PRIVATE_NIC = "enp7s0";

const network = new hcloud.Network("lvs", { ipRange: NETWORK_CIDR });
const networkId = network.id.apply(Number);
const subnet = new hcloud.NetworkSubnet("lvs", { networkId, type: "cloud", networkZone: "eu-central", ipRange: "10.0.1.0/24" });

// Hetzner's firewalls filter the public interfaces only; the private network is open between the servers
// (VRRP, SSH from the bastion, health checks, NAT).
const firewall = (name: string, rules: hcloud.FirewallArgs["rules"]) => new hcloud.Firewall(name, { rules }).id.apply(Number);
const firewalls = {
    bastion: firewall("lvs-bastion", [{ direction: "in", protocol: "tcp", port: "22", sourceIps: [adminCidr], description: "SSH from the admins" }]),
    // The service, on the Floating IP. No SSH: the directors are reached through the bastion.
    director: firewall("lvs-directors", [{ direction: "in", protocol: "tcp", port: "80", sourceIps: ["0.0.0.0/0", "::/0"], description: "clients of the VIP" }]),
    // No rule: nothing comes in on the public interface (IPv6 only, for the package mirrors).
    real: firewall("lvs-real-servers", []),
};
const sshKey = new hcloud.SshKey("lvs", { publicKey: config.require("sshPublicKey") });

type Role = keyof typeof firewalls;

/** A server, its address in the network and its host key (made by Pulumi, installed by cloud-init). */
function server(name: string, role: Role, opts: { aliasIps?: string[]; extra?: Record<string, unknown> } = {}) {
    const key = new tls.PrivateKey(`${name}-host-key`, { algorithm: "ED25519" });
    const hostKey = key.publicKeyOpenssh.apply((k) => k.trim());
    const vm = new hcloud.Server(name, {
        serverType,
        image: "debian-12",
        location,
        sshKeys: [sshKey.id],
        firewallIds: [firewalls[role]],
        // The real servers have no public IPv4: clients reach them only through the directors.
        publicNets: [{ ipv4Enabled: role !== "real", ipv6Enabled: true }],
        // The host's private key: a secret in the state (tls marks it so; this says it where it is used).
        userData: pulumi.secret(pulumi.all([key.privateKeyOpenssh, hostKey]).apply(([privateKey, publicKey]) => userData({ privateKey, publicKey }, opts.extra))),
        labels: { "pulumi-lvs": role },
    });
    const attachment = new hcloud.ServerNetwork(name, {
        serverId: vm.id.apply(Number),
        subnetId: subnet.id,
        aliasIps: opts.aliasIps ?? [],
    }, { ignoreChanges: opts.aliasIps ? ["aliasIps"] : [] });
    return { name, vm, address: attachment.ip, attachment, hostKey };
}

const bastion = server("bastion", "bastion");
// DIRECTOR_ALIAS starts on the primary. Moving it to a new MASTER is a Hetzner API call (README.md):
// Pulumi leaves it where it is then.
const dir1 = server("dir1", "director", { aliasIps: [DIRECTOR_ALIAS] });
const dir2 = server("dir2", "director");
const realServerVms = Array.from({ length: realServerCount }, (_, i) => server(`rs${i + 1}`, "real", { extra: REAL_SERVER_EXTRA }));

// The service's address: a Floating IP, routed by Hetzner to the server it is assigned to (the primary,
// until a failover moves it: README.md).
const floatingIp = new hcloud.FloatingIp("lvs-vip", { type: "ipv4", homeLocation: location });
new hcloud.FloatingIpAssignment("lvs-vip", { floatingIpId: floatingIp.id.apply(Number), serverId: dir1.vm.id.apply(Number) }, { ignoreChanges: ["serverId"] });
// Whatever a real server sends outside the network (its answers to clients) goes to the MASTER director.
new hcloud.NetworkRoute("lvs-default", { networkId, destination: "0.0.0.0/0", gateway: DIRECTOR_ALIAS }, { dependsOn: [dir1.attachment] });

// pulumi-lvs reaches every server through the bastion, as root, each hop pinned to its host key.
// The keys are known before the servers boot, so the first connections start while sshd is not up yet:
// the host-key check (and then the command provider) retries each dial, at most 5 s apart, up to
// dialErrorLimit times: 40 is about 3 minutes, a bounded wait for a new server.
const waitForBoot = { dialErrorLimit: 40 };
const bastionHop = { host: bastion.vm.ipv4Address, user: "root", privateKey: sshPrivateKey, hostKey: bastion.hostKey, ...waitForBoot };
const connection = (s: ReturnType<typeof server>): ConnectionArgs => ({ host: s.address, user: "root", privateKey: sshPrivateKey, hostKey: s.hostKey, proxy: bastionHop, ...waitForBoot });

const directors = new LvsDirectorPair("lb", {
    primary: connection(dir1),
    secondary: connection(dir2),
    // VRRP runs on the private NIC, where the directors can reach each other, and the VIP goes there too:
    // Linux takes it as a local address whichever NIC its packets come in on (they come in on eth0), and
    // the answers leave through eth0, the default route.
    interface: PRIVATE_NIC,
    vips: [floatingIp.ipAddress],
    vrrp: {
        virtualRouterId: 51,
        authPass: config.requireSecret("vrrpPassword"),
        // No multicast in a Hetzner network: the directors send their adverts to each other's address.
        unicast: true,
        unicastAddresses: { primary: { [PRIVATE_NIC]: [dir1.address] }, secondary: { [PRIVATE_NIC]: [dir2.address] } },
    },
    // NAT: the directors forward the real servers' answers.
    sysctls: { "net.ipv4.ip_forward": 1 },
});

// Each real server's default route goes to Hetzner's router (the only address a server in the network
// can reach directly), which sends it on to the MASTER (the network route above). So the gateway is not a
// VIP of the pair, and the service takes the real servers by address, with an explicit dependsOn so it
// still waits until each is ready.
const realServers = realServerVms.map((s) => new RealServer(s.name, { connection: connection(s), mode: "NAT", gateway: NETWORK_ROUTER }));

const web = new VirtualService("web", {
    directors,
    vip: floatingIp.ipAddress,
    port: 80,
    mode: "NAT",
    scheduler: "wlc",
    healthCheck: { type: "HTTP", path: "/", statusCode: 200, connectTimeout: 2, retry: 2, delayBeforeRetry: 2 },
    realServers: realServerVms.map((s) => ({ address: s.address, weight: 1 })),
}, { dependsOn: realServers });

export const vip = floatingIp.ipAddress;
export const service = web.key;
export const bastionAddress = bastion.vm.ipv4Address;
export const directorAddresses = { primary: dir1.address, secondary: dir2.address };
export const hostKeys = Object.fromEntries([bastion, dir1, dir2, ...realServerVms].map((s) => [s.name, s.hostKey]));
