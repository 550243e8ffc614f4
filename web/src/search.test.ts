import { describe, expect, it } from "vitest";
import { highlight, parseSearch, searchQuery, snowflakeAt } from "./search";

describe("parseSearch", () => {
  it("takes filter tokens out of the words", () => {
    const s = parseSearch("  hello from:@bob has:LINK world has:gif before:2026-01-02 after:x ");
    expect(s.content).toBe("hello world has:gif after:x");
    expect(s.from).toEqual(["bob"]);
    expect(s.has).toEqual(["link"]);
    expect(s.before).toBe(new Date(2026, 0, 2).getTime());
    expect(s.after).toBeUndefined();
  });
});

describe("searchQuery", () => {
  it("names users by id and days by snowflake", () => {
    const s = parseSearch("東京 from:bob from:nobody has:image after:2026-01-01");
    const q = new URLSearchParams(searchQuery(s, (n) => (n === "bob" ? ["42"] : []), 25));
    expect(q.get("content")).toBe("東京");
    expect(q.getAll("author_id")).toEqual(["42", "0"]);
    expect(q.getAll("has")).toEqual(["image"]);
    expect(q.get("min_id")).toBe(snowflakeAt(new Date(2026, 0, 2).getTime() - 1));
    expect(q.get("offset")).toBe("25");
  });
  it("makes snowflakes from times", () => {
    expect(snowflakeAt(1420070400000 + 1)).toBe(String(1 << 22));
    expect(snowflakeAt(0)).toBe("0");
  });
});

describe("highlight", () => {
  it("marks words without regard to case or accents, CJK included", () => {
    expect(highlight("Crème Brûlée", "creme")).toEqual([
      { text: "Crème", hit: true },
      { text: " Brûlée", hit: false },
    ]);
    expect(highlight("東京タワー", "京タ").filter((p) => p.hit)).toEqual([{ text: "京タ", hit: true }]);
  });
});
