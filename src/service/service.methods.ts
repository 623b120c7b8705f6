import { z } from "zod";
import { defineMethod, PUBLIC } from "../methods/method";
import { serviceInfo } from "./service-info";
import { serviceInfoResult } from "./service.schema";

export const serviceMethods = [
  defineMethod({
    id: "service.info",
    result: serviceInfoResult,
    scope: "service",
    params: z.object({}).loose(),
    permission: PUBLIC,
    writes: false,
    handler: async (ctx) => serviceInfo(ctx.config),
  }),
];
