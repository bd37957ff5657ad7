// The directors' kernel settings, each with its reason.
import type { SysctlSetting } from "./sysctl";

export const DIRECTOR_SYSCTLS: ReadonlyArray<SysctlSetting> = [
    {
        key: "net.ipv4.vs.expire_nodest_conn",
        value: "1",
        reason: "drop connections to a real server that was removed, so its clients reconnect at once",
    },
    {
        key: "net.ipv4.vs.expire_quiescent_template",
        value: "1",
        reason: "persistent clients of a weight-0 (drained) real server move to another one",
    },
];
