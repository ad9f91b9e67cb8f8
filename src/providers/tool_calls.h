// Tool calls written by local models as text. Hermes-style templates (Qwen 2.5, Hermes 2/3,
// many fine-tunes) tell the model to answer a call as
//   <tool_call>
//   {"name": "get_weather", "arguments": {"city": "Lyon"}}
//   </tool_call>
// and the server has to turn that back into OpenAI's `tool_calls` so clients see the same
// shape whichever model answered. Model output is untrusted text: anything that does not
// parse as such a call stays in the answer as written (fuzzed: fuzz/fuzz_tool_calls.cpp).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tq {

struct ParsedToolCalls {
  std::string text;           // the answer with the parsed calls removed, trimmed
  nlohmann::json tool_calls;  // OpenAI-shaped array, null when none was found
};

// Every well-formed <tool_call>{json}</tool_call> block of `text` (an unterminated last
// block counts when its JSON is complete: generation may stop on the closing tag).
// `arguments` becomes a JSON string, as OpenAI sends it; ids are "call_" + a hash of the
// text + the call's index, so a replayed answer gets the same ids.
ParsedToolCalls parse_hermes_tool_calls(std::string_view text);

// Whether a chat template renders the request's tools (it reads the `tools` variable);
// only then are the model's <tool_call> blocks taken as calls.
bool template_supports_tools(std::string_view template_source);

}  // namespace tq
