import { describe, expect, it } from "vitest";
import { NOTIFICATIONS_CAP, NotificationStore } from "./notifications.js";

describe("notifications", () => {
  it("keeps the newest 50, unread first, without duplicates", () => {
    const store = new NotificationStore();
    store.add(
      Array.from({ length: 60 }, (_, i) => ({
        id: `n${i}`,
        at: i,
        title: "t",
        detail: "d",
        tone: "info" as const,
      })),
    );
    expect(store.getAll()).toHaveLength(NOTIFICATIONS_CAP);
    expect(store.getAll()[0]?.id).toBe("n59");
    expect(store.unread()).toBe(50);
    store.add([{ id: "n59", at: 59, title: "t", detail: "d", tone: "info" }]);
    expect(store.getAll()).toHaveLength(50);
    store.markAllRead();
    expect(store.unread()).toBe(0);
  });
});
