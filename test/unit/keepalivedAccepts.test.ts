// Every golden keepalived.conf, with every golden service file included, passes `keepalived -t`, as the
// lab's dr e2e step 1b checks on a director. Here it runs without the lab: with a real keepalived given as
// PLVS_TEST_KEEPALIVED (run as root in a scratch network and mount namespace with eth0 and eth1, and stubs
// for the scripts the configs name; the same mechanism as keepalivedPair.test.ts), else with
// test/helpers/fake-keepalived.js, which checks only the structure (blocks, top-level keywords, includes).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const realKeepalived = process.env.PLVS_TEST_KEEPALIVED;
const fake = path.join(__dirname, "..", "helpers", "fake-keepalived.js");
const golden = path.join(__dirname, "golden");
/** The commands the golden configs name (keepalived -t checks that they exist and are executable). */
const STUBS = ["check-web", "lvs-notify", "check-rs", "sctp-probe"];

function check(conf: string): { status: number | null; output: string } {
    const run = realKeepalived
        ? spawnSync("unshare", ["--net", "--mount", "sh", "-c", [
            "mount -t tmpfs tmpfs /usr/local/bin",
            ...STUBS.map((s) => `printf '#!/bin/sh\\nexit 0\\n' > /usr/local/bin/${s} && chmod 755 /usr/local/bin/${s}`),
            "ip link add eth0 type veth peer name eth9 && ip link add eth1 type veth peer name eth8",
            "ip link set eth0 up && ip link set eth1 up",
            `exec "$0" -t -f ${conf}`,
        ].join(" && "), realKeepalived], { encoding: "utf8" })
        : spawnSync("node", [fake, "-t", "-f", conf], { encoding: "utf8", env: { ...process.env, FAKE_KEEPALIVED_VERSION: "2.2.7" } });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe(`keepalived -t accepts every golden config (${realKeepalived ? `real: ${realKeepalived}` : "fake: structure only; PLVS_TEST_KEEPALIVED=<keepalived> for the real check"})`, function () {
    this.timeout(60_000);
    const files = fs.readdirSync(golden);
    const services = files.filter((f) => f.startsWith("service-"));
    let tree: string;
    before(() => {
        tree = fs.mkdtempSync(path.join(os.tmpdir(), "plvs-accepts-"));
        fs.mkdirSync(path.join(tree, "services"));
        for (const s of services) fs.copyFileSync(path.join(golden, s), path.join(tree, "services", s));
        fs.writeFileSync(path.join(tree, "auth.conf"), "$PULUMI_LVS_AUTH_PASS=abc12345\n");
    });
    after(() => fs.rmSync(tree, { recursive: true, force: true }));

    for (const main of files.filter((f) => f.startsWith("keepalived-"))) {
        it(`${main} with ${services.length} service files`, () => {
            const conf = path.join(tree, "keepalived.conf");
            fs.writeFileSync(conf, fs.readFileSync(path.join(golden, main), "utf8").replaceAll("/etc/keepalived/pulumi-lvs", tree));
            const r = check(conf);
            assert.equal(r.status, 0, `keepalived -t rejects ${main}:\n${r.output}`);
        });
    }

    it("and rejects a config it must reject (the check is real)", () => {
        const conf = path.join(tree, "bad.conf");
        fs.writeFileSync(conf, realKeepalived ? "global_defs {\n    vrrp_garp_interval 0\n}\n" : "global_def {\n}\n");
        assert.notEqual(check(conf).status, 0);
    });
});
