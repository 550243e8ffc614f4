import { describe, expect, it } from "vitest";
import { MAX_DEPTH, parse, type Node } from "./markdown";

const t = (text: string): Node => ({ type: "text", text });
const br: Node = { type: "br" };
const link = (url: string): Node => ({ type: "link", url, masked: false, children: [t(url)] });

/** Every node of a tree, depth first. */
function* walk(nodes: Node[]): Generator<Node> {
  for (const n of nodes) {
    yield n;
    if ("children" in n) yield* walk(n.children);
  }
}

/** How deep containers nest. */
function depth(nodes: Node[]): number {
  let d = 0;
  for (const n of nodes) if ("children" in n) d = Math.max(d, 1 + depth(n.children));
  return d;
}

/** Only text (no element, no link) came out, and it is exactly the input. */
function expectText(input: string, text = input) {
  expect(parse(input)).toEqual([t(text)]);
}

describe("plain text", () => {
  it("is one text node", () => {
    expectText("hello, world");
    expect(parse("")).toEqual([]);
  });

  it("keeps line breaks as nodes", () => {
    expect(parse("a\nb")).toEqual([t("a"), br, t("b")]);
    expect(parse("a\r\nb\n\nc")).toEqual([t("a"), br, t("b"), br, br, t("c")]);
  });
});

describe("inline formatting", () => {
  it("bold, italic, underline, strike, spoiler", () => {
    expect(parse("**b**")).toEqual([{ type: "bold", children: [t("b")] }]);
    expect(parse("*i*")).toEqual([{ type: "italic", children: [t("i")] }]);
    expect(parse("_i_")).toEqual([{ type: "italic", children: [t("i")] }]);
    expect(parse("__u__")).toEqual([{ type: "underline", children: [t("u")] }]);
    expect(parse("~~s~~")).toEqual([{ type: "strike", children: [t("s")] }]);
    expect(parse("||x||")).toEqual([{ type: "spoiler", children: [t("x")] }]);
    expect(parse("a **b** c")).toEqual([t("a "), { type: "bold", children: [t("b")] }, t(" c")]);
  });

  it("inline code, with one or two backticks", () => {
    expect(parse("`x`")).toEqual([{ type: "code", text: "x" }]);
    expect(parse("``a ` b``")).toEqual([{ type: "code", text: "a ` b" }]);
    expect(parse("`` `x` ``")).toEqual([{ type: "code", text: "`x`" }]);
  });

  it("nests", () => {
    expect(parse("*a **b** c*")).toEqual([
      { type: "italic", children: [t("a "), { type: "bold", children: [t("b")] }, t(" c")] },
    ]);
    expect(parse("**a *b* c**")).toEqual([
      { type: "bold", children: [t("a "), { type: "italic", children: [t("b")] }, t(" c")] },
    ]);
    expect(parse("***x***")).toEqual([
      { type: "italic", children: [{ type: "bold", children: [t("x")] }] },
    ]);
    expect(parse("___x___")).toEqual([
      { type: "italic", children: [{ type: "underline", children: [t("x")] }] },
    ]);
    expect(parse("||**~~x~~**||")).toEqual([
      {
        type: "spoiler",
        children: [{ type: "bold", children: [{ type: "strike", children: [t("x")] }] }],
      },
    ]);
    expect(parse("__*u* `c`__")).toEqual([
      {
        type: "underline",
        children: [{ type: "italic", children: [t("u")] }, t(" "), { type: "code", text: "c" }],
      },
    ]);
  });

  it("spans lines", () => {
    expect(parse("**a\nb**")).toEqual([{ type: "bold", children: [t("a"), br, t("b")] }]);
  });

  it("does not parse inside code", () => {
    expect(parse("`**x** <@1> https://a.example ||s||`")).toEqual([
      { type: "code", text: "**x** <@1> https://a.example ||s||" },
    ]);
    expect(parse("`a\\`")).toEqual([{ type: "code", text: "a\\" }]);
  });

  it("keeps underscores inside words", () => {
    expectText("snake_case_name and a__b__c");
    expect(parse("a _b_ c")).toEqual([t("a "), { type: "italic", children: [t("b")] }, t(" c")]);
  });

  it("needs text next to the marker for * and _", () => {
    expectText("2 * 3 * 4");
    expectText("* not italic*");
    expectText("_ not italic _");
  });
});

describe("unclosed and unmatched markers stay text", () => {
  for (const input of [
    "**a",
    "*a",
    "a*",
    "__a",
    "_a",
    "~~a",
    "~a~",
    "||a",
    "|a|",
    "`a",
    "``a`",
    "```a",
    "a```",
    "[a]",
    "](https://",
    "<@123",
    "<@abc>",
    "<#>",
    "<@123456789012345678901>",
    "****",
    "~~~~",
    "a > b",
    ">no space",
  ]) {
    it(JSON.stringify(input), () => expectText(input));
  }

  it("an unclosed masked link leaves a bare link", () => {
    expect(parse("[a](https://example.com")).toEqual([t("[a]("), link("https://example.com")]);
  });

  it("around a match", () => {
    expect(parse("**a*")).toEqual([t("*"), { type: "italic", children: [t("a")] }]);
    expect(parse("*a**")).toEqual([{ type: "italic", children: [t("a")] }, t("*")]);
  });
});

describe("backslash escapes", () => {
  it("give the character itself", () => {
    expectText("\\*a\\*", "*a*");
    expectText("\\_\\_a\\_\\_", "__a__");
    expectText("\\~\\~a~~", "~~a~~");
    expectText("\\|\\|a||", "||a||");
    expectText("\\`a\\`", "`a`");
    expectText("\\<@123>", "<@123>");
    expectText("\\[a](https://example.com)".replace("https", "ftp"), "[a](ftp://example.com)");
    expectText("\\\\", "\\");
  });

  it("only before punctuation", () => {
    expectText("C:\\dir\\file", "C:\\dir\\file");
  });

  it("escape a code block's fence and a quote", () => {
    expectText("\\```x```", "```x```");
    expectText("\\> not a quote", "> not a quote");
  });
});

describe("code blocks", () => {
  it("with a language", () => {
    expect(parse("```js\nlet a = 1;\n```")).toEqual([
      { type: "codeblock", lang: "js", text: "let a = 1;" },
    ]);
  });

  it("without a language", () => {
    expect(parse("```\nplain\n```")).toEqual([{ type: "codeblock", lang: null, text: "plain" }]);
    expect(parse("```one line```")).toEqual([{ type: "codeblock", lang: null, text: "one line" }]);
    expect(parse("```not a lang!\nx```")).toEqual([
      { type: "codeblock", lang: null, text: "not a lang!\nx" },
    ]);
  });

  it("keep their content verbatim", () => {
    const body = "**x** <@1> <script>alert(1)</script>\n> not a quote\n  indented\\*";
    expect(parse("```\n" + body + "\n```")).toEqual([
      { type: "codeblock", lang: null, text: body },
    ]);
  });

  it("sit between text", () => {
    expect(parse("before\n```py\nx = 1\n```\nafter")).toEqual([
      t("before"),
      br,
      { type: "codeblock", lang: "py", text: "x = 1" },
      t("after"),
    ]);
  });

  it("are not inline code", () => {
    expectText("````x````");
  });
});

describe("links", () => {
  it("bare http and https URLs", () => {
    expect(parse("see https://example.com/a?b=1#c now")).toEqual([
      t("see "),
      link("https://example.com/a?b=1#c"),
      t(" now"),
    ]);
    expect(parse("http://example.com")).toEqual([link("http://example.com")]);
  });

  it("leave trailing punctuation out", () => {
    expect(parse("(https://example.com/x).")).toEqual([
      t("("),
      link("https://example.com/x"),
      t(")."),
    ]);
    expect(parse("https://en.wikipedia.org/wiki/Rust_(language)")).toEqual([
      link("https://en.wikipedia.org/wiki/Rust_(language)"),
    ]);
    expect(parse("**https://example.com**")).toEqual([
      { type: "bold", children: [link("https://example.com")] },
    ]);
  });

  it("<https://...>", () => {
    expect(parse("<https://example.com/x>")).toEqual([link("https://example.com/x")]);
  });

  it("[text](https://...) masked links", () => {
    expect(parse("[the **docs**](https://example.com/docs)")).toEqual([
      {
        type: "link",
        url: "https://example.com/docs",
        masked: true,
        children: [t("the "), { type: "bold", children: [t("docs")] }],
      },
    ]);
    expect(parse("[a](<https://example.com/b>)")).toEqual([
      { type: "link", url: "https://example.com/b", masked: true, children: [t("a")] },
    ]);
    expect(parse("[a](https://example.com/b_(c))")).toEqual([
      { type: "link", url: "https://example.com/b_(c)", masked: true, children: [t("a")] },
    ]);
  });

  it("never hold links", () => {
    expect(parse("[https://a.example](https://b.example)")).toEqual([
      { type: "link", url: "https://b.example", masked: true, children: [t("https://a.example")] },
    ]);
  });

  it("need visible text", () => {
    const nodes = parse("[ ](https://example.com)");
    expect([...walk(nodes)].some((n) => n.type === "link" && n.masked)).toBe(false);
  });

  it("only for http and https", () => {
    for (const input of [
      "javascript:alert(1)",
      "[x](javascript:alert(1))",
      "[x](JaVaScRiPt:alert(1))",
      "[x]( javascript:alert(1))",
      "<javascript:alert(1)>",
      "[x](data:text/html,<script>alert(1)</script>)",
      "[x](vbscript:msgbox)",
      "[x](//example.com)",
      "[x](/relative)",
      "ftp://example.com",
      "file:///etc/passwd",
      "https://",
      "https:///",
      "https://[",
    ]) {
      const nodes = parse(input);
      expect(
        [...walk(nodes)].filter((n) => n.type === "link"),
        input,
      ).toEqual([]);
      expect(nodes, input).toEqual([t(input)]);
    }
  });
});

describe("HTML is text", () => {
  for (const input of [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<b>bold</b> &lt;i&gt; &amp;",
    '<a href="javascript:alert(1)">x</a>',
    "<style>*{display:none}</style>",
  ]) {
    it(input, () => expectText(input));
  }

  it("inside formatting too", () => {
    expect(parse("**<img src=x onerror=alert(1)>**")).toEqual([
      { type: "bold", children: [t("<img src=x onerror=alert(1)>")] },
    ]);
  });
});

describe("mentions", () => {
  it("users, roles, channels", () => {
    expect(parse("<@123> <@!456> <@&789> <#42>")).toEqual([
      { type: "user", id: "123" },
      t(" "),
      { type: "user", id: "456" },
      t(" "),
      { type: "role", id: "789" },
      t(" "),
      { type: "channel", id: "42" },
    ]);
  });

  it("@everyone and @here", () => {
    expect(parse("@everyone look, @here")).toEqual([
      { type: "everyone" },
      t(" look, "),
      { type: "here" },
    ]);
    expectText("mail@here.example @everyoneelse");
  });

  it("inside formatting", () => {
    expect(parse("**<@1>**")).toEqual([{ type: "bold", children: [{ type: "user", id: "1" }] }]);
  });
});

describe("block quotes", () => {
  it("> lines", () => {
    expect(parse("> a\n> **b**\nc")).toEqual([
      { type: "quote", children: [t("a"), br, { type: "bold", children: [t("b")] }] },
      t("c"),
    ]);
    expect(parse("before\n> q")).toEqual([t("before"), { type: "quote", children: [t("q")] }]);
  });

  it(">>> quotes the rest", () => {
    expect(parse("a\n>>> b\nc\n> d")).toEqual([
      t("a"),
      { type: "quote", children: [t("b"), br, t("c"), br, t("> d")] },
    ]);
  });

  it("do not nest", () => {
    expect(parse("> > a")).toEqual([{ type: "quote", children: [t("> a")] }]);
  });

  it("hold code blocks", () => {
    expect(parse("> ```js\n> x\n> ```")).toEqual([
      { type: "quote", children: [{ type: "codeblock", lang: "js", text: "x" }] },
    ]);
  });

  it("not inside a code block", () => {
    expect(parse("```\n> a\n>>> b\n```")).toEqual([
      { type: "codeblock", lang: null, text: "> a\n>>> b" },
    ]);
  });
});

describe("nesting depth", () => {
  it("is capped; the markers beyond stay text", () => {
    const input = "*a _a ".repeat(50) + "x" + " a_ a*".repeat(50);
    const nodes = parse(input);
    expect(depth(nodes)).toBeLessThanOrEqual(MAX_DEPTH);
    const text = [...walk(nodes)].map((n) => (n.type === "text" ? n.text : "")).join("");
    expect(text).toContain("x");
    expect(text.length).toBe(input.length - 2 * MAX_DEPTH);
  });

  it("counts quotes and links", () => {
    const nodes = parse("> [" + "**".repeat(20) + "x" + "**".repeat(20) + "](https://example.com)");
    expect(depth(nodes)).toBeLessThanOrEqual(MAX_DEPTH);
  });
});

describe("long and hostile input", () => {
  const N = 4000;
  const fill = (unit: string) => unit.repeat(Math.ceil(N / unit.length)).slice(0, N);

  it("a message of only * or _ or ` or ~ or | is that text", () => {
    for (const ch of ["*", "_", "`", "~", "|"]) expectText(ch.repeat(N));
  });

  it("4,000-character patterns finish", () => {
    const patterns = [
      "*a",
      "**a",
      "* ",
      "*_",
      "_a",
      "*_~~||",
      "` ",
      "`` `",
      "``` `",
      "[",
      "[a",
      "[a](https://x",
      "](https://example.com)",
      "<",
      "<@",
      "<https://",
      "http://[",
      "https://a.example/(",
      "@",
      "> \n",
      "> ```\n",
      "```\n> a\n",
      ">>> ",
      "\\",
      "\\*",
      "\n",
      "** ",
      "~~a",
      "||a",
    ];
    for (const unit of patterns) {
      const input = fill(unit);
      const nodes = parse(input);
      expect(Array.isArray(nodes)).toBe(true);
      expect(depth(nodes)).toBeLessThanOrEqual(MAX_DEPTH);
    }
    const nested =
      "[".repeat(1000) +
      "*_".repeat(500) +
      "x" +
      "_*".repeat(500) +
      "](https://example.com)".repeat(33);
    expect(depth(parse(nested))).toBeLessThanOrEqual(MAX_DEPTH);
  });

  it("random input gives only http(s) links and bounded depth", () => {
    // A fixed-seed generator, so that a failure is reproducible.
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = [
      "*",
      "_",
      "~",
      "|",
      "`",
      "\\",
      "[",
      "]",
      "(",
      ")",
      "<",
      ">",
      "@",
      "#",
      "&",
      "!",
      "\n",
      "> ",
      ">>> ",
      " ",
      "a",
      "https://x.example/",
      "javascript:",
      "everyone",
      "here",
      "1",
      "```",
      "\n```",
    ];
    for (let round = 0; round < 500; round++) {
      let input = "";
      const len = 1 + rand(80);
      for (let i = 0; i < len; i++) input += pieces[rand(pieces.length)];
      const nodes = parse(input);
      expect(depth(nodes)).toBeLessThanOrEqual(MAX_DEPTH);
      for (const n of walk(nodes)) {
        if (n.type === "link") expect(n.url, input).toMatch(/^https?:\/\/[^\s]/i);
      }
    }
  });
});
