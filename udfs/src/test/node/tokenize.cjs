// Tokenizes texts with @lenml/tokenizers (a JavaScript port of Hugging Face tokenizers, independent
// of the Rust library sparkembed uses), special tokens added as the tokenizer's files say.
// usage: node tokenize.cjs TOKENIZER_DIR TEXTS.json   (prints a JSON list of id lists)
// TOKENIZER_DIR holds tokenizer.json and tokenizer_config.json; @lenml/tokenizers is found through
// NODE_PATH (udfs/src/test/fetch-tokenizers.sh installs it).
const fs = require("fs");
const path = require("path");
const { TokenizerLoader } = require("@lenml/tokenizers");

const [dir, textsFile] = process.argv.slice(2);
const read = (name) => JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));
const tokenizer = TokenizerLoader.fromPreTrained({
  tokenizerJSON: read("tokenizer.json"),
  tokenizerConfig: read("tokenizer_config.json"),
});
const texts = JSON.parse(fs.readFileSync(textsFile, "utf8"));
process.stdout.write(
  JSON.stringify(texts.map((t) => tokenizer.encode(t, { add_special_tokens: true }))));
