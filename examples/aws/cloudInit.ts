// The user data of the VMs: cloud-init's cloud-config (JSON is YAML, so it is written as JSON). Pure.
// Nothing here is secret: the host keys are made on the VMs and read from their consoles (hostKeys.ts).

/** Where the directors keep the VIP takeover script (keepalived's notify_master). */
export const TAKEOVER_SCRIPT = "/usr/local/sbin/lvs-vip-takeover";

/**
 * keepalived runs it when the director becomes MASTER, with the VIP as its argument. In a VPC the hosts
 * do not decide where an address goes: AWS delivers the VIP to the network interface it is assigned to
 * as a secondary private IP, so the new MASTER moves it to its own interface (--allow-reassignment takes
 * it from the old one). The instance profile allows exactly that on the two directors' interfaces.
 */
const takeover = `#!/bin/sh
# pulumi-lvs examples/aws: keepalived notify_master. Moves the VIP ($1), a secondary private IP, to this
# instance's network interface, where AWS will deliver it from then on.
set -u
vip=$1
imds=http://169.254.169.254/latest
token=$(curl -fsS -m 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' $imds/api/token) || exit 1
md() { curl -fsS -m 5 -H "X-aws-ec2-metadata-token: $token" "$imds/meta-data/$1"; }
mac=$(md mac) && eni=$(md "network/interfaces/macs/$mac/interface-id") && region=$(md placement/region) || exit 1
for attempt in 1 2 3 4 5; do
  if aws ec2 assign-private-ip-addresses --region "$region" --network-interface-id "$eni" \\
       --private-ip-addresses "$vip" --allow-reassignment >/dev/null 2>&1; then
    logger -t lvs-vip-takeover "$vip assigned to $eni"
    exit 0
  fi
  sleep "$attempt"
done
logger -t lvs-vip-takeover "could not assign $vip to $eni"
exit 1
`;

const cloudConfig = (config: Record<string, unknown>) => `#cloud-config\n${JSON.stringify(config, null, 2)}\n`;

/** A director: the AWS CLI and the takeover script. ipvsadm and keepalived are pulumi-lvs's to install. */
export function directorUserData(): string {
    return cloudConfig({
        package_update: true,
        packages: ["awscli", "curl"],
        write_files: [{ path: TAKEOVER_SCRIPT, permissions: "0755", owner: "root:root", content: takeover }],
    });
}

/** A real server: nginx, answering with the host's name (so a client sees which server answered). */
export function realServerUserData(): string {
    return cloudConfig({
        package_update: true,
        packages: ["nginx"],
        runcmd: [["sh", "-c", "hostname > /var/www/html/index.html"]],
    });
}
