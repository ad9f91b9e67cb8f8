// libFuzzer entry point for the structured-output front ends. The first byte picks:
//   even (seeds use 'b'): GBNF text, then after the first NUL byte, bytes to match;
//   odd (seeds use 's'): a JSON Schema, converted to GBNF, which must then always parse
//     (a conversion that yields an unparsable grammar is a bug: abort()).
// Errors the inputs deserve (tq::Error: bad grammar, unsupported schema) are expected.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "engine/grammar/gbnf_parser.h"
#include "engine/grammar/grammar_matcher.h"
#include "engine/grammar/json_schema.h"

namespace {

void run_grammar(std::string_view text) {
  const size_t nul = text.find('\0');
  const std::string_view gbnf = text.substr(0, nul);
  const std::string_view input = nul == std::string_view::npos ? "" : text.substr(nul + 1);
  std::shared_ptr<const tq::Grammar> g;
  try {
    g = std::make_shared<const tq::Grammar>(tq::parse_gbnf(gbnf));
  } catch (const tq::Error&) {
    return;
  }
  try {
    tq::GrammarMatcher m(g);
    tq::GrammarMatcher::State s = m.start();
    for (const char c : input) {
      s = m.next(s, static_cast<uint8_t>(c));
      if (s == tq::GrammarMatcher::kDead) return;
      if (m.oversized()) s = m.compact(s);
    }
    if (m.must_end(s) && !m.can_end(s)) std::abort();
  } catch (const tq::Error&) {
    // Too ambiguous: a limit, reported as an error.
  }
}

void run_schema(std::string_view text) {
  std::string gbnf;
  try {
    gbnf = tq::json_schema_to_gbnf(text);
  } catch (const tq::Error&) {
    return;
  }
  try {
    tq::parse_gbnf(gbnf);
  } catch (const tq::InputError& e) {
    // Only size limits may stop a converted grammar (a schema can ask for huge bounds).
    if (std::string_view(e.what()).find("too large") != std::string_view::npos) return;
    std::fprintf(stderr, "converted grammar does not parse: %s\n%s\n", e.what(), gbnf.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) == 0)
    run_grammar(rest);
  else
    run_schema(rest);
  return 0;
}
