import { describe, expect, it } from "vitest";
import { ago } from "./time";

describe("ago", () => {
  const now = Date.parse("2026-12-07T12:00:00Z");
  const before = (s: number) => new Date(now - s * 1000).toISOString();
  it("says just now under a minute, and for a clock slightly ahead", () => {
    expect(ago(before(0), now)).toBe("just now");
    expect(ago(before(59), now)).toBe("just now");
    expect(ago(before(-30), now)).toBe("just now");
  });
  it("counts minutes, hours and days, singular and plural", () => {
    expect(ago(before(60), now)).toBe("1 minute ago");
    expect(ago(before(5 * 60 + 20), now)).toBe("5 minutes ago");
    expect(ago(before(3600), now)).toBe("1 hour ago");
    expect(ago(before(23 * 3600), now)).toBe("23 hours ago");
    expect(ago(before(86400), now)).toBe("1 day ago");
    expect(ago(before(6 * 86400), now)).toBe("6 days ago");
  });
  it("gives the date from a week on", () => {
    expect(ago(before(7 * 86400), now)).toMatch(/^on /);
  });
});
