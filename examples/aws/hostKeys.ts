// The SSH host key of an EC2 instance, for pulumi-lvs's `hostKey` pin, read from the instance's console.
//
// Why the console: each instance makes its own host keys at first boot (cloud-init), so the private key
// never leaves the VM. cloud-init's keys_to_console module then prints the public keys on the serial
// console between "-----BEGIN SSH HOST KEY KEYS-----" and "-----END SSH HOST KEY KEYS-----" (on Debian's
// and Ubuntu's AMIs it is on by default), and EC2 keeps that console for the owner of the instance:
// `aws ec2 get-console-output` (IAM permission ec2:GetConsoleOutput) returns it. --latest asks for the
// newest output, which Nitro instances (t3, m5, ... and later) give within seconds; older instance types
// update it only every few minutes.
// The key is read by the machine that runs `pulumi up`, with the AWS CLI and the same credentials as the
// AWS provider (AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment). It is read
// once per instance: the console keeps only the last 64 KiB, so after many reboots the block is gone,
// but a new instance (a new id) is read again.
// The other way, putting a host key you made into the user data, would leave that private key readable
// by anyone on the instance (the metadata service serves the user data) and by ec2:DescribeInstanceAttribute.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";

const BEGIN = "-----BEGIN SSH HOST KEY KEYS-----";
const END = "-----END SSH HOST KEY KEYS-----";

/** Prints the console's host key block; waits for it up to HOST_KEY_TIMEOUT seconds (default 900). */
const READ_CONSOLE = `set -euo pipefail
command -v aws >/dev/null || { echo "the AWS CLI (aws) is needed to read the host key of $INSTANCE_ID from its console" >&2; exit 1; }
deadline=$((SECONDS + \${HOST_KEY_TIMEOUT:-900}))
while :; do
  if ! out=$(aws ec2 get-console-output --region "$AWS_REGION" --instance-id "$INSTANCE_ID" --latest --query Output --output text 2>&1); then
    echo "aws ec2 get-console-output --instance-id $INSTANCE_ID failed: $out" >&2
    exit 1
  fi
  keys=$(printf '%s\\n' "$out" | sed -n '/${BEGIN}/,/${END}/p')
  if printf '%s\\n' "$keys" | grep -qF -- '${END}'; then printf '%s\\n' "$keys"; exit 0; fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "no SSH host keys on the console of $INSTANCE_ID after \${HOST_KEY_TIMEOUT:-900} s (cloud-init prints them when it is done)" >&2
    exit 1
  fi
  sleep 10
done
`;

/**
 * The ed25519 host key in cloud-init's console block, in authorized_keys form ("ssh-ed25519 AAAA..."),
 * from the last block when the console holds several (one per boot). Throws, naming `what`, when none.
 */
export function hostKeyFromConsole(consoleText: string, what: string): string {
    const lines = consoleText.split(/\r?\n/);
    const begin = lines.map((l, i) => (l.includes(BEGIN) ? i : -1)).filter((i) => i >= 0).pop();
    const end = begin === undefined ? -1 : lines.findIndex((l, i) => i > begin && l.includes(END));
    if (begin === undefined || end < 0) throw new Error(`${what}: no "${BEGIN}" block on the console`);
    for (const line of lines.slice(begin + 1, end)) {
        const key = /(?:^|\s)(ssh-ed25519 [A-Za-z0-9+/]+={0,2})(?:\s|$)/.exec(line);
        if (key) return key[1]!;
    }
    throw new Error(`${what}: the console's host key block has no ssh-ed25519 key`);
}

/** Reads the instance's host key from its console once it is there (a local command with the AWS CLI). */
export function consoleHostKey(name: string, instance: { id: pulumi.Input<string> }, region: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions): pulumi.Output<string> {
    const read = new command.local.Command(`${name}-host-key`, {
        create: READ_CONSOLE,
        interpreter: ["/bin/bash", "-c"],
        environment: { INSTANCE_ID: instance.id, AWS_REGION: region },
        // Only the block is printed; there is nothing to undo on delete.
        logging: "stderr",
    }, opts);
    return read.stdout.apply((text) => hostKeyFromConsole(text, `${name} (instance console)`));
}
