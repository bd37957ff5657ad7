// The bench's baseline: a program with no resources, run the same way as the others.
import * as pulumi from "@pulumi/pulumi";

export const project = pulumi.getProject();
