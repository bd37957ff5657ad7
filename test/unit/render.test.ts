// Every renderer against its golden file, plus the properties the goldens rely on.
import { strict as assert } from "assert";
import { directorPairSchema } from "../../src/model/directorPair";
import { realServerSchema } from "../../src/model/realServer";
import { virtualServiceSchema } from "../../src/model/virtualService";
import { DIRECTOR_SYSCTLS } from "../../src/render/directorSysctls";
import { renderAuthDefinition, renderKeepalivedMain } from "../../src/render/keepalivedMain";
import { renderVirtualService } from "../../src/render/keepalivedService";
import { serviceFile, serviceKey } from "../../src/render/keys";
import { DR_SYSCTLS, renderVipUnit } from "../../src/render/realServerDr";
import { mergeSysctls, renderSysctlFile } from "../../src/render/sysctl";
import { assertGolden } from "./golden";

const pair = directorPairSchema.parse({ interface: "eth0", vips: ["10.201.0.100", "10.201.0.101/24"], vrrp: { virtualRouterId: 51 } });
const service = virtualServiceSchema.parse({
    vip: "10.201.0.100",
    port: 80,
    scheduler: "wrr",
    persistenceTimeout: 300,
    healthCheck: { type: "TCP", connectTimeout: 2 },
    realServers: [
        { address: "10.201.0.23", weight: 1 },
        { address: "10.201.0.21", weight: 3, healthCheck: { type: "TCP", port: 8080, retry: 5 } },
        { address: "10.201.0.22", weight: 0 },
    ],
});

describe("renderers", () => {
    it("keepalived.conf of the primary director", () => {
        assertGolden("keepalived-primary.conf", renderKeepalivedMain("lb", pair, "primary"));
    });

    it("keepalived.conf of the secondary director", () => {
        assertGolden("keepalived-secondary.conf", renderKeepalivedMain("lb", pair, "secondary"));
    });

    it("keepalived.conf with nopreempt (both BACKUP) and preempt_delay", () => {
        const np = directorPairSchema.parse({ interface: "eth1", vips: ["fd00:201::100"], vrrp: { virtualRouterId: 7, advertInt: 2, nopreempt: true, preemptDelay: 30, priorities: { primary: 200, secondary: 50 } } });
        assertGolden("keepalived-nopreempt.conf", renderKeepalivedMain("edge", np, "primary"));
    });

    it("the main config never holds the password, only its definition's name", () => {
        const text = renderKeepalivedMain("lb", pair, "primary");
        assert.match(text, /auth_pass \$PULUMI_LVS_AUTH_PASS/);
        assert.equal(renderAuthDefinition("s3cr3t"), "# Managed by pulumi-lvs: the VRRP password, used as $PULUMI_LVS_AUTH_PASS in keepalived.conf.\n$PULUMI_LVS_AUTH_PASS=s3cr3t\n");
    });

    it("one virtual_server include file, real servers in address order", () => {
        assertGolden("service-web.conf", renderVirtualService("web", service));
        assert.equal(serviceKey(service), "10.201.0.100:80/tcp");
        assert.equal(serviceFile(service), "/etc/keepalived/pulumi-lvs/services/tcp_10-201-0-100_80.conf");
    });

    it("reordering real servers changes nothing", () => {
        const reversed = virtualServiceSchema.parse({ ...service, realServers: [...service.realServers].reverse() });
        assert.equal(renderVirtualService("web", reversed), renderVirtualService("web", service));
    });

    it("sysctl.d files, sorted, each key with its reason", () => {
        assertGolden("sysctl-director.conf", renderSysctlFile('LvsDirectorPair "lb"', mergeSysctls(DIRECTOR_SYSCTLS, { "net.ipv4.ip_forward": 1 })));
        assertGolden("sysctl-rs-dr.conf", renderSysctlFile('RealServer "rs1" (DR)', DR_SYSCTLS));
    });

    it("user sysctls override the defaults", () => {
        const merged = mergeSysctls(DIRECTOR_SYSCTLS, { "net.ipv4.vs.expire_nodest_conn": 0 });
        assert.equal(merged.find((s) => s.key === "net.ipv4.vs.expire_nodest_conn")!.value, "0");
    });

    it("the DR VIP unit puts every VIP on lo and takes it off on stop", () => {
        assertGolden("vip-unit-rs1.service", renderVipUnit("rs1", realServerSchema.parse({ mode: "DR", vips: ["10.201.0.101", "10.201.0.100", "fd00:201::100"] })));
    });
});
