// libFuzzer target for the guard: the recognisers over arbitrary bytes (entities must be
// in bounds, sorted, disjoint, and their text exactly the bytes they cover), then the
// streaming re-identifier cut at fuzzer-chosen points, which must give the same text as
// re-identifying the whole answer at once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "guard/guard.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // The first two bytes choose where the answer is cut; the rest is the text.
  const size_t cut_a = data[0];
  const size_t cut_b = data[1];
  const std::string text(reinterpret_cast<const char*>(data + 2), size - 2);

  static const tq::guard::Guard guard;
  const auto entities = guard.scan(text);
  size_t prev_end = 0;
  for (const auto& e : entities) {
    check(e.start < e.end && e.end <= text.size());
    check(e.start >= prev_end);
    check(text.compare(e.start, e.end - e.start, e.text) == 0);
    check(e.confidence > 0 && e.confidence <= 1);
    prev_end = e.end;
  }

  tq::guard::PseudonymMap map;
  const std::vector<std::string> texts{text};
  const auto redacted = guard.protect_or_block(texts, {}, map);
  if (redacted.texts.empty()) return 0;

  // The remote answer: the pseudonymised text followed by the raw input, so that
  // placeholder-like garbage and real placeholders both reach the re-identifier.
  const std::string answer = redacted.texts[0] + text;
  const std::string whole = tq::guard::reidentify(answer, map);
  const size_t i = answer.empty() ? 0 : cut_a % (answer.size() + 1);
  const size_t j = i + (answer.size() - i == 0 ? 0 : cut_b % (answer.size() - i + 1));
  tq::guard::StreamReidentifier stream(map);
  std::string out = stream.push(std::string_view(answer).substr(0, i));
  out += stream.push(std::string_view(answer).substr(i, j - i));
  // The tail one byte at a time: the hardest case for a held-back prefix.
  for (size_t k = j; k < answer.size() && k < j + 64; ++k)
    out += stream.push(std::string_view(answer).substr(k, 1));
  if (j + 64 < answer.size()) out += stream.push(std::string_view(answer).substr(j + 64));
  out += stream.finish();
  check(out == whole);
  return 0;
}
