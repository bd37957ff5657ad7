// Invalid configurations, one per rule the schemas state, each with the parts its message must contain.
// validation.test.ts checks the messages; secrets.test.ts runs every one with a secret value.
import { z } from "zod";
import { componentNameSchema } from "../../src/components/checked";
import { connectionSchema } from "../../src/model/connection";
import { authHmacKeySchema, authPassSchema, directorPairSchema } from "../../src/model/directorPair";
import { realServerSchema } from "../../src/model/realServer";
import { virtualServiceSchema } from "../../src/model/virtualService";

export const pair = { interface: "eth0", vips: ["10.0.0.10"], vrrp: { virtualRouterId: 51 } };
export const svc = { vip: "10.0.0.10", port: 80, realServers: [{ address: "10.0.0.21" }] };
export const rs = { mode: "DR", vips: ["10.0.0.10"] };
export const conn = { primary: { host: "10.0.0.1", privateKey: "KEY" } };
export const connectionField = z.object({ primary: connectionSchema });
export const authField = z.object({ vrrp: z.object({ authPass: authPassSchema }) });
export const hmacField = z.object({ vrrp: z.object({ authHmacKey: authHmacKeySchema }) });

export interface Case {
    what: string;
    component: string;
    schema: z.ZodType;
    input: unknown;
    /** Every part must appear in the message. */
    expect: string[];
}

export const cases: Case[] = [
    // LvsDirectorPair
    { what: "router id 0", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 0 } }, expect: ["vrrp.virtualRouterId: 0 must be at least 1"] },
    { what: "router id 256", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 256 } }, expect: ["vrrp.virtualRouterId: 256 must be at most 255"] },
    { what: "router id not whole", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 5.5 } }, expect: ["vrrp.virtualRouterId: 5.5 must be a whole number"] },
    { what: "priority 255", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, priorities: { primary: 255, secondary: 100 } } }, expect: ["vrrp.priorities.primary: 255 must be at most 254"] },
    { what: "priority 0", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, priorities: { primary: 150, secondary: 0 } } }, expect: ["vrrp.priorities.secondary: 0 must be at least 1"] },
    { what: "equal priorities", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, priorities: { primary: 100, secondary: 100 } } }, expect: ["vrrp.priorities:", "must differ"] },
    { what: "advert_int 0", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, advertInt: 0 } }, expect: ["vrrp.advertInt: 0 must be at least 1"] },
    { what: "bad VIP", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vips: ["10.0.0.256"] }, expect: ['vips[0]: "10.0.0.256" must be an IPv4 or IPv6 address'] },
    { what: "VIP prefix 33", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vips: ["10.0.0.1/33"] }, expect: ['vips[0]: "10.0.0.1/33"'] },
    { what: "no VIPs", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vips: [] }, expect: ["vips: [] must have at least 1 item(s)"] },
    { what: "duplicate VIP", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vips: ["10.0.0.10", "10.0.0.10/24"] }, expect: ['vips[1]: "10.0.0.10/24" is the same address as vips[0]'] },
    { what: "inside VIP equal to an outside VIP", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, inside: { interface: "eth1", vips: ["10.0.0.10"] } }, expect: ['inside.vips[0]: "10.0.0.10" is the same address as vips[0]'] },
    { what: "inside on the same NIC with the same router id", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, inside: { interface: "eth0", vips: ["10.1.0.1"] } }, expect: ["inside.virtualRouterId:", "must differ from vrrp.virtualRouterId 51"] },
    { what: "inside without VIPs", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, inside: { interface: "eth1", vips: [] } }, expect: ["inside.vips: [] must have at least 1 item(s)"] },
    { what: "masquerade not a network", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, inside: { interface: "eth1", vips: ["10.1.0.1"], masquerade: ["10.1.0.0/40"] } }, expect: ['inside.masquerade[0]: "10.1.0.0/40"'] },
    { what: "inside router id 0", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, inside: { interface: "eth1", vips: ["10.1.0.1"], virtualRouterId: 0 } }, expect: ["inside.virtualRouterId: 0 must be at least 1"] },
    { what: "nopreempt with preempt_delay", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, nopreempt: true, preemptDelay: 5 } }, expect: ["vrrp.preemptDelay: 5 cannot be combined with nopreempt"] },
    { what: "preempt_delay 1001", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, preemptDelay: 1001 } }, expect: ["vrrp.preemptDelay: 1001 must be at most 1000"] },
    { what: "unicast not a boolean", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, unicast: "yes" } }, expect: ['vrrp.unicast: "yes" must be a boolean'] },
    { what: "unknown auth type", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, authType: "AH" } }, expect: ['vrrp.authType: "AH" must be one of "PASS", "HMAC"'] },
    { what: "track interface with a space", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, trackInterfaces: ["eth1 x"] } }, expect: ['vrrp.trackInterfaces[0]: "eth1 x" must be a Linux interface name'] },
    { what: "track script relative path", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, trackScripts: [{ name: "chk", command: "check.sh" }] } }, expect: ['vrrp.trackScripts[0].command: "check.sh" must be an absolute path'] },
    { what: "track script with a quote", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, trackScripts: [{ name: "chk", command: '/bin/true" ; x' }] } }, expect: ["vrrp.trackScripts[0].command:", "without quotes"] },
    { what: "track script newline", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, trackScripts: [{ name: "chk", command: "/bin/true\n}" }] } }, expect: ["vrrp.trackScripts[0].command:"] },
    { what: "track script bad name", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, trackScripts: [{ name: "chk web", command: "/bin/true" }] } }, expect: ['vrrp.trackScripts[0].name: "chk web" must be 1-32 letters'] },
    { what: "track script duplicate names", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, trackScripts: [{ name: "chk", command: "/bin/true" }, { name: "chk", command: "/bin/false" }] } }, expect: ['vrrp.trackScripts[1].name: "chk" duplicates trackScripts[0]'] },
    { what: "track script weight 300", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, trackScripts: [{ name: "chk", command: "/bin/true", weight: 300 }] } }, expect: ["vrrp.trackScripts[0].weight: 300 must be at most 253"] },
    { what: "notify with a semicolon and quote", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, notify: { master: '/bin/x";reboot' } } }, expect: ["vrrp.notify.master:"] },
    { what: "unknown notify kind", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, notify: { deleted: "/bin/true" } } }, expect: ["vrrp.notify:", "has unknown field(s) deleted"] },
    { what: "weighted track script in a sync group", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vips: ["10.0.0.10", "fd00::10"], vrrp: { virtualRouterId: 1, trackScripts: [{ name: "chk", command: "/bin/true", weight: -20 }] } }, expect: ["vrrp.trackScripts[0].weight: -20 must be 0 when the pair has several VRRP instances"] },
    { what: "unicast addresses without unicast", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, unicastAddresses: { primary: { eth0: ["10.0.0.11"] }, secondary: { eth0: ["10.0.0.12"] } } } }, expect: ['vrrp.unicastAddresses: {"primary":{"eth0":["10.0.0.11"]},"secondary":{"eth0":["10.0.0.12"]}} needs unicast: true'] },
    { what: "unicast addresses: two IPv4 on one NIC", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, unicast: true, unicastAddresses: { primary: { eth0: ["10.0.0.11", "10.0.0.21"] }, secondary: { eth0: ["10.0.0.12"] } } } }, expect: ['vrrp.unicastAddresses.primary.eth0[1]: "10.0.0.21" is a second IPv4 address for eth0'] },
    { what: "unicast addresses: both directors the same", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, unicast: true, unicastAddresses: { primary: { eth0: ["10.0.0.11"] }, secondary: { eth0: ["10.0.0.11"] } } } }, expect: ['vrrp.unicastAddresses.secondary.eth0[0]: "10.0.0.11" is also the primary\'s address'] },
    { what: "unicast addresses: a VIP of the pair", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, inside: { interface: "eth1", vips: ["10.1.0.1/24"], virtualRouterId: 52 }, vrrp: { virtualRouterId: 1, unicast: true, unicastAddresses: { primary: { eth1: ["10.1.0.1"] }, secondary: { eth0: ["10.0.0.12"] } } } }, expect: ['vrrp.unicastAddresses.primary.eth1[0]: "10.1.0.1" is a VIP of this pair (inside.vips[0])'] },
    { what: "unicast addresses: a NIC that carries no VRRP", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, unicast: true, unicastAddresses: { primary: { eth9: ["10.0.0.11"] }, secondary: { eth0: ["10.0.0.12"] } } } }, expect: ["vrrp.unicastAddresses.primary.eth9:", "is not a VRRP NIC of this pair (eth0)"] },
    { what: "unicast addresses: not an address", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, unicast: true, unicastAddresses: { primary: { eth0: ["dir1"] }, secondary: { eth0: ["10.0.0.12"] } } } }, expect: ['vrrp.unicastAddresses.primary.eth0[0]: "dir1" must be an IPv4 or IPv6 address'] },
    { what: "unicast addresses: secondary missing", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, unicast: true, unicastAddresses: { primary: { eth0: ["10.0.0.11"] } } } }, expect: ["vrrp.unicastAddresses.secondary: (missing) is required"] },
    { what: "sync daemon syncid 256", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, lvsSyncDaemon: { interface: "eth1", syncId: 256 } }, expect: ["lvsSyncDaemon.syncId: 256 must be at most 255"] },
    { what: "sync daemon without interface", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, lvsSyncDaemon: { syncId: 1 } }, expect: ["lvsSyncDaemon.interface: (missing) is required"] },
    { what: "HMAC key too short", component: "LvsDirectorPair", schema: hmacField, input: { vrrp: { authHmacKey: "0123456789abcdef0123456789abcde" } }, expect: ["vrrp.authHmacKey: [secret] must be at least 32 characters (keepalived's minimum for auth_hmac)"] },
    { what: "HMAC key naming a file", component: "LvsDirectorPair", schema: hmacField, input: { vrrp: { authHmacKey: "file:/etc/keepalived/keepalived.conf" } }, expect: ['vrrp.authHmacKey: [secret] must not start with "hex:" or "file:" (keepalived would read hex bytes or a file)'] },
    { what: "interface with a slash", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, interface: "eth0/1" }, expect: ['interface: "eth0/1" must be a Linux interface name'] },
    { what: "interface too long", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, interface: "a-very-long-nic-name" }, expect: ['interface: "a-very-long-nic-name" must be a Linux interface name'] },
    { what: "interface with a space", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, interface: "eth0 ; reboot" }, expect: ['interface: "eth0 ; reboot"'] },
    { what: "interface missing", component: "LvsDirectorPair", schema: directorPairSchema, input: { vips: ["10.0.0.10"], vrrp: { virtualRouterId: 1 } }, expect: ["interface: (missing) is required"] },
    { what: "bad sysctl key", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, sysctls: { "rm -rf": 1 } }, expect: ['sysctls: "rm -rf" is not a valid key: it must be a sysctl key like net.ipv4.ip_forward'] },
    { what: "unknown field", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, vrrp: { virtualRouterId: 1, auth_type: "AH" } }, expect: ["vrrp:", "has unknown field(s) auth_type"] },
    { what: "auth too long", component: "LvsDirectorPair", schema: authField, input: { vrrp: { authPass: "123456789" } }, expect: ["vrrp.authPass: [secret] must be at most 8 characters: keepalived silently uses only the first 8"] },
    { what: "auth empty", component: "LvsDirectorPair", schema: authField, input: { vrrp: { authPass: "" } }, expect: ["vrrp.authPass: [secret] must be at least 1 character(s)"] },
    { what: "auth with a space", component: "LvsDirectorPair", schema: authField, input: { vrrp: { authPass: "a b" } }, expect: ["vrrp.authPass: [secret] may contain only"] },
    { what: "connection without auth", component: "LvsDirectorPair", schema: connectionField, input: { primary: { host: "10.0.0.1" } }, expect: ["primary:", "needs privateKey, password or agentSocketPath"] },
    { what: "connection port 0", component: "LvsDirectorPair", schema: connectionField, input: { primary: { ...conn.primary, port: 0 } }, expect: ["primary.port: 0 must be at least 1"] },
    { what: "connection bad host key", component: "LvsDirectorPair", schema: connectionField, input: { primary: { ...conn.primary, hostKey: "not a key" } }, expect: ['primary.hostKey: "not a key" must be a public key'] },
    { what: "connection bad user", component: "LvsDirectorPair", schema: connectionField, input: { primary: { ...conn.primary, user: "root;x" } }, expect: ['primary.user: "root;x" must be a user name'] },
    { what: "component name with a space", component: "LvsDirectorPair", schema: componentNameSchema, input: { name: "my lb" }, expect: ['name: "my lb" must be 1-63 letters, digits'] },
    { what: "sysctl value not a number or text", component: "LvsDirectorPair", schema: directorPairSchema, input: { ...pair, sysctls: { "net.ipv4.ip_forward": { on: 1 } } }, expect: ['sysctls.net.ipv4.ip_forward: {"on":1} matches none of the allowed forms'] },
    { what: "connection host with a quote", component: "LvsDirectorPair", schema: connectionField, input: { primary: { ...conn.primary, host: "a'b" } }, expect: ["primary.host:", "must be a host name or address"] },
    // VirtualService
    { what: "port 0", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, port: 0 }, expect: ["port: 0 must be at least 1"] },
    { what: "port 65536", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, port: 65536 }, expect: ["port: 65536 must be at most 65535"] },
    { what: "port as string", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, port: "80" }, expect: ['port: "80" must be a number'] },
    { what: "unknown scheduler", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, scheduler: "roundrobin" }, expect: ['scheduler: "roundrobin" must be one of "rr", "wrr"'] },
    { what: "unknown mode", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, mode: "FULLNAT" }, expect: ['mode: "FULLNAT" must be one of "DR", "NAT", "TUN"'] },
    { what: "unknown protocol", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, protocol: "ICMP" }, expect: ['protocol: "ICMP" must be one of "TCP", "UDP", "SCTP"'] },
    { what: "bad VIP", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, vip: "10.0.0" }, expect: ['vip: "10.0.0" must be an IPv4 or IPv6 address'] },
    { what: "weight 65536", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "10.0.0.21", weight: 65536 }] }, expect: ["realServers[0].weight: 65536 must be at most 65535"] },
    { what: "negative weight", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "10.0.0.21", weight: -1 }] }, expect: ["realServers[0].weight: -1 must be at least 0"] },
    { what: "DR port mapping", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "10.0.0.21" }, { address: "10.0.0.22", port: 8080 }] }, expect: ["realServers[1].port: 8080 must equal the VIP port 80 in DR mode"] },
    { what: "TUN port mapping", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, mode: "TUN", realServers: [{ address: "10.0.0.21", port: 81 }] }, expect: ["realServers[0].port: 81 must equal the VIP port 80 in TUN mode"] },
    { what: "duplicate real server", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "10.0.0.21" }, { address: "10.0.0.21", port: 80 }] }, expect: ["realServers[1]:", "duplicates realServers[0] (10.0.0.21:80)"] },
    { what: "quorum with no real servers", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, quorum: 1, realServers: [] }, expect: ["realServers: [] must not be empty when quorum 1 is set"] },
    { what: "no real servers and no sorry server", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [] }, expect: ["realServers: [] must not be empty without a sorryServer: keepalived ignores a virtual_server that has no real servers (and rejects its file). To stop new connections and keep the open ones, drain the servers (drain: true, or weight 0); to send new connections elsewhere, give a sorryServer; to stop the service, remove the VirtualService"] },
    { what: "unreachable quorum", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, quorum: 5, realServers: [{ address: "10.0.0.21", weight: 2 }, { address: "10.0.0.22", weight: 2 }] }, expect: ["quorum: 5 can never be reached: the real servers' weights add up to 4"] },
    { what: "hysteresis without quorum", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, hysteresis: 1 }, expect: ["hysteresis: 1 needs quorum"] },
    { what: "hysteresis not below quorum", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, quorum: 1, hysteresis: 1 }, expect: ["hysteresis: 1 must be below quorum 1"] },
    { what: "sh flag on wrr", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, scheduler: "wrr", schedulerFlags: ["sh-port"] }, expect: ['schedulerFlags: ["sh-port"] has sh-port, which applies only to scheduler sh, not wrr'] },
    { what: "unknown scheduler flag", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, scheduler: "sh", schedulerFlags: ["sh-magic"] }, expect: ['schedulerFlags[0]: "sh-magic" must be one of'] },
    { what: "ops on TCP", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, ops: true }, expect: ["ops: true needs protocol UDP"] },
    { what: "granularity without persistence", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, persistenceGranularity: 24 }, expect: ["persistenceGranularity: 24 needs persistenceTimeout"] },
    { what: "IPv4 granularity 48", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, persistenceTimeout: 60, persistenceGranularity: 48 }, expect: ["persistenceGranularity: 48 must be at most 32 for an IPv4 service"] },
    { what: "fwmark and vip together", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, fwmark: { mark: 1, vip: "10.0.0.10", ports: [80] } }, expect: ["fwmark:", "must not be combined with vip/port"] },
    { what: "neither vip nor fwmark", component: "VirtualService", schema: virtualServiceSchema, input: { realServers: [{ address: "10.0.0.21" }] }, expect: ["vip: (missing) is required (or give fwmark)", "port: (missing) is required (or give fwmark)"] },
    { what: "fwmark 0", component: "VirtualService", schema: virtualServiceSchema, input: { fwmark: { mark: 0, vip: "10.0.0.10", ports: [80] }, realServers: [{ address: "10.0.0.21" }] }, expect: ["fwmark.mark: 0 must be at least 1"] },
    { what: "fwmark without ports", component: "VirtualService", schema: virtualServiceSchema, input: { fwmark: { mark: 3, vip: "10.0.0.10", ports: [] }, realServers: [{ address: "10.0.0.21" }] }, expect: ["fwmark.ports: [] must have at least 1 item(s)"] },
    { what: "sorry server family", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, sorryServer: { address: "fd00::99" } }, expect: ['sorryServer.address: "fd00::99" must be IPv4 like the VIP 10.0.0.10'] },
    { what: "real server is the VIP", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "10.0.0.10" }] }, expect: ['realServers[0].address: "10.0.0.10" must not be the VIP itself'] },
    { what: "lower threshold without upper", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "10.0.0.21", lowerThreshold: 5 }] }, expect: ["realServers[0].lowerThreshold: 5 needs upperThreshold"] },
    { what: "lower threshold above upper", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "10.0.0.21", upperThreshold: 5, lowerThreshold: 9 }] }, expect: ["realServers[0].lowerThreshold: 9 must be below upperThreshold 5"] },
    { what: "drain not a boolean", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "10.0.0.21", drain: "yes" }] }, expect: ['realServers[0].drain: "yes" must be a boolean'] },
    { what: "HTTP path relative", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "HTTP", path: "health" } }, expect: ['healthCheck.path: "health" must be an absolute URL path'] },
    { what: "HTTP path with a space", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "HTTP", path: "/a b" } }, expect: ['healthCheck.path: "/a b" must be an absolute URL path'] },
    { what: "HTTP status 600", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "HTTP", statusCode: 600 } }, expect: ["healthCheck.statusCode: 600 must be at most 599"] },
    { what: "HTTP digest not md5", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "HTTPS", digest: "xyz" } }, expect: ['healthCheck.digest: "xyz" must be an MD5 digest'] },
    { what: "MISC without command", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "MISC" } }, expect: ["healthCheck.command: (missing) is required"] },
    { what: "MISC command with a brace", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "MISC", command: "/bin/check }" } }, expect: ["healthCheck.command:", "braces"] },
    { what: "DNS without name", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "DNS" } }, expect: ["healthCheck.name: (missing) is required"] },
    { what: "DNS bad name", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "DNS", name: "a b" } }, expect: ['healthCheck.name: "a b" must be a DNS name'] },
    { what: "DNS unknown query type", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "DNS", name: "a.example", queryType: "PTR" } }, expect: ['healthCheck.queryType: "PTR" must be one of'] },
    { what: "PING with a port", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "PING", port: 80 } }, expect: ["healthCheck:", "has unknown field(s) port"] },
    { what: "check delay_loop 0", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "TCP", delayLoop: 0 } }, expect: ["healthCheck.delayLoop: 0 must be at least 0.000001 (seconds)"] },
    { what: "check retry 101", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "UDP", retry: 101 } }, expect: ["healthCheck.retry: 101 must be at most 100"] },
    { what: "real server family", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "fd00::21" }] }, expect: ['realServers[0].address: "fd00::21" must be IPv4 like the VIP 10.0.0.10'] },
    { what: "bad real server address", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "rs1.example" }] }, expect: ['realServers[0].address: "rs1.example" must be an IPv4 or IPv6 address'] },
    { what: "SCTP without a health check", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, protocol: "SCTP" }, expect: ['healthCheck: (missing) is required with protocol SCTP (on the service, or on every real server): keepalived has no SCTP check, and a TCP check fails against SCTP-only servers; give "PING", "MISC" (an SCTP probe of your own) or "TCP" (when the servers also listen on TCP)'] },
    {
        what: "SCTP with a check on only some real servers", component: "VirtualService", schema: virtualServiceSchema,
        input: { ...svc, protocol: "SCTP", realServers: [{ address: "10.0.0.21", healthCheck: { type: "PING" } }, { address: "10.0.0.22" }] },
        expect: ["realServers[1].healthCheck: (missing) is required with protocol SCTP when the service names no healthCheck"],
    },
    { what: "check type", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "SMTP" } }, expect: ['healthCheck.type: "SMTP"'] },
    { what: "check timeout 0", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "TCP", connectTimeout: 0 } }, expect: ["healthCheck.connectTimeout: 0 must be at least 0.000001 (seconds)"] },
    { what: "check delay with 7 decimals", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, healthCheck: { type: "TCP", delayBeforeRetry: 0.0000001 } }, expect: ["healthCheck.delayBeforeRetry: 1e-7 must have at most 6 decimal places: keepalived counts in microseconds"] },
    { what: "check port 70000", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, realServers: [{ address: "10.0.0.21", healthCheck: { type: "TCP", port: 70000 } }] }, expect: ["realServers[0].healthCheck.port: 70000 must be at most 65535"] },
    { what: "persistence timeout not whole", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, persistenceTimeout: 1.5 }, expect: ["persistenceTimeout: 1.5 must be a whole number of seconds"] },
    { what: "delay_loop with 7 decimals", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, delayLoop: 1.0000001 }, expect: ["delayLoop: 1.0000001 must have at most 6 decimal places: keepalived counts in microseconds"] },
    { what: "delay_loop 0", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, delayLoop: 0 }, expect: ["delayLoop: 0 must be at least 0.000001 (seconds)"] },
    { what: "persistence negative", component: "VirtualService", schema: virtualServiceSchema, input: { ...svc, persistenceTimeout: -5 }, expect: ["persistenceTimeout: -5 must be at least 1"] },
    // RealServer
    { what: "unknown mode", component: "RealServer", schema: realServerSchema, input: { ...rs, mode: "FULLNAT" }, expect: ['mode: "FULLNAT" must be "DR", "TUN" or "NAT"'] },
    { what: "NAT without gateway", component: "RealServer", schema: realServerSchema, input: { mode: "NAT" }, expect: ["gateway: (missing) is required"] },
    { what: "NAT bad gateway", component: "RealServer", schema: realServerSchema, input: { mode: "NAT", gateway: "10.0.0.300" }, expect: ['gateway: "10.0.0.300" must be an IPv4 or IPv6 address'] },
    { what: "NAT with VIPs", component: "RealServer", schema: realServerSchema, input: { mode: "NAT", gateway: "10.0.0.1", vips: ["10.0.0.10"] }, expect: ["has unknown field(s) vips"] },
    { what: "TUN without VIPs", component: "RealServer", schema: realServerSchema, input: { mode: "TUN", vips: [] }, expect: ["vips: [] must have at least 1 item(s)"] },
    { what: "TUN duplicate VIPs", component: "RealServer", schema: realServerSchema, input: { mode: "TUN", vips: ["10.0.0.10", "10.0.0.10"] }, expect: ['vips[1]: "10.0.0.10" duplicates vips[0]'] },
    { what: "no VIPs", component: "RealServer", schema: realServerSchema, input: { ...rs, vips: [] }, expect: ["vips: [] must have at least 1 item(s)"] },
    { what: "VIP with prefix", component: "RealServer", schema: realServerSchema, input: { ...rs, vips: ["10.0.0.10/24"] }, expect: ['vips[0]: "10.0.0.10/24" must be an IPv4 or IPv6 address'] },
    { what: "duplicate VIPs", component: "RealServer", schema: realServerSchema, input: { ...rs, vips: ["10.0.0.10", "10.0.0.10"] }, expect: ['vips[1]: "10.0.0.10" duplicates vips[0]'] },
];
