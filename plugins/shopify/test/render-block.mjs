// Renders one block of the Skylt theme app extension with liquidjs, for the tests in tests/shopify_extension.
// Shopify-only parts are replaced by small stand-ins: {% schema %} renders nothing (its setting defaults are
// applied, as the theme editor does), `t` reads the extension's storefront locale files, `asset_url` points at
// /assets/. Everything else is standard Liquid.
//
// stdin: {"block": "product", "settings": {...}, "locale": "sv", "now": 1893369600,
//         "context": {"product": {...}, "cart": {...}, ...}}
// stdout: the rendered HTML.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid } from "liquidjs";

const EXTENSION = join(dirname(fileURLToPath(import.meta.url)), "..", "extensions", "skylt-theme");

const input = JSON.parse(readFileSync(0, "utf8"));
// "now": Unix seconds that Liquid's 'now' stands for, so a signed token can be compared with a fixed vector.
if (input.now != null) Date.now = () => input.now * 1000;
const source = readFileSync(join(EXTENSION, "blocks", `${input.block}.liquid`), "utf8");

const schemaText = /{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/.exec(source);
if (!schemaText) throw new Error(`blocks/${input.block}.liquid has no {% schema %}`);
const schema = JSON.parse(schemaText[1]);
const settings = {};
for (const s of schema.settings || []) if (s.default !== undefined) settings[s.id] = s.default;
Object.assign(settings, input.settings || {});

const localeFile = (name) => JSON.parse(readFileSync(join(EXTENSION, "locales", `${name}.json`), "utf8"));
const fallback = localeFile("en.default");
const strings = input.locale && input.locale !== "en" ? localeFile(input.locale) : fallback;
const lookup = (tree, key) => key.split(".").reduce((node, part) => (node == null ? undefined : node[part]), tree);

const engine = new Liquid({ root: [join(EXTENSION, "snippets")], extname: ".liquid", strictFilters: true });
engine.registerTag("schema", {
  parse(token, remain) {
    this.tokens = [];
    const stream = this.liquid.parser.parseStream(remain);
    stream.on("tag:endschema", () => stream.stop())
      .on("template", () => {})
      .on("end", () => { throw new Error(`tag ${token.getText()} not closed`); });
    stream.start();
  },
  * render() {},
});
engine.registerFilter("t", (key) => {
  const text = lookup(strings, key) ?? lookup(fallback, key);
  if (typeof text !== "string") throw new Error(`translation missing: ${key}`);
  return text;
});
engine.registerFilter("asset_url", (name) => `/assets/${name}`);

const context = { ...input.context, block: { id: input.block, settings, shopify_attributes: "" } };
process.stdout.write(await engine.parseAndRender(source, context));
