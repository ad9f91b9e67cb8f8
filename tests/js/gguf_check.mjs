// Independent GGUF reader for the tests: parses FILE with @huggingface/gguf (a separate
// implementation of the format, not ours) and prints its view of the file as JSON, so a
// C++ test can compare it with what GgufWriter meant to write.
// Usage: node tests/js/gguf_check.mjs FILE
import { gguf } from "@huggingface/gguf";
import path from "node:path";

// JSON has no BigInt: keep exact integers as numbers when they are safe, else as strings.
function plain(v) {
  if (typeof v === "bigint")
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  if (Array.isArray(v)) return v.map(plain);
  // JSON.stringify turns NaN and ±Infinity into null; spell them out instead.
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return v;
}

const file = process.argv[2];
if (!file) {
  console.error("usage: node gguf_check.mjs FILE");
  process.exit(2);
}

try {
  const { typedMetadata, tensorInfos, tensorDataOffset, littleEndian } = await gguf(
    path.resolve(file),
    { allowLocalFile: true, typedMetadata: true },
  );
  // version, tensor_count and kv_count are header fields the library mixes into metadata.
  const header = ["version", "tensor_count", "kv_count"];
  const metadata = {};
  for (const [key, entry] of Object.entries(typedMetadata)) {
    if (header.includes(key)) continue;
    const out = { type: entry.type, value: plain(entry.value) };
    if (entry.subType !== undefined) out.subType = entry.subType;
    metadata[key] = out;
  }
  const result = {
    version: plain(typedMetadata.version.value),
    tensor_count: plain(typedMetadata.tensor_count.value),
    kv_count: plain(typedMetadata.kv_count.value),
    little_endian: littleEndian,
    tensor_data_offset: plain(tensorDataOffset),
    metadata,
    tensors: tensorInfos.map((t) => ({
      name: t.name,
      type: t.dtype,
      shape: t.shape.map(plain),
      offset: plain(t.offset),
    })),
  };
  process.stdout.write(JSON.stringify(result) + "\n");
} catch (err) {
  console.error(`gguf_check: ${file}: ${err?.message ?? err}`);
  process.exit(1);
}
