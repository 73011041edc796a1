// Validate documents against the guide's JSON Schemas with ajv, as editors do (draft 2020-12,
// patterns compiled in ECMAScript Unicode mode). Reads {"schemas": {name: schema}, "documents":
// [{"schema": name, "data": ...}]} on stdin; prints [{"valid": bool, "errors": [...]}] on stdout.
import Ajv2020 from "ajv/dist/2020.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const ajv = new Ajv2020({ allErrors: true, strict: true, unicodeRegExp: true });
const validators = {};
for (const [name, schema] of Object.entries(input.schemas)) validators[name] = ajv.compile(schema);

const verdicts = input.documents.map(({ schema, data }) => {
  const validate = validators[schema];
  const valid = validate(data);
  const errors = valid ? [] : validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}`);
  return { valid, errors };
});
process.stdout.write(JSON.stringify(verdicts));
