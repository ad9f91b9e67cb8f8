#include "providers/tool_calls.h"

#include <cstdint>
#include <cstdio>

namespace tq {
namespace {

using nlohmann::json;

constexpr std::string_view kOpen = "<tool_call>";
constexpr std::string_view kClose = "</tool_call>";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// FNV-1a: ids only need to be stable for one text, not secret.
uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// {"name": "...", "arguments": {...} | "..."} → an OpenAI tool call, or null.
json to_call(std::string_view body, uint64_t hash, size_t index) {
  const json j = json::parse(trim(body), nullptr, false);
  if (!j.is_object()) return nullptr;
  const auto name = j.find("name");
  if (name == j.end() || !name->is_string() || name->get<std::string>().empty()) return nullptr;
  std::string arguments = "{}";
  if (const auto a = j.find("arguments"); a != j.end()) {
    if (a->is_string())
      arguments = a->get<std::string>();
    else if (a->is_object())
      arguments = a->dump(-1, ' ', false, json::error_handler_t::replace);
    else
      return nullptr;
  }
  char id[48];
  std::snprintf(id, sizeof id, "call_%016llx_%zu", static_cast<unsigned long long>(hash), index);
  return json{{"id", id},
              {"type", "function"},
              {"function", {{"name", name->get<std::string>()}, {"arguments", arguments}}}};
}

}  // namespace

ParsedToolCalls parse_hermes_tool_calls(std::string_view text) {
  ParsedToolCalls out;
  const uint64_t hash = fnv1a(text);
  std::string rest;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find(kOpen, pos);
    if (open == std::string_view::npos) break;
    const size_t body_start = open + kOpen.size();
    const size_t close = text.find(kClose, body_start);
    const size_t body_end = close == std::string_view::npos ? text.size() : close;
    json call = to_call(text.substr(body_start, body_end - body_start), hash,
                        out.tool_calls.is_array() ? out.tool_calls.size() : 0);
    if (call.is_null()) {  // not a call: keep it as text and look further
      rest.append(text.substr(pos, body_start - pos));
      pos = body_start;
      continue;
    }
    if (!out.tool_calls.is_array()) out.tool_calls = json::array();
    out.tool_calls.push_back(std::move(call));
    rest.append(text.substr(pos, open - pos));
    pos = close == std::string_view::npos ? text.size() : close + kClose.size();
  }
  if (pos < text.size()) rest.append(text.substr(pos));
  out.text = std::string(out.tool_calls.is_array() ? trim(rest) : std::string_view(rest));
  return out;
}

bool template_supports_tools(std::string_view template_source) {
  return template_source.find("tools") != std::string_view::npos &&
         template_source.find("tool_call") != std::string_view::npos;
}

}  // namespace tq
