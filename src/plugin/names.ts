/** The component package's name: the first part of each type token (pulumi-lvs:index:VirtualService). */
export const PACKAGE_NAME = "pulumi-lvs";
export const COMPONENT_NAMES = ["LvsDirectorPair", "VirtualService", "VirtualServiceSet", "RealServer"];
