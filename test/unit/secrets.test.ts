// A value passed as a secret is never printed, whatever its field: every rule of the validation table
// runs again with the offending value as a secret Output, the way components receive secret config,
// and its message must still name the field and the rule, with [secret] for the value.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { checked } from "../../src/components/checked";
import { LvsValidationError, valueAt } from "../../src/model/errors";
import { ruleOfIssue, Secrets } from "../../src/model/secrets";
import { validate } from "../../src/model/validate";
import { cases, type Case } from "./validationCases";

type Path = ReadonlyArray<PropertyKey>;

/** A copy of `root` with the value at `path` replaced by `value`. */
function setAt(root: unknown, at: Path, value: unknown): unknown {
    if (at.length === 0) return value;
    const [key, ...rest] = at;
    const copy: any = Array.isArray(root) ? [...root] : { ...(root as object) };
    copy[key as any] = setAt((root as any)[key as any], rest, value);
    return copy;
}

/** The message `checked` fails with when `input` holds Outputs. */
async function messageOf(c: Case, input: unknown): Promise<string> {
    const model = checked(c.component, "x", c.schema, input, undefined as unknown as pulumi.Resource);
    try {
        await (model as any).promise();
    } catch (err) {
        return (err as Error).message;
    }
    return assert.fail(`no error for ${c.what}`);
}

/** The zod issues and the formatted problems of the plain input. */
function plainRun(c: Case): { issues: z.core.$ZodIssue[]; err: LvsValidationError } {
    const parsed = c.schema.safeParse(c.input);
    assert.ok(!parsed.success, c.what);
    try {
        validate(c.component, "x", c.schema, c.input);
    } catch (err) {
        return { issues: parsed.error.issues, err: err as LvsValidationError };
    }
    return assert.fail(c.what);
}

/** Where the value of an issue is: the key of a record is shown as the value of the record's path. */
const valuePath = (issue: z.core.$ZodIssue): Path => (issue.code === "invalid_key" ? issue.path.slice(0, -1) : issue.path);

describe("secret values in validation messages", () => {
    for (const c of cases) {
        it(`${c.component}: ${c.what}, with the offending value secret`, async () => {
            const { issues, err } = plainRun(c);
            for (const [i, issue] of issues.entries()) {
                const at = valuePath(issue);
                const value = valueAt(c.input, at);
                if (value === undefined) continue; // "(missing)": nothing to hide
                const problem = err.problems[i]!;
                const message = await messageOf(c, setAt(c.input, at, pulumi.secret(value)));
                // A rule that also shows the offending value (e.g. "has sh-port, ...") shows [secret] there too.
                const own = ruleOfIssue(issue);
                const rule = own ? own.params.rule(new Secrets([at]).at(own.at)) : problem.rule;
                const line = `${c.component} "x": ${problem.path ? `${problem.path}: ` : ""}[secret] ${rule}`;
                assert.ok(message.split("\n").includes(line), `expected the line\n${line}\nin\n${message}`);
                for (const shown of [JSON.stringify(value), String(value)]) {
                    assert.ok(!message.split("\n").some((l) => l.replace(rule, "").includes(`: ${shown} `)), `${shown} shown in\n${message}`);
                }
            }
        });
    }

    it("the whole input as one secret Output: every value masked, every field and rule still named", async () => {
        for (const c of cases) {
            const { err } = plainRun(c);
            const message = await messageOf(c, pulumi.secret(c.input));
            for (const p of err.problems) {
                if (p.value === undefined) continue;
                const line = `${c.component} "x": ${p.path ? `${p.path}: ` : ""}[secret] `;
                assert.ok(message.includes(line), `${c.what}: expected\n${line}\nin\n${message}`);
            }
        }
    });

    it("a rule that names another field's value shows [secret] for it when that field is secret", async () => {
        const svc = { vip: "10.77.0.10", port: 8077, realServers: [{ address: "10.77.0.21" }] };
        const c = (input: unknown): Case => ({ what: "ref", component: "VirtualService", schema: cases.find((x) => x.component === "VirtualService")!.schema, input, expect: [] });
        const checks: Array<[unknown, string, string]> = [
            [{ ...svc, vip: pulumi.secret("10.77.0.10"), realServers: [{ address: "fd00::21" }] }, 'realServers[0].address: "fd00::21" must be the same address family as the VIP [secret]', "10.77.0.10"],
            [{ ...svc, port: pulumi.secret(8077), realServers: [{ address: "10.77.0.21", port: 8080 }] }, "realServers[0].port: 8080 must equal the VIP port [secret] in DR mode", "8077"],
            [{ ...svc, mode: pulumi.secret("TUN"), realServers: [{ address: "10.77.0.21", port: 8080 }] }, "realServers[0].port: 8080 must equal the VIP port 8077 in [secret] mode", "TUN"],
            [{ ...svc, quorum: pulumi.secret(9077), hysteresis: 9078, realServers: [{ address: "10.77.0.21", weight: 9999 }] }, "hysteresis: 9078 must be below quorum [secret]", "9077"],
            [{ ...svc, quorum: 9000, realServers: [{ address: "10.77.0.21", weight: pulumi.secret(4077) }] }, "quorum: 9000 can never be reached: the real servers' weights add up to [secret]", "4077"],
            [{ ...svc, realServers: [{ address: "10.77.0.21", upperThreshold: pulumi.secret(5077), lowerThreshold: 6077 }] }, "realServers[0].lowerThreshold: 6077 must be below upperThreshold [secret]", "5077"],
            [{ ...svc, scheduler: pulumi.secret("wrr"), schedulerFlags: ["sh-port"] }, 'schedulerFlags: ["sh-port"] has sh-port, which applies only to scheduler sh, not [secret]', "wrr"],
            [{ ...svc, schedulerFlags: pulumi.secret(["sh-port"]), scheduler: "wrr" }, "schedulerFlags: [secret] has [secret], which applies only to scheduler [secret], not wrr", "sh-port"],
            [{ ...svc, protocol: pulumi.secret("SCTP"), healthCheck: { type: "PING" }, ops: true }, "ops: true needs protocol UDP (one-packet scheduling), not [secret]", "SCTP"],
        ];
        for (const [input, line, hidden] of checks) {
            const message = await messageOf(c(input), input);
            assert.ok(message.split("\n").includes(`VirtualService "x": ${line}`), `expected\n${line}\nin\n${message}`);
            assert.ok(!message.includes(hidden), `${hidden} shown in\n${message}`);
        }
    });

    it("a value equal to a secret one (a duplicate, the VIP itself) is not shown either", async () => {
        const byComponent = (component: string) => cases.find((x) => x.component === component)!.schema;
        const checks: Array<[string, unknown, string, string]> = [
            ["VirtualService", { vip: "10.77.0.10", port: 80, realServers: [{ address: pulumi.secret("10.77.0.21") }, { address: "10.77.0.21" }] }, "realServers[1]: [secret] duplicates realServers[0] ([secret])", "10.77.0.21"],
            ["VirtualService", { vip: pulumi.secret("10.77.0.10"), port: 80, realServers: [{ address: "10.77.0.10" }] }, "realServers[0].address: [secret] must not be the VIP itself", "10.77.0.10"],
            ["LvsDirectorPair", { interface: "eth0", vips: [pulumi.secret("10.77.0.10"), "10.77.0.10/24"], vrrp: { virtualRouterId: 1 } }, "vips[1]: [secret] is the same address as vips[0]", "10.77.0.10"],
            ["LvsDirectorPair", { interface: "eth0", vips: ["10.77.0.10"], inside: { interface: "eth1", vips: pulumi.secret(["10.77.1.1"]) }, vrrp: { virtualRouterId: 1, unicast: true, unicastAddresses: { primary: { eth1: ["10.77.1.1"] }, secondary: { eth0: ["10.77.0.12"] } } } }, "vrrp.unicastAddresses.primary.eth1[0]: [secret] is a VIP of this pair (inside.vips[0]): adverts from a VIP come from whichever director holds it; give the director's own address", "10.77.1.1"],
            ["LvsDirectorPair", { interface: "eth0", vips: ["10.77.0.10"], vrrp: { virtualRouterId: 1, unicast: true, unicastAddresses: { primary: { eth0: [pulumi.secret("10.77.0.11")] }, secondary: { eth0: ["10.77.0.11"] } } } }, "vrrp.unicastAddresses.secondary.eth0[0]: [secret] is also the primary's address: the directors need addresses of their own", "10.77.0.11"],
            ["LvsDirectorPair", { interface: "eth0", vips: ["10.77.0.10"], vrrp: { virtualRouterId: 1, trackScripts: [{ name: pulumi.secret("chk77"), command: "/bin/true" }, { name: "chk77", command: "/bin/true" }] } }, "vrrp.trackScripts[1].name: [secret] duplicates trackScripts[0]", "chk77"],
            ["LvsDirectorPair", { interface: pulumi.secret("eth77"), vips: ["10.77.0.10"], vrrp: { virtualRouterId: 1, unicast: true, unicastAddresses: { primary: { eth9: ["10.77.0.11"] }, secondary: { eth9: ["10.77.0.12"] } } } }, "vrrp.unicastAddresses.primary.eth9: [\"10.77.0.11\"] is not a VRRP NIC of this pair ([secret])", "eth77"],
            ["LvsDirectorPair", { interface: pulumi.secret("eth77"), vips: ["10.77.0.10"], inside: { interface: "eth77", vips: ["10.77.1.1"] }, vrrp: { virtualRouterId: 1 } }, "inside.virtualRouterId: (missing) must differ from vrrp.virtualRouterId 1 when the inside NIC is the same NIC ([secret])", "eth77"],
            ["RealServer", { mode: "DR", vips: [pulumi.secret("10.77.0.10"), "10.77.0.10"] }, "vips[1]: [secret] duplicates vips[0]", "10.77.0.10"],
        ];
        for (const [component, input, line, hidden] of checks) {
            const message = await messageOf({ what: line, component, schema: byComponent(component), input, expect: [] }, input);
            assert.ok(message.split("\n").includes(`${component} "x": ${line}`), `expected\n${line}\nin\n${message}`);
            assert.ok(!message.includes(hidden), `${hidden} shown in\n${message}`);
        }
    });

    it("the table exercises every rule the model states", () => {
        const dir = path.join(__dirname, "../../src/model");
        const messages = cases.flatMap((c) => {
            try {
                validate(c.component, "x", c.schema, c.input);
            } catch (err) {
                return [(err as Error).message];
            }
            return [];
        }).join("\n");
        const missing: string[] = [];
        // errors.ts rewords zod's own kinds; pairClaims.ts and serviceBackends.ts hold the checks across
        // components (components.test.ts).
        const schemaFiles = fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !["errors.ts", "pairClaims.ts", "secrets.ts", "serviceBackends.ts"].includes(f));
        for (const file of schemaFiles) {
            const text = fs.readFileSync(path.join(dir, file), "utf8");
            // A rule is a string or template that starts like one; its text up to the first interpolation.
            for (const m of text.matchAll(/["'`]((?:must|is|needs|may|has|matches|cannot|can|duplicates|applies) [^"'`$]*)/g)) {
                const rule = m[1]!.trim();
                if (!rule.includes("[secret]") && !messages.includes(rule)) missing.push(`${file}: ${rule}`);
            }
        }
        assert.deepEqual(missing, [], "rules without a case in validationCases.ts");
    });
});
