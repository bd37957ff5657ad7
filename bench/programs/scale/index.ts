// The bench's scale program: the lab's director pair and `services` VirtualServices (ports 10000...) of
// `realServers` real servers each, given by address (10.201.0.150...: not prepared by pulumi-lvs, and
// kept in the table by inhibit_on_failure whatever their check says). `bumpedWeight` is svc0's first
// real server's weight (the one-weight change).
import * as pulumi from "@pulumi/pulumi";
import { LvsDirectorPair, VirtualService, VirtualServiceSet, type ConnectionArgs } from "pulumi-lvs";

interface LabHost { name: string; ssh: { host: string; port: number; user: string } }

const lab = new pulumi.Config("lab");
const config = new pulumi.Config();
const hosts = lab.requireObject<LabHost[]>("hosts");
const privateKey = lab.requireSecret("privateKey");
const services = config.getNumber("services") ?? 0;
const realServers = config.getNumber("realServers") ?? 10;
const bumpedWeight = config.getNumber("bumpedWeight");

const connection = (name: string): ConnectionArgs => {
    const h = hosts.find((x) => x.name === name);
    if (!h) throw new Error(`the lab has no host ${name}`);
    return { host: h.ssh.host, port: h.ssh.port, user: h.ssh.user, privateKey };
};
const vip = "10.201.0.100";

const directors = new LvsDirectorPair("lb", {
    primary: connection("dir1"),
    secondary: connection("dir2"),
    interface: "eth0",
    vips: [vip],
    vrrp: { virtualRouterId: 51, authPass: config.requireSecret("vrrpPassword") },
});

// `asSet`: the services as one VirtualServiceSet (one command per director for all of them).
const asSet = config.getBoolean("asSet") ?? false;
const spec = (i: number) => ({
    vip,
    port: 10000 + i,
    scheduler: "wrr" as const,
    mode: "DR" as const,
    delayLoop: 30,
    inhibitOnFailure: true,
    healthCheck: { type: "TCP" as const, connectTimeout: 1, retry: 1, delayBeforeRetry: 1 },
    realServers: Array.from({ length: realServers }, (_, j) => ({
        address: `10.201.0.${150 + j}`,
        weight: i === 0 && j === 0 && bumpedWeight !== undefined ? bumpedWeight : 1 + (j % 3),
    })),
});
if (asSet && services > 0) {
    new VirtualServiceSet("svcs", { directors, services: Object.fromEntries(Array.from({ length: services }, (_, i) => [`svc${i}`, spec(i)])) });
} else {
    for (let i = 0; i < services; i++) new VirtualService(`svc${i}`, { directors, ...spec(i) });
}
