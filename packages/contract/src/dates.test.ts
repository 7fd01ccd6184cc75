import { describe, expect, it } from "vitest";
import { canonicalTimeZone, TimeZone, todayIn } from "./dates.js";

describe("time zones", () => {
  it("accepts IANA names in their canonical spelling and refuses the rest", () => {
    expect(TimeZone.parse(" europe/berlin ")).toBe("Europe/Berlin");
    expect(TimeZone.parse("Etc/GMT+12")).toBe("Etc/GMT+12");
    expect(TimeZone.parse("utc")).toBe("UTC");
    for (const name of ["Mars/Olympus", "+02:00", "", "UTC+2", "../etc/passwd", "a".repeat(65)])
      expect(TimeZone.safeParse(name).success, name).toBe(false);
    expect(canonicalTimeZone("Nowhere/City")).toBeUndefined();
  });

  it("gives the calendar date where the zone is, at one instant", () => {
    const instant = new Date("2027-03-11T00:30:00Z");
    expect(todayIn("UTC", instant)).toBe("2027-03-11");
    expect(todayIn("Pacific/Kiritimati", instant)).toBe("2027-03-11");
    expect(todayIn("Etc/GMT+12", instant)).toBe("2027-03-10");
    expect(todayIn("America/New_York", instant)).toBe("2027-03-10");
    expect(todayIn("Asia/Kolkata", new Date("2027-03-10T18:29:59Z"))).toBe("2027-03-10");
    expect(todayIn("Asia/Kolkata", new Date("2027-03-10T18:30:00Z"))).toBe("2027-03-11");
  });
});
