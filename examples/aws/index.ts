// pulumi-lvs on AWS EC2: the VMs and the load-balancing tier on them, in one program. A VPC with a public
// subnet (the bastion, a NAT gateway) and a private one (two directors, N real servers); one HTTP service
// on a VIP, in TUN mode. Every address and host key the components use is an Output of the VMs.
// Type-checked and run under Pulumi mocks by test/unit/cloudExamples.test.ts; not deployed from this repo:
// README.md here says what is proven, what VIP failover needs in a VPC and what this example leaves out.
//
// Stack config:
//   aws:region      the region
//   adminCidr       who may SSH to the bastion, e.g. 198.51.100.7/32
//   sshPublicKey    the login key of every VM (authorized_keys form)
//   sshPrivateKey   its private key (secret): pulumi-lvs logs in with it, through the bastion
//   vrrpPassword    the VRRP password, at most 8 characters (secret)
//   realServers     optional, how many real servers; defaults to 2
//   instanceType    optional, defaults to t3.small (a Nitro type: its console is read at once, see hostKeys.ts)
//   ami             optional, an AMI id; defaults to the newest Debian 12 amd64 AMI (user "admin")
// Needs the AWS CLI where `pulumi up` runs (hostKeys.ts).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { LvsDirectorPair, RealServer, VirtualService, type ConnectionArgs } from "pulumi-lvs";
import { directorUserData, realServerUserData, TAKEOVER_SCRIPT } from "./cloudInit";
import { consoleHostKey } from "./hostKeys";

const config = new pulumi.Config();
const adminCidr = config.require("adminCidr");
const sshPrivateKey = config.requireSecret("sshPrivateKey");
const realServerCount = config.getNumber("realServers") ?? 2;
const instanceType = config.get("instanceType") ?? "t3.small";

const VPC_CIDR = "10.0.0.0/16";
/** The VIP: a private address the directors pass between them (see the takeover in cloudInit.ts). */
const VIP = "10.0.1.250";
/** The NIC of Debian 12 on Nitro instances. */
const NIC = "ens5";

const region = aws.getRegionOutput().region;
const zone = aws.getAvailabilityZonesOutput({ state: "available" }).names[0]!;

// The network: the bastion and a NAT gateway in the public subnet; the rest private, with a way out to
// the package mirrors (pulumi-lvs installs ipvsadm and keepalived on the directors).
const vpc = new aws.ec2.Vpc("lvs", { cidrBlock: VPC_CIDR, enableDnsHostnames: true, tags: { Name: "lvs" } });
const publicSubnet = new aws.ec2.Subnet("lvs-public", { vpcId: vpc.id, cidrBlock: "10.0.0.0/24", availabilityZone: zone });
const privateSubnet = new aws.ec2.Subnet("lvs-private", { vpcId: vpc.id, cidrBlock: "10.0.1.0/24", availabilityZone: zone });
const igw = new aws.ec2.InternetGateway("lvs", { vpcId: vpc.id });
const publicRoutes = new aws.ec2.RouteTable("lvs-public", { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }] });
new aws.ec2.RouteTableAssociation("lvs-public", { subnetId: publicSubnet.id, routeTableId: publicRoutes.id });
const natAddress = new aws.ec2.Eip("lvs-nat", { domain: "vpc" });
const nat = new aws.ec2.NatGateway("lvs", { subnetId: publicSubnet.id, allocationId: natAddress.id }, { dependsOn: [igw] });
const privateRoutes = new aws.ec2.RouteTable("lvs-private", { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }] });
new aws.ec2.RouteTableAssociation("lvs-private", { subnetId: privateSubnet.id, routeTableId: privateRoutes.id });
// The VIP's block is reserved for explicit assignment: AWS never gives one of its addresses to a new VM.
const vipBlock = new aws.ec2.SubnetCidrReservation("lvs-vips", { subnetId: privateSubnet.id, cidrBlock: "10.0.1.240/28", reservationType: "explicit" });

const all = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }];
const bastionGroup = new aws.ec2.SecurityGroup("lvs-bastion", {
    vpcId: vpc.id,
    ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: [adminCidr], description: "SSH from the admins" }],
    egress: all,
});
const fromBastion = { protocol: "tcp", fromPort: 22, toPort: 22, securityGroups: [bastionGroup.id], description: "SSH through the bastion" };
const directorGroup = new aws.ec2.SecurityGroup("lvs-directors", {
    vpcId: vpc.id,
    ingress: [
        fromBastion,
        // VRRP is IP protocol 112; unicast, as a VPC carries no multicast.
        { protocol: "112", fromPort: 0, toPort: 0, self: true, description: "VRRP adverts between the directors" },
        { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: [VPC_CIDR], description: "clients of the VIP, inside the VPC" },
    ],
    egress: all,
});
const realServerGroup = new aws.ec2.SecurityGroup("lvs-real-servers", {
    vpcId: vpc.id,
    ingress: [
        fromBastion,
        // TUN: the directors forward each packet to the VIP inside an IP-in-IP packet (protocol 4) to the RIP.
        { protocol: "4", fromPort: 0, toPort: 0, securityGroups: [directorGroup.id], description: "IP-in-IP from the directors" },
        { protocol: "tcp", fromPort: 80, toPort: 80, securityGroups: [directorGroup.id], description: "health checks from the directors" },
    ],
    egress: all,
});

// The directors' instance profile: the takeover script moves the VIP between their interfaces (policy below).
const directorRole = new aws.iam.Role("lvs-director", {
    assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
});
const directorProfile = new aws.iam.InstanceProfile("lvs-director", { role: directorRole.name });

const keyPair = new aws.ec2.KeyPair("lvs", { publicKey: config.require("sshPublicKey") });
const ami = config.get("ami") ?? aws.ec2.getAmiOutput({
    owners: ["136693071363"], // Debian's AWS account
    mostRecent: true,
    filters: [{ name: "name", values: ["debian-12-amd64-*"] }, { name: "architecture", values: ["x86_64"] }],
}).id;

/** A VM and its host key (read from its console once it has booted). */
function vm(name: string, args: aws.ec2.InstanceArgs, opts?: pulumi.CustomResourceOptions) {
    const instance = new aws.ec2.Instance(name, {
        ami,
        instanceType,
        keyName: keyPair.keyName,
        // IMDSv2 only: the takeover script asks the metadata service with a token.
        metadataOptions: { httpTokens: "required", httpEndpoint: "enabled" },
        tags: { Name: `lvs-${name}` },
        ...args,
    }, opts);
    return { name, instance, hostKey: consoleHostKey(name, instance, region) };
}

const bastion = vm("bastion", { subnetId: publicSubnet.id, associatePublicIpAddress: true, vpcSecurityGroupIds: [bastionGroup.id] });
const directorArgs = { subnetId: privateSubnet.id, vpcSecurityGroupIds: [directorGroup.id], iamInstanceProfile: directorProfile.name, userData: directorUserData() };
// The VIP starts on the primary's interface. From then on the MASTER's takeover moves it: Pulumi leaves it be.
const dir1 = vm("dir1", { ...directorArgs, secondaryPrivateIps: [VIP] }, { dependsOn: [vipBlock], ignoreChanges: ["secondaryPrivateIps"] });
const dir2 = vm("dir2", directorArgs);
const realServerVms = Array.from({ length: realServerCount }, (_, i) => vm(`rs${i + 1}`, {
    subnetId: privateSubnet.id,
    vpcSecurityGroupIds: [realServerGroup.id],
    userData: realServerUserData(),
    // A TUN real server answers the client from the VIP, which is not its own address: AWS drops such
    // packets unless the source/destination check is off.
    sourceDestCheck: false,
}));

// The takeover may assign and unassign addresses on the two directors' interfaces, and nothing else.
const partition = aws.getPartitionOutput().partition;
const account = aws.getCallerIdentityOutput().accountId;
new aws.iam.RolePolicy("lvs-director-vip", {
    role: directorRole.id,
    policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Action: ["ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
            Resource: [dir1, dir2].map((d) => pulumi.interpolate`arn:${partition}:ec2:${region}:${account}:network-interface/${d.instance.primaryNetworkInterfaceId}`),
        }],
    }),
});

// pulumi-lvs reaches every private VM through the bastion, as Debian's user "admin" (with sudo), each
// hop pinned to the host key its console showed.
const bastionHop = { host: bastion.instance.publicIp, user: "admin", privateKey: sshPrivateKey, hostKey: bastion.hostKey };
const connection = (v: ReturnType<typeof vm>): ConnectionArgs => ({
    host: v.instance.privateIp,
    user: "admin",
    privateKey: sshPrivateKey,
    hostKey: v.hostKey,
    proxy: bastionHop,
});

const directors = new LvsDirectorPair("lb", {
    primary: connection(dir1),
    secondary: connection(dir2),
    interface: NIC,
    vips: [VIP],
    vrrp: {
        virtualRouterId: 51,
        authPass: config.requireSecret("vrrpPassword"),
        // A VPC carries no multicast: the directors send their adverts to each other's private IP.
        unicast: true,
        unicastAddresses: { primary: { [NIC]: [dir1.instance.privateIp] }, secondary: { [NIC]: [dir2.instance.privateIp] } },
        notify: { master: `${TAKEOVER_SCRIPT} ${VIP}` },
    },
});

// TUN, not DR: a VPC is routed, not a shared L2 segment, so the directors cannot hand a frame to a real
// server by its MAC; IP-in-IP reaches it by its private IP. RIP = the VM's private IP (its connection host).
const realServers = realServerVms.map((v) => new RealServer(v.name, { connection: connection(v), mode: "TUN", vips: [VIP] }));

const web = new VirtualService("web", {
    directors,
    vip: VIP,
    port: 80,
    mode: "TUN",
    scheduler: "wlc",
    healthCheck: { type: "HTTP", path: "/", statusCode: 200, connectTimeout: 2, retry: 2, delayBeforeRetry: 2 },
    // The RealServer components themselves: the service waits until each is ready.
    realServers: realServers.map((realServer) => ({ realServer, weight: 1 })),
});

export const vip = VIP;
export const service = web.key;
export const bastionAddress = bastion.instance.publicIp;
export const directorAddresses = { primary: dir1.instance.privateIp, secondary: dir2.instance.privateIp };
export const hostKeys = Object.fromEntries([bastion, dir1, dir2, ...realServerVms].map((v) => [v.name, v.hostKey]));
