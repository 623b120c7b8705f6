import { describe, expect, it } from "vitest";
import { download, sha256 } from "../helpers/files";
import { connect, routeClientToWorker } from "../helpers/pryv-client";

routeClientToWorker();

async function connectWithStream() {
  const account = await connect();
  await account.connection.api([{ method: "streams.create", params: { id: "data", name: "Data" } }]);
  return account;
}

const PNG = new Uint8Array(14_798).map((_, i) => (i * 31 + 7) % 256);

describe("official pryv client: attachments", () => {
  it("createEventWithFile uploads a file from disk", async () => {
    const fs = await import("node:fs");
    fs.writeFileSync("/tmp/Y.png", PNG);
    const { connection, username } = await connectWithStream();
    const res: any = await connection.createEventWithFile({ type: "picture/attached", streamIds: ["data"] }, "/tmp/Y.png");
    expect(res.event.attachments[0]).toMatchObject({ fileName: "Y.png", type: "image/png", size: 14_798, integrity: await sha256(PNG) });
    const file = await download(`/${username}/events/${res.event.id}/${res.event.attachments[0].id}?readToken=${res.event.attachments[0].readToken}`);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PNG);
  });

  it("createEventWithFileFromBuffer and createEventWithFormData", async () => {
    const { connection } = await connectWithStream();
    const fromBuffer: any = await connection.createEventWithFileFromBuffer({ type: "picture/attached", streamIds: ["data"] }, PNG, "Y.png");
    expect(fromBuffer.event.attachments[0]).toMatchObject({ fileName: "Y.png", type: "image/png", size: 14_798 });
    const form = new FormData();
    form.append("webmasterfile", new Blob(["Hello"], { type: "text/txt" }), "Hello.txt");
    const fromForm: any = await connection.createEventWithFormData({ type: "file/attached", streamIds: ["data"] }, form);
    expect(fromForm.event.attachments[0]).toMatchObject({ fileName: "Hello.txt", type: "text/txt", size: 5 });
  });
});
