export { LvsDirectorPair, type LvsDirectorPairArgs, type VrrpArgs, type DirectorNode } from "./components/LvsDirectorPair";
export { VirtualService, type VirtualServiceArgs, type RealServerEntryArgs, type HealthCheckArgs, type TcpCheckArgs } from "./components/VirtualService";
export { RealServer, type RealServerArgs } from "./components/RealServer";
export type { ConnectionArgs, JumpHostArgs } from "./components/connection";
export { LvsValidationError } from "./model/errors";
export type { Scheduler, ForwardingMode, Protocol } from "./model/primitives";
