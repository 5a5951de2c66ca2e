import { DomainError } from "@xenblocks/core";
import { fakeClock } from "@xenblocks/core/testing";
import { createMemoryStorage } from "@xenblocks/storage";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createSiweMessage, parseSiweMessage } from "viem/siwe";
import { describe, expect, it } from "vitest";
import { NONCE_TTL_MS, Siwe, siweOrigin } from "./siwe.js";

const PUBLIC_URL = "https://xenblocks.example:8443";
const CHAIN = 1;

function setup(options: { maxNoncesPerAddress?: number } = {}) {
  const clock = fakeClock();
  const nonces = createMemoryStorage().siweNonces;
  // Chain 5 is configured too, for the test that a non-default chain round-trips.
  const siwe = new Siwe({ publicUrl: PUBLIC_URL, clock, nonces, chainIds: [1, 5], ...options });
  const wallet = privateKeyToAccount(generatePrivateKey());
  /** The wallet's nonces waiting for a signature. */
  const pending = () => nonces.countForAddress(wallet.address.toLowerCase(), clock.now());
  return { clock, nonces, siwe, wallet, pending };
}

/** The refusal of a call, as `{code, message}`. */
async function refusal(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  const { code, message } = error as DomainError;
  return { code, message };
}

/** The issued message with some fields rewritten (same nonce), as an attacker would send it. */
function rewrite(message: string, change: Partial<Parameters<typeof createSiweMessage>[0]>): string {
  const fields = parseSiweMessage(message) as Parameters<typeof createSiweMessage>[0];
  return createSiweMessage({ ...fields, ...change });
}

describe("SIWE", () => {
  it("issues a nonce and an EIP-4361 message for the configured origin, and accepts its signature", async () => {
    const { siwe, wallet, clock, nonces, pending } = setup();
    const issued = await siwe.issueNonce({ address: wallet.address.toLowerCase(), chainId: CHAIN });
    expect(await pending()).toBe(1);
    expect(issued.nonce).toMatch(/^[0-9a-f]{32}$/); // 128 random bits
    expect(issued.expiresAt).toBe(clock.now() + NONCE_TTL_MS);
    const fields = parseSiweMessage(issued.message);
    expect(fields).toMatchObject({
      domain: "xenblocks.example:8443",
      uri: "https://xenblocks.example:8443",
      address: wallet.address, // EIP-55 in the text
      version: "1",
      chainId: CHAIN,
      nonce: issued.nonce,
    });
    expect(fields.statement).toBeTruthy();
    expect(fields.issuedAt?.getTime()).toBe(clock.now());
    expect(fields.expirationTime?.getTime()).toBe(issued.expiresAt);

    clock.advance(10_000);
    const signature = await wallet.signMessage({ message: issued.message });
    const signIn = await siwe.verify({ message: issued.message, signature });
    expect(signIn).toEqual({ address: wallet.address.toLowerCase(), chainId: CHAIN, nonce: issued.nonce });
    expect(await pending()).toBe(0);
    expect(await nonces.take(issued.nonce)).toBeNull();
  });

  it("issues a different nonce each time, each stored with its address, chain and message", async () => {
    const { siwe, wallet, nonces, clock } = setup();
    const issued = await Promise.all(
      Array.from({ length: 5 }, () => siwe.issueNonce({ address: wallet.address, chainId: CHAIN })),
    );
    expect(new Set(issued.map((i) => i.nonce)).size).toBe(5);
    const last = issued[4]!;
    expect(await nonces.take(last.nonce)).toEqual({
      nonce: last.nonce,
      address: wallet.address.toLowerCase(),
      chainId: CHAIN,
      message: last.message,
      issuedAt: clock.now(),
      expiresAt: last.expiresAt,
    });
  });

  it("verifies by nonce (REST): the signature of the message issued with it", async () => {
    const { siwe, wallet } = setup();
    const issued = await siwe.issueNonce({ address: wallet.address, chainId: 5 });
    const signature = await wallet.signMessage({ message: issued.message });
    const signIn = await siwe.verifyByNonce({ address: wallet.address, nonce: issued.nonce, signature });
    expect(signIn).toMatchObject({ address: wallet.address.toLowerCase(), chainId: 5 });
    expect(
      await refusal(siwe.verifyByNonce({ address: wallet.address, nonce: issued.nonce, signature })),
    ).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringMatching(/already used/) });
  });

  it("refuses malformed requests with VALIDATION", async () => {
    const { siwe, wallet, pending } = setup();
    expect(await refusal(siwe.issueNonce({ address: "0x123", chainId: 1 }))).toMatchObject({
      code: "VALIDATION",
    });
    expect(await refusal(siwe.issueNonce({ address: wallet.address, chainId: 0 }))).toMatchObject({
      code: "VALIDATION",
    });
    // A chain the platform is not configured for is refused before a nonce is spent on it.
    expect(await refusal(siwe.issueNonce({ address: wallet.address, chainId: 137 }))).toMatchObject({
      code: "VALIDATION",
      message: expect.stringMatching(/chain 137/),
    });
    expect(await pending()).toBe(0);
    expect(await refusal(siwe.verify({ message: "hello", signature: `0x${"1".repeat(130)}` }))).toMatchObject(
      {
        code: "VALIDATION",
      },
    );
    expect(await refusal(siwe.verify({ message: "x".repeat(5000), signature: "0x" }))).toMatchObject({
      code: "VALIDATION",
    });
    expect(
      await refusal(siwe.verifyByNonce({ address: wallet.address, nonce: "not a nonce!", signature: "0x" })),
    ).toMatchObject({ code: "VALIDATION" });
  });

  describe("the negative corpus", () => {
    it("refuses a wrong domain", async () => {
      const { siwe, wallet } = setup();
      const issued = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      const message = rewrite(issued.message, { domain: "evil.example" });
      const signature = await wallet.signMessage({ message });
      expect(await refusal(siwe.verify({ message, signature }))).toEqual({
        code: "UNAUTHORIZED",
        message: "wrong domain: expected xenblocks.example:8443, got evil.example",
      });
    });

    it("refuses a scheme other than the public URL's", async () => {
      const { siwe, wallet } = setup();
      const issued = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      const message = rewrite(issued.message, { scheme: "http" });
      const signature = await wallet.signMessage({ message });
      expect(await refusal(siwe.verify({ message, signature }))).toMatchObject({
        code: "UNAUTHORIZED",
        message: expect.stringMatching(/wrong scheme/),
      });
    });

    it("refuses a wrong URI", async () => {
      const { siwe, wallet } = setup();
      const issued = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      const message = rewrite(issued.message, { uri: "https://evil.example/login" });
      const signature = await wallet.signMessage({ message });
      expect(await refusal(siwe.verify({ message, signature }))).toMatchObject({
        code: "UNAUTHORIZED",
        message: expect.stringMatching(/^wrong URI/),
      });
    });

    it("refuses a chain id other than the one issued", async () => {
      const { siwe, wallet } = setup();
      const issued = await siwe.issueNonce({ address: wallet.address, chainId: 1 });
      const message = rewrite(issued.message, { chainId: 137 });
      const signature = await wallet.signMessage({ message });
      expect(await refusal(siwe.verify({ message, signature }))).toMatchObject({
        code: "UNAUTHORIZED",
        message: expect.stringMatching(/wrong chain id/),
      });
    });

    it("refuses an expired nonce", async () => {
      const { siwe, wallet, clock } = setup();
      const issued = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      const signature = await wallet.signMessage({ message: issued.message });
      clock.advance(NONCE_TTL_MS);
      expect(await refusal(siwe.verify({ message: issued.message, signature }))).toMatchObject({
        code: "UNAUTHORIZED",
        message: expect.stringMatching(/nonce has expired/),
      });
    });

    it("refuses an expired message (expiration time rewritten into the past)", async () => {
      const { siwe, wallet, clock } = setup();
      const issued = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      clock.advance(60_000);
      const message = rewrite(issued.message, { expirationTime: new Date(clock.now() - 1) });
      const signature = await wallet.signMessage({ message });
      expect(await refusal(siwe.verify({ message, signature }))).toMatchObject({
        code: "UNAUTHORIZED",
        message: "the message has expired",
      });
    });

    it("refuses a message that is not valid yet (not before in the future)", async () => {
      const { siwe, wallet, clock } = setup();
      const issued = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      const message = rewrite(issued.message, { notBefore: new Date(clock.now() + 60_000) });
      const signature = await wallet.signMessage({ message });
      expect(await refusal(siwe.verify({ message, signature }))).toMatchObject({
        code: "UNAUTHORIZED",
        message: "the message is not valid yet",
      });
    });

    it("refuses a message issued in the future beyond the skew", async () => {
      const { siwe, wallet, clock } = setup();
      const issued = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      const message = rewrite(issued.message, { issuedAt: new Date(clock.now() + 120_000) });
      const signature = await wallet.signMessage({ message });
      expect(await refusal(siwe.verify({ message, signature }))).toMatchObject({
        code: "UNAUTHORIZED",
        message: "the message is issued in the future",
      });
    });

    it("refuses a reused nonce (replay)", async () => {
      const { siwe, wallet } = setup();
      const issued = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      const signature = await wallet.signMessage({ message: issued.message });
      await siwe.verify({ message: issued.message, signature });
      expect(await refusal(siwe.verify({ message: issued.message, signature }))).toMatchObject({
        code: "UNAUTHORIZED",
        message: expect.stringMatching(/unknown or already used nonce/),
      });
    });

    it("consumes the nonce on a failed attempt too", async () => {
      const { siwe, wallet } = setup();
      const other = privateKeyToAccount(generatePrivateKey());
      const issued = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      const wrong = await other.signMessage({ message: issued.message });
      expect((await refusal(siwe.verify({ message: issued.message, signature: wrong }))).code).toBe(
        "UNAUTHORIZED",
      );
      const right = await wallet.signMessage({ message: issued.message });
      expect(await refusal(siwe.verify({ message: issued.message, signature: right }))).toMatchObject({
        message: expect.stringMatching(/already used/),
      });
    });

    it("refuses the nonce of another address", async () => {
      const { siwe, wallet } = setup();
      const attacker = privateKeyToAccount(generatePrivateKey());
      const issued = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      const message = rewrite(issued.message, { address: attacker.address });
      const signature = await attacker.signMessage({ message });
      expect(await refusal(siwe.verify({ message, signature }))).toEqual({
        code: "UNAUTHORIZED",
        message: "the nonce was issued for another address",
      });
      // The REST form names the address itself.
      const again = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      const signed = await attacker.signMessage({ message: again.message });
      expect(
        await refusal(
          siwe.verifyByNonce({ address: attacker.address, nonce: again.nonce, signature: signed }),
        ),
      ).toMatchObject({ code: "UNAUTHORIZED", message: "the nonce was issued for another address" });
    });

    it("refuses a tampered message (one character changed)", async () => {
      const { siwe, wallet } = setup();
      const issued = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      const message = issued.message.replace("Sign in to XenBlocks.", "Sign in to XenBlocks!");
      expect(message).not.toBe(issued.message);
      const signature = await wallet.signMessage({ message });
      expect(await refusal(siwe.verify({ message, signature }))).toEqual({
        code: "UNAUTHORIZED",
        message: "the message differs from the one issued for this nonce",
      });
    });

    it("refuses a tampered message under the original's signature", async () => {
      const { siwe, wallet } = setup();
      const issued = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      const signature = await wallet.signMessage({ message: issued.message });
      const message = issued.message.replace("Sign in", "Sign In");
      expect(await refusal(siwe.verify({ message, signature }))).toMatchObject({
        code: "UNAUTHORIZED",
        message: expect.stringMatching(/differs/),
      });
    });

    it("refuses a signature by another key", async () => {
      const { siwe, wallet } = setup();
      const other = privateKeyToAccount(generatePrivateKey());
      const issued = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      const signature = await other.signMessage({ message: issued.message });
      expect(await refusal(siwe.verify({ message: issued.message, signature }))).toEqual({
        code: "UNAUTHORIZED",
        message: "the signature is not from this address",
      });
    });

    it("refuses a garbage signature: malformed → VALIDATION, random 65 bytes → UNAUTHORIZED", async () => {
      const { siwe, wallet } = setup();
      const first = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      expect(await refusal(siwe.verify({ message: first.message, signature: "0xdeadbeef" }))).toMatchObject({
        code: "VALIDATION",
      });
      const second = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      for (const signature of [`0x${"ff".repeat(65)}`, `0x${"00".repeat(65)}`, `0x${"ab".repeat(64)}1b`]) {
        const issued = await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
        expect(await refusal(siwe.verify({ message: issued.message, signature }))).toMatchObject({
          code: "UNAUTHORIZED",
        });
      }
      expect(await refusal(siwe.verify({ message: second.message, signature: "not hex" }))).toMatchObject({
        code: "VALIDATION",
      });
    });

    it("refuses a message whose nonce was never issued", async () => {
      const { siwe, wallet } = setup();
      const message = createSiweMessage({
        address: wallet.address,
        chainId: CHAIN,
        domain: "xenblocks.example:8443",
        uri: PUBLIC_URL,
        version: "1",
        nonce: "abcdef0123456789abcdef0123456789",
      });
      const signature = await wallet.signMessage({ message });
      expect(await refusal(siwe.verify({ message, signature }))).toMatchObject({
        code: "UNAUTHORIZED",
        message: expect.stringMatching(/unknown/),
      });
    });
  });

  describe("the nonce store", () => {
    it("keeps at most N nonces per address: a new one replaces the oldest", async () => {
      const { siwe, wallet, pending } = setup({ maxNoncesPerAddress: 3 });
      const issued = [];
      for (let i = 0; i < 4; i++)
        issued.push(await siwe.issueNonce({ address: wallet.address, chainId: CHAIN }));
      expect(await pending()).toBe(3);
      const oldest = issued[0]!;
      const signature = await wallet.signMessage({ message: oldest.message });
      expect((await refusal(siwe.verify({ message: oldest.message, signature }))).message).toMatch(/unknown/);
      const newest = issued[3]!;
      await siwe.verify({
        message: newest.message,
        signature: await wallet.signMessage({ message: newest.message }),
      });
    });

    it("keeps other addresses' nonces when one address asks for many", async () => {
      const { siwe, wallet, nonces, clock } = setup();
      const other = `0x${"b".repeat(40)}`;
      const theirs = await siwe.issueNonce({ address: other, chainId: CHAIN });
      for (let i = 0; i < 20; i++) await siwe.issueNonce({ address: wallet.address, chainId: CHAIN });
      expect(await nonces.countForAddress(wallet.address.toLowerCase(), clock.now())).toBe(5);
      expect(await nonces.countForAddress(other, clock.now())).toBe(1);
      expect(await nonces.take(theirs.nonce)).not.toBeNull();
    });

    it("prunes expired nonces (the hourly job), and only those", async () => {
      const { siwe, clock, nonces } = setup();
      for (let i = 0; i < 25; i++) {
        await siwe.issueNonce({ address: `0x${i.toString(16).padStart(40, "0")}`, chainId: CHAIN });
      }
      clock.advance(NONCE_TTL_MS - 1);
      const fresh = await siwe.issueNonce({ address: `0x${"a".repeat(40)}`, chainId: CHAIN });
      expect(await siwe.pruneNonces()).toBe(0);
      clock.advance(2);
      expect(await siwe.pruneNonces()).toBe(25);
      expect(await siwe.pruneNonces()).toBe(0);
      expect(await nonces.take(fresh.nonce)).not.toBeNull();
    });
  });

  it("takes domain and URI from the public URL, and refuses one SIWE cannot carry", () => {
    expect(siweOrigin("http://localhost:8080")).toEqual({
      domain: "localhost:8080",
      uri: "http://localhost:8080",
      scheme: "http",
    });
    expect(siweOrigin("https://app.xenblocks.io/")).toMatchObject({
      domain: "app.xenblocks.io",
      uri: "https://app.xenblocks.io",
    });
    expect(siweOrigin("https://xenblocks.io/app/")).toMatchObject({
      domain: "xenblocks.io",
      uri: "https://xenblocks.io/app/",
    });
    expect(siweOrigin("http://127.0.0.1:8080")).toMatchObject({ domain: "127.0.0.1:8080" });
    expect(() => siweOrigin("ftp://xenblocks.io")).toThrow(/http/);
    expect(() => siweOrigin("not a url")).toThrow(/not a URL/);
    expect(() => siweOrigin("http://xenblocks:8080")).toThrow(/sign-in domain/);
  });
});
