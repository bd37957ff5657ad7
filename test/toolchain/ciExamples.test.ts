// examples/ci: the CI workflows an infra repo copies. They cannot run here (no GitHub, no GitLab, no
// hosts), so this checks what can be checked offline: the YAML parses, each event runs the command it
// documents, the SSH key reaches the stack config only as a secret and from a file, and every shell
// block is valid bash.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { repoRoot } from "../helpers/pulumi-cli";

const dir = path.join(repoRoot, "examples", "ci");
const load = (file: string) => parse(fs.readFileSync(path.join(dir, file), "utf8")) as Record<string, unknown>;

function bashParses(script: string, where: string): void {
    const res = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
    assert.equal(res.status, 0, `${where}: ${res.stderr}`);
}

function noKeyLeak(text: string): void {
    assert.doesNotMatch(text, /set -x|echo[^\n]*\$\{?LVS_SSH_PRIVATE_KEY|cat[^\n]*\$\{?LVS_SSH_PRIVATE_KEY/);
}

describe("the CI examples (examples/ci)", () => {
    it("GitHub Actions: PR preview --diff as a comment, up on main, a scheduled --expect-no-changes gate", () => {
        const wf = load("github-actions.yml") as { on: Record<string, unknown>; env: Record<string, string>; jobs: Record<string, { steps: { name?: string; if?: string; run?: string; uses?: string; with?: Record<string, unknown> }[] }> };
        assert.deepEqual(Object.keys(wf.on).sort(), ["pull_request", "push", "schedule", "workflow_dispatch"]);
        assert.deepEqual((wf.on.push as { branches: string[] }).branches, ["main"]);
        assert.equal(wf.env.PULUMI_CONFIG_PASSPHRASE, "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
        const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
        const preview = steps.find((s) => s.with?.command === "preview")!;
        assert.match(preview.if!, /pull_request/);
        assert.equal(preview.with!.diff, true);
        assert.equal(preview.with!["comment-on-pr"], true);
        const run = (pattern: RegExp) => steps.find((s) => s.run && pattern.test(s.run));
        assert.match(run(/pulumi up --yes/)!.if!, /push.*refs\/heads\/main/);
        assert.match(run(/pulumi preview --expect-no-changes/)!.if!, /schedule/);
        const key = run(/config set --secret sshKey/)!;
        assert.match(key.run!, /pulumi config set --secret sshKey [^\n]*< "\$key"/);
        assert.equal((key as { env?: Record<string, string> }).env?.LVS_SSH_PRIVATE_KEY, "${{ secrets.LVS_SSH_PRIVATE_KEY }}");
        for (const s of steps) if (s.run) { bashParses(s.run, s.name ?? s.run); noKeyLeak(s.run); }
    });

    it("GitLab CI: MR preview --diff posted as a note, up on the default branch, a scheduled --expect-no-changes gate", () => {
        const ci = load("gitlab-ci.yml") as Record<string, { extends?: string; rules?: { if: string }[]; script?: string[]; before_script?: string[] }>;
        const rule = (job: string) => ci[job]!.rules!.map((r) => r.if).join(" | ");
        assert.match(rule("preview"), /merge_request_event/);
        assert.match(rule("up"), /CI_DEFAULT_BRANCH.*push/);
        assert.match(rule("drift"), /schedule/);
        for (const job of ["preview", "up", "drift"]) assert.equal(ci[job]!.extends, ".pulumi");
        const script = (job: string) => ci[job]!.script!.join("\n");
        assert.match(script("preview"), /pulumi preview --diff/);
        assert.match(script("preview"), /merge_requests\/\$CI_MERGE_REQUEST_IID\/notes/);
        assert.match(script("preview"), /PRIVATE-TOKEN: \$GITLAB_NOTE_TOKEN/);
        assert.match(script("up"), /pulumi up --yes/);
        assert.match(script("drift"), /pulumi preview --expect-no-changes/);
        const before = ci[".pulumi"]!.before_script!.join("\n");
        assert.match(before, /pulumi config set --secret sshKey [^\n]*< "\$LVS_SSH_PRIVATE_KEY"/);
        for (const job of [".pulumi", "preview", "up", "drift"]) {
            const text = [...(ci[job]!.before_script ?? []), ...(ci[job]!.script ?? [])].join("\n");
            bashParses(text, job);
            noKeyLeak(text);
        }
    });
});
