import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { iso } from "./present.js";

describe("iso", () => {
  it("writes every instant exactly as Date#toISOString does", () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(iso(new Date(ms))).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
    for (const ms of [0, -1, 1, 86_399_999, 86_400_000, -86_400_000, -86_400_001, 253402300799999, 253402300800000, -62167219200001]) {
      expect(iso(new Date(ms))).toBe(new Date(ms).toISOString());
    }
  });

  it("gives null for no date and throws, as toISOString does, for an invalid one", () => {
    expect(iso(null)).toBeNull();
    expect(() => iso(new Date(Number.NaN))).toThrow(RangeError);
  });
});
