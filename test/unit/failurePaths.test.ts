// No remote script ends without saying what failed: each runs on a scratch host (test/helpers/
// scriptSandbox.ts) once cleanly, then once per fault: every tool it ran, missing or failing, and its
// state, target and temp folders read-only or full. Whenever it exits non-zero, its stderr has a
// FAILED line.
import { strict as assert } from "assert";
import { DIRECTOR_PACKAGES, packagesCreate, packagesDelete } from "../../src/remote/packages";
import { sysctlApply, sysctlDelete } from "../../src/remote/sysctl";
import { unitApply, unitDelete } from "../../src/remote/unit";
import { keepalivedApply, keepalivedDelete } from "../../src/remote/keepalivedFile";
import { keepalivedSetApply, keepalivedSetDelete, setManifest } from "../../src/remote/keepalivedSet";
import { fwApply, fwDelete } from "../../src/remote/firewall";
import { factsRead } from "../../src/remote/facts";
import { driftForget, withDriftMark } from "../../src/remote/drift";
import { vrrpHold, vrrpPeerNote, vrrpRelease } from "../../src/remote/vrrpHold";
import { script } from "../../src/remote/scriptText";
import { type Fault, sandboxPerSuite, type Step } from "../helpers/scriptSandbox";
import { renderSysctlFile } from "../../src/render/sysctl";

const SYSCTLS = renderSysctlFile("test", [
    { key: "net.ipv4.ip_forward", value: "1", reason: "test" },
    { key: "net.ipv4.conf.all.arp_ignore", value: "1", reason: "test" },
]);
const DR_UNIT = "[Unit]\nDescription=test\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/sbin/ip addr replace 10.0.0.10/32 dev lo\nExecStop=/sbin/ip addr del 10.0.0.10/32 dev lo\n";
const TUN_UNIT = "[Unit]\nDescription=test\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=modprobe ipip\nExecStart=ip link set tunl0 up arp off\nExecStart=ip addr replace 10.0.0.10/32 dev tunl0\n";
const TUN = { expect: ["tunl0=10.0.0.10/32"], link: "tunl0", module: "ipip" };
const NAT_UNIT = "[Unit]\nDescription=test\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/sbin/ip route replace default via 10.202.0.100\n";
const MAIN = { kind: "main" as const, target: "/etc/keepalived/keepalived.conf" };
const SERVICE = { kind: "service" as const, target: "/etc/keepalived/pulumi-lvs/services/tcp_10-0-0-10_80.conf", verifyIpvs: "-t 10.0.0.10:80", verifyScheduler: "wlc" };
const MAIN_CONF = "# Managed by pulumi-lvs: test.\nglobal_defs {\n}\ninclude /etc/keepalived/pulumi-lvs/services/*.conf\n";
const SERVICE_CONF = "# Managed by pulumi-lvs: test.\nvirtual_server 10.0.0.10 80 {\n}\n";
const SET_INPUT = setManifest([{ name: "web", file: SERVICE, content: SERVICE_CONF }, { name: "api", file: { ...SERVICE, target: SERVICE.target.replace("_80", "_81"), verifyIpvs: "-t 10.0.0.10:81" }, content: SERVICE_CONF.replace(" 80 ", " 81 ") }]);
const RULES = "# rules\n4 filter FORWARD -s 10.202.0.31/32 -p tcp --sport 80 -j ACCEPT\n4 nat POSTROUTING -o lo -s 10.202.0.0/24 -j MASQUERADE\n6 filter FORWARD -s fd00::31/128 -p tcp --sport 80 -j ACCEPT\n";
const OLD_RULES = "# rules\n4 filter FORWARD -s 10.202.0.32/32 -p tcp --sport 80 -j ACCEPT\n";
const fwBoot = script("fw", { SET: "PLVS_fuzz", FILE: "/etc/pulumi-lvs/fw/PLVS_fuzz.rules", UNIT: "u.service", UNIT_DIR: "/etc/systemd/system", SELF: "", FW_ACTION: "boot" }, { claims: false });

interface Case { name: string; step: Step; before?: Step[]; serviceFile?: string; veth?: boolean }
const step = (s: string, input = ""): Step => ({ script: s, input });
const CASES: Case[] = [
    { name: "packages create", step: step(packagesCreate(DIRECTOR_PACKAGES, ["ip_vs"])) },
    { name: "packages delete", step: step(packagesDelete(DIRECTOR_PACKAGES)), before: [step(packagesCreate(DIRECTOR_PACKAGES, ["ip_vs"]))] },
    { name: "sysctl apply", step: step(sysctlApply("fuzz"), SYSCTLS) },
    { name: "sysctl delete", step: step(sysctlDelete("fuzz")), before: [step(sysctlApply("fuzz"), SYSCTLS)] },
    { name: "unit apply (DR)", step: step(unitApply("pulumi-lvs-vip-fuzz.service", { expect: ["lo=10.0.0.10/32"] }), DR_UNIT) },
    { name: "unit delete (DR)", step: step(unitDelete("pulumi-lvs-vip-fuzz.service", { expect: ["lo=10.0.0.10/32"] })), before: [step(unitApply("pulumi-lvs-vip-fuzz.service", { expect: ["lo=10.0.0.10/32"] }), DR_UNIT)] },
    { name: "unit apply (TUN, ipip)", step: step(unitApply("pulumi-lvs-vip-fuzz.service", TUN), TUN_UNIT) },
    { name: "unit delete (TUN, ipip)", step: step(unitDelete("pulumi-lvs-vip-fuzz.service", TUN)), before: [step(unitApply("pulumi-lvs-vip-fuzz.service", TUN), TUN_UNIT)] },
    { name: "unit apply (NAT route)", step: step(unitApply("pulumi-lvs-vip-fuzz.service", { expect: [], routeVia: "10.202.0.100" }), NAT_UNIT), veth: true },
    { name: "unit delete (NAT route)", step: step(unitDelete("pulumi-lvs-vip-fuzz.service", { expect: [], routeVia: "10.202.0.100" })), before: [step(unitApply("pulumi-lvs-vip-fuzz.service", { expect: [], routeVia: "10.202.0.100" }), NAT_UNIT)], veth: true },
    { name: "keepalived main apply", step: step(keepalivedApply(MAIN), MAIN_CONF) },
    { name: "keepalived service apply", step: step(keepalivedApply(SERVICE), SERVICE_CONF), before: [step(keepalivedApply(MAIN), MAIN_CONF)], serviceFile: SERVICE.target },
    { name: "keepalived service delete", step: step(keepalivedDelete(SERVICE)), before: [step(keepalivedApply(MAIN), MAIN_CONF), step(keepalivedApply(SERVICE), SERVICE_CONF)], serviceFile: SERVICE.target },
    { name: "keepalived service drift repair", step: step(keepalivedApply({ ...SERVICE, drift: true }), withDriftMark("drift seen t: x", SERVICE_CONF)), before: [step(keepalivedApply(MAIN), MAIN_CONF), step(keepalivedApply(SERVICE), "# edited\n")], serviceFile: SERVICE.target },
    { name: "drift check delete", step: step(driftForget(SERVICE)), before: [step(keepalivedApply(MAIN), MAIN_CONF), step(keepalivedApply({ ...SERVICE, drift: true }), withDriftMark("m", SERVICE_CONF))], serviceFile: SERVICE.target },
    { name: "service set apply", step: step(keepalivedSetApply("fuzz"), SET_INPUT), before: [step(keepalivedApply(MAIN), MAIN_CONF)], serviceFile: SERVICE.target },
    { name: "service set delete", step: step(keepalivedSetDelete("fuzz")), before: [step(keepalivedApply(MAIN), MAIN_CONF), step(keepalivedSetApply("fuzz"), SET_INPUT)], serviceFile: SERVICE.target },
    { name: "keepalived main delete", step: step(keepalivedDelete(MAIN)), before: [step(keepalivedApply(MAIN), MAIN_CONF)] },
    { name: "fw apply", step: step(fwApply("PLVS_fuzz"), RULES) },
    { name: "fw apply over earlier rules", step: step(fwApply("PLVS_fuzz"), RULES), before: [step(fwApply("PLVS_fuzz"), OLD_RULES)] },
    { name: "fw boot", step: step(fwBoot), before: [step(fwApply("PLVS_fuzz"), RULES)] },
    { name: "fw delete", step: step(fwDelete("PLVS_fuzz")), before: [step(fwApply("PLVS_fuzz"), RULES)] },
    { name: "facts", step: step(factsRead()) },
    { name: "vrrp hold", step: step(vrrpHold(["10.202.0.100/32@v0"]), "identity 2\n"), before: [step(vrrpHold(["10.202.0.100/32@v0"]), "identity 1\n"), step(keepalivedApply(MAIN), MAIN_CONF)], veth: true },
    { name: "vrrp release", step: step(vrrpRelease(["10.202.0.100/32@v0"], 1), "held h 1\n"), before: [step(keepalivedApply(MAIN), MAIN_CONF), step(vrrpHold(["10.202.0.100/32@v0"]), "identity 2\n")], veth: true },
    { name: "vrrp peer note", step: step(vrrpPeerNote("lb-secondary-vrrp-release"), "held h 1\nidentity 1\n") },
];

// Every tool used fails; those a script looks for (or that a minimal host may lack) are also missing.
// PLVS_FUZZ=full makes every tool missing in turn too.
const ALSO_MISSING = new Set(["iptables", "ip6tables", "iptables-legacy", "ip6tables-legacy", "apt-get", "dpkg-query", "hostname", "mktemp", "flock", "systemctl", "ip", "sysctl", "keepalived", "ipvsadm", "modprobe"]);
const toolFaults = (tools: string[]): Fault[] => tools.flatMap((tool) => [
    { tool, mode: "fails" as const },
    ...(ALSO_MISSING.has(tool) || process.env.PLVS_FUZZ === "full" ? [{ tool, mode: "missing" as const }] : []),
]);
const DIR_FAULTS: Fault[] = (["state", "targets", "tmp"] as const).flatMap((dir) => (["readonly", "full"] as const).map((mode) => ({ dir, mode })));
const describeFault = (f: Fault) => ("tool" in f ? `${f.tool} ${f.mode}` : `${f.dir} folder ${f.mode}`);

describe("every failure of a remote script says what failed (faults injected on a scratch host)", function () {
    this.timeout(600_000);
    const sandbox = sandboxPerSuite();

    for (const c of CASES) {
        it(`${c.name}: runs cleanly, and every fault ends in a FAILED line or a success`, () => {
            const opts = { before: c.before, serviceFile: c.serviceFile, veth: c.veth };
            const clean = sandbox().run(c.step, opts);
            assert.equal(clean.status, 0, `${c.name} fails without a fault:\n${clean.stderr}`);
            const faults: Fault[] = [...toolFaults(clean.tools), ...DIR_FAULTS];
            const silent: string[] = [];
            for (const fault of faults) {
                const r = sandbox().run(c.step, { ...opts, fault });
                if (r.status === 99 && /preparation step/.test(r.stderr)) throw new Error(r.stderr);
                if (r.status !== 0 && !/FAILED: /.test(r.stderr)) silent.push(`${describeFault(fault)}: exit ${r.status}, stderr:\n${r.stderr}`);
            }
            assert.deepEqual(silent, [], `${c.name} exited non-zero without a FAILED line:\n${silent.join("\n")}`);
        });
    }
});
