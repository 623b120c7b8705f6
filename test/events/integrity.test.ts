/**
 * Integrity must equal the reference's. The expected values below were
 * computed with the reference's own package (@pryv/stable-object-representation
 * 1.1.4, `event.hash(e, "sha256")`) on these exact events.
 */
import { describe, expect, it } from "vitest";
import { eventIntegrity } from "../../src/events/integrity";

const VECTORS: [Record<string, unknown>, string][] = [
  [
    { id: "cabc123def456ghi789jkl012", streamIds: ["diary", "health"], type: "mass/kg", time: 1700000000.123, content: 80.5, created: 1700000000.5, createdBy: "caccess", modified: 1700000001.25, modifiedBy: "caccess" },
    "EVENT:0:sha256-y9YJEcAAjZE+3aiWJk48ARp8h8wHeuG4u8nPebEfk60=",
  ],
  [
    { id: "cv2", streamIds: ["a"], type: "note/txt", time: 1, duration: null, content: 'héllo "quoted" \n\u0007 \u2028 end', description: null, clientData: { z: 1, a: { y: null, b: [null, 2] } }, trashed: false, created: 1, createdBy: "x", modified: 2, modifiedBy: "y" },
    "EVENT:0:sha256-/YHC5AJlBYCXJSqes3x5ALSTXqzAza3U6LdElrpRMk4=",
  ],
  [
    { id: "cv3", streamIds: ["a"], type: "activity/plain", time: 10, duration: 3600, trashed: true, attachments: [{ id: "f1", fileName: "a.png", type: "image/png", size: 3, integrity: "sha256-x", readToken: "secret" }], created: 1, createdBy: "x", modified: 2, modifiedBy: "y" },
    "EVENT:0:sha256-FB7DeuWUb867S77E6zWbWTl8LW/0Hhj9+8XpJVGMzck=",
  ],
  [{ id: "cdel", deleted: 1700000009.5 }, "EVENT:0:sha256-c89uEcaltDG9YxJHcv6mHES70HPjPWCrdSHb+5Rrah8="],
];

describe("event integrity", () => {
  it.each(VECTORS.map(([event, hash], i) => [i, event, hash] as const))("vector %i matches the reference", async (_i, event, hash) => {
    expect(await eventIntegrity(structuredClone(event))).toBe(hash);
  });

  it("ignores a previous integrity and per-access read tokens", async () => {
    const [event, hash] = VECTORS[2]!;
    expect(await eventIntegrity({ ...structuredClone(event), integrity: "EVENT:0:stale" })).toBe(hash);
  });
});
