// Bad programs through the real CLI: `pulumi preview` fails with the component, path, value and
// rule in its output, a secret value is never printed, and no remote command is planned or run.
import { strict as assert } from "assert";
import * as path from "path";
import { pulumi, pulumiOk, repoRoot } from "../helpers/pulumi-cli";

const program = path.join(repoRoot, "test", "fixtures", "bad-input");
const LONG_PASS = "waytoolongpassword";
/** A VIP from secret config: invalid, and never printed. */
const BAD_VIP = "10.0.0.256";

// case -> [the message (the whole error), the name prefix of the failing component's commands]
const cases: Record<string, [string, string]> = {
    "dr-port": ['VirtualService "web": realServers[0].port: 8080 must equal the VIP port 80 in DR mode', "web-"],
    "router-id-output": ['LvsDirectorPair "lb": vrrp.virtualRouterId: 300 must be at most 255', "lb-"],
    "vips-output": ['LvsDirectorPair "lb": vips[1]: "10.0.0.10/24" is the same address as vips[0]', "lb-"],
    "router-id-clash": ['LvsDirectorPair "lb2": vrrp.virtualRouterId: 51 is already used on eth0 by LvsDirectorPair "lb": router ids must be unique per segment', "lb2-"],
    "auth-too-long": ['LvsDirectorPair "lb": vrrp.authPass: [secret] must be at most 8 characters: keepalived silently uses only the first 8', "lb-"],
    "service-clash": ['VirtualService "web2": port: "10.0.0.10:80/tcp" is already served by VirtualService "web" on LvsDirectorPair "lb": one VirtualService per VIP, port and protocol (or fwmark) on a pair', "web2-"],
    "vip-clash": ['LvsDirectorPair "lb2": vips[0]: "10.0.0.10/24" is already a VIP of LvsDirectorPair "lb": a VIP belongs to one pair', "lb2-"],
    "director-host-clash": ['LvsDirectorPair "lb2": secondary.host: "127.0.0.2:2" is already the director of LvsDirectorPair "lb" (secondary): one LvsDirectorPair per director host', "lb2-"],
    "vip-secret": ['LvsDirectorPair "lb": vips[0]: [secret] must be an IPv4 or IPv6 address with an optional /prefix', "lb-"],
    "rs-vip-output": ['RealServer "rs1": vips[0]: "10.0.0.300" must be an IPv4 or IPv6 address', "rs1-"],
    "connection-plain": ['RealServer "rs1": connection.port: 70000 must be at most 65535', "rs1-"],
    "connection-output": ['RealServer "rs1": connection.port: 70000 must be at most 65535', "rs1-"],
};

/** The error lines of the CLI's diagnostics, without the indentation. */
const errorLines = (output: string) => output.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("error: ")).map((l) => l.slice("error: ".length));

describe("bad input, through a real pulumi preview", function () {
    this.timeout(180_000);
    const stack = `bad-input-${process.pid}`;

    before(() => {
        pulumiOk(program, ["stack", "init", stack]);
        pulumiOk(program, ["config", "set", "--stack", stack, "--secret", "authPass"], { input: "goodpw" });
        pulumiOk(program, ["config", "set", "--stack", stack, "--secret", "longPass"], { input: LONG_PASS });
        pulumiOk(program, ["config", "set", "--stack", stack, "--secret", "badVip"], { input: BAD_VIP });
    });

    after(() => pulumi(program, ["stack", "rm", "--yes", "--force", stack]));

    for (const [name, [message, commands]] of Object.entries(cases)) {
        it(`${name}: fails naming the problem, plans no remote command for it`, () => {
            pulumiOk(program, ["config", "set", "--stack", stack, "case", name]);
            const res = pulumi(program, ["preview", "--stack", stack]);
            assert.notEqual(res.code, 0, res.output);
            assert.ok(res.output.includes(message), `expected in the CLI output:\n${message}\n---\n${res.output}`);
            // An Output value fails with the same message as a plain one: no layers of "error serializing property".
            assert.deepEqual([...new Set(errorLines(res.output))], [message], res.output);
            assert.ok(!res.output.includes(LONG_PASS), "the secret value is not printed");
            assert.ok(!res.output.includes(BAD_VIP), "a secret VIP is not printed");
            assert.doesNotMatch(res.output, new RegExp(`\\+\\s+command:remote:Command\\s+${commands}`), "no remote command of the failing component is planned");
        });
    }

    it("a bad Output value is reported as fast as a bad plain value (same run, same machine)", function () {
        this.timeout(900_000);
        const seconds = (name: string) => {
            pulumiOk(program, ["config", "set", "--stack", stack, "case", name]);
            const start = process.hrtime.bigint();
            const res = pulumi(program, ["preview", "--stack", stack]);
            assert.notEqual(res.code, 0, res.output);
            return Number(process.hrtime.bigint() - start) / 1e9;
        };
        // Plain before and after, so a machine that gets busier or quieter meanwhile does not decide the ratio.
        const plain = [seconds("connection-plain")];
        const output = seconds("connection-output");
        plain.push(seconds("connection-plain"));
        const ratio = output / ((plain[0]! + plain[1]!) / 2);
        console.log(`      preview of a bad plain value: ${plain.map((s) => s.toFixed(1)).join(" s, ")} s; of a bad Output value: ${output.toFixed(1)} s (ratio ${ratio.toFixed(2)})`);
        assert.ok(ratio < 1.5, `a bad Output value took ${output.toFixed(1)} s, a bad plain value ${plain.map((s) => s.toFixed(1)).join(" s and ")} s`);
    });

    it("and `up` of such a program runs no remote command either", () => {
        pulumiOk(program, ["config", "set", "--stack", stack, "case", "vips-output"]);
        const res = pulumi(program, ["up", "--yes", "--skip-preview", "--stack", stack]);
        assert.notEqual(res.code, 0);
        assert.doesNotMatch(res.output, /command:remote:Command \S+ (creating|created)/, res.output);
    });
});
