// libFuzzer entry point for the SSE parser (providers/sse.h), which reads bytes from
// remote upstreams. The first 8 bytes seed the chunk boundaries; the rest is the stream.
// Property: feeding the stream in random chunks gives exactly the events of feeding it at
// once (and the same over-long-line error), and nothing crashes or hangs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "providers/sse.h"

namespace {

struct Outcome {
  std::vector<tq::SseEvent> events;
  bool too_long = false;
  bool pending = false;
};

Outcome parse(std::string_view stream, uint64_t seed, bool chunked) {
  Outcome out;
  tq::SseParser parser([&](const tq::SseEvent& e) { out.events.push_back(e); }, 256);
  std::mt19937_64 rng(seed);
  try {
    size_t i = 0;
    while (i < stream.size()) {
      size_t n = stream.size() - i;
      if (chunked) n = std::min<size_t>(n, 1 + rng() % 7);
      parser.feed(stream.substr(i, n));
      i += n;
    }
  } catch (const std::length_error&) {
    out.too_long = true;
  }
  out.pending = parser.pending();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint64_t seed = 0;
  for (int i = 0; i < 8; ++i) seed = (seed << 8) | data[i];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 8, size - 8);
  const Outcome whole = parse(stream, seed, false);
  const Outcome pieces = parse(stream, seed, true);
  if (whole.too_long != pieces.too_long) std::abort();
  if (whole.events.size() != pieces.events.size()) std::abort();
  for (size_t i = 0; i < whole.events.size(); ++i) {
    if (whole.events[i].data != pieces.events[i].data) std::abort();
    if (whole.events[i].event != pieces.events[i].event) std::abort();
  }
  if (!whole.too_long && whole.pending != pieces.pending) std::abort();
  return 0;
}
