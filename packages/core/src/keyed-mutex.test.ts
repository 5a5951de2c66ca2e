import { describe, expect, it } from "vitest";
import { KeyedMutex } from "./keyed-mutex.js";

/** A promise that the test resolves or rejects by hand. */
function gate<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every queued microtask and pending `then` run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe("KeyedMutex", () => {
  it("runs bodies of the same key one after the other, in call order", async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const first = gate();
    const a = mutex.run("w1", async () => {
      log.push("a start");
      await first.promise;
      log.push("a end");
      return "a";
    });
    const b = mutex.run("w1", async () => {
      log.push("b start");
      return "b";
    });
    const c = mutex.run("w1", async () => {
      log.push("c start");
      return "c";
    });
    await settle();
    expect(log).toEqual(["a start"]);
    first.resolve();
    expect(await Promise.all([a, b, c])).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["a start", "a end", "b start", "c start"]);
  });

  it("never interleaves read-decide-write steps of one key", async () => {
    const mutex = new KeyedMutex();
    let value = 0;
    const increments = Array.from({ length: 20 }, () =>
      mutex.run("counter", async () => {
        const read = value;
        await settle();
        value = read + 1;
      }),
    );
    await Promise.all(increments);
    expect(value).toBe(20);
  });

  it("runs different keys concurrently", async () => {
    const mutex = new KeyedMutex();
    const blocker = gate();
    const log: string[] = [];
    const a = mutex.run("w1", async () => {
      log.push("w1 start");
      await blocker.promise;
      log.push("w1 end");
    });
    const b = mutex.run("w2", async () => {
      log.push("w2 ran");
      return 2;
    });
    // w2 finishes while w1 is still blocked.
    expect(await b).toBe(2);
    expect(log).toEqual(["w1 start", "w2 ran"]);
    blocker.resolve();
    await a;
    expect(log).toEqual(["w1 start", "w2 ran", "w1 end"]);
  });

  it("a rejected body rejects its own caller and does not block the next", async () => {
    const mutex = new KeyedMutex();
    const failing = gate();
    const first = mutex.run("w1", async () => {
      await failing.promise;
      throw new Error("boom");
    });
    const second = mutex.run("w1", async () => "after");
    failing.resolve();
    await expect(first).rejects.toThrow("boom");
    await expect(second).resolves.toBe("after");
  });

  it("a body that throws synchronously is turned into a rejection, and the key stays usable", async () => {
    const mutex = new KeyedMutex();
    const thrower = (): Promise<never> => {
      throw new Error("sync");
    };
    await expect(mutex.run("w1", thrower)).rejects.toThrow("sync");
    await expect(mutex.run("w1", async () => 1)).resolves.toBe(1);
  });

  it("a key can be reused after its queue has drained", async () => {
    const mutex = new KeyedMutex();
    await mutex.run("w1", async () => 1);
    await settle();
    const log: string[] = [];
    const blocker = gate();
    const a = mutex.run("w1", async () => {
      await blocker.promise;
      log.push("a");
    });
    const b = mutex.run("w1", async () => {
      log.push("b");
    });
    await settle();
    expect(log).toEqual([]);
    blocker.resolve();
    await Promise.all([a, b]);
    expect(log).toEqual(["a", "b"]);
  });
});
