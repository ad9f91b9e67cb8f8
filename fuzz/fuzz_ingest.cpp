// libFuzzer target over the ingestion parsers of untrusted files: the first byte picks
// the format (CSV, TSV, e-mail, HTML, Markdown, JSONL), the rest is the file. Parsers may
// reject input with tq::InputError; anything else (crash, leak, UB) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "rag/ingest/chunker.h"
#include "rag/ingest/parsed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  tq::rag::CatalogMapping mapping;
  try {
    tq::rag::ParsedDocument d;
    switch (data[0] % 6) {
      case 0:
        d = tq::rag::parse_csv(input, ',', mapping);
        break;
      case 1:
        d = tq::rag::parse_csv(input, '\t', mapping);
        break;
      case 2:
        d = tq::rag::parse_eml(input);
        break;
      case 3:
        d = tq::rag::parse_html(input);
        break;
      case 4:
        d = tq::rag::parse_markdown(input);
        break;
      default:
        d = tq::rag::parse_json_catalog(input, true, mapping);
        break;
    }
    (void)tq::rag::chunk_document(d, {50, 10});
  } catch (const tq::InputError&) {
  }
  return 0;
}
