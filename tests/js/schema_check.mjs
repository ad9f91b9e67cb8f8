// Validates generated JSON against its schema with ajv (JSON Schema 2020-12) and
// ajv-formats: an implementation independent of triptyque's schema → grammar conversion.
// Usage: node schema_check.mjs CASES.json, where CASES.json is
//   [{"schema": {...}, "outputs": ["<generated text>", ...]}, ...]
// Prints {"checked": N, "failures": [{"text", "error"}]}; exits 0 either way (the caller
// decides), non-zero only when the input cannot be read or a schema does not compile.
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";

const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const failures = [];
let checked = 0;
for (const c of cases) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(c.schema);
  for (const text of c.outputs) {
    checked++;
    let value;
    try {
      value = JSON.parse(text);
    } catch (e) {
      failures.push({ text, error: String(e) });
      continue;
    }
    if (!validate(value)) failures.push({ text, error: ajv.errorsText(validate.errors) });
  }
}
console.log(JSON.stringify({ checked, failures }));
