// libFuzzer entry point: arbitrary bytes as a chat template, parsed and rendered against a
// small conversation with tools, under tight sandbox limits. Any outcome but a rendering or
// a TemplateError (a crash, a hang, another exception, runaway memory) is a bug; JSON
// input is fuzzed on the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/chat/chat_template.h"

namespace {

const tq::jinja::Value& conversation() {
  static const tq::jinja::Value v = tq::jinja::parse_json(R"([
    {"role": "system", "content": "Tu es concis."},
    {"role": "user", "content": "Où est ma commande n°12345 ?"},
    {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
      "function": {"name": "lookup", "arguments": {"id": 12345}}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "shipped"},
    {"role": "assistant", "content": "<think>x</think>Expédiée."}])");
  return v;
}

const tq::jinja::Value& tools() {
  static const tq::jinja::Value v = tq::jinja::parse_json(R"([{"type": "function", "function":
    {"name": "lookup", "description": "Find an order", "parameters": {"type": "object",
     "properties": {"id": {"type": "integer", "description": "order id"}},
     "required": ["id"]}}}])");
  return v;
}

std::tm fixed_now() {
  std::tm tm{};
  tm.tm_year = 126;
  tm.tm_mon = 10;
  tm.tm_mday = 25;
  tm.tm_hour = 9;
  tm.tm_min = 30;
  return tm;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string src(reinterpret_cast<const char*>(data), size);
  try {
    (void)tq::jinja::parse_json(src);
  } catch (const tq::InputError&) {
  }
  try {
    const tq::ChatTemplate tmpl(src, "fuzz");
    tq::ChatInputs in;
    in.messages = conversation();
    in.tools = tools();
    in.bos_token = "<s>";
    in.eos_token = "</s>";
    tq::ChatRenderOptions o;
    o.clock = fixed_now;
    o.limits.max_steps = 200'000;
    o.limits.max_output = 1 << 20;
    o.limits.max_range = 10'000;
    (void)tmpl.render(in, o);
  } catch (const tq::jinja::TemplateError&) {
  } catch (const tq::InputError& e) {
    std::fprintf(stderr, "fuzz_template: InputError that is not a TemplateError: %s\n", e.what());
    std::abort();
  }
  return 0;
}
