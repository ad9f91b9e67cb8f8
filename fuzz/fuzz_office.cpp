// libFuzzer target over the Office Open XML parsers (ZIP archive + XML parts): the first
// byte picks DOCX or XLSX, the rest is the file. InputError is the expected rejection;
// anything else (crash, leak, UB, a zip bomb inflating without bound) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "rag/ingest/chunker.h"
#include "rag/ingest/parsed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    tq::rag::ParsedDocument d =
        data[0] % 2 == 0 ? tq::rag::parse_docx(input) : tq::rag::parse_xlsx(input, {});
    (void)tq::rag::chunk_document(d, {50, 10});
  } catch (const tq::InputError&) {
  }
  return 0;
}
