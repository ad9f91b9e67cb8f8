// libFuzzer target: parse_hermes_tool_calls over arbitrary model output. It must never
// crash, every call it returns must be OpenAI-shaped, and text without a call must come
// back unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "providers/tool_calls.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const tq::ParsedToolCalls p = tq::parse_hermes_tool_calls(text);
  if (p.tool_calls.is_null()) {
    if (p.text != text) std::abort();
    return 0;
  }
  for (const auto& c : p.tool_calls)
    if (!c["function"]["name"].is_string() || !c["function"]["arguments"].is_string()) std::abort();
  return 0;
}
