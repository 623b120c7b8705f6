import { z } from "zod";
import { defineMethod, PUBLIC } from "../methods/method";
import { serviceInfo } from "./service-info";

export const serviceMethods = [
  defineMethod({
    id: "service.info",
    scope: "service",
    params: z.object({}).loose(),
    permission: PUBLIC,
    writes: false,
    handler: async (ctx) => serviceInfo(ctx.config),
  }),
];
