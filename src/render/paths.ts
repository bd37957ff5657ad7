// Where pulumi-lvs keeps its files on the hosts. One LvsDirectorPair per director host.
export const KEEPALIVED_DIR = "/etc/keepalived";
export const KEEPALIVED_CONF = `${KEEPALIVED_DIR}/keepalived.conf`;
export const LVS_CONF_DIR = `${KEEPALIVED_DIR}/pulumi-lvs`;
export const AUTH_CONF = `${LVS_CONF_DIR}/auth.conf`;
export const SERVICES_DIR = `${LVS_CONF_DIR}/services`;
/** Prior-state records (values before we changed them), read back on delete. */
export const STATE_DIR = "/var/lib/pulumi-lvs";
export const SYSCTL_DIR = "/etc/sysctl.d";
export const UNIT_DIR = "/etc/systemd/system";

export function sysctlFile(stem: string): string {
    return `${SYSCTL_DIR}/90-pulumi-lvs-${stem}.conf`;
}
