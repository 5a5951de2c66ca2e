// The core is pure: no I/O, no wall clock, no global randomness, no host globals, and no runtime
// dependency but zod. Time, ids and storage come in through ports; this test keeps it that way.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC_DIR = dirname(fileURLToPath(import.meta.url));
const PACKAGE_JSON = join(SRC_DIR, "..", "package.json");

/** Every non-test `.ts` file under `dir`, recursively, as absolute paths. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      const isSource = entry.name.endsWith(".ts") && !/\.(test|spec)\.ts$/.test(entry.name);
      return entry.isFile() && isSource ? [path] : [];
    })
    .sort();
}

/**
 * Two views of a source, both the same length and with the same line breaks: `noComments` (comments
 * blanked, strings kept: for import specifiers) and `code` (string and template text blanked too, `${…}`
 * expressions kept: for forbidden calls, so a message or a doc comment that names one is no violation).
 */
function lex(src: string): { noComments: string; code: string } {
  let noComments = "";
  let code = "";
  const blank = (text: string) => text.replace(/[^\n]/g, " ");
  const emit = (text: string, asCode: string) => {
    noComments += text;
    code += asCode;
  };
  // Characters after which `/` starts a regex literal rather than a division.
  const REGEX_AFTER = "(,=:[!&|?{};+-*%<>~^";
  let prev = "";
  let prevWord = "";
  /** The templates being read: the brace depth at which each `${` expression returns to its template. */
  const templates: number[] = [];
  let depth = 0;
  let i = 0;

  const readTemplateText = () => {
    // At the start of template text (after ` or after the } closing an expression).
    let j = i;
    while (j < src.length && src[j] !== "`" && !(src[j] === "$" && src[j + 1] === "{")) {
      j += src[j] === "\\" ? 2 : 1;
    }
    emit(src.slice(i, j), blank(src.slice(i, j)));
    i = j;
    if (src[i] === "`") {
      emit("`", "`");
      i++;
      templates.pop();
      prev = "`";
    } else if (i < src.length) {
      emit("${", "${");
      i += 2;
      depth++;
      prev = "{";
    }
  };

  while (i < src.length) {
    const c = src[i] as string;
    const next = src[i + 1];
    if (c === "/" && next === "/") {
      const end = src.indexOf("\n", i);
      const stop = end === -1 ? src.length : end;
      emit(blank(src.slice(i, stop)), blank(src.slice(i, stop)));
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end === -1 ? src.length : end + 2;
      emit(blank(src.slice(i, stop)), blank(src.slice(i, stop)));
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
      const literal = src.slice(i, j + 1);
      emit(literal, `${c}${blank(literal.slice(1, -1))}${c}`);
      i = j + 1;
      prev = c;
    } else if (c === "`") {
      emit("`", "`");
      i++;
      templates.push(depth);
      readTemplateText();
    } else if (c === "}" && templates.length > 0 && depth === (templates.at(-1) ?? -1) + 1) {
      emit("}", "}");
      i++;
      depth--;
      readTemplateText();
    } else if (
      c === "/" &&
      (prev === "" || REGEX_AFTER.includes(prev) || /^(return|typeof|case)$/.test(prevWord))
    ) {
      // A regex literal: copied as is (it is code), skipping its character classes and escapes.
      let j = i + 1;
      let inClass = false;
      while (j < src.length && src[j] !== "\n" && (inClass || src[j] !== "/")) {
        if (src[j] === "\\") j++;
        else if (src[j] === "[") inClass = true;
        else if (src[j] === "]") inClass = false;
        j++;
      }
      emit(src.slice(i, j + 1), src.slice(i, j + 1));
      i = j + 1;
      prev = "/";
      prevWord = "";
    } else {
      if (c === "{") depth++;
      if (c === "}") depth--;
      emit(c, c);
      i++;
      if (/[A-Za-z0-9_$]/.test(c)) {
        prevWord = /[A-Za-z0-9_$]/.test(prev) ? prevWord + c : c;
        prev = c;
      } else if (!/\s/.test(c)) {
        prev = c;
        prevWord = "";
      }
    }
  }
  return { noComments, code };
}

const FORBIDDEN_CALLS: [RegExp, string][] = [
  [/\bDate\s*\.\s*now\s*\(/g, "uses Date.now() (take the time from the Clock port)"],
  [/\bnew\s+Date\b/g, "uses new Date() (take the time from the Clock port)"],
  [/\bMath\s*\.\s*random\b/g, "uses Math.random() (take randomness from the Ids port)"],
  [/(?<![\w$.])process\s*\.|\bglobalThis\s*\.\s*process\b/g, "uses process (hosts pass settings in)"],
  [/(?<![\w$.])require\s*\(/g, "uses require()"],
];

const IMPORT_PATTERNS: RegExp[] = [
  // import … from "x", export … from "x" (also across lines: only the `from "x"` part is matched)
  /(?<=^|[\s}*])from\s*(["'])([^"'\n]*)\1/gm,
  // import "x" (side effects)
  /\bimport\s*(["'])([^"'\n]*)\1/g,
  // import("x")
  /\bimport\s*\(\s*(["'])([^"'\n]*)\1/g,
];

const lineOf = (text: string, index: number) => text.slice(0, index).split("\n").length;

/** The purity violations of one source file, as `line: problem`. `file` locates relative imports. */
function impurities(src: string, file: string): { line: number; problem: string }[] {
  const { noComments, code } = lex(src);
  const found: { line: number; problem: string }[] = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const m of noComments.matchAll(pattern)) {
      const specifier = m[2] ?? "";
      const line = lineOf(noComments, m.index);
      if (specifier.startsWith("node:")) {
        found.push({ line, problem: `imports the Node built-in "${specifier}"` });
      } else if (specifier.startsWith("./") || specifier.startsWith("../")) {
        const target = resolve(dirname(file), specifier);
        if (target !== SRC_DIR && !target.startsWith(SRC_DIR + sep)) {
          found.push({ line, problem: `imports "${specifier}", outside packages/core/src` });
        }
      } else if (specifier !== "zod" && !specifier.startsWith("zod/")) {
        found.push({ line, problem: `imports "${specifier}" (only zod and relative paths are allowed)` });
      }
    }
  }
  for (const m of code.matchAll(/\bimport\s*\(\s*(?!["'])/g)) {
    found.push({ line: lineOf(code, m.index), problem: "imports a computed specifier with import()" });
  }
  for (const [pattern, problem] of FORBIDDEN_CALLS) {
    for (const m of code.matchAll(pattern)) found.push({ line: lineOf(code, m.index), problem });
  }
  return found.sort((a, b) => a.line - b.line);
}

describe("the purity scanner itself", () => {
  const file = join(SRC_DIR, "rental", "example.ts");
  const scan = (src: string) => impurities(src, file).map((v) => `${v.line}: ${v.problem}`);

  it("finds each forbidden import with its line", () => {
    const src = [
      'import { z } from "zod";',
      'import { readFileSync } from "node:fs";',
      "import {",
      "  a,",
      '} from "node:crypto";',
      "import fs from 'fs';",
      'import "reflect-metadata";',
      'export * from "./local.js";',
      'export { x } from "../ledger.js";',
      'import type { S } from "@xenblocks/storage";',
      'const m = await import("node:os");',
      'import { y } from "../../../storage/src/index.js";',
      "const n = await import(name);",
      'import { v4 } from "zod/v4";',
    ].join("\n");
    expect(scan(src)).toEqual([
      '2: imports the Node built-in "node:fs"',
      '5: imports the Node built-in "node:crypto"',
      '6: imports "fs" (only zod and relative paths are allowed)',
      '7: imports "reflect-metadata" (only zod and relative paths are allowed)',
      '10: imports "@xenblocks/storage" (only zod and relative paths are allowed)',
      '11: imports the Node built-in "node:os"',
      '12: imports "../../../storage/src/index.js", outside packages/core/src',
      "13: imports a computed specifier with import()",
    ]);
  });

  it("finds each forbidden call with its line", () => {
    const src = [
      "const a = Date.now();",
      "const b = new Date(a);",
      "const c = Math.random();",
      "const d = process.env.X;",
      'const e = require("x");',
      "const f = globalThis.process;",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test
      "const g = `${Date.now()}`;",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test
      "const h = `t ${`u ${Math.random()}`}`;",
    ].join("\n");
    expect(scan(src)).toEqual([
      "1: uses Date.now() (take the time from the Clock port)",
      "2: uses new Date() (take the time from the Clock port)",
      "3: uses Math.random() (take randomness from the Ids port)",
      "4: uses process (hosts pass settings in)",
      "5: uses require()",
      "6: uses process (hosts pass settings in)",
      "7: uses Date.now() (take the time from the Clock port)",
      "8: uses Math.random() (take randomness from the Ids port)",
    ]);
  });

  it("ignores comments, string text, regex literals and look-alike names", () => {
    const src = [
      "/**",
      ' * Never Date.now() or Math.random() here; import from "node:fs" is refused.',
      " */",
      "// const t = Date.now(); process.exit(1);",
      'const msg = "the worker process. new Date( require(";',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test
      "const tpl = `Date.now() is ${msg} // not a comment`;",
      "const re = /[\"'`]\\/\\/*/g; const x = Date.nowish(); const dates = newDate;",
      'const url = "http://example.com/*"; const y = task.process.id; const z = requireAll();',
      'const fromIt = Array.from("ab");',
    ].join("\n");
    expect(scan(src)).toEqual([]);
  });
});

describe("packages/core/src is pure", () => {
  const files = sourceFiles(SRC_DIR);
  const names = files.map((f) => relative(SRC_DIR, f).split(sep).join("/"));

  it("scans every non-test source file", () => {
    expect(names).toContain("ledger.ts");
    expect(names).toContain("protocol/block-hash.ts");
    expect(names).toContain("testing/index.ts");
    expect(names.some((n) => n.endsWith(".test.ts"))).toBe(false);
    expect(files.length).toBeGreaterThan(20);
  });

  it("the lexer keeps the code of every real source (no comment or string runs away)", () => {
    for (const [i, file] of files.entries()) {
      const src = readFileSync(file, "utf8");
      const { noComments, code } = lex(src);
      expect(noComments.length, names[i]).toBe(src.length);
      expect(code.split("\n").length, names[i]).toBe(src.split("\n").length);
      // Every import/export statement that names a module is still visible after lexing.
      const statements = /^(?:import|export)\b[^;]*?\bfrom\s*"[^"]+";$/gm;
      expect(noComments.match(statements)?.length ?? 0, names[i]).toBe(src.match(statements)?.length ?? 0);
      // The lexer is back in code at every top-level statement: each line that starts with a keyword in
      // the source starts with it in the code view too, so no comment, string or regex ran on.
      const srcLines = src.split("\n");
      const codeLines = code.split("\n");
      srcLines.forEach((line, n) => {
        const keyword = /^(export|import|const|function|type|interface|class)\b/.exec(line)?.[1];
        if (keyword) expect(codeLines[n]?.startsWith(keyword), `${names[i]}:${n + 1}`).toBe(true);
      });
    }
  });

  it("imports only zod and relative paths, and never reads the clock, randomness or the host", () => {
    const violations = files.flatMap((file, i) =>
      impurities(readFileSync(file, "utf8"), file).map((v) => `src/${names[i]}:${v.line}: ${v.problem}`),
    );
    expect(violations, `impure core sources:\n${violations.join("\n")}`).toEqual([]);
  });

  it("depends on zod only (package.json dependencies)", () => {
    const pkg = JSON.parse(readFileSync(PACKAGE_JSON, "utf8")) as { dependencies?: Record<string, string> };
    const extra = Object.keys(pkg.dependencies ?? {}).filter((name) => name !== "zod");
    expect(extra, `packages/core/package.json: dependencies other than zod: ${extra.join(", ")}`).toEqual([]);
    expect(Object.keys(pkg.dependencies ?? {})).toContain("zod");
  });
});
