// The remote scripts as the hosts receive them: they parse, and no parameter escapes its quoting.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { keepalivedApply, keepalivedDelete } from "../../src/remote/keepalivedFile";
import { DIRECTOR_PACKAGES, packagesCreate, packagesDelete } from "../../src/remote/packages";
import { asRoot, params, shq } from "../../src/remote/shell";
import { sysctlApply, sysctlDelete } from "../../src/remote/sysctl";
import { unitApply, unitDelete } from "../../src/remote/unit";
import { fwApply, fwDelete } from "../../src/remote/firewall";
import { factsRead } from "../../src/remote/facts";

const bash = (script: string, input = "") => spawnSync("bash", ["-c", script], { encoding: "utf8", input });

const scripts: Record<string, string> = {
    "packages create": packagesCreate(DIRECTOR_PACKAGES, ["ip_vs"]),
    "packages delete": packagesDelete(DIRECTOR_PACKAGES),
    "sysctl apply": sysctlApply("director-lb"),
    "sysctl delete": sysctlDelete("director-lb"),
    "keepalived main apply": keepalivedApply({ kind: "main", target: "/etc/keepalived/keepalived.conf" }),
    "keepalived service apply": keepalivedApply({ kind: "service", target: "/etc/keepalived/pulumi-lvs/services/x.conf", verifyIpvs: "-t 10.0.0.10:80" }),
    "keepalived delete": keepalivedDelete({ kind: "service", target: "/etc/keepalived/pulumi-lvs/services/x.conf" }),
    "unit apply": unitApply("pulumi-lvs-vip-rs1.service", { expect: ["lo=10.0.0.10/32"] }),
    "unit delete": unitDelete("pulumi-lvs-vip-rs1.service", { expect: ["lo=10.0.0.10/32"] }),
    "route unit apply": unitApply("pulumi-lvs-vip-rs4.service", { expect: [], routeVia: "10.202.0.100" }),
    "route unit delete": unitDelete("pulumi-lvs-vip-rs4.service", { expect: [], routeVia: "10.202.0.100" }),
    "fw apply": fwApply("PLVS_lb"),
    "fw delete": fwDelete("PLVS_lb"),
    "facts": factsRead({ version: "2.4", reason: "auth_hmac" }),
};

describe("remote scripts", () => {
    for (const [what, script] of Object.entries(scripts)) {
        it(`${what}: the script and its root wrapper parse`, () => {
            for (const text of [script, asRoot(what, script)]) {
                const res = spawnSync("bash", ["-n"], { input: text, encoding: "utf8" });
                assert.equal(res.status, 0, res.stderr);
            }
        });
    }

    it("shell-quotes any value exactly", () => {
        for (const value of ["plain", "it's", "$(touch /tmp/pwned)", "`id`", "a\nb", "'; rm -rf / #", "\\'\"", ""]) {
            assert.equal(bash(`printf %s ${shq(value)}`).stdout, value);
            assert.equal(bash(`${params({ V: value })}\nprintf %s "$V"`).stdout, value);
        }
    });

    it("runs the script as root, passing stdin through untouched", () => {
        const res = bash(asRoot("echo", `cat; echo " as $(id -u)"`), "file content");
        assert.equal(res.stdout.trim(), `file content as ${process.getuid!()}`);
    });

    it("rejects parameter names that are not shell variables", () => {
        assert.throws(() => params({ "X; rm": "v" }), /bad parameter name/);
    });
});
