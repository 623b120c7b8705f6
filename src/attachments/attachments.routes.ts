import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { routeGroup } from "../http/bind";
import { handleDownload } from "./downloads";
import { handleUpload, isMultipart } from "./uploads";

/** Mounted under `/{username}`, before the events routes (a multipart `POST /events` is an upload). */
export const attachmentsRouter = new Hono<AppEnv>();

attachmentsRouter.post("/events", async (c, next) => (isMultipart(c) ? handleUpload(c, "events.create") : next()));
attachmentsRouter.post("/events/:id", (c) => handleUpload(c, "events.addAttachment"));
attachmentsRouter.get("/events/:id/:fileId", handleDownload);
attachmentsRouter.get("/events/:id/:fileId/:fileName", handleDownload);
/** The plain method bindings (listed with the others for conformance tests and docs). */
export const attachmentsRoutes = routeGroup([
  {
    verb: "delete",
    path: "/events/:id/:fileId",
    methodId: "events.deleteAttachment",
    build: ({ path }) => ({ id: path.id, fileId: path.fileId }),
  },
]);
